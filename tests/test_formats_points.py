"""Points: a pure function of the recorded facts. Hand-checked cases, order independence, and a property test:
after a random sequence of actions through the bot, the points recomputed from the database equal the totals
a simple model added up action by action (and what /points tells each member)."""

from __future__ import annotations

import asyncio
import random
import re
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import Points
from bot.domain.events import MessageReceived
from bot.features.formats.points import Fact, compute, load_facts, tally
from bot.storage import db
from tests.harness import Harness

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


def attend(member: int, event: int) -> Fact:
    return Fact("attend", member, event, day(event))


# --- the pure function -------------------------------------------------------------------------------


def test_every_kind_counts_once_per_fact() -> None:
    facts = [
        attend(1, 1), Fact("submit", 1, 1, day(1)), Fact("submit", 1, 1, day(1)),
        Fact("win", 2, 1, day(1)), Fact("runner_up", 1, 1, day(1)),
        Fact("ask", 3, 2, day(2)), Fact("answer", 1, 2, day(2)), Fact("best_question", 3, 2, day(2)),
        Fact("writeup", 2, 3, day(3)),
    ]  # fmt: skip
    weights = Points(attend=10, submit=5, win=50, runner_up=20, ask=2, answer=3, best_question=5, writeup=10)
    assert compute(facts, weights) == {1: 10 + 10 + 20 + 3, 2: 50 + 10, 3: 2 + 5}


def test_a_streak_counts_consecutive_events_where_someone_checked_in() -> None:
    # member 1 attends events 1, 2, 3 and 5; member 2 was at event 4, so it counts and breaks the run.
    facts = [attend(1, 1), attend(1, 2), attend(1, 3), attend(2, 4), attend(1, 5)]
    assert tally(facts, 3)[1]["streak"] == 1
    assert tally(facts, 2)[1]["streak"] == 2  # events 2 and 3 each make two in a row
    # Without anyone at event 4 it is not a held event: 1, 2, 3, 5 are consecutive.
    assert tally([f for f in facts if f.event_id != 4], 3)[1]["streak"] == 2


def test_the_write_up_vote_counts_only_once_closed_and_ties_all_win() -> None:
    votes = [Fact("vote", v, 7, day(7), author) for v, author in ((1, 2), (3, 2), (4, 5), (2, 5))]
    assert all("writeup_win" not in c for c in tally(votes, 3).values())
    closed = [*votes, Fact("vote_closed", 0, 7, day(7))]
    assert {m: c["writeup_win"] for m, c in tally(closed, 3).items() if c["writeup_win"]} == {2: 1, 5: 1}
    assert tally([Fact("vote_closed", 0, 7, day(7))], 3) == {}  # no votes: no winner


