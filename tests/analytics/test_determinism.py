"""Same seed, same outputs: the simulated community, the played log and every analytics result."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pandas as pd
from sqlalchemy import create_engine, text

from analytics.config import AnalyticsConfig
from analytics.demo import DemoRun, build_demo
from analytics.demo_world import DemoSpec, plan_world
from analytics.jobs import read_inputs
from analytics.pipeline import compute

TINY = DemoSpec(members=16, weeks=3)


def log_digest(path: str) -> str:
    """A hash of everything the bot wrote that analytics reads."""
    engine = create_engine(f"sqlite:///{path}")
    queries = [
        "SELECT a.kind, m.user_id, a.occurred_at, a.message_id, a.reply_to, a.data FROM activity_log a "
        "LEFT JOIN members m ON m.id = a.member_id ORDER BY a.id",
        "SELECT event_id, member_id, status, created_at FROM rsvps ORDER BY id",
        "SELECT event_id, member_id, checked_in_at FROM attendance ORDER BY id",
        "SELECT poll_id, member_id, score, voted_at FROM poll_votes ORDER BY id",
        "SELECT title, kind, starts_at, ends_at FROM events ORDER BY id",
    ]
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for q in queries:
            for row in conn.execute(text(q)):
                digest.update(repr(tuple(row)).encode())
    engine.dispose()
    return digest.hexdigest()


def test_world_plan_is_seeded() -> None:
    a, b, c = plan_world(TINY), plan_world(TINY), plan_world(DemoSpec(members=16, weeks=3, seed=8))
    assert [(p.name, p.segment, p.topics, p.slots) for p in a.crowd] == [
        (p.name, p.segment, p.topics, p.slots) for p in b.crowd
    ]
    assert [e.rsvps for e in a.events] == [e.rsvps for e in b.events]
    assert [e.rsvps for e in a.events] != [e.rsvps for e in c.events]


def test_played_log_is_identical_for_the_same_seed(tmp_path: Path) -> None:
    runs = [
        asyncio.run(build_demo(str(tmp_path / f"{i}.db"), TINY, progress=lambda _: None)) for i in range(2)
    ]
    assert runs[0].log_rows == runs[1].log_rows > 100
    assert log_digest(runs[0].database_url) == log_digest(runs[1].database_url)


def test_analytics_outputs_are_identical_for_the_same_seed(demo: DemoRun) -> None:
    cfg = AnalyticsConfig(executor="inline")
    inputs, _ = asyncio.run(read_inputs(demo.database_url, None, cfg, demo.now))
    first, second = compute(inputs, cfg), compute(inputs, cfg)
    for name in ("features", "profiles", "effects", "recommendations", "trends"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(second, name))
    assert (first.segmentation.labels == second.segmentation.labels).all()
    strip = lambda m: {k: v for k, v in m.items() if k != "timings"}  # noqa: E731
    assert strip(first.metrics) == strip(second.metrics)
