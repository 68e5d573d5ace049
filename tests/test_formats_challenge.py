"""A code challenge from start to results, as transcripts: tasks, prizes, submissions in the event window only,
scores, the live leaderboard, the winners with their prizes; bad input changes nothing."""

from __future__ import annotations

import pytest

from bot.storage.formats import (
    ChallengePrize,
    ChallengeScore,
    ChallengeTask,
    ChallengeWinner,
    EventFormat,
    Submission,
)
from bot.storage.models import Delivery
from tests.harness import Harness

SETUP = [  # the clock starts Tue 1 Dec 2026 09:00 (Asia/Shanghai)
    "alice: /newevent Weekend challenge 2026-12-05 19:00 3h type=challenge",
    "alice: /task add 1 Python scraping | Collect the 100 newest titles from books.example",
    "alice: /task add 1 Java concurrency | A thread-safe LRU cache",
    "alice: /prize 1 1 Annual membership",
    "alice: /prize 1 2 A book",
]


async def snapshot(bot: Harness) -> tuple:
    """What a challenge command can change: its rows and the planned (non-reply) deliveries."""
    tables = []
    for model in (ChallengeTask, ChallengePrize, Submission, ChallengeScore, ChallengeWinner, EventFormat):
        columns = [c.name for c in model.__table__.columns]
        tables.append(sorted(tuple(getattr(r, c) for c in columns) for r in await bot.rows(model)))
    deliveries = sorted(
        (d.dedupe_key, d.status, d.due_at) for d in await bot.rows(Delivery, Delivery.kind != "message")
    )
    return tuple(tables), tuple(deliveries)