KINDS = (
    "attend",
    "submit",
    "win",
    "runner_up",
    "ask",
    "answer",
    "best_question",
    "writeup",
    "vote",
    "vote_closed",
)
FACTS = st.lists(
    st.builds(
        lambda kind, member, event, ref: Fact(kind, member, event, day(event), ref),
        st.sampled_from(KINDS), st.integers(1, 5), st.integers(1, 8), st.integers(1, 5),
    ),
    max_size=60,
)  # fmt: skip
WEIGHTS = st.builds(
    Points, **{k: st.integers(0, 20) for k in ("attend", "submit", "win", "runner_up", "ask", "answer")},
    best_question=st.integers(0, 20), writeup=st.integers(0, 20), writeup_win=st.integers(0, 20),
    streak=st.integers(0, 20), streak_events=st.integers(2, 4),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(FACTS, WEIGHTS, st.randoms(use_true_random=False))
def test_points_do_not_depend_on_the_order_of_the_facts(
    facts: list[Fact], weights: Points, rnd: random.Random
) -> None:
    shuffled = list(facts)
    rnd.shuffle(shuffled)
    assert compute(shuffled, weights) == compute(facts, weights)
    assert all(v >= 0 for v in compute(facts, weights).values())


# --- recomputed from the database vs added up action by action ----------------------------------------

MEMBERS = ("bob", "carol", "dave", "erin")
ID = {name: i for i, name in enumerate(("alice", *MEMBERS), 1)}  # the order in which they first speak
member = st.sampled_from(MEMBERS)
ACTIONS = st.fixed_dictionaries(
    {
        "weights": WEIGHTS,
        "prizes": st.integers(0, 3),
        "challenge": st.lists(st.one_of(st.tuples(st.just("checkin"), member), st.tuples(st.just("submit"), member, st.integers(1, 3))), max_size=10),
        "scores": st.lists(st.tuples(member, st.integers(0, 100)), max_size=5),
        "winners": st.one_of(st.none(), st.just("auto"), st.lists(member, min_size=1, max_size=3)),
        "qa": st.lists(
            st.one_of(
                st.tuples(st.just("checkin"), member), st.tuples(st.just("ask"), member), st.tuples(st.just("reply"), member),
                st.tuples(st.just("answered"), st.integers(1, 6), st.one_of(st.none(), member)),
                st.tuples(st.just("best"), st.integers(1, 6)),
            ),
            max_size=12,
        ),
        "discussion": st.lists(member, max_size=4),
        "writeups": st.lists(st.tuples(member, st.booleans()), max_size=5),
        "votes": st.lists(st.tuples(member, member), max_size=6),
        "last": st.lists(member, max_size=4),
    }
)  # fmt: skip


class Model:
    """Points added up as each action is accepted, by rules stated independently of the bot's code."""

    def __init__(self, weights: Points) -> None:
        self.w = weights
        self.points: Counter[str] = Counter()
        self.checked: list[set[str]] = []  # who checked in, per event in order
        self.current: set[str] = set()

    def add(self, who: str, kind: str, times: int = 1) -> None:
        self.points[who] += times * self.w.weight(kind)

    def start_event(self) -> None:
        self.current = set()
        self.checked.append(self.current)

    def checkin(self, who: str) -> bool:
        if who in self.current:
            return False
        self.current.add(who)
        self.add(who, "attend")
        held = [s for s in self.checked[:-1] if s]  # earlier events where someone checked in
        run = held[len(held) - (self.w.streak_events - 1) :] if self.w.streak_events > 1 else []
        if len(run) == self.w.streak_events - 1 and all(who in s for s in run):
            self.add(who, "streak")
        return True


def run_scenario(data: dict, url: str | None = None) -> None:
    """Play data's actions on a fresh bot (SQLite, or the database at url), checking the model at the end."""
    weights: Points = data["weights"]
    model = Model(weights)
    loop = asyncio.new_event_loop()
    with tempfile.TemporaryDirectory() as tmp:
        if url is not None and "://" in url:
            db.upgrade(url)  # PostgreSQL is not upgraded automatically
        bot = loop.run_until_complete(
            Harness.create(
                url or str(Path(tmp) / "p.db"),
                points=weights,
                writeup_window=timedelta(hours=2),
                vote_duration=timedelta(hours=2),
            )
        )

        def say(*lines: str) -> str:
            return loop.run_until_complete(bot.text(*lines))

        try:
            say("alice: hi", *(f"{m}: hi" for m in MEMBERS))
            say(
                "alice: /newevent Sprint 2026-12-01 10:00 1h type=challenge", "alice: /task add 1 Parse | logs",
                "alice: /task add 1 Plot", "alice: /newevent Talk 2026-12-01 12:00 1h type=sharing",
                "alice: /speaker 2 @dave", "alice: /newevent Chat 2026-12-01 14:00 1h",
                "alice: /newevent Meetup 2026-12-01 20:00 1h type=salon",
                *(f"alice: /prize 1 {p} Prize {p}" for p in range(1, data["prizes"] + 1)),
            )  # fmt: skip
            # --- the challenge, 10:00-11:00 ---
            say(":advance 1h")
            model.start_event()
            submitted: dict[str, set[int]] = {}
            for action in data["challenge"]:
                if action[0] == "checkin":
                    accepted = model.checkin(action[1])
                    assert ("Checked in" if accepted else "already checked in") in say(
                        f"{action[1]}: [I'm here]"
                    )
                else:
                    _, who, task = action
                    out = say(f"{who}: /submit 1 {task} https://git.example/{who}/{task}")
                    if task == 3:
                        assert "has no task" in out
                    elif task in submitted.setdefault(who, set()):
                        assert "Updated your solution" in out
                    else:
                        assert "Got your solution" in out
                        submitted[who].add(task)
                        model.add(who, "submit")
            say(":advance 1h")
            scores: dict[str, int] = {}
            for who, points in data["scores"]:
                out = say(f"alice: /score 1 @{who} {points}")
                assert ("points in #1" in out) == bool(submitted.get(who)), out
                if submitted.get(who):
                    scores[who] = points
            if data["winners"] == "auto":
                count = data["prizes"] or 3
                best = sorted((w for w in scores if scores[w] > 0), key=lambda w: (-scores[w], ID[w]))[:count]
                out = say("alice: /winners 1")
                assert ("🏆 Results" in out) == bool(best), out
                for place, who in enumerate(best, 1):
                    model.add(who, "win" if place == 1 else "runner_up")
            elif data["winners"]:
                named = data["winners"]
                ok = len(set(named)) == len(named) and all(submitted.get(w) for w in named)
                out = say("alice: /winners 1 " + " ".join(f"@{w}" for w in named))
                assert ("🏆 Results" in out) == ok, out
                for place, who in enumerate(named if ok else [], 1):
                    model.add(who, "win" if place == 1 else "runner_up")
            # --- the sharing session, 12:00-13:00 ---
            say(":advance 1h")
            model.start_event()
            post = next(
                r.message_id for r in reversed(bot.adapter.records) if r.message.text.startswith("🎤 #2")
            )
            askers: list[str] = []
            credit: dict[int, str | None] = {}
            best_marked: set[int] = set()
            for action in data["qa"]:
                kind = action[0]
                if kind == "checkin":
                    model.checkin(action[1])
                    say(f"{action[1]}: [I'm here]")
                elif kind == "ask":
                    assert "Noted as Q" in say(f"{action[1]}: /ask Why {len(askers)}?")
                    askers.append(action[1])
                    model.add(action[1], "ask")
                elif kind == "reply":
                    base = bot.session.chat._base(action[1], False)
                    event = MessageReceived(
                        **base, message_id=base["source_id"], text="And this?", reply_to_message_id=post
                    )
                    loop.run_until_complete(bot.app.handle(event))
                    askers.append(action[1])
                    model.add(action[1], "ask")
                elif kind == "answered":
                    _, number, who = action
                    out = say(f"dave: /answered 2 {number}" + (f" @{who}" if who else ""))
                    if number > len(askers) or (who is not None and who == askers[number - 1]):
                        assert "Usage:" in out, out
                        continue
                    assert "is answered" in out, out
                    if credit.get(number):
                        model.add(credit[number], "answer", -1)
                    credit[number] = who
                    if who:
                        model.add(who, "answer")
                else:
                    number = action[1]
                    out = say(f"alice: /best 2 {number}")
                    assert ("best question" in out) == (number <= len(askers)), out
                    if number <= len(askers) and number not in best_marked:
                        best_marked.add(number)
                        model.add(askers[number - 1], "best_question")
            # --- the discussion, 14:00-15:00, write-ups until 17:00, the vote until 19:00 ---
            say(":advance 2h")
            model.start_event()
            for who in data["discussion"]:
                model.checkin(who)
                say(f"{who}: [I'm here]")
            say(":advance 1h")
            authors: list[str] = []
            for who, valid in data["writeups"]:
                out = say(f"{who}: /writeup 3 " + (f"https://blog.example/{who}" if valid else "not-a-link"))
                if valid and who not in authors:
                    assert "Your write-up of #3 is in" in out, out
                    authors.append(who)
                    model.add(who, "writeup")
            say(":advance 2h")
            ballots: dict[str, str] = {}
            for voter, author in data["votes"]:
                out = say(f"{voter}: [{author}]")
                if len(authors) < 2 or author not in authors:
                    assert "console: no button" in out, out
                elif voter == author:
                    assert "your own write-up" in out, out
                elif voter in ballots:
                    assert "You already voted" in out, out
                else:
                    assert "Thanks! You voted" in out, out
                    ballots[voter] = author
            say(":advance 2h")
            tallied = Counter(ballots.values())
            top = max(tallied.values(), default=0)
            for author, n in tallied.items():
                if n == top:
                    model.add(author, "writeup_win")
            # --- the meetup, 20:00-21:00 ---
            say(":advance 1h")
            model.start_event()
            for who in data["last"]:
                model.checkin(who)
                say(f"{who}: [I'm here]")
            say(":advance 1h")

            # Recomputed from the database = added up by the model = what each member is told.
            async def recompute() -> dict[int, int]:
                async with bot.app.sessions() as session:
                    facts = await load_facts(session, 1)
                shuffled = list(facts)
                random.Random(0).shuffle(shuffled)
                assert compute(shuffled, weights) == compute(facts, weights)
                return compute(facts, weights)

            recomputed = loop.run_until_complete(recompute())
            expected = {ID[m]: p for m, p in model.points.items() if p}
            assert {m: p for m, p in recomputed.items() if p} == expected
            for name in MEMBERS:
                out = say(f"{name}: /points")
                told = re.search(r"you have (\d+) points", out)
                assert (int(told.group(1)) if told else 0) == model.points[name], out
        finally:
            loop.run_until_complete(bot.close())
            loop.close()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(ACTIONS)
def test_points_recomputed_from_the_log_equal_the_totals_added_up_action_by_action(data: dict) -> None:
    run_scenario(data)


FIXED = {  # a bit of everything: scores and winners by score, answers re-credited, a tie-free vote, streaks
    "weights": Points(streak_events=2),
    "prizes": 2,
    "challenge": [("checkin", "bob"), ("submit", "bob", 1), ("submit", "carol", 2), ("submit", "bob", 1),
                  ("submit", "erin", 3), ("checkin", "carol")],
    "scores": [("bob", 5), ("carol", 9), ("dave", 3)],
    "winners": "auto",
    "qa": [("checkin", "bob"), ("ask", "bob"), ("reply", "carol"), ("answered", 1, "carol"), ("answered", 1, None),
           ("answered", 2, "dave"), ("best", 2), ("best", 2), ("best", 5)],
    "discussion": ["bob", "carol"],
    "writeups": [("bob", True), ("carol", True), ("dave", False)],
    "votes": [("dave", "bob"), ("bob", "bob"), ("carol", "bob"), ("dave", "carol"), ("erin", "carol")],
    "last": ["bob", "carol"],
}  # fmt: skip


def test_a_fixed_scenario_on_both_databases(db_url: str) -> None:
    run_scenario(FIXED, db_url)


# --- /points and /leaderboard ---------------------------------------------------------------------------


async def test_points_privately_and_a_leaderboard_without_members_who_opted_out(bot) -> None:
    await bot(
        "alice: /newevent Rust night 2026-12-01 10:00 1h", *(f"{m}: hi" for m in MEMBERS), ":advance 1h"
    )
    await bot("bob: [I'm here]", "carol: [I'm here]", "dave: [I'm here]")
    await bot("alice: /newevent Go night 2026-12-01 12:00 1h", ":advance 2h", "carol: [I'm here]")
    assert await bot("carol: /leaderboard") == [
        "bot -> group: 🏅 Top members by points:",
        "1. carol — 20",
        "2. bob — 10",
        "2. dave — 10",
        "Your own points: /points. Members who turned statistics off are not listed.",
    ]
    # carol turns analytics off: she is not listed, and her own /points says why; ranks close up.
    await bot("carol@dm: /privacy analytics off")
    out = await bot("bob: /leaderboard")
    assert out[1:3] == ["1. bob — 10", "1. dave — 10"] and "carol" not in "\n".join(out)
    assert await bot("carol@dm: /points") == [
        "bot -> carol@dm: 🏅 carol, you have 20 points. You are not on the leaderboard because you turned statistics "
        "off (/privacy analytics on, privately, turns them back on).",
        "• check-ins: 2 × 10 = 20",
    ]
    # In the group, /points goes privately to someone the bot can write to.
    assert await bot("carol: /points") == [
        "bot -> carol@dm: 🏅 carol, you have 20 points. You are not on the leaderboard because you turned statistics "
        "off (/privacy analytics on, privately, turns them back on).",
        "• check-ins: 2 × 10 = 20",
        "bot -> group: I sent you your points privately.",
    ]
    assert await bot("erin: /points") == [
        "bot -> group: 🏅 You have no points yet. Check in at events, submit to challenges, ask questions in sessions "
        "and write up discussions to earn them. /leaderboard shows the top members."
    ]


async def test_points_in_chinese_with_a_streak(tmp_path) -> None:
    bot = await Harness.create(str(tmp_path / "s.db"), lang="zh", points=Points(streak_events=2))
    try:
        await bot(
            "alice: /newevent 读书会 2026-12-01 10:00 1h", "alice: /newevent 分享会 2026-12-01 12:00 1h"
        )
        await bot(":advance 1h", "bob: [我已到场]", "carol: [我已到场]", ":advance 2h", "bob: [我已到场]")
        assert await bot("bob: /points") == [
            "bot -> group: 🏅 bob，你有 25 积分，在排行榜 2 人中排第 1。",
            "• 签到：2 次 × 10 分 = 20 分",
            "• 连续签到：1 次 × 5 分 = 5 分",
        ]
        assert await bot("carol: /leaderboard") == [
            "bot -> group: 🏅 积分排行榜：",
            "1. bob — 25 分",
            "2. carol — 10 分",
            "查看自己的积分：/points。关闭了统计的成员不在榜上。",
        ]
    finally:
        await bot.close()
