"""Whatever arguments the formats' commands get, the bot answers (or refuses) and never fails."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.harness import Harness

COMMANDS = (
    "task", "tasks", "submit", "submissions", "score", "prize", "winners", "leaderboard", "points", "ask", "questions", "answered",
    "best", "speaker", "writeup", "writeups",
)  # fmt: skip
WORDS = [
    "1", "2", "3", "4", "#1", "#2", "0", "-1", "99999999999999", "Q1", "q2", "add", "remove", "添加", "删除", "|",
    "@bob", "@carol", "@zed", "<@123>", "@", "https://x.example/a", "ftp://x", "until", "截止", "tomorrow",
    "2026-12-09 20:00", "banana", "90", "1000", "1001", "Annual", "membership", "年度会员", "²", "１", "٣", "“", '"', "＃3", "🙂",
]  # fmt: skip
TEXT = st.characters(blacklist_categories=("Cs", "Cc"))
ARGS = st.one_of(
    st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join),
    st.text(TEXT, max_size=40),
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(TEXT, max_size=5)), max_size=5).map(" ".join),
)
SETUP = [  # the clock starts Tue 1 Dec 2026 09:00; at 10:30 #1 and #2 are on, #3 is over, #4 is to come
    "alice: /newevent Sprint 2026-12-01 10:00 2h type=challenge", "alice: /task add 1 Parse | logs",
    "alice: /newevent Talk 2026-12-01 10:00 2h type=sharing", "alice: /newevent Chat 2026-12-01 09:30 30m",
    "alice: /newevent Later 2026-12-09 19:00 type=challenge", "bob: hi", "carol: hi", ":advance 90m",
    "bob: /submit 1 1 https://git.example/bob", "bob: /ask Why?", "carol: /writeup 3 https://c.example/x",
]  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(who=st.sampled_from(("alice", "bob", "alice@dm")), name=st.sampled_from(COMMANDS), args=ARGS)
def _scenario(bot: Harness, loop: asyncio.AbstractEventLoop, who: str, name: str, args: str) -> None:
    out = loop.run_until_complete(bot.text(f"{who}: /{name} {args}"))
    replies = [line for line in out.splitlines() if line.startswith("bot -> ")]
    assert replies, out
    assert not any("Sorry, something went wrong" in line for line in replies), out


def test_format_commands_never_fail() -> None:
    loop = asyncio.new_event_loop()
    with tempfile.TemporaryDirectory() as tmp:
        bot = loop.run_until_complete(Harness.create(str(Path(tmp) / "fuzz.db")))
        try:
            loop.run_until_complete(bot(*SETUP))
            _scenario(bot, loop)
        finally:
            loop.run_until_complete(bot.close())
            loop.close()
