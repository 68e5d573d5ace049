"""The job: results tables written in one go, opt-outs excluded, cascades, scheduling, no write lock."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner
from sqlalchemy import delete, func, select, text, update

from analytics.cli import analytics_group
from analytics.config import AnalyticsConfig
from analytics.demo import DemoRun
from analytics.jobs import run_analytics
from analytics.store import read_engine
from bot.storage.db import make_engine
from bot.storage.models import Member
from bot.storage.results import (
    AnalyticsRun,
    EventEffect,
    MemberSegment,
    Recommendation,
    SegmentProfile,
    TopicTrend,
)

CFG = AnalyticsConfig(executor="inline")


async def count(url: str, model: Any, *where: Any) -> int:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(model).where(*where)) or 0)
    finally:
        await engine.dispose()


async def test_a_run_fills_every_results_table(analysed: dict[str, Any], demo: DemoRun) -> None:
    run_id = analysed["run_id"]
    url = demo.database_url
    assert await count(url, SegmentProfile, SegmentProfile.run_id == run_id) == 5
    assert await count(url, MemberSegment, MemberSegment.run_id == run_id) == len(demo.world.crowd)
    assert await count(url, EventEffect, EventEffect.run_id == run_id) >= 60
    assert (
        await count(url, Recommendation, Recommendation.run_id == run_id, Recommendation.kind == "replay")
        > 100
    )
    assert (
        await count(url, Recommendation, Recommendation.run_id == run_id, Recommendation.kind == "upcoming")
        > 100
    )
    assert await count(url, TopicTrend, TopicTrend.run_id == run_id) > 50
    metrics = analysed["tables"]["metrics"]
    assert len(metrics["heatmap"]) == 168 and metrics["advice"]["all"]
    assert {"predicted_turnout", "low", "high", "slot"} <= set(metrics["advice"]["all"][0])


async def test_opted_out_members_are_excluded_everywhere(demo_copy: DemoRun) -> None:
    url = demo_copy.database_url
    engine = make_engine(url)
    async with engine.begin() as conn:  # the busiest talker and an event-goer opt out
        await conn.execute(
            update(Member).where(Member.user_id.in_(["demo-0", "demo-20"])).values(analytics_opt_out=True)
        )
        out = list(await conn.scalars(select(Member.id).where(Member.analytics_opt_out.is_(True))))
    await engine.dispose()
    run_id = await run_analytics(url, CFG, demo_copy.now)
    for model in (MemberSegment, Recommendation):
        assert await count(url, model, model.run_id == run_id, model.member_id.in_(out)) == 0
    assert await count(url, MemberSegment, MemberSegment.run_id == run_id) == len(demo_copy.world.crowd) - 2


async def test_runs_record_stability_and_old_runs_are_pruned(demo_copy: DemoRun) -> None:
    url = demo_copy.database_url
    cfg = CFG.with_(keep_runs=2)
    for _ in range(3):
        last = await run_analytics(url, cfg, demo_copy.now)
    assert await count(url, AnalyticsRun) == 2
    assert await count(url, MemberSegment, MemberSegment.run_id < last - 1) == 0
    engine = make_engine(url)
    async with engine.connect() as conn:
        metrics = await conn.scalar(select(AnalyticsRun.metrics).where(AnalyticsRun.id == last))
    await engine.dispose()
    assert metrics["stability_vs_previous"] == 1.0


async def test_deleting_a_member_deletes_what_analytics_derived(demo_copy: DemoRun) -> None:
    url = demo_copy.database_url
    await run_analytics(url, CFG, demo_copy.now)
    engine = make_engine(url)
    async with engine.begin() as conn:
        member = await conn.scalar(select(Member.id).where(Member.user_id == "demo-1"))
        await conn.execute(delete(Member).where(Member.id == member))
    await engine.dispose()
    assert await count(url, MemberSegment, MemberSegment.member_id == member) == 0
    assert await count(url, Recommendation, Recommendation.member_id == member) == 0


async def test_reads_do_not_block_the_bot_writing(demo_copy: DemoRun) -> None:
    """The bot's engine takes the write lock (BEGIN IMMEDIATE); analytics' snapshot must not."""
    reader, writer = read_engine(demo_copy.database_url), make_engine(demo_copy.database_url)
    try:
        async with reader.connect() as conn:
            assert await conn.scalar(text("SELECT COUNT(*) FROM activity_log")) > 0  # snapshot held open
            async with writer.begin() as w:
                await w.execute(
                    update(Member).where(Member.user_id == "demo-2").values(display_name="renamed")
                )
            assert await conn.scalar(text("SELECT COUNT(*) FROM members WHERE display_name = 'renamed'")) == 0
    finally:
        await reader.dispose()
        await writer.dispose()


def test_run_cli(demo_copy: DemoRun) -> None:
    """The default settings compute in a worker process (spawned), as the nightly job does."""
    args = ["run", "--db", demo_copy.database_url, "--now", demo_copy.now.isoformat(), "--json"]
    out = CliRunner().invoke(analytics_group, args)
    assert out.exit_code == 0, out.output
    assert out.output.startswith('{"run_id": ')
    bad = CliRunner().invoke(analytics_group, ["run", "--db", demo_copy.database_url, "--community", "99"])
    assert bad.exit_code != 0 and "no community 99" in bad.output
