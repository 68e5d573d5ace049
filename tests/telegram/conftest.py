"""A real gatherbot core wired to the Telegram adapter, which talks to an in-memory Bot API."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram import Update

from adapters.telegram import TelegramAdapter, create
from bot.app import App
from bot.bootstrap import build_app
from bot.clock import SimulatedClock
from bot.config import Config
from bot.domain.events import DomainEvent
from tests.platform_flow import DeliveringClock
from tests.telegram.fakes import BOT_USER, DATE, TOKEN, FakeTelegram

GROUP_ID = -1001234567890
GROUP = {"id": GROUP_ID, "title": "Rust Study Group", "type": "supergroup"}
ALICE = {"id": 1001, "is_bot": False, "first_name": "Alice", "last_name": "Wang", "username": "alice_w"}
BOB = {"id": 1002, "is_bot": False, "first_name": "Bob", "username": "bob", "language_code": "en"}
CAROL = {"id": 1003, "is_bot": False, "first_name": "Carol", "last_name": "Li"}


class Updates:
    """Builds Bot API update payloads with increasing update ids."""

    def __init__(self) -> None:
        self._ids = itertools.count(900001)
        self._message_ids = itertools.count(5001)

    def message(self, user: dict[str, Any], text: str, chat: dict[str, Any] | None = None) -> dict[str, Any]:
        chat = chat or GROUP
        message: dict[str, Any] = {
            "message_id": next(self._message_ids), "from": user, "chat": chat, "date": DATE, "text": text,
        }  # fmt: skip
        if text.startswith("/"):
            message["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
        return {"update_id": next(self._ids), "message": message}

    def private(self, user: dict[str, Any], text: str) -> dict[str, Any]:
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        return self.message(user, text, chat)

    def press(self, user: dict[str, Any], data: str, message_id: int) -> dict[str, Any]:
        message = {"message_id": message_id, "from": BOT_USER, "chat": GROUP, "date": DATE, "text": "…"}
        query = {
            "id": f"cq{next(self._ids)}",
            "from": user,
            "message": message,
            "chat_instance": "-62308945",
            "data": data,
        }
        return {"update_id": next(self._ids), "callback_query": query}

    def vote(self, user: dict[str, Any], poll_id: str, option: int) -> dict[str, Any]:
        answer = {
            "poll_id": poll_id,
            "user": user,
            "option_ids": [option],
            "option_persistent_ids": [str(option)],
        }
        return {"update_id": next(self._ids), "poll_answer": answer}


class Flow(DeliveringClock):
    """The core app + the Telegram adapter + the fake Bot API, on a simulated clock."""

    def __init__(self, fake: FakeTelegram, adapter: TelegramAdapter, app: App) -> None:
        self.fake, self.adapter, self.app = fake, adapter, app
        self.updates = Updates()
        self.seen: list[DomainEvent] = []

    async def feed(self, payload: dict[str, Any]) -> None:
        """One update through PTB's Application, as polling would deliver it."""
        application = self.adapter.application
        assert application is not None
        await application.process_update(Update.de_json(payload, application.bot))

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        return [p for p in self.fake.of("sendMessage") if int(p["chat_id"]) == chat_id]


def make_config(db: str, **telegram: Any) -> Config:
    return Config(database_url=db, timezone="Asia/Shanghai", telegram={"token": TOKEN, **telegram})


@pytest.fixture
def fake() -> FakeTelegram:
    return FakeTelegram(admins={GROUP_ID: [ALICE["id"]]})


@pytest.fixture
async def flow(tmp_path, fake: FakeTelegram) -> AsyncIterator[Flow]:  # type: ignore[no-untyped-def]
    config = make_config(str(tmp_path / "tg.db"))
    clock = SimulatedClock(datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    adapter = create(config, request=fake, now=clock.now)
    app = await build_app(config, adapters={"telegram": adapter}, clock=clock)
    f = Flow(fake, adapter, app)
    await adapter.start(f.sink)
    try:
        yield f
    finally:
        await adapter.stop()
        await app.close()
