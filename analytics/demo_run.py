"""The analytics demo end to end: build the community, run and evaluate analytics, print and chart."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sklearn.metrics import adjusted_rand_score
from sqlalchemy import Connection, select

from analytics import report
from analytics.config import AnalyticsConfig
from analytics.demo import DemoRun, build_demo
from analytics.demo_world import DemoSpec, World
from analytics.evaluate import evaluate
from analytics.jobs import run_analytics
from analytics.store import read_engine, read_tables
from bot.storage.models import Member
from bot.storage.results import MemberSegment

Echo = Callable[[str], None]


def planted_ari(conn: Connection, run_id: int, world: World) -> float:
    """Adjusted Rand index of a run's segments against the segments planted in the demo."""
    rows = conn.execute(
        select(Member.user_id, MemberSegment.segment)
        .join(Member, Member.id == MemberSegment.member_id)
        .where(MemberSegment.run_id == run_id)
    ).all()
    truth = {f"demo-{i}": p.segment for i, p in enumerate(world.crowd)}
    pairs = [(truth[u], s) for u, s in rows if u in truth]
    return float(adjusted_rand_score([p[0] for p in pairs], [p[1] for p in pairs]))


def sample_members(world: World, per_segment: int = 2) -> list[str]:
    """A few current members of each planted segment, to show their recommendations."""
    out: list[str] = []
    for segment in dict.fromkeys(p.segment for p in world.crowd):
        people = [p.name for p in world.crowd if p.segment == segment and p.leaves is None]
        out += people[:per_segment]
    return out


async def analyse(run: DemoRun, cfg: AnalyticsConfig) -> dict[str, Any]:
    """Run and evaluate analytics on a played demo; return the stored tables, evaluation and ARI."""
    run_id = await run_analytics(run.database_url, cfg, now=run.now)
    evaluation = await evaluate(run.database_url, cfg, now=run.now)
    engine = read_engine(run.database_url)
    try:
        async with engine.connect() as conn:
            tables = await conn.run_sync(read_tables, run_id)
            ari = await conn.run_sync(planted_ari, run_id, run.world)
    finally:
        await engine.dispose()
    return {"run_id": run_id, "tables": tables, "evaluation": evaluation, "planted_ari": ari}


async def run_demo(
    out: Path,
    database: str | None = None,
    spec: DemoSpec | None = None,
    cfg: AnalyticsConfig | None = None,
    echo: Echo = print,
) -> dict[str, Any]:
    """Build, analyse, print the three tables and the evaluation, write charts to out."""
    spec = spec or DemoSpec()
    cfg = cfg or AnalyticsConfig(executor="thread")
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        db = database or str(Path(tmp) / "demo.db")
        echo(
            f"Building a demo community: {spec.members} members, {spec.weeks} weeks, through the bot's ingestion path"
        )
        run = await build_demo(db, spec, progress=echo)
        built = time.perf_counter() - start
        echo(f"  {run.log_rows:,} log rows in {built:.1f}s. Running analytics and the holdout evaluation...")
        result = await analyse(run, cfg)
        t = result["tables"]
        echo(
            "\nSegment profiles (mean per member over the last 90 days)\n"
            + report.profiles_table(t["profiles"])
        )
        echo(f"Recovered vs planted segments: adjusted Rand index {result['planted_ari']:.2f}")
        echo(
            "\nEvent effect (latest events; forecast = predicted turnout with its 90% range)\n"
            + report.effects_table(t["effects"], spec.tz)
        )
        echo(
            "\nTop recommendations (upcoming: topic x time fit 0-1; replay: predicted rating)\n"
            + report.recommendations_table(t["recommendations"], spec.tz, sample_members(run.world))
        )
        echo(
            "\nBest slots for a new event next week (predicted turnout [90% range])\n"
            + report.advice_lines(t["metrics"])
        )
        echo(
            "\nEvaluation on the last 28 days (each model vs its baselines, same run)\n"
            + report.evaluation_table(result["evaluation"])
        )
        paths = report.charts(t, out, spec.tz)
    total = time.perf_counter() - start
    echo(f"\nCharts: {', '.join(str(p) for p in paths)}\nDone in {total:.1f}s (community {built:.1f}s).")
    return {**result, "seconds": total, "build_seconds": built, "charts": paths}
