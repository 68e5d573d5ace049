"""/report, /report ID and `gatherbot report` on the seeded demo community after a real analytics run: the
numbers shown are the results tables' (and the poll votes behind them), small groups stay hidden, and the
charts are valid PNGs."""

from __future__ import annotations

import asyncio
import re
import shutil
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from analytics.demo import DemoRun
from analytics.jobs import run_analytics
from bot.cli import main
from bot.features.insights.common import MIN_GROUP, SEGMENT_NAMES, fmt_num
from bot.storage.models import Event, Member, Poll, PollVote
from bot.storage.results import EventEffect, SegmentProfile
from tests.analytics.conftest import CFG, demo  # noqa: F401  (the session-scoped demo fixture)
from tests.test_insights_demo import Chat

FILE = re.compile(r"\[file (report-[\w-]+\.png), (\d+) bytes\]")


@dataclass(frozen=True)
class Analysed:
    demo: DemoRun
    path: str  # a copy of the demo database with one analytics run


@pytest.fixture(scope="module")
def analysed(demo: DemoRun, tmp_path_factory: pytest.TempPathFactory) -> Analysed:  # noqa: F811
    """The demo analysed once for this module; tests work on copies."""
    path = str(tmp_path_factory.mktemp("report") / "analysed.db")
    shutil.copyfile(demo.database_url, path)
    asyncio.run(run_analytics(path, CFG, now=demo.now))
    return Analysed(demo, path)


@pytest.fixture
async def chat(analysed: Analysed, tmp_path: Path) -> AsyncIterator[Chat]:
    url = str(tmp_path / "demo.db")
    shutil.copyfile(analysed.path, url)
    c = Chat(analysed.demo, url)
    await c.start()
    yield c
    await c.app.close()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def held_effects(rows: list[tuple[Event, EventEffect]], now: datetime) -> list[tuple[Event, EventEffect]]:
    """The effect rows of events held in the 30 days before now."""
    start = now - timedelta(days=30)
    return [(e, f) for e, f in rows if e.status == "scheduled" and e.starts_at >= start and e.ends_at <= now
            and f.rating != "upcoming"]  # fmt: skip


async def votes_of(chat: Chat, event_id: int) -> list[int]:
    """The ratings analytics counted: before the run, by members who did not opt out."""
    rows = await chat.rows(
        select(PollVote.score)
        .join(Poll, Poll.id == PollVote.poll_id)
        .join(Member, Member.id == PollVote.member_id)
        .where(
            Poll.event_id == event_id, Member.analytics_opt_out.is_(False), PollVote.voted_at < chat.run.now
        )
    )
    return [score for (score,) in rows]


