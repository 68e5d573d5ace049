"""A relay process for the kill-and-restart test: delivers the outbox into a recording adapter.

The adapter appends every send's idempotency key to a log file (flushed and fsynced) before it
returns, as a platform would have shown the message; the test reads that log to count repeats.
Usage: python -m tests.fault_worker DB LOG
"""

from __future__ import annotations

import asyncio
import os
import sys

from sqlalchemy import func, select

from bot.clock import SystemClock
from bot.config import Config
from bot.delivery.relay import Relay
from bot.domain.messages import OutMessage, SentRef
from bot.ports import Capabilities
from bot.storage.db import make_engine, make_sessionmaker
from bot.storage.models import Delivery


class RecordingAdapter:
    platform = "fake"
    capabilities = Capabilities()

    def __init__(self, log_path: str) -> None:
        self._log = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 - lives as long as the process

    async def send(self, message: OutMessage, *, idempotency_key: str) -> SentRef:
        await asyncio.sleep(0.01)  # a network round trip
        self._log.write(idempotency_key + "\n")
        self._log.flush()
        os.fsync(self._log.fileno())
        return SentRef(message_id=idempotency_key)


async def main(db: str, log_path: str) -> None:
    engine = make_engine(db)
    sessions = make_sessionmaker(engine)
    config = Config(database_url=db, lease_seconds=0.3, batch_size=20)
    relay = Relay(sessions, {"fake": RecordingAdapter(log_path)}, SystemClock(), config)  # type: ignore[dict-item]
    while True:
        await relay.tick()
        async with sessions() as s:
            left = await s.scalar(select(func.count()).where(Delivery.status.in_(("pending", "sending"))))
        if not left:
            break
        await asyncio.sleep(0.05)
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
