"""A real gatherbot core wired to the Discord adapter, which talks to an in-memory Discord (fakes.py)."""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from adapters.discord import DiscordAdapter, create
from bot.app import App
from bot.bootstrap import build_app
from bot.clock import SimulatedClock
from bot.config import Config
from bot.domain.events import DomainEvent
from tests.discord.fakes import TOKEN, FakeClient, fake_interaction, fixture
from tests.platform_flow import DeliveringClock


class Flow(DeliveringClock):
    """The core app + the Discord adapter + the fake Discord, on a simulated clock."""

    def __init__(self, client: FakeClient, adapter: DiscordAdapter, app: App) -> None:
        self.client, self.adapter, self.app = client, adapter, app
        self.seen: list[DomainEvent] = []
        self._ids = itertools.count(1577600000000000000)
        self._seq = itertools.count(1000)

    async def gateway(self, name: str, **changes: Any) -> dict[str, Any]:
        """A recorded dispatch (its 'd' updated with changes) through the socket tap, handled in order."""
        payload = copy.deepcopy(fixture(name))
        payload["d"].update(changes)
        payload["s"] = next(self._seq)
        self.adapter.tap(json.dumps(payload))
        await self.adapter._queue.join()
        return payload

    async def interact(self, name: str, *, data: dict[str, Any] | None = None, **changes: Any) -> Any:
        """A recorded interaction with a fresh id, through on_interaction; returns the fake Interaction."""
        payload = copy.deepcopy(fixture(name)["d"])
        payload["id"] = str(next(self._ids))
        payload.update(changes)
        if data is not None:
            payload["data"] = {**payload["data"], **data}
        interaction = fake_interaction(payload, self.client)
        await self.adapter.handle_interaction(interaction)
        return interaction


def make_config(db: str, **discord: Any) -> Config:
    return Config(database_url=db, timezone="Asia/Shanghai", discord={"token": TOKEN, **discord})


@pytest.fixture
def client() -> FakeClient:
    return FakeClient()


@pytest.fixture
async def flow(tmp_path, client: FakeClient) -> AsyncIterator[Flow]:  # type: ignore[no-untyped-def]
    config = make_config(str(tmp_path / "dc.db"))
    clock = SimulatedClock(datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    adapter = create(config, client=client, now=clock.now)
    client.on_start = adapter.mark_ready
    app = await build_app(config, adapters={"discord": adapter}, clock=clock)
    f = Flow(client, adapter, app)
    await adapter.start(f.sink)
    try:
        yield f
    finally:
        await adapter.stop()
        await app.close()
