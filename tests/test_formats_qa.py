"""The Q&A of a sharing session, as transcripts: questions by /ask and by replies to the session's posts,
counted per member; the speaker marks them; the most active member is announced at the end."""

from __future__ import annotations

import pytest

from bot.domain.events import MessageReceived
from bot.storage.formats import EventFormat, Question
from tests.harness import Harness

SETUP = [  # the clock starts Tue 1 Dec 2026 09:00 (Asia/Shanghai)
    "alice: /newevent Async Python 2026-12-02 20:00 90m type=sharing",
    "dave: hi",
    "alice: /speaker 1 @dave",
    "alice: /prize 1 1 A book",
]


async def say(
    bot: Harness, name: str, text: str, *, reply_to: str | None = None, thread: str | None = None
) -> list[str]:
    """A group message that replies to (or is in a thread on) a message of the bot."""
    base = bot.session.chat._base(name, False)
    event = MessageReceived(
        **base, message_id=base["source_id"], text=text, reply_to_message_id=reply_to, thread_id=thread
    )
    start = len(bot.adapter.log)
    await bot.app.handle(event)
    await bot.app.relay.drain()
    bot.session.flush()
    return bot.adapter.log[start:]


def post_id(bot: Harness, start: str) -> str:
    """The platform id of the newest bot message whose text starts so."""
    return next(r.message_id for r in reversed(bot.adapter.records) if r.message.text.startswith(start))


async def questions(bot: Harness) -> list[tuple]:
    rows = await bot.rows(Question)
    return sorted(
        (q.number, q.member_id, q.text, q.source, q.answered_by, q.best, q.answered_at is not None)
        for q in rows
    )


async def test_a_sharing_session_with_questions(bot) -> None:
    assert (await bot(*SETUP))[-2:] == [
        "bot -> group: 🎤 dave is the speaker of #1: they can mark questions with /answered and /best.",
        "bot -> group: 🎁 #1, place 1 wins: A book.",
    ]
    assert await bot("bob: /ask What is the GIL?") == [
        "bot -> group: No sharing session or lecture is on right now: questions go to the speaker while one is on.",
        "Usage: /ask [#ID] your question",
        "Example: /ask #2 How does asyncio decide which task runs next?",
    ]
    assert await bot("bob: /ask #1 What is the GIL?") == [
        "bot -> group: The Q&A of #1 opens when it starts (Wed 2 Dec 2026 20:00)."
    ]
    out = await bot(":advance 1d11h")  # Wed 20:00
    assert out[-1] == (
        "bot -> group: 🎤 #1 Async Python (tech sharing) has started with @dave. Questions until 21:30: reply to "
        "this message or send /ask your question. The most active member of the Q&A is announced at the end."
    )
    assert await bot("bob: /ask What is the GIL?") == [
        "bot -> group: ❓ Noted as Q1 of #1 (you have asked 1 in this session)."
    ]
    assert await bot("carol: /ask #1 How does asyncio pick the next task?") == [
        "bot -> group: ❓ Noted as Q2 of #1 (you have asked 1 in this session)."
    ]
    assert await bot("bob: /ask Is uvloop faster?") == [
        "bot -> group: ❓ Noted as Q3 of #1 (you have asked 2 in this session)."
    ]
    # Replies to the Q&A post, the announcement or the check-in post, and messages in a thread on them, are
    # questions too (counted quietly); other replies are not.
    assert await say(bot, "erin", "Does it work with trio?", reply_to=post_id(bot, "🎤 #1")) == []
    await say(bot, "frank", "What about threads?", thread=post_id(bot, "📅 Async Python"))
    await say(bot, "erin", "lol", reply_to=post_id(bot, "❓ Noted as Q3"))
    await bot("bob@dm: /ask Can I ask privately?")
    assert [(n, m, s) for n, m, _, s, *_ in await questions(bot)] == [
        (1, 3, "command"), (2, 4, "command"), (3, 3, "command"), (4, 5, "reply"), (5, 6, "reply"), (6, 3, "command"),
    ]  # fmt: skip

    # Marks: only the speaker (or an organizer); a plain member changes nothing.
    before = await questions(bot)
    assert await bot("erin: /answered 1 1") == [
        "bot -> group: Only the speaker of #1 (dave) or an organizer can mark its questions. Nothing was changed."
    ]
    assert await bot("erin: /best 1 2") == [
        "bot -> group: Only the speaker of #1 (dave) or an organizer can mark its questions. Nothing was changed."
    ]
    assert await questions(bot) == before
    assert await bot(
        "dave: /answered 1 1 @carol", "dave: /answered 1 2", "dave: /best 1 2", "alice: /answered 1 4"
    ) == [
        "bot -> group: ✅ Q1 of #1 is answered, by carol.",
        "bot -> group: ✅ Q2 of #1 is answered.",
        "bot -> group: ⭐ Q2 of #1 (carol) is a best question.",
        "bot -> group: ✅ Q4 of #1 is answered.",
    ]
    assert await bot("bob: /questions 1") == [
        "bot -> group: ❓ Questions for #1 Async Python: 6, answered 3.",
        "Q3 bob asks: Is uvloop faster?",
        "Q5 frank asks: What about threads?",
        "Q6 bob asks: Can I ask privately?",
        "Q1 bob asks: What is the GIL? ✅ by carol",
        "Q2 carol asks: How does asyncio pick the next task? ⭐✅",
        "Q4 erin asks: Does it work with trio? ✅",
    ]
    out = await bot(":advance 90m")  # 21:30: the end
    assert out == [
        "-- 2026-12-02 21:30 --",
        "bot -> group: 🎤 The Q&A of #1 Async Python is over: 6 question(s) from 4 member(s), 3 answered.",
        "🏆 Most active: @bob (asked 3, answered 0) — wins: A book",
        "⭐ Best questions: Q2 @carol",
    ]
    assert bot.adapter.records[-1].message.mentions == ("u-bob",)
    assert await bot("bob: /ask #1 One more?") == [
        "bot -> group: The Q&A of #1 closed at Wed 2 Dec 2026 21:30."
    ]
    assert await say(bot, "erin", "late", reply_to=post_id(bot, "🎤 #1")) == []
    assert await bot.count(Question) == 6
    # Points: carol asked one question, answered one, and asked a best question.
    assert await bot("carol: /points") == [
        "bot -> group: 🏅 carol, you have 10 points: #1 of 4 on the leaderboard.",
        "• questions asked: 1 × 2 = 2",
        "• questions answered: 1 × 3 = 3",
        "• best questions: 1 × 5 = 5",
    ]


