"""Configuration, start-up failures, the admin cache, mentions, and the token kept out of logs."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from telegram import Update

from adapters.telegram import TelegramAdapter, TelegramSettings, create
from adapters.telegram.admins import AdminCache
from adapters.telegram.errors import Redactor
from adapters.telegram.outbound import Directory, mention_entities
from bot.bootstrap import StartupError, load_adapter
from bot.config import Config, from_dict
from bot.domain.messages import OutMessage, Target
from bot.ports import CommandSpecView
from tests.telegram.conftest import ALICE, BOB, GROUP, GROUP_ID, Flow, Updates, make_config
from tests.telegram.fakes import TOKEN, FakeTelegram

SECRET = TOKEN.split(":", 1)[1]


def settings(**table: Any) -> TelegramSettings:
    return TelegramSettings.from_table({"token": TOKEN, **table})


def test_the_token_is_required_with_a_clear_message() -> None:
    with pytest.raises(StartupError, match="GATHERBOT_TELEGRAM_TOKEN"):
        create(Config(telegram={}))
    with pytest.raises(StartupError, match="does not look like a bot token") as info:
        create(Config(telegram={"token": "not a token"}))
    assert "not a token" not in str(info.value)


def test_the_environment_token_is_used_and_never_shown() -> None:
    config = from_dict({"telegram": {"token": ""}}, env={"GATHERBOT_TELEGRAM_TOKEN": TOKEN})
    adapter = load_adapter("telegram", config, request=FakeTelegram())
    assert isinstance(adapter, TelegramAdapter) and adapter.settings.token == TOKEN
    assert SECRET not in repr(adapter.settings) and SECRET not in repr(config)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"mode": "websocket"}, "telegram.mode"),
        ({"base_url": "ftp://x"}, "telegram.base_url"),
        ({"poll_interval": -1}, "telegram.poll_interval"),
        ({"poll_interval": "fast"}, "telegram.poll_interval"),
        ({"mode": "webhook", "webhook_url": "http://bot.example.org/tg"}, "telegram.webhook_url"),
        ({"mode": "webhook", "webhook_url": "https://bot.example.org/tg"}, "telegram.webhook_secret"),
    ],
)
def test_bad_settings_name_the_key(table: dict[str, Any], message: str) -> None:
    with pytest.raises(StartupError, match=message):
        settings(**table)


def test_defaults_and_local_bot_api_server() -> None:
    s = settings(base_url="http://127.0.0.1:8081/bot", base_file_url="http://127.0.0.1:8081/file/bot")
    assert (s.mode, s.poll_interval, s.poll_timeout, s.base_url) == (
        "polling",
        0.0,
        10,
        "http://127.0.0.1:8081/bot",
    )


def test_webhook_mode_needs_the_webhook_server_extra(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(StartupError, match=r"python-telegram-bot\[webhooks\]"):
        settings(mode="webhook", webhook_url="https://bot.example.org/tg", webhook_secret="s3cret-Value")


@pytest.mark.parametrize(
    ("method", "status", "description", "match"),
    [
        ("getMe", 401, "Unauthorized", "rejected the token"),
        ("getMe", 502, "Bad Gateway", "cannot start"),
        ("deleteWebhook", 502, "Bad Gateway", "cannot start"),  # polling starts by removing any webhook
    ],
)
async def test_start_fails_clearly(tmp_path, method, status, description, match) -> None:  # type: ignore[no-untyped-def]
    fake = FakeTelegram()
    fake.fail(method, status, description)
    adapter = create(make_config(str(tmp_path / "x.db")), request=fake)

    async def sink(_: object) -> None:
        return None

    with pytest.raises(StartupError, match=match) as info:
        await adapter.start(sink)
    assert SECRET not in str(info.value) and adapter.application is None
    await adapter.start(sink)  # nothing was left half-started: it can try again
    await adapter.stop()


def test_redactor_hides_the_token_and_its_secret_half() -> None:
    redact = Redactor(TOKEN)
    assert redact(f"https://api.telegram.org/bot{TOKEN}/getMe") == "https://api.telegram.org/bot<token>/getMe"
    assert SECRET not in redact(f"... {SECRET} ...")


async def test_the_token_never_reaches_the_logs(tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    fake = FakeTelegram()
    leak = f"Bad Gateway at /bot{TOKEN}/x"
    fake.fail("getUpdates", 502, leak)
    fake.fail("setMyCommands", 502, leak)
    adapter = create(make_config(str(tmp_path / "x.db")), request=fake)

    async def sink(_: object) -> None:
        raise RuntimeError(f"a handler that leaks {TOKEN}")

    await adapter.start(sink)
    try:
        await adapter.sync_commands([CommandSpecView("events", "Upcoming", "活动", False, "/events")])
        fake.updates.append(Updates().message(ALICE, "hello"))
        async with asyncio.timeout(5):
            while "handling update" not in caplog.text or "getUpdates failed" not in caplog.text:
                await asyncio.sleep(0.01)
    finally:
        await adapter.stop()
    text = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert "<token>" in text and "setMyCommands" in text and "a handler that leaks" in text
    assert SECRET not in text
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
    assert logging.getLogger("telegram").getEffectiveLevel() >= logging.WARNING


async def test_admin_cache_refreshes_after_its_ttl_and_remembers_failures() -> None:
    clock = [0.0]
    answers: list[Any] = [frozenset({"1"}), RuntimeError("down"), frozenset({"1", "2"})]

    async def fetch(chat_id: str) -> frozenset[str]:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    cache = AdminCache(fetch, ttl=600, failure_ttl=60, monotonic=lambda: clock[0])
    assert await cache.is_admin("g", "1") is True and await cache.is_admin("g", "2") is False
    assert cache.fetches == 1
    clock[0] = 601
    assert await cache.is_admin("g", "2") is None  # the fetch failed: unknown
    clock[0] = 630
    assert await cache.is_admin("g", "2") is None and cache.fetches == 2  # failure remembered for a minute
    clock[0] = 662
    assert await cache.is_admin("g", "2") is True


async def test_a_promotion_refreshes_the_admin_list(flow: Flow) -> None:
    await flow.feed(flow.updates.message(BOB, "hello"))
    assert flow.seen[-1].user.is_admin is False
    flow.fake.admins[GROUP_ID].append(BOB["id"])
    promoted = {
        "update_id": 42, "chat_member": {"chat": GROUP, "from": ALICE, "date": 1796086800,
        "old_chat_member": {"status": "member", "user": BOB},
        "new_chat_member": {"status": "administrator", "user": BOB, "can_be_edited": False, "is_anonymous": False,
            "can_manage_chat": True, "can_delete_messages": True, "can_manage_video_chats": True,
            "can_restrict_members": True, "can_promote_members": False, "can_change_info": True,
            "can_invite_users": True, "can_post_stories": False, "can_edit_stories": False,
            "can_delete_stories": False}},
    }  # fmt: skip
    await flow.feed(promoted)
    await flow.feed(flow.updates.message(BOB, "hello again"))
    assert flow.seen[-1].user.is_admin is True
    assert len(flow.fake.of("getChatAdministrators")) == 2


async def test_bot_added_to_a_group_is_logged(flow: Flow, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="adapters.telegram")
    added = {
        "update_id": 43, "my_chat_member": {"chat": GROUP, "from": ALICE, "date": 1796086800,
        "old_chat_member": {"status": "left", "user": {"id": 4242, "is_bot": True, "first_name": "Gatherbot"}},
        "new_chat_member": {"status": "member", "user": {"id": 4242, "is_bot": True, "first_name": "Gatherbot"}}},
    }  # fmt: skip
    await flow.feed(added)
    assert "bot membership in -1001234567890 (Rust Study Group): left -> member" in caplog.text
    assert "make the bot an admin" in caplog.text


def test_mentions_become_text_mentions_at_utf16_offsets() -> None:
    directory = Directory()
    directory.remember("1003", "Carol Li", None)
    directory.remember("1002", "Bob", "bob")
    directory.remember("1004", "李雷", None)
    text = "🎉 @bob Carol Li 李雷: see you"
    entities = mention_entities(text, ("1002", "1003", "1004", "9999"), directory)
    assert [(e.offset, e.length, e.user.id) for e in entities] == [(8, 8, 1003), (17, 2, 1004)]


def test_a_name_inside_a_longer_word_is_not_a_mention() -> None:
    directory = Directory()
    directory.remember("1", "Al", None)
    assert mention_entities("Alice and Al", ("1",), directory)[0].offset == 10


async def test_group_message_with_an_unknown_mention_is_plain_text(flow: Flow) -> None:
    message = OutMessage(Target("telegram", str(GROUP_ID)), "Dana: hi", mentions=("5555",))
    await flow.adapter.send(message, idempotency_key="m1")
    assert flow.fake.of("sendMessage")[-1] == {"chat_id": GROUP_ID, "text": "Dana: hi"}


def test_updates_builder_marks_commands() -> None:
    payload = Updates().message(ALICE, "/events now")
    assert Update.de_json(payload, None).message.entities[0].length == 7