async def test_a_whole_challenge(bot) -> None:
    out = await bot(*SETUP)
    assert out[-4:] == [
        "bot -> group: ✅ Task 1 of #1: Python scraping.",
        "bot -> group: ✅ Task 2 of #1: Java concurrency.",
        "bot -> group: 🎁 #1, place 1 wins: Annual membership.",
        "bot -> group: 🎁 #1, place 2 wins: A book.",
    ]
    assert await bot("bob: /tasks 1") == [
        "bot -> group: 🧩 Tasks of #1 Weekend challenge (Sat 5 Dec 2026 19:00–22:00):",
        "Task 1: Python scraping — Collect the 100 newest titles from books.example",
        "Task 2: Java concurrency — A thread-safe LRU cache",
        "Prizes: 🥇 Annual membership · 🥈 A book",
        "Submit with /submit 1 TASK link-or-text (privately to me if you like).",
    ]
    # Too early: nothing is saved.
    assert await bot("bob: /submit 1 1 https://github.com/bob/scraper") == [
        "bot -> group: Submissions to #1 open when it starts (Sat 5 Dec 2026 19:00)."
    ]
    out = await bot(":advance 4d10h")  # Sat 19:00: the tasks are posted
    assert out[-5:] == [
        "bot -> group: 🏁 The code challenge #1 Weekend challenge has started! Until 22:00:",
        "Task 1: Python scraping — Collect the 100 newest titles from books.example",
        "Task 2: Java concurrency — A thread-safe LRU cache",
        "Prizes: 🥇 Annual membership · 🥈 A book",
        "Submit with /submit 1 TASK link-or-text (privately to me if you like).",
    ]
    assert await bot("bob: /submit 1 1 https://github.com/bob/scraper") == [
        "bot -> group: ✅ Got your solution to task 1 (Python scraping) of #1. Good luck!"
    ]
    await bot("carol: hi", "bob: [I'm here]")
    assert await bot(
        "carol@dm: /submit 1 2 https://gitee.com/carol/lru"
    ) == [  # privately, so nobody copies it
        "bot -> carol@dm: ✅ Got your solution to task 2 (Java concurrency) of #1. Good luck!"
    ]
    await bot(
        "dave: /submit 1 1 https://github.com/dave/scraper", "bob: /submit 1 2 https://github.com/bob/lru"
    )
    assert await bot("bob: /submit 1 2 https://github.com/bob/lru-v2") == [
        "bot -> group: ✅ Updated your solution to task 2 of #1."
    ]
    assert await bot.count(Submission) == 4
    assert [s.content for s in await bot.rows(Submission, Submission.member_id == 2)][-1].endswith("lru-v2")

    out = await bot(":advance 3h")  # 22:00: submissions close
    assert out == [
        "-- 2026-12-05 22:00 --",
        "bot -> group: ⏱ Submissions to #1 Weekend challenge are closed: 4 from 3 member(s). Scores so far: /leaderboard 1",
    ]
    before = await snapshot(bot)
    assert await bot("erin: /submit 1 1 https://late.example/erin") == [  # one late submission, refused
        "bot -> group: Submissions to #1 closed at Sat 5 Dec 2026 22:00: this one was not saved."
    ]
    assert await snapshot(bot) == before

    assert await bot("alice: /score 1 @bob 95", "alice: /score 1 @carol 80") == [
        "bot -> group: ✅ bob: 95 points in #1.",
        "bot -> group: ✅ carol: 80 points in #1.",
    ]
    assert await bot("bob: /leaderboard 1") == [
        "bot -> group: 📊 Leaderboard of #1 Weekend challenge (live):",
        "1. bob — 95 points · tasks 2/2",
        "2. carol — 80 points · tasks 1/2",
        "– dave — not scored yet · tasks 1/2",
    ]
    assert await bot("alice: /score 1 @bob 97") == ["bot -> group: ✅ bob: 97 points in #1."]  # a correction
    out = await bot("alice: /winners 1")
    assert out == [
        "bot -> group: 🏆 Results of #1 Weekend challenge:",
        "🥇 @bob — 97 points — Annual membership",
        "🥈 @carol — 80 points — A book",
        "Thanks to all 3 participant(s)!",
    ]
    assert bot.adapter.records[-1].message.mentions == ("u-bob", "u-carol")
    assert [(w.member_id, w.place) for w in await bot.rows(ChallengeWinner)] == [(2, 1), (3, 2)]
    # Announced once: the results are final.
    assert await bot("alice: /winners 1") == [
        "bot -> group: The results of #1 are already announced; they are final."
    ]
    assert await bot("alice: /score 1 @dave 99") == [
        "bot -> group: The results of #1 are already announced; they are final."
    ]
    assert await bot.count(Delivery, Delivery.kind == "fmt_results") == 1
    assert await bot("dave: /leaderboard 1") == [
        "bot -> group: 📊 Final results of #1 Weekend challenge:",
        "1. bob — 97 points · tasks 2/2 🥇",
        "2. carol — 80 points · tasks 1/2 🥈",
        "– dave — not scored yet · tasks 1/2",
    ]
    # Points: a check-in, two submissions and a win for bob.
    assert await bot("bob: /points") == [
        "bot -> group: 🏅 bob, you have 70 points: #1 of 3 on the leaderboard.",
        "• check-ins: 1 × 10 = 10",
        "• challenge submissions: 2 × 5 = 10",
        "• challenge wins: 1 × 50 = 50",
    ]
    assert await bot("carol: /leaderboard") == [
        "bot -> group: 🏅 Top members by points:",
        "1. bob — 70",
        "2. carol — 25",
        "3. dave — 5",
        "Your own points: /points. Members who turned statistics off are not listed.",
    ]


async def test_a_challenge_in_chinese(bot_zh) -> None:
    await bot_zh(
        "alice: /newevent 周末编程挑战 2026-12-05 19:00 3h type=挑战赛",
        "alice: /task add 1 Python 爬虫 | 抓取图书网站最新的 100 个书名",
        "alice: /prize 1 1 年度会员",
        ":advance 4d10h",
    )
    assert await bot_zh("bob: /submit 1 1 https://github.com/bob/scraper") == [
        "bot -> group: ✅ 已收到你对 #1 题目 1（Python 爬虫）的解答，祝你好运！"
    ]
    out = await bot_zh(":advance 3h", "dave: /submit 1 1 https://late.example")
    assert out == [
        "-- 2026-12-05 22:00 --",
        "bot -> group: ⏱ #1 周末编程挑战 的提交已截止：共 1 人提交 1 份。当前得分：/leaderboard 1",
        "bot -> group: #1 的提交已于 2026年12月5日 周六 22:00 截止，本次提交没有保存。",
    ]
    assert await bot_zh("alice: /score 1 @bob 95", "alice: /winners 1") == [
        "bot -> group: ✅ bob 在 #1 中得 95 分。",
        "bot -> group: 🏆 #1 周末编程挑战 的结果：",
        "🥇 @bob — 95 分 — 年度会员",
        "感谢全部 1 位参与者！",
    ]
    assert await bot_zh("bob: /leaderboard 1") == [
        "bot -> group: 📊 #1 周末编程挑战 最终结果：",
        "1. bob — 95 分 · 完成 1/1 题 🥇",
    ]


