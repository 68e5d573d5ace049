"""The adapter on its own against the in-memory Bot API: calls, limits, errors, menus, polling."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from telegram import error as tg

from adapters.telegram import TelegramAdapter, create
from bot.domain.events import CommandInvoked, DomainEvent
from bot.domain.messages import Attachment, Button, OutMessage, PollSpec, SentRef, Target
from bot.ports import CommandSpecView, PermanentError, RetryAfter, TransientError, Unreachable
from tests.telegram.conftest import ALICE, GROUP_ID, Updates, make_config
from tests.telegram.fakes import FakeTelegram

# PTB's own RetryAfter constructor reads the attribute it deprecates (the adapter silences it at import;
# pytest re-enables DeprecationWarnings per test).
pytestmark = pytest.mark.filterwarnings("ignore:.*`retry_after`:DeprecationWarning")

GROUP = Target("telegram", str(GROUP_ID), False, "group")
DM = Target("telegram", "1003", True, "carol@dm")


class Started:
    def __init__(self, fake: FakeTelegram, adapter: TelegramAdapter) -> None:
        self.fake, self.adapter = fake, adapter
        self.events: list[DomainEvent] = []

    async def sink(self, event: DomainEvent) -> None:
        self.events.append(event)


@pytest.fixture
async def tg_(tmp_path, fake: FakeTelegram) -> AsyncIterator[Started]:  # type: ignore[no-untyped-def]
    adapter = create(make_config(str(tmp_path / "x.db")), request=fake)
    started = Started(fake, adapter)
    await adapter.start(started.sink)
    fake.calls.clear()
    try:
        yield started
    finally:
        await adapter.stop()


async def send(s: Started, message: OutMessage, key: str = "k1") -> SentRef:
    return await s.adapter.send(message, idempotency_key=key)


async def test_start_calls_getme_and_polls_for_every_translated_update_type(tmp_path, fake) -> None:  # type: ignore[no-untyped-def]
    adapter = create(make_config(str(tmp_path / "x.db"), poll_timeout=3), request=fake)
    await adapter.start(Started(fake, adapter).sink)
    try:
        for _ in range(200):
            if fake.get_updates_params:
                break
            await asyncio.sleep(0.01)
        assert adapter.bot_username == "gatherbot_test_bot"
        assert [c.method for c in fake.calls][:2] == ["getMe", "deleteWebhook"]
        params = fake.get_updates_params[0]
        assert params["timeout"] == 3
        assert params["allowed_updates"] == [
            "message", "edited_message", "callback_query", "poll_answer", "message_reaction",
            "chat_member", "my_chat_member",
        ]  # fmt: skip
    finally:
        await adapter.stop()
    assert adapter.application is None


async def test_updates_fetched_by_polling_reach_the_sink(tg_: Started) -> None:
    tg_.fake.updates.append(Updates().message(ALICE, "/events@gatherbot_test_bot"))
    async with asyncio.timeout(5):
        while not tg_.events:
            await asyncio.sleep(0.01)
    (event,) = tg_.events
    assert isinstance(event, CommandInvoked) and event.name == "events"
    assert event.user.is_admin is True  # from getChatAdministrators


async def test_plain_message_and_idempotency_key(tg_: Started) -> None:
    ref = await send(tg_, OutMessage(GROUP, "hello <b>&</b>"))
    again = await send(tg_, OutMessage(GROUP, "hello <b>&</b>"))
    assert ref == again == SentRef("100")
    assert tg_.fake.of("sendMessage") == [{"chat_id": GROUP_ID, "text": "hello <b>&</b>"}]  # no parse_mode


async def test_long_text_is_cut_to_4096_with_an_ellipsis(tg_: Started) -> None:
    await send(tg_, OutMessage(GROUP, "😀" + "x" * 5000))
    text = tg_.fake.of("sendMessage")[0]["text"]
    assert text.endswith("…") and len(text.encode("utf-16-le")) // 2 == 4096


async def test_callback_data_over_64_bytes_is_refused_before_any_call(tg_: Started) -> None:
    message = OutMessage(GROUP, "pick", buttons=((Button("x", "rsvp:" + "9" * 60),),))
    with pytest.raises(PermanentError, match="64"):
        await send(tg_, message)
    assert tg_.fake.calls == []


async def test_document_upload_with_caption(tg_: Started) -> None:
    attachment = Attachment("event-1.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    ref = await send(tg_, OutMessage(DM, "Add #1 Rust night to your calendar.", attachment=attachment))
    (call,) = tg_.fake.calls
    assert call.method == "sendDocument" and ref == SentRef("100")
    assert call.params == {"chat_id": 1003, "caption": "Add #1 Rust night to your calendar."}
    assert call.files == {"document": "event-1.ics"}


async def test_png_goes_as_a_photo_with_a_caption(tg_: Started) -> None:
    chart = Attachment("report-30-days.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "image/png")
    ref = await send(tg_, OutMessage(GROUP, "📊 Chart: the last 30 days " + "x" * 1100, attachment=chart))
    (call,) = tg_.fake.calls
    assert call.method == "sendPhoto" and ref == SentRef("100")
    assert call.files == {"photo": "report-30-days.png"}
    caption = call.params["caption"]
    assert (
        caption.startswith("📊 Chart")
        and caption.endswith("…")
        and len(caption.encode("utf-16-le")) // 2 == 1024
    )


async def test_a_refused_photo_goes_as_a_document(tg_: Started) -> None:
    tg_.fake.fail("sendPhoto", 400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
    chart = Attachment("report-event-1.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "image/png")
    ref = await send(tg_, OutMessage(GROUP, "📈 Chart: #1 Rust night", attachment=chart))
    assert [c.method for c in tg_.fake.calls] == ["sendPhoto", "sendDocument"]
    assert tg_.fake.calls[1].files == {"document": "report-event-1.png"}
    assert tg_.fake.calls[1].params["caption"] == "📈 Chart: #1 Rust night" and ref == SentRef("100")


async def test_a_photo_to_a_chat_that_blocked_the_bot_is_not_sent_twice(tg_: Started) -> None:
    tg_.fake.fail("sendPhoto", 403, "Forbidden: bot was blocked by the user")
    chart = Attachment("report-30-days.png", b"\x89PNG\r\n\x1a\n", "image/png")
    with pytest.raises(Unreachable):
        await send(tg_, OutMessage(DM, "📊", attachment=chart))
    assert [c.method for c in tg_.fake.calls] == ["sendPhoto"]


async def test_edit_and_close_poll(tg_: Started) -> None:
    await send(
        tg_, OutMessage(GROUP, "new text", buttons=((Button("Going", "rsvp:1:going"),),), edit_message_id="7")
    )
    ref = await send(tg_, OutMessage(GROUP, "", edit_message_id="8", close_poll_id="p1"), key="k2")
    assert tg_.fake.calls[0].params == {
        "chat_id": GROUP_ID, "message_id": 7, "text": "new text",
        "reply_markup": {"inline_keyboard": [[{"text": "Going", "callback_data": "rsvp:1:going"}]]},
    }  # fmt: skip
    assert (tg_.fake.calls[1].method, tg_.fake.calls[1].params) == (
        "stopPoll",
        {"chat_id": GROUP_ID, "message_id": 8},
    )
    assert ref == SentRef("8", poll_id="p1")


async def test_poll_has_at_least_two_options(tg_: Started) -> None:
    with pytest.raises(PermanentError):
        await send(tg_, OutMessage(GROUP, "", poll=PollSpec("Q?", ("only",))))


@pytest.mark.parametrize(
    ("status", "description", "target", "expected"),
    [
        (403, "Forbidden: bot was blocked by the user", DM, Unreachable),
        (403, "Forbidden: bot can't initiate conversation with a user", DM, Unreachable),
        (403, "Forbidden: bot was kicked from the supergroup chat", GROUP, PermanentError),
        (400, "Bad Request: chat not found", DM, Unreachable),
        (400, "Bad Request: chat not found", GROUP, PermanentError),
        (400, "Bad Request: message is too long", GROUP, PermanentError),
        (502, "Bad Gateway", GROUP, TransientError),
        (401, "Unauthorized", GROUP, TransientError),
    ],
)
async def test_errors_map_to_the_port(tg_: Started, status, description, target, expected) -> None:  # type: ignore[no-untyped-def]
    tg_.fake.fail("sendMessage", status, description)
    with pytest.raises(expected) as info:
        await send(tg_, OutMessage(target, "hi"))
    assert type(info.value) is expected
    assert "AAFakeToken" not in str(info.value)


async def test_429_is_retry_after_for_the_target_chat(tg_: Started) -> None:
    tg_.fake.fail("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    with pytest.raises(RetryAfter) as info:
        await send(tg_, OutMessage(GROUP, "hi"))
    assert (info.value.seconds, info.value.scope_chat_id) == (7.0, str(GROUP_ID))


async def test_timeouts_are_transient(tg_: Started, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    async def timed_out(*_a, **_k):  # type: ignore[no-untyped-def]
        raise tg.TimedOut("read timed out")

    monkeypatch.setattr(tg_.fake, "do_request", timed_out)
    with pytest.raises(TransientError):
        await send(tg_, OutMessage(GROUP, "hi"))


async def test_edit_that_changes_nothing_and_stopping_a_stopped_poll_are_success(tg_: Started) -> None:
    tg_.fake.fail("editMessageText", 400, "Bad Request: message is not modified: specified new message content "
                  "and reply markup are exactly the same as a current content and reply markup of the message")  # fmt: skip
    tg_.fake.fail("stopPoll", 400, "Bad Request: poll has already been closed")
    assert await send(tg_, OutMessage(GROUP, "same", edit_message_id="5")) == SentRef("5")
    assert await send(
        tg_, OutMessage(GROUP, "", edit_message_id="6", close_poll_id="p"), key="k2"
    ) == SentRef("6", "p")


async def test_answer_callback_query(tg_: Started) -> None:
    await tg_.adapter.answer("cq1", "")
    await tg_.adapter.answer("cq2", "y" * 300)
    tg_.fake.fail("answerCallbackQuery", 400, "Bad Request: query is too old and response timeout expired")
    await tg_.adapter.answer("cq3", "late")  # swallowed: nothing to do about it
    first, second, _ = tg_.fake.of("answerCallbackQuery")
    assert first == {"callback_query_id": "cq1"}
    assert len(second["text"]) == 200 and second["text"].endswith("…")


async def test_a_button_we_do_not_translate_still_gets_its_spinner_stopped(tg_: Started) -> None:
    update = {
        "update_id": 1,
        "callback_query": {"id": "cq9", "from": ALICE, "chat_instance": "1", "game_short_name": "g"},
    }
    application = tg_.adapter.application
    assert application is not None
    from telegram import Update

    await application.process_update(Update.de_json(update, application.bot))
    assert tg_.fake.of("answerCallbackQuery") == [{"callback_query_id": "cq9"}]
    assert tg_.events == []


async def test_command_menus_in_two_languages_and_two_scopes(tg_: Started) -> None:
    views = [
        CommandSpecView("events", "Upcoming events", "即将举行的活动", False, "/events"),
        CommandSpecView("newevent", "Create an event (organizers)", "创建活动（组织者）", True, "/newevent"),
        CommandSpecView("Bad-Name", "x", "x", False, "/x"),
    ]
    await tg_.adapter.sync_commands(views)
    calls = tg_.fake.of("setMyCommands")
    assert calls == [
        {"commands": [{"command": "events", "description": "Upcoming events"}], "scope": {"type": "default"}},
        {"commands": [{"command": "events", "description": "即将举行的活动"}], "scope": {"type": "default"},
         "language_code": "zh"},
        {"commands": [{"command": "events", "description": "Upcoming events"},
                      {"command": "newevent", "description": "Create an event (organizers)"}],
         "scope": {"type": "all_chat_administrators"}},
        {"commands": [{"command": "events", "description": "即将举行的活动"},
                      {"command": "newevent", "description": "创建活动（组织者）"}],
         "scope": {"type": "all_chat_administrators"}, "language_code": "zh"},
    ]  # fmt: skip


async def test_command_menu_failure_does_not_stop_start_up(tg_: Started) -> None:
    tg_.fake.fail("setMyCommands", 502, "Bad Gateway")
    await tg_.adapter.sync_commands([CommandSpecView("events", "Upcoming", "活动", False, "/events")])
    assert len(tg_.fake.of("setMyCommands")) == 4


async def test_send_before_start_is_transient(tmp_path, fake) -> None:  # type: ignore[no-untyped-def]
    adapter = create(make_config(str(tmp_path / "x.db")), request=fake)
    with pytest.raises(TransientError):
        await adapter.send(OutMessage(GROUP, "hi"), idempotency_key="k")
