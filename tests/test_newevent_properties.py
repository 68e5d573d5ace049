"""Property tests: whatever follows /newevent, the bot either creates events or explains and saves nothing."""

from __future__ import annotations

import asyncio
import re
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from bot.config import Config
from bot.features.eventform import MAX_DURATION, FormError, occurrences, parse_form
from bot.storage.models import Delivery, Event
from tests.harness import Harness

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=TZ)
CONFIG = Config(timezone="Asia/Shanghai")

WORDS = [
    "Python", "night", "读书会", "Rust", "2026", "3.12", "x" * 130,
    "2026-12-05", "2026-13-45", "9999-12-31", "1999-01-01", "12月5日", "2/30", "19:00", "7pm", "25:00",
    "tomorrow", "next", "monday", "明天", "下周一", "晚上7点", "今天", "2h", "90m", "2小时", "0m",
    "type=challenge", "type=沙龙", "type=party", "capacity=30", "capacity=0", "capacity=-1", "capacity=9999999",
    "place=https://meet.example/x", 'place="Room 301"', "tz=Europe/London", "tz=Mars/Base", "tz=",
    "repeat=weekly", "repeat=monthly", "repeat=3w", "repeat=daily", "count=3", "count=1", "count=99",
    "until=2027-01-31", "until=2026-11-01", "until=soon", "end=21:00", "end=18:00", "duration=3h", "duration=20d",
    'title="Quoted title"', "when=tomorrow", 'when="2026-12-05 19:00"', "tags=a,b", "color=red",
    "#python", "#", "＃标签", "#bad!tag", "=", "a=b", '"', "“中文标题”", "，", "🙂",
]  # fmt: skip
TITLES = ["Python night", "读书会", '"Rust & Go"', "Talk 3.12", "2026 review", "x" * 121, "Go"]
WHENS = [
    "2026-12-05 19:00", "tomorrow 20:00", "next monday 7pm", "下周一晚上7点", "12月5日 19:30", "明天晚上8点",
    "2026-12-05 19:00 2h", "in 2 hours", "2026-11-05 19:00", "2026-12-01 08:59", "banana", "9999-12-31 23:30",
]  # fmt: skip
EXTRAS = [w for w in WORDS if "=" in w or w.startswith(("#", "＃"))]
TEXT_CHARS = st.characters(blacklist_categories=("Cs", "Cc"))  # one console line: no control characters
ARGS = st.one_of(
    st.tuples(
        st.sampled_from(TITLES), st.sampled_from(WHENS), st.lists(st.sampled_from(EXTRAS), max_size=4)
    ).map(lambda parts: " ".join([parts[0], parts[1], *parts[2]])),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join),
    st.text(TEXT_CHARS, min_size=1, max_size=60),
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(TEXT_CHARS, max_size=6)), min_size=1, max_size=6).map(
        " ".join
    ),
)
SERIES = re.compile(r" (\d+) dates in all\.")


@settings(max_examples=1000, deadline=None)
@given(ARGS)
def test_parse_form_raises_only_form_errors(args: str) -> None:
    try:
        form = parse_form(args, now=NOW, tz=TZ, config=CONFIG)
    except FormError as exc:
        event(exc.key)
        assert exc.text("en") and exc.text("zh")  # every problem can be told in both languages
        return
    event("accepted")
    assert form.title.strip() and len(form.title) <= CONFIG.max_title
    assert NOW < form.starts_at <= NOW + timedelta(days=366 * 5)
    assert timedelta(0) < form.duration <= MAX_DURATION
    starts = occurrences(form, TZ, CONFIG.max_occurrences)
    assert 1 <= len(starts) <= CONFIG.max_occurrences and starts == sorted(starts)


# One harness for all examples of the test, on an event loop of its own: building a harness runs the
# migrations (~0.1 s), so a fresh one per example would make this file slow. Sharing is sound because
# every example compares the Event count before and after its own command, and nothing a /newevent
# does changes how the next one is parsed. (pytest-asyncio is not involved: this is a plain sync test.)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(args=ARGS)
def _newevent_scenario(bot: Harness, loop: asyncio.AbstractEventLoop, args: str) -> None:
    assume(args.strip())  # a bare /newevent starts the step-by-step dialog instead

    async def run() -> tuple[int, str, int, int]:
        before = await bot.count(Event)
        announces = await bot.count(Delivery, Delivery.kind == "announce")
        out = await bot.text(f"alice: /newevent {args}")
        return (
            before,
            out,
            await bot.count(Event),
            await bot.count(Delivery, Delivery.kind == "announce") - announces,
        )

    before, out, after, new_announces = loop.run_until_complete(run())
    replies = [line for line in out.splitlines() if line.startswith("bot -> ")]  # the args may be echoed
    assert not any(line.startswith("bot -> group: Sorry, something went wrong") for line in replies), out
    created = [line for line in replies if line.startswith("bot -> group: ✅ Created #")]
    if after == before:
        assert not created and "\nExample: /newevent " in out, out
        assert new_announces == 0
    else:
        assert len(created) == 1, out
        series = SERIES.search(out)
        assert after - before == (int(series.group(1)) if series else 1) == new_announces


def test_newevent_never_fails_and_never_half_saves() -> None:
    loop = asyncio.new_event_loop()
    with tempfile.TemporaryDirectory() as tmp:
        bot = loop.run_until_complete(Harness.create(str(Path(tmp) / "bot.db")))
        try:
            loop.run_until_complete(bot("alice: hi"))  # alice is the admin, so an organizer
            _newevent_scenario(bot, loop)
        finally:
            loop.run_until_complete(bot.close())
            loop.close()