async def test_winners_named_by_the_organizer_and_the_default_number_of_places(bot) -> None:
    await bot("alice: /newevent Sprint 2026-12-01 10:00 1h type=challenge", "alice: /task add 1 Parse logs")
    await bot(
        ":advance 1h",
        *(f"{n}: /submit 1 1 https://git.example/{n}" for n in ("bob", "carol", "dave", "erin")),
    )
    await bot(":advance 1h")
    # Named in order: their places, whatever the scores.
    assert await bot("alice: /winners 1 @erin @bob") == [
        "bot -> group: 🏆 Results of #1 Sprint:",
        "🥇 @erin",
        "🥈 @bob",
        "Thanks to all 4 participant(s)!",
    ]


async def test_without_prizes_the_three_best_scores_win(bot) -> None:
    await bot("alice: /newevent Sprint 2026-12-01 10:00 1h type=challenge", "alice: /task add 1 Parse logs")
    names = ("bob", "carol", "dave", "erin")
    await bot(":advance 1h", *(f"{n}: /submit 1 1 https://git.example/{n}" for n in names), ":advance 1h")
    await bot(*(f"alice: /score 1 @{n} {p}" for n, p in zip(names, (10, 40, 30, 20), strict=True)))
    out = await bot("alice: /winners 1")
    assert out[1:4] == ["🥇 @carol — 40 points", "🥈 @dave — 30 points", "🥉 @erin — 20 points"]


async def test_the_results_are_never_announced_twice_even_if_the_command_is_redelivered(bot) -> None:
    await bot("alice: /newevent Sprint 2026-12-01 10:00 1h type=challenge", "alice: /task add 1 Parse logs")
    await bot(
        ":advance 1h", "bob: /submit 1 1 https://git.example/bob", ":advance 1h", "alice: /score 1 @bob 5"
    )
    event = bot.session.chat.say("alice", "/winners 1")
    assert await bot.app.handle(event) is True
    assert await bot.app.handle(event) is False  # the platform sent the same update again
    await bot.app.relay.drain()
    assert sum("🏆 Results of #1" in t for t in bot.adapter.texts("group")) == 1


BAD = [  # (command, what the reply says); every one changes nothing
    ("alice: /task add 2 Go | goroutines", "#2 is a discussion, not a code challenge."),
    ("alice: /task add x Go", "“x” is not an event number."),
    ("alice: /task add 1", "The task needs a title (before the |)."),
    ("alice: /task frobnicate 1 x", "Unknown action “frobnicate”: use add or remove."),
    ("alice: /task", "Say add or remove."),
    ("alice: /task remove 1 1", "Task 1 of #1 already has 1 submission(s); it stays."),
    ("alice: /task remove 1 7", "#1 has no task “7”; its tasks are: 1, 2."),
    ("bob: /submit 1 3 https://x.example", "#1 has no task “3”; its tasks are: 1, 2."),
    ("bob: /submit 1 1", "Give the event number, the task number and your solution."),
    ("bob: /submit 2 1 https://x.example", "#2 is a discussion, not a code challenge."),
    ("bob: /submit 9 1 https://x.example", "There is no event #9 in this community."),
    ("alice: /score 1 @bob many", "“many” is not a score: use a whole number from 0 to 1000."),
    ("alice: /score 1 @bob -5", "“-5” is not a score"),
    ("alice: /score 1 @bob 5000", "“5000” is not a score"),
    ("alice: /score 1 @zed 5", "I don't know “@zed” in this group yet"),
    ("alice: /score 1 @carol 5", "carol has submitted nothing to #1."),
    ("alice: /score 1 @bob", "Give the event number, the member and the points."),
    ("alice: /prize 1 0 A book", "“0” is not a place here: use a number from 1 to 10."),
    ("alice: /prize 2 2 A book", "“2” is not a place here: use a number from 1 to 1."),
    ("alice: /prize 1 1", "Give the event number, the place and the prize."),
    ("alice: /winners 1", "#1 runs until Tue 1 Dec 2026 11:00; announce the winners after it ends."),
    ("alice: /winners", "“” is not an event number."),
    ("alice: /prize", "Give the event number, the place and the prize."),
    ("bob: /tasks", "“” is not an event number."),
    ("bob: /leaderboard 2", "#2 is a discussion, not a code challenge."),
    ("bob: /tasks 2", "#2 is a discussion, not a code challenge."),
]