async def test_the_top_askers_are_all_named_on_a_tie_in_chinese(bot_zh) -> None:
    await bot_zh("alice: /newevent 异步编程讲座 2026-12-01 10:00 1h type=讲座", ":advance 1h")
    await bot_zh("bob: /ask GIL 是什么？", "carol: /ask 事件循环怎么调度？")
    assert await bot_zh("alice: /answered 1 1 @carol") == ["bot -> group: ✅ #1 的 Q1 已由 carol 回答。"]
    out = await bot_zh(":advance 1h")
    assert out == [
        "-- 2026-12-01 11:00 --",
        "bot -> group: 🎤 #1 异步编程讲座 的问答结束了：2 人共提问 2 个，已回答 1 个。",
        "🏆 最活跃：@carol（提问 1 个，回答 1 个）",
    ]
    assert await bot_zh("bob: /ask 还能问吗？") == [
        "bot -> group: 现在没有正在进行的技术分享或讲座：只能在活动进行时向主讲人提问。",
        "用法：/ask [#ID] your question",
        "示例：/ask #2 How does asyncio decide which task runs next?",
    ]


async def test_with_two_sessions_on_the_question_must_say_which(bot) -> None:
    await bot(
        "alice: /newevent Talk A 2026-12-01 10:00 1h type=sharing",
        "alice: /newevent Talk B 2026-12-01 10:00 2h type=lecture", ":advance 1h",
    )  # fmt: skip
    assert await bot("bob: /ask Which one?") == [
        "bot -> group: Several sessions are on (#1, #2): say which one.",
        "Usage: /ask [#ID] your question",
        "Example: /ask #1 How does asyncio decide which task runs next?",
    ]
    assert await bot("bob: /ask #2 This one") == [
        "bot -> group: ❓ Noted as Q1 of #2 (you have asked 1 in this session)."
    ]
    # Nobody asked anything in #1: its end passes quietly.
    assert await bot(":advance 1h") == []


async def test_without_a_speaker_only_organizers_mark(bot) -> None:
    await bot("alice: /newevent Talk 2026-12-01 10:00 1h type=sharing", ":advance 1h", "bob: /ask Why?")
    assert await bot("carol: /best 1 1") == [
        "bot -> group: Only an organizer can mark the questions of #1 (no speaker is set: /speaker 1 @name)."
    ]
    assert await bot("alice: /best 1 1") == ["bot -> group: ⭐ Q1 of #1 (bob) is a best question."]
    assert await bot.count(EventFormat, EventFormat.speaker_id.is_not(None)) == 0


BAD = [
    ("bob: /ask", "The question is empty."),
    ("bob: /ask #2 Why?", "#2 is a discussion, not a tech sharing or lecture."),
    ("bob: /ask #9 Why?", "There is no event #9 in this community."),
    ("bob: /questions 2", "#2 is a discussion, not a tech sharing or lecture."),
    ("dave: /answered 1", "Give the event number and the question number."),
    ("dave: /answered 1 7", "#1 has no question “7”."),
    ("dave: /answered 1 x", "#1 has no question “x”."),
    ("dave: /answered 1 1 @bob", "bob asked Q1: credit someone else with the answer."),
    ("dave: /answered 1 1 @zed", "I don't know “@zed” in this group yet"),
    ("dave: /best 1", "Give the event number and the question number."),
    ("alice: /speaker 1", "Give the event number and the speaker."),
    ("alice: /speaker 2 @dave", "#2 is a discussion, not a tech sharing or lecture."),
]


@pytest.mark.parametrize(("line", "problem"), BAD, ids=[b[0][:30] for b in BAD])
async def test_bad_input_is_explained_and_changes_nothing(bot, line: str, problem: str) -> None:
    await bot(
        "alice: /newevent Talk 2026-12-01 10:00 1h type=sharing", "alice: /newevent Chat 2026-12-03 19:00",
        "dave: hi", "alice: /speaker 1 @dave", ":advance 1h", "bob: /ask Why?",
    )  # fmt: skip
    before = (await questions(bot), [(f.event_id, f.speaker_id) for f in await bot.rows(EventFormat)])
    out = await bot.text(line)
    assert problem in out and "Sorry" not in out
    if "Usage:" in out:
        assert "\nExample: /" in out
    assert (await questions(bot), [(f.event_id, f.speaker_id) for f in await bot.rows(EventFormat)]) == before