async def test_report_on_the_demo_shows_the_results_tables_in_both_languages(chat: Chat) -> None:
    run = chat.run
    profiles = [p for (p,) in await chat.rows(select(SegmentProfile))]
    effects = await chat.rows(select(Event, EventEffect).join(EventEffect, EventEffect.event_id == Event.id))
    held = held_effects(effects, run.now)
    assert len(held) >= 5

    for lang in ("en", "zh"):
        await chat(0, f"/lang {lang}")
        out = await chat(0, "/report")
        text, chart = out.split("\n[file")[0].rsplit("\nbot -> ", 1)
        # segments: every one of at least 5 members with its size, the others not at all
        for p in profiles:
            name = p.name if lang == "en" else SEGMENT_NAMES.get(p.name, p.name)
            if p.size >= MIN_GROUP:
                assert f"{name} {p.size}" in text
            else:
                assert name not in text
        # mean participation over the events held in these 30 days, from the effect rows
        came = [f for _, f in held if f.participation_rate is not None]
        mean = round(100 * sum(f.participation_rate for f in came) / len(came))
        assert (f"Mean participation {mean}%" if lang == "en" else f"平均到场率 {mean}%") in text
        voted = [(f.satisfaction_mean, round((f.response_rate or 0) * f.attended)) for _, f in held
                 if f.satisfaction_mean is not None]  # fmt: skip
        sat = fmt_num(sum(m * n for m, n in voted) / sum(n for _, n in voted), 2)
        assert (f"mean satisfaction {sat}/5" if lang == "en" else f"平均满意度 {sat}/5") in text
        n = len(held)
        assert (f"events held {n}" if lang == "en" else f"举办活动 {n} 场") in text
        caption = "📊 Chart: the last 30 days" if lang == "en" else "📊 图表：最近 30 天"
        assert chart.startswith(f"group: {caption}")
        match = FILE.search(out)
        assert match is not None and match.group(1) == "report-30-days.png" and int(match.group(2)) > 5000

    # /report ID of a held event rated by at least 5: its effect row, and the ratings behind its mean
    rated = [
        (e, f) for e, f in held if f.attended >= MIN_GROUP and round((f.response_rate or 0) * f.attended) >= 5
    ]
    event, eff = rated[-1]
    scores = await votes_of(chat, event.id)
    counts = [scores.count(s) for s in range(1, 6)]
    assert len(scores) == round(eff.response_rate * eff.attended)  # type: ignore[operator]
    assert sum(s * n for s, n in enumerate(counts, 1)) / len(scores) == pytest.approx(eff.satisfaction_mean)
    dist = " · ".join(f"{s}★ {n}" for s, n in enumerate(counts, 1))
    zh = await chat(0, f"/report {event.id}")
    assert f"报名 {eff.going} · 到场 {eff.attended} · 到场率 {100 * eff.participation_rate:.0f}%" in zh  # type: ignore[operator]
    assert f"评分分布 1–5：{dist}" in zh and f"满意度 {fmt_num(eff.satisfaction_mean, 2)}/5" in zh
    assert f"📈 图表：活动 #{event.id} {event.title}\n[file report-event-{event.id}.png, " in zh
    await chat(0, "/lang en")
    en = await chat(0, f"/report {event.id}")
    assert f"Going {eff.going} · came {eff.attended}" in en and f"Ratings 1–5: {dist}" in en
    assert f"actual {eff.attended}" in en and f"[file report-event-{event.id}.png, " in en

    # an event fewer than 5 came to: rates, rating and chart withheld
    event, eff = next((e, f) for e, f in held if f.attended < MIN_GROUP)
    out = await chat(0, f"/report {event.id}")
    assert f"Going {eff.going} · came {eff.attended} · participation –" in out and "Rating: –" in out
    assert "fewer than 5 people came" in out and "[file" not in out and "★" not in out


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["report", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_gatherbot_report_writes_markdown_and_charts(analysed: Analysed, tmp_path: Path) -> None:
    run = analysed.demo
    db = str(tmp_path / "r.db")
    shutil.copyfile(analysed.path, db)
    out = tmp_path / "out"
    code, printed = run_cli("--db", db, "--out", str(out), "--now", run.now.isoformat())
    assert code == 0, printed
    paths = [Path(line) for line in printed.splitlines()]
    assert paths[0] == out / "report.md" and paths[1] == out / "overview.png" and len(paths) >= 3
    for png in paths[1:]:
        data = png.read_bytes()
        width, height = png_size(data)
        assert 600 <= width <= 3000 and 300 <= height <= 3000 and len(data) > 5000, png
    report = paths[0].read_text(encoding="utf-8")

    async def tables() -> tuple[list[SegmentProfile], list[tuple[Event, EventEffect]]]:
        from bot.storage import db as dbm

        engine = dbm.make_engine(db)
        try:
            async with dbm.make_sessionmaker(engine)() as s:
                profiles = list(await s.scalars(select(SegmentProfile)))
                rows = (
                    await s.execute(
                        select(Event, EventEffect).join(EventEffect, EventEffect.event_id == Event.id)
                    )
                ).all()
                return profiles, [(e, f) for e, f in rows]
        finally:
            await engine.dispose()

    profiles, effects = asyncio.run(tables())
    assert report.startswith("# Community report: ")
    for p in profiles:  # segment table: size of each segment of at least 5, nothing of the others
        if p.size >= MIN_GROUP:
            assert re.search(rf"^\| {re.escape(p.name)} \| {p.size} \|", report, re.M), p.name
        else:
            assert f"| {p.name} |" not in report
    for event, eff in held_effects(effects, run.now):  # events table: going and came of each held event
        row = next(line for line in report.splitlines() if line.startswith(f"| #{event.id} "))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[2:4] == [str(eff.going), str(eff.attended)]
        if eff.attended >= MIN_GROUP:
            assert cells[4] == f"{100 * eff.participation_rate:.0f}%"  # type: ignore[operator]
        else:
            assert cells[4:8] == ["–", "–", "–", "–"]
    assert "![Chart](overview.png)" in report
    charted = [e.id for e, f in sorted(held_effects(effects, run.now), key=lambda r: r[0].starts_at)
               if f.attended >= MIN_GROUP][-12:]  # fmt: skip
    assert sorted(p.name for p in paths[2:]) == sorted(f"event-{i}.png" for i in charted)
    assert all(f"![#{i}](event-{i}.png)" in report for i in charted)

    code, printed = run_cli(
        "--db", db, "--out", str(tmp_path / "zh"), "--now", run.now.isoformat(), "--lang", "zh"
    )
    assert code == 0, printed
    zh = (tmp_path / "zh" / "report.md").read_text(encoding="utf-8")
    assert zh.startswith("# 社群报告：") and "## 成员群体" in zh and "| 指标 | 数值 |" in zh
    big = max(profiles, key=lambda p: p.size)
    assert f"| {SEGMENT_NAMES.get(big.name, big.name)} | {big.size} |" in zh


def test_gatherbot_report_errors_are_one_clear_line(analysed: Analysed, tmp_path: Path) -> None:
    run = analysed.demo
    fresh = str(tmp_path / "fresh.db")
    shutil.copyfile(run.database_url, fresh)  # the demo before any analytics run
    code, printed = run_cli("--db", fresh, "--out", str(tmp_path / "a"))
    assert code == 1 and "has no analytics results yet" in printed and "gatherbot analytics run" in printed
    code, printed = run_cli("--db", analysed.path, "--community", "99", "--out", str(tmp_path / "b"))
    assert code == 1 and f"no community 99 (communities: {run.community_id})" in printed
    code, printed = run_cli("--db", str(tmp_path / "typo.db"), "--out", str(tmp_path / "c"))
    assert code == 1 and "no database file at" in printed and not (tmp_path / "typo.db").exists()
    code, printed = run_cli("--db", analysed.path, "--now", "last week", "--out", str(tmp_path / "d"))
    assert code == 2 and "use ISO time" in printed
    assert not any((tmp_path / d).exists() and any((tmp_path / d).iterdir()) for d in "abcd")