@pytest.mark.parametrize(("line", "problem"), BAD, ids=[b[0][:40] for b in BAD])
async def test_bad_input_is_explained_and_changes_nothing(bot, line: str, problem: str) -> None:
    await bot(
        "alice: /newevent Sprint 2026-12-01 10:00 1h type=challenge", "alice: /newevent Talk 2026-12-03 19:00",
        "alice: /task add 1 Parse logs", "alice: /task add 1 Plot them", "carol: hi", ":advance 1h",
        "bob: /submit 1 1 https://git.example/bob",
    )  # fmt: skip
    before = await snapshot(bot)
    out = await bot.text(line)
    assert problem in out and "Sorry" not in out
    if "Usage:" in out:
        assert "\nExample: /" in out
    assert await snapshot(bot) == before


async def test_bad_input_in_chinese(bot_zh) -> None:
    await bot_zh("alice: /newevent 讨论会 2026-12-03 19:00")
    assert await bot_zh("bob: /submit 1 1 https://x.example") == [
        "bot -> group: #1 是讨论活动，不是编程挑战。",
        "用法：/submit ID TASK link-or-text",
        "示例：/submit 1 1 https://github.com/bob/scraper",
    ]


async def test_the_challenge_posts_follow_the_event(bot) -> None:
    """Moved: the posts move with it; cancelled: they are never sent."""
    await bot("alice: /newevent Sprint 2026-12-05 19:00 2h type=challenge", "alice: /task add 1 Parse logs")
    await bot('alice: /editevent 1 when="2026-12-06 19:00"')
    rows = {d.dedupe_key: d for d in await bot.rows(Delivery, Delivery.kind.like("fmt_challenge%"))}
    assert rows["fmtch:open:1"].due_at.isoformat() == "2026-12-06T11:00:00+00:00"
    assert rows["fmtch:close:1"].due_at.isoformat() == "2026-12-06T13:00:00+00:00"
    await bot("alice: /editevent 1 type=salon")  # no longer a challenge: its posts are cancelled
    assert {d.status for d in await bot.rows(Delivery, Delivery.kind.like("fmt_challenge%"))} == {"cancelled"}
    await bot("alice: /editevent 1 type=challenge", "alice: /cancelevent 1")
    assert "🏁" not in await bot.text(":advance 7d")


async def test_organizers_read_the_solutions_privately_never_in_the_group(bot) -> None:
    await bot("alice: /newevent Sprint 2026-12-01 10:00 1h type=challenge", "alice: /task add 1 Parse logs")
    await bot(":advance 1h", "bob: /submit 1 1 https://git.example/bob", "carol: /submit 1 1 my answer is 42")
    assert await bot("alice: /submissions 1") == [
        "bot -> group: Solutions stay out of the group: send me /submissions 1 in a private chat."
    ]
    expected = [
        "bot -> alice@dm: 📥 Solutions to #1 Sprint (2):",
        "Task 1: Parse logs",
        "• bob (10:00): https://git.example/bob",
        "• carol (10:00): my answer is 42",
    ]
    assert await bot("alice@dm: /submissions 1") == expected
    assert await bot("alice: /submissions 1") == [
        *expected,
        "bot -> group: I sent you the solutions to #1 privately.",
    ]
    assert await bot("bob: /submissions 1") == [
        "bot -> group: Only organizers can use /submissions. Nothing was changed."
    ]


async def test_a_task_added_during_the_challenge_is_posted(bot) -> None:
    await bot("alice: /newevent Sprint 2026-12-01 10:00 1h type=challenge", "alice: /task add 1 Parse logs")
    await bot(":advance 1h")
    assert await bot("alice: /task add 1 Plot them | A histogram per hour") == [
        "bot -> group: ➕ A new task in #1: Task 2: Plot them — A histogram per hour"
    ]
    assert await bot("alice@dm: /task add 1 Bonus") == [
        "bot -> group: ➕ A new task in #1: Task 3: Bonus",
        "bot -> alice@dm: ✅ Task 3 of #1: Bonus.",
    ]
    assert await bot("bob: /submit 1 3 https://git.example/bonus") == [
        "bot -> group: ✅ Got your solution to task 3 (Bonus) of #1. Good luck!"
    ]
