"""The activity formats through the Telegram adapter: commands, a reply as a Q&A question, the write-up
vote as a native poll answered with poll_answer updates, /points in a private chat."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.storage.formats import Question, WriteupVote
from tests.telegram.conftest import ALICE, BOB, CAROL, GROUP, GROUP_ID, Flow
from tests.telegram.fakes import BOT_USER, DATE

pytestmark = pytest.mark.filterwarnings("ignore:.*`retry_after`:DeprecationWarning")


async def test_a_reply_to_the_qa_post_is_a_question(flow: Flow) -> None:
    await flow.feed(flow.updates.message(ALICE, "/newevent Async talk 2026-12-01 10:00 1h type=sharing"))
    await flow.advance(timedelta(hours=1))
    post_id = next(i for i, text in flow.fake.texts.items() if text.startswith("🎤 #1 Async talk"))
    reply = flow.updates.message(CAROL, "Does it work with trio?")
    reply["message"]["reply_to_message"] = {
        "message_id": post_id, "from": BOT_USER, "chat": GROUP, "date": DATE, "text": "🎤",
    }  # fmt: skip
    await flow.feed(reply)
    await flow.feed(flow.updates.message(BOB, "/ask@gatherbot_test_bot What is the GIL?"))
    await flow.deliver()
    assert flow.sent_to(GROUP_ID)[-1]["text"] == "❓ Noted as Q2 of #1 (you have asked 1 in this session)."
    async with flow.app.sessions() as s:
        asked = [
            (q.number, q.source, q.text) for q in await s.scalars(select(Question).order_by(Question.number))
        ]
    assert asked == [(1, "reply", "Does it work with trio?"), (2, "command", "What is the GIL?")]


async def test_the_write_up_vote_is_a_native_poll(flow: Flow) -> None:
    await flow.feed(flow.updates.message(ALICE, "/newevent Reading group 2026-12-01 10:00 1h"))
    await flow.advance(timedelta(hours=2))  # 11:00: it is over
    await flow.feed(flow.updates.message(BOB, "/writeup 1 https://bob.example/notes"))
    await flow.feed(flow.updates.message(CAROL, "/writeup 1 https://carol.example/post"))
    await flow.advance(timedelta(days=3))
    poll = flow.fake.of("sendPoll")[-1]
    assert poll["question"] == "Best write-up of #1 Reading group?"
    assert poll["options"] == [{"text": "Bob"}, {"text": "Carol Li"}] and poll["is_anonymous"] is False
    poll_id = "7001"
    await flow.feed(flow.updates.vote(CAROL, poll_id, 1))  # carol for herself: not counted
    await flow.feed(flow.updates.vote(ALICE, poll_id, 1))
    await flow.feed(flow.updates.vote(BOB, poll_id, 1))
    async with flow.app.sessions() as s:
        assert len(list(await s.scalars(select(WriteupVote)))) == 2
    await flow.advance(timedelta(days=2))
    winner = [p["text"] for p in flow.sent_to(GROUP_ID) if p["text"].startswith("🏆")]
    assert winner == [
        "🏆 The best write-up of #1 Reading group, with 2 of 2 vote(s):\nCarol Li's write-up: https://carol.example/post"
    ]
    assert len(flow.fake.of("stopPoll")) == 1


async def test_points_arrive_in_the_private_chat(flow: Flow) -> None:
    await flow.feed(flow.updates.message(ALICE, "/newevent Rust night 2026-12-01 10:00 1h"))
    await flow.feed(flow.updates.message(BOB, "hi"))
    await flow.feed(flow.updates.private(BOB, "/start"))
    await flow.advance(timedelta(hours=1))
    await flow.feed(flow.updates.press(BOB, "checkin:1", message_id=100))
    await flow.feed(flow.updates.message(BOB, "/points"))
    await flow.deliver()
    assert flow.sent_to(BOB["id"])[-1]["text"] == (
        "🏅 Bob, you have 10 points: #1 of 1 on the leaderboard.\n• check-ins: 1 × 10 = 10"
    )
    assert flow.sent_to(GROUP_ID)[-1]["text"] == "I sent you your points privately."
