"""A bot wired to the in-memory adapter with a simulated clock, driven by console-syntax lines.

``await bot("alice: /events")`` returns the transcript lines the bot produced for that input,
so dialog tests read as transcripts.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from adapters.console import ConsoleSession
from adapters.memory import MemoryAdapter
from bot.app import App
from bot.bootstrap import build_app
from bot.clock import SimulatedClock
from bot.config import Config
from bot.ports import Capabilities


class Harness:
    """One community, its members, the bot and a clock that moves only when told."""

    def __init__(self, app: App, adapter: MemoryAdapter, session: ConsoleSession, out: io.StringIO) -> None:
        self.app, self.adapter, self.session, self.out = app, adapter, session, out

    @classmethod
    async def create(
        cls,
        db: str,
        *,
        start: str = "2026-12-01 09:00",
        tz: str = "Asia/Shanghai",
        lang: str = "en",
        platform: str = "memory",
        capabilities: Capabilities | None = None,
        **config: Any,
    ) -> Harness:
        cfg = Config(database_url=db, timezone=tz, language=lang, **config)
        zone = ZoneInfo(tz)
        clock = SimulatedClock(datetime.fromisoformat(start).replace(tzinfo=zone))
        adapter = MemoryAdapter(
            platform=platform, capabilities=capabilities or Capabilities(idempotent_send=True)
        )
        app = await build_app(cfg, adapters={platform: adapter}, clock=clock)
        out = io.StringIO()
        return cls(app, adapter, ConsoleSession(app, adapter, out, zone), out)

    @property
    def clock(self) -> SimulatedClock:
        assert isinstance(self.app.clock, SimulatedClock)
        return self.app.clock

    async def __call__(self, *lines: str) -> list[str]:
        """Feed console lines; return every output line they produced."""
        start = self.out.tell()
        for line in lines:
            await self.session.feed(line)
        self.out.seek(start)
        produced = self.out.read().splitlines()
        self.out.seek(0, io.SEEK_END)
        return produced

    async def text(self, *lines: str) -> str:
        """Like calling the harness, but one string (for `in` checks)."""
        return "\n".join(await self(*lines))

    async def count(self, model: Any, *where: Any) -> int:
        """How many rows of a table (optionally filtered)."""
        async with self.app.sessions() as s:
            return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    async def rows(self, model: Any, *where: Any) -> list[Any]:
        async with self.app.sessions() as s:
            return list(await s.scalars(select(model).where(*where)))

    async def close(self) -> None:
        await self.app.close()
