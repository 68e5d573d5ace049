"""A relay process for the kill-and-restart tests: delivers the outbox into a recording adapter.

The adapter appends every send's idempotency key to a log file (flushed and fsynced) before it
returns, as a platform would have shown the message; the tests read that log to count repeats.

Usage: python -m tests.fault_worker DB LOG [MAX_IN_FLIGHT [PHASE N]]

With PHASE and N the process SIGKILLs itself once it has made N sends in this run, at that phase:
``sent`` right after the platform accepted the Nth send (inside the at-least-once window),
``recorded`` right after the commit that recorded it, ``claimed`` right after the next claim.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from sqlalchemy import func, select

from bot.clock import SystemClock
from bot.config import Config
from bot.delivery.relay import Relay
from bot.domain.messages import OutMessage, SentRef
from bot.ports import Capabilities
from bot.storage.db import make_engine, make_sessionmaker
from bot.storage.models import Delivery


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class RecordingAdapter:
    platform = "fake"
    capabilities = Capabilities()

    def __init__(self, log_path: str, die_at: int | None) -> None:
        self._log = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
        self.sends = 0
        self._die_at = die_at

    async def send(self, message: OutMessage, *, idempotency_key: str) -> SentRef:
        await asyncio.sleep(0.01)  # a network round trip
        self._log.write(idempotency_key + "\n")
        self._log.flush()
        os.fsync(self._log.fileno())
        self.sends += 1
        if self.sends == self._die_at:
            die()  # the platform has it; we never record it
        return SentRef(message_id=idempotency_key)


async def main(db: str, log_path: str, max_in_flight: int, phase: str | None, n: int | None) -> None:
    engine = make_engine(db)
    sessions = make_sessionmaker(engine)
    config = Config(database_url=db, lease_seconds=0.3, batch_size=20, max_in_flight=max_in_flight)
    adapter = RecordingAdapter(log_path, n if phase == "sent" else None)
    relay = Relay(sessions, {"fake": adapter}, SystemClock(), config)  # type: ignore[dict-item]
    if phase in ("recorded", "claimed"):
        name = "_record" if phase == "recorded" else "_claim_batch"
        real = getattr(relay, name)

        async def then_die(*args):  # type: ignore[no-untyped-def]
            result = await real(*args)
            if n is not None and adapter.sends >= n:
                die()
            return result

        setattr(relay, name, then_die)
    while True:
        await relay.tick()
        async with sessions() as s:
            left = await s.scalar(select(func.count()).where(Delivery.status.in_(("pending", "sending"))))
        if not left:
            break
        await asyncio.sleep(0.05)
    await engine.dispose()


if __name__ == "__main__":
    args = sys.argv[1:]
    asyncio.run(
        main(
            args[0],
            args[1],
            int(args[2]) if len(args) > 2 else 1,
            args[3] if len(args) > 3 else None,
            int(args[4]) if len(args) > 4 else None,
        )
    )
