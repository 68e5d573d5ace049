"""The real core through the Telegram adapter: the exact Bot API calls each flow makes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.storage.models import Member, Poll, PollVote, Rsvp
from tests.telegram.conftest import ALICE, BOB, CAROL, GROUP_ID, Flow

# PTB's own RetryAfter constructor reads the attribute it deprecates (the adapter silences it at import;
# pytest re-enables DeprecationWarnings per test).
pytestmark = pytest.mark.filterwarnings("ignore:.*`retry_after`:DeprecationWarning")

KEYBOARD = {
    "inline_keyboard": [
        [
            {"text": "Going", "callback_data": "rsvp:1:going"},
            {"text": "Maybe", "callback_data": "rsvp:1:maybe"},
            {"text": "Can't go", "callback_data": "rsvp:1:no"},
        ],
        # The deep link (from getMe's username) lets a member turn on private reminders in one tap.
        [{"text": "🔔 Remind me privately", "url": "https://t.me/gatherbot_test_bot?start=remind"}],
    ]
}


async def test_new_event_announcement_is_a_message_with_an_inline_keyboard(flow: Flow) -> None:
    await flow.feed(flow.updates.message(ALICE, "/newevent@gatherbot_test_bot Rust night 2026-12-05 19:00"))
    await flow.deliver()
    assert flow.fake.of("getChatAdministrators") == [{"chat_id": GROUP_ID}]
    announcement, created = flow.sent_to(GROUP_ID)
    assert announcement == {
        "chat_id": GROUP_ID,
        "text": "📅 Rust night (#1)\n🕖 Sat 5 Dec 2026 19:00–20:00 (Asia/Shanghai)\n🏷 discussion\n"
        "👥 Going 0 · Maybe 0",
        "reply_markup": KEYBOARD,
    }
    assert created == {
        "chat_id": GROUP_ID,
        "text": "✅ Created #1 Rust night: Sat 5 Dec 2026 19:00. Announced in the group.",
    }


async def test_rsvp_button_answers_the_callback_and_edits_the_live_counts(flow: Flow) -> None:
    await flow.feed(flow.updates.message(ALICE, "/newevent Rust night 2026-12-05 19:00"))
    await flow.deliver()
    flow.fake.calls.clear()
    press = flow.updates.press(BOB, "rsvp:1:going", message_id=100)
    await flow.feed(press)
    assert flow.fake.of("answerCallbackQuery") == [
        {
            "callback_query_id": press["callback_query"]["id"],
            "text": "You're going to Rust night. I'll remind you before it starts.",
        }
    ]
    await flow.deliver()
    (edit,) = flow.fake.of("editMessageText")
    assert edit["chat_id"] == GROUP_ID and edit["message_id"] == 100
    assert edit["text"].endswith("👥 Going 1 · Maybe 0") and edit["reply_markup"] == KEYBOARD
    assert [c.method for c in flow.fake.calls] == ["answerCallbackQuery", "editMessageText"]

    await flow.feed(flow.updates.press(BOB, "rsvp:1:going", message_id=100))  # same again: no edit
    await flow.deliver()
    assert flow.fake.of("answerCallbackQuery")[-1]["text"] == "No change: you already answered that."
    assert len(flow.fake.of("editMessageText")) == 1


async def test_a_redelivered_update_changes_nothing(flow: Flow) -> None:
    await flow.feed(flow.updates.message(ALICE, "/newevent Rust night 2026-12-05 19:00"))
    press = flow.updates.press(BOB, "rsvp:1:going", message_id=100)
    await flow.feed(press)
    await flow.feed(press)
    await flow.deliver()
    async with flow.app.sessions() as s:
        assert len(list(await s.scalars(select(Rsvp)))) == 1
    assert len(flow.fake.of("answerCallbackQuery")) == 1  # the replay is dropped before any answer


async def test_members_get_roles_from_the_group_admin_list(flow: Flow) -> None:
    await flow.feed(flow.updates.message(BOB, "/newevent Sneaky 2026-12-05 19:00"))
    await flow.deliver()
    assert "organizers" in flow.sent_to(GROUP_ID)[-1]["text"]
    await flow.feed(flow.updates.message(ALICE, "/events"))
    async with flow.app.sessions() as s:
        roles = {m.user_id: m.role for m in await s.scalars(select(Member))}
    assert roles == {"1001": "admin", "1002": "member"}
    assert len(flow.fake.of("getChatAdministrators")) == 1  # cached


async def test_native_poll_is_sent_and_a_poll_answer_is_stored(flow: Flow) -> None:
    await flow.feed(flow.updates.message(ALICE, "/newevent Rust night 2026-12-01 20:00"))
    await flow.deliver()
    await flow.feed(flow.updates.press(BOB, "rsvp:1:going", message_id=100))
    await flow.feed(flow.updates.press(CAROL, "rsvp:1:going", message_id=100))
    await flow.advance(timedelta(hours=12, minutes=15))  # the event ends 21:00; the poll opens 21:10
    (poll,) = flow.fake.of("sendPoll")
    assert poll == {
        "chat_id": GROUP_ID,
        "question": "How was #1 Rust night? Rate it 1 (poor) to 5 (great).",
        "options": [{"text": str(n)} for n in range(1, 6)],  # InputPollOption objects
        "is_anonymous": False,
        "allows_multiple_answers": False,
    }
    mentions = flow.sent_to(GROUP_ID)[-1]
    assert mentions["text"] == "@bob Carol Li:"
    assert mentions["reply_parameters"]["allow_sending_without_reply"] is True
    assert mentions["entities"] == [
        {
            "type": "text_mention",
            "offset": 5,
            "length": 8,
            "user": {"id": 1003, "first_name": "Carol Li", "is_bot": False},
        }
    ]
    async with flow.app.sessions() as s:
        stored = (await s.scalars(select(Poll))).one()
    assert stored.platform_poll_id == "7001"

    await flow.feed(flow.updates.vote(CAROL, "7001", 3))
    async with flow.app.sessions() as s:
        assert [(v.member_id, v.score) for v in await s.scalars(select(PollVote))] == [(3, 4)]
    await flow.advance(timedelta(days=1))
    (stop,) = flow.fake.of("stopPoll")
    assert stop == {"chat_id": GROUP_ID, "message_id": int(stored.message_id)}


async def test_reminder_dm_blocked_by_the_member_falls_back_to_the_group(flow: Flow) -> None:
    await flow.feed(flow.updates.message(ALICE, "/newevent Rust night 2026-12-01 20:00"))
    await flow.feed(flow.updates.press(CAROL, "rsvp:1:going", message_id=100))
    await flow.feed(flow.updates.private(CAROL, "/start"))  # she may be written to privately now
    await flow.deliver()
    flow.fake.fail("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=CAROL["id"])
    await flow.advance(timedelta(hours=10, minutes=5))  # the 1 h reminder at 19:00
    dm_attempts = flow.sent_to(CAROL["id"])
    assert dm_attempts[-1]["text"].startswith("⏰ Reminder: #1 Rust night starts in 1h")
    fallback = flow.sent_to(GROUP_ID)[-1]
    assert fallback["text"].startswith("Carol Li: ⏰ #1 Rust night starts in 1h")
    assert fallback["entities"][0]["type"] == "text_mention" and fallback["entities"][0]["user"]["id"] == 1003
    async with flow.app.sessions() as s:
        carol = (await s.scalars(select(Member).where(Member.user_id == "1003"))).one()
    assert carol.can_dm is False


async def test_429_pauses_the_chat_for_retry_after_then_sends(flow: Flow) -> None:
    flow.fake.fail("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    await flow.feed(flow.updates.message(BOB, "/events"))
    await flow.app.relay.drain()
    assert len(flow.sent_to(GROUP_ID)) == 1  # refused with 429
    flow.clock.advance(timedelta(seconds=5))
    await flow.app.relay.drain()
    assert len(flow.sent_to(GROUP_ID)) == 1  # still paused
    flow.clock.advance(timedelta(seconds=3))
    await flow.app.relay.drain()
    assert len(flow.sent_to(GROUP_ID)) == 2
    assert flow.sent_to(GROUP_ID)[1]["text"].startswith("No upcoming events")
