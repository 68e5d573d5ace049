"""Input safety and secrets: hostile input never crashes a handler, is stored within limits and echoed as
plain text; tokens, the database password and the privacy key never reach the logs or the chats."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import tempfile
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.events import ButtonPressed, MessageReceived, UserRef
from bot.domain.messages import Attachment, OutMessage, Target
from bot.storage import db
from bot.storage.models import Activity, Conversation, Event, Member, PollVote
from tests.harness import Harness

ROOT = Path(__file__).resolve().parents[1]
INTERNAL = ("Sorry, something went wrong", "抱歉，我这边出了点问题")
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
MARKUP = "<b>x</b> *y* _z_ `c` ~~s~~ ||spoiler|| [a](javascript:alert(1)) <a href='javascript:x'>l</a> &amp;"
HOSTILE = {
    "long": "x" * 100_000,
    "control": "a\x00b\x01c\x07d\x1b[31mred\x1b[0m\x7fe\r\x0bf",
    "rtl": "abc\u202egnp.exe\u202c \u2066iso\u2069 \u200fmark",
    "markup": MARKUP,
    "mentions": "@everyone @here <@123> <#456> <@&789>",
    "format": "{0} {title} %s %(x)s {{}} }{",
    "emoji": "🙂" * 3000,
    "newlines": "line1\nline2\n\n\tindented",
}
MAX_OUT = 4096  # what one Telegram message may hold


class Chat:
    """Events as a platform would deliver them (not console lines, which cannot carry control characters)."""

    def __init__(self, bot: Harness) -> None:
        self.bot = bot
        self.chat = bot.session.chat

    async def say(self, name: str, text: str, *, private: bool = False) -> list[str]:
        return await self.send(self.chat.say(name, text, private=private))

    async def send(self, event: Any) -> list[str]:
        before = len(self.bot.adapter.records)
        await self.bot.app.handle(event)
        await self.bot.app.relay.drain()
        self.bot.session.flush()
        edited = [r.message.text for r in self.bot.adapter.records if r.edits]
        return [r.message.text for r in self.bot.adapter.records[before:]] + edited


def check_output(texts: list[str]) -> None:
    for text in texts:
        assert not any(marker in text for marker in INTERNAL), text[:200]
        assert not UNSAFE.search(text), repr(text[:200])
        assert len(text) <= MAX_OUT, len(text)


@pytest.fixture
async def hostile_bot(db_url: str) -> AsyncIterator[Harness]:  # type: ignore[no-untyped-def]
    """A community with text kept, on SQLite and (with GATHERBOT_TEST_POSTGRES_URL) PostgreSQL."""
    if "://" in db_url:
        await asyncio.to_thread(db.upgrade, db_url)  # PostgreSQL is not upgraded automatically
    bot = await Harness.create(db_url, keep_text=True)
    await bot(
        "alice: /newevent Rust night 2026-12-01 10:00", "bob: [Going]", ":advance 59m", "bob: [I'm here]"
    )
    await bot(":advance 1h15m", "bob: [5]")  # the poll is out and bob rated the event
    yield bot
    await bot.close()


COMMANDS = [
    "/newevent {h} 2026-12-05 19:00", "/newevent Talk 2026-12-05 19:00 place={h}", '/newevent "{h}" tomorrow 8pm',
    "/newevent Talk 2026-12-05 19:00 #{h}", "/editevent 1 title={h}", "/editevent 1 place={h}", "/event {h}",
    "/feedback 1 {h}", "/remind {h}", "/timezone {h}", "/lang {h}", "/settings {h}", "/settings timezone={h}",
    "/newevent Talk 2026-12-05 19:00 tz={h}", "/organizer add {h}", "/cancelevent {h}", "/results {h}", "/ics {h}", "/privacy {h}", "/{h}", "{h}",
]  # fmt: skip


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_hostile_input_never_crashes_and_is_stored_within_limits(hostile_bot, name: str) -> None:
    bot, chat, h = hostile_bot, Chat(hostile_bot), HOSTILE[name]
    failures = set()
    for template in COMMANDS:
        for speaker in ("alice", "bob"):
            try:
                check_output(await chat.say(speaker, template.replace("{h}", h)))
            except AssertionError:
                failures.add(template)
    assert failures == set()
    check_output(await chat.say("bob", f"/privacy {h}", private=True))
    check_output(await chat.say("alice", "/newevent"))  # the step-by-step dialog gets it too
    for _ in range(3):
        check_output(await chat.say("alice", h))
    base = chat.chat._base("bob", False)
    check_output(await chat.send(ButtonPressed(**base, data=h[:64], interaction_id="bob#1")))
    check_output(await chat.send(ButtonPressed(**chat.chat._base("bob", False), data=f"rsvp:1:{h}"[:64])))
    for event in await bot.rows(Event):
        assert 0 < len(event.title) <= bot.app.config.max_title and len(event.place or "") <= 500
        assert not UNSAFE.search(event.title + (event.place or ""))
    for vote in await bot.rows(PollVote):
        assert len(vote.comment or "") <= 1000 and not UNSAFE.search(vote.comment or "")
    for row in await bot.rows(Activity):
        assert len(row.text or "") <= 4096 and not UNSAFE.search(row.text or "")
    for convo in await bot.rows(Conversation):
        assert not UNSAFE.search(json.dumps(convo.data, ensure_ascii=False))


async def test_an_overlong_timezone_is_a_usage_error(bot) -> None:
    # ZoneInfo raises OSError ("File name too long") for a name over 255 bytes.
    check_output(await Chat(bot).say("bob", "/timezone " + "x" * 300))


async def test_control_characters_and_overrides_are_removed_not_the_text(bot) -> None:
    chat = Chat(bot)
    out = await chat.say("alice", "/newevent Ru\x00st\u202e night\x07 2026-12-05 19:00")
    assert out[0].startswith("📅 Rust night (#1)")
    (event,) = await bot.rows(Event)
    assert event.title == "Rust night"
    base = chat.chat._base("bob", False)
    user = UserRef("u-eve", "E\u202eve" * 200, "e\x00ve" * 30)
    check_output(await chat.send(MessageReceived(**{**base, "user": user}, message_id="m1", text="hello")))
    (eve,) = await bot.rows(Member, Member.user_id == "u-eve")
    assert (
        len(eve.display_name) <= 256
        and not UNSAFE.search(eve.display_name)
        and eve.display_name.startswith("Eve")
    )
    assert eve.username is not None and len(eve.username) <= 64 and "\x00" not in eve.username


async def test_markup_is_echoed_verbatim_as_plain_text(bot) -> None:
    title = "<b>x</b> *y* [a](javascript:alert(1))"
    out = await bot(f"alice: /newevent {title} 2026-12-05 19:00")
    assert out[0] == f"bot -> group: 📅 {title} (#1)"
    assert await bot("bob: /event <i>1</i>") == [
        "bot -> group: “<i>1</i>” is not an event number.",
        "Example: /event 3",
    ]
    assert bot.adapter.records[0].message.text.startswith(
        f"📅 {title} (#1)"
    )  # the message itself, not escaped


def test_no_adapter_sends_with_a_parse_mode() -> None:
    """Bot text is plain on every platform: Telegram without parse_mode, Discord without mass mentions."""
    sources = {p: p.read_text(encoding="utf-8") for p in (ROOT / "adapters").rglob("*.py")}
    assert sources
    for path, text in sources.items():
        assert not re.search(r"parse_mode\s*=|ParseMode\.|parse_mode\"\s*:", text), path
    telegram = ROOT / "adapters" / "telegram" / "outbound.py"
    assert "no parse_mode" in sources[telegram]


async def test_telegram_sends_hostile_text_verbatim_without_parse_mode(tmp_path) -> None:
    from adapters.telegram import create
    from tests.telegram.conftest import make_config
    from tests.telegram.fakes import FakeTelegram

    fake = FakeTelegram()
    adapter = create(make_config(str(tmp_path / "x.db")), request=fake)
    await adapter.start(_ignore)
    try:
        assert adapter.application is not None and adapter.application.bot.defaults is None
        text = MARKUP + " <script>alert(1)</script>"
        await adapter.send(
            OutMessage(Target("telegram", "-100123", False, "group"), text), idempotency_key="k1"
        )
        await adapter.send(
            OutMessage(Target("telegram", "1003", True, "c@dm"), text, attachment=Attachment("f.json", b"{}", "application/json")),
            idempotency_key="k2",
        )  # fmt: skip
        (sent,) = fake.of("sendMessage")
        (document,) = fake.of("sendDocument")
        assert sent["text"] == text and "parse_mode" not in sent
        assert document["caption"] == text and "parse_mode" not in document
    finally:
        await adapter.stop()


async def _ignore(event: Any) -> None:
    return None


# --- fuzzing: command parsing and echoing --------------------------------------------------------

NAMES = [
    "help", "start", "events", "event", "myevents", "remind", "feedback", "ics", "lang", "timezone", "privacy",
    "cancel", "newevent", "editevent", "cancelevent", "results", "settings", "organizer", "nonexistent",
]  # fmt: skip
PIECES = [
    "1", "#1", "-1", "99999999999999999999", "2026-12-05", "19:00", "tomorrow", "明天", "on", "off", "export",
    "delete", "forget", "confirm", "analytics", "reminders", "collect", "title=", "place=", "capacity=9e99",
    "timezone=Asia/Shanghai", "keep_text=on", "@bob", "<b>", "</b>", "*", "_", "`", "[a](javascript:x)", "\x00",
    "\u202e", "\u2066", "\n", "\t", "\x1b[2J", "{0}", "{title}", "%s", "\\", '"', "“", "＃", "🙂",
]  # fmt: skip
ARGS = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=8).map(" ".join)
LINES = st.tuples(
    st.sampled_from(["alice", "bob"]), st.booleans(), st.sampled_from(NAMES), ARGS, st.booleans()
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line=LINES)
def _fuzz(bot: Harness, loop: asyncio.AbstractEventLoop, line: tuple[str, bool, str, str, bool]) -> None:
    speaker, private, name, args, as_command = line
    text = f"/{name} {args}" if as_command else args

    async def run() -> list[str]:
        return await Chat(bot).say(speaker, text, private=private)

    check_output(loop.run_until_complete(run()))


def test_fuzzed_commands_never_crash_and_echo_only_plain_text() -> None:
    loop = asyncio.new_event_loop()
    with tempfile.TemporaryDirectory() as tmp:
        bot = loop.run_until_complete(Harness.create(str(Path(tmp) / "fuzz.db"), keep_text=True))
        try:
            loop.run_until_complete(bot("alice: /newevent Rust night 2026-12-05 19:00", "bob: [Going]"))
            _fuzz(bot, loop)
        finally:
            loop.run_until_complete(bot.close())
            loop.close()


# --- secrets ---------------------------------------------------------------------------------------

SECRET_PASSWORD = "S3cretPassw0rd"
SECRET_KEY = "privacy-key-S3cret"
# The configured database, as in production; the test runs on an SQLite engine injected instead (an SQLite
# URL cannot carry a password), so anything that logs or echoes the configured URL would show it.
PG_URL = f"postgresql://gatherbot:{SECRET_PASSWORD}@db.example:5432/gatherbot"


async def sqlite_engine(tmp_path: Path) -> Any:
    path = str(tmp_path / "secret.db")
    await asyncio.to_thread(db.upgrade, path)
    return db.make_engine(path)


async def test_token_password_and_key_never_reach_logs_chats_or_exports(tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    from adapters.telegram import create
    from bot.bootstrap import build_app
    from bot.clock import SimulatedClock
    from bot.config import Config
    from tests.telegram.conftest import ALICE, BOB, GROUP_ID, Flow
    from tests.telegram.fakes import TOKEN, FakeTelegram

    caplog.set_level(logging.DEBUG)
    config = Config(
        database_url=PG_URL, timezone="Asia/Shanghai", telegram={"token": TOKEN}, privacy_hash_key=SECRET_KEY, log_level="DEBUG"
    )  # fmt: skip
    fake = FakeTelegram(admins={GROUP_ID: [ALICE["id"]]})
    clock = SimulatedClock(datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    adapter = create(config, request=fake, now=clock.now)
    app = await build_app(
        config,
        adapters={"telegram": adapter},
        clock=clock,
        engine=await sqlite_engine(tmp_path),
        migrate=False,
    )
    flow = Flow(fake, adapter, app)
    await adapter.start(flow.sink)
    try:
        logging.getLogger("test").info("started with %r", config)
        await flow.feed(flow.updates.message(ALICE, "/newevent Rust night 2026-12-05 19:00"))
        await flow.feed(flow.updates.message(BOB, "hello"))
        fake.fail("sendMessage", 500, "Internal Server Error")  # retried
        fake.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")  # given up
        await flow.feed(flow.updates.message(BOB, "/events"))
        await flow.feed(flow.updates.message(ALICE, "/settings"))
        await flow.advance(timedelta(minutes=5))
        spec = app.registry.get("ics")
        assert spec is not None
        from dataclasses import replace

        async def boom(ctx: Any, args: str) -> None:
            raise RuntimeError("handler exploded")

        app.registry._commands["ics"] = replace(spec, handler=boom)  # a failing handler logs a traceback
        await flow.feed(flow.updates.message(ALICE, "/ics 1"))
        await flow.feed(flow.updates.private(BOB, "/privacy export"))
        await flow.deliver()  # the file is built when it is sent
        await flow.feed(flow.updates.private(BOB, "/privacy forget confirm"))
        await flow.feed(flow.updates.message(BOB, "still here"))
        await flow.deliver()
    finally:
        await adapter.stop()
        await app.close()
    assert "handler failed for CommandInvoked" in caplog.text and "handler exploded" in caplog.text
    assert (
        "gave up" in json.dumps([r.getMessage() for r in caplog.records]) or "failed for good" in caplog.text
    )
    sent = json.dumps([c.params for c in fake.calls], default=str)
    export = [c for c in fake.calls if c.method == "sendDocument"]
    assert export, "the export was sent"
    for secret in (TOKEN, TOKEN.split(":")[1], SECRET_PASSWORD, SECRET_KEY):
        assert secret not in caplog.text, "a secret reached the logs"
        assert secret not in sent, "a secret reached a chat"


async def test_secrets_are_not_in_exports_or_settings(tmp_path) -> None:
    import io

    from adapters.console import ConsoleSession
    from adapters.memory import MemoryAdapter
    from bot.bootstrap import build_app
    from bot.clock import SimulatedClock
    from bot.config import Config
    from tests.telegram.fakes import TOKEN

    config = Config(
        database_url=PG_URL, telegram={"token": TOKEN}, discord={"token": "discord-S3cret"}, privacy_hash_key=SECRET_KEY
    )  # fmt: skip
    adapter, out = MemoryAdapter(), io.StringIO()
    clock = SimulatedClock(datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("UTC")))
    app = await build_app(
        config, adapters={"memory": adapter}, clock=clock, engine=await sqlite_engine(tmp_path), migrate=False
    )
    bot = Harness(app, adapter, ConsoleSession(app, adapter, out, ZoneInfo("UTC")), out)
    try:
        text = await bot.text(
            "alice: hi", "alice: /settings", "alice@dm: /privacy", "alice@dm: /privacy export"
        )
        attachment = bot.adapter.records[-1].message.attachment
        assert attachment is not None and "keep_text=off" in text
        everything = text + attachment.content.decode("utf-8")
        for secret in (TOKEN, SECRET_PASSWORD, SECRET_KEY, "discord-S3cret"):
            assert secret not in everything
    finally:
        await bot.close()
