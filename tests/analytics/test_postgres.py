"""PostgreSQL: the same reads give the same frames as on SQLite, and a run writes its results."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pandas as pd
import pytest
from sqlalchemy import create_engine, func, insert, select, text

from analytics.config import AnalyticsConfig
from analytics.demo import DemoRun
from analytics.jobs import read_inputs, run_analytics
from analytics.pipeline import compute
from bot.storage import db
from bot.storage.models import Base
from bot.storage.results import Recommendation, SegmentProfile
from tests.conftest import PG_URL, _pg_database

pytestmark = pytest.mark.postgres
TABLES = (
    "communities",
    "members",
    "events",
    "event_tags",
    "activity_log",
    "rsvps",
    "attendance",
    "polls",
    "poll_votes",
)
FRAMES = (
    "members",
    "activity",
    "hours",
    "received",
    "member_events",
    "events",
    "tags",
    "rsvps",
    "attendance",
    "votes",
    "member_topics",
    "heatmap",
    "weekly",
    "topic_weeks",
)
CFG = AnalyticsConfig(executor="inline")


@pytest.fixture(scope="module")
def pg_demo(demo: DemoRun) -> Iterator[str]:
    """The session's demo community, copied into a fresh PostgreSQL database."""
    if not PG_URL:
        pytest.skip("PostgreSQL tests need GATHERBOT_TEST_POSTGRES_URL (CI starts a server and sets it)")
    for url in _pg_database():
        asyncio.run(copy(demo.database_url, url))
        yield url


async def copy(source: str, target: str) -> None:
    await asyncio.to_thread(db.upgrade, target)
    src, dst = create_engine(f"sqlite:///{source}"), db.make_engine(target)
    try:
        async with dst.begin() as conn:
            for name in TABLES:
                table = Base.metadata.tables[name]
                with src.connect() as s:
                    rows = [dict(r._mapping) for r in s.execute(select(table))]
                for start in range(0, len(rows), 2000):
                    await conn.execute(insert(table), rows[start : start + 2000])
                if "id" in table.c:
                    await conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT MAX(id) FROM {name}))"
                        )
                    )
    finally:
        src.dispose()
        await dst.dispose()


def normalized(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            converted = pd.to_numeric(out[col], errors="coerce")
            out[col] = (
                converted if converted.notna().sum() == out[col].notna().sum() else out[col].astype(str)
            )
    return out.sort_values(list(out.columns)).reset_index(drop=True)


def test_same_frames_and_results_as_sqlite(demo: DemoRun, pg_demo: str) -> None:
    lite, _ = asyncio.run(read_inputs(demo.database_url, None, CFG, demo.now))
    pg, _ = asyncio.run(read_inputs(pg_demo, None, CFG, demo.now))
    for name in FRAMES:
        a, b = getattr(lite, name), getattr(pg, name)
        pd.testing.assert_frame_equal(
            normalized(a), normalized(b[list(a.columns)]), check_dtype=False, rtol=1e-6
        )
    assert (compute(lite, CFG).segmentation.labels == compute(pg, CFG).segmentation.labels).all()


def test_run_writes_results_on_postgresql(demo: DemoRun, pg_demo: str) -> None:
    run_id = asyncio.run(run_analytics(pg_demo, CFG, demo.now))

    async def counts() -> tuple[int, int]:
        engine = db.make_engine(pg_demo)
        try:
            async with engine.connect() as conn:
                segs = await conn.scalar(select(func.count()).where(SegmentProfile.run_id == run_id))
                recs = await conn.scalar(select(func.count()).where(Recommendation.run_id == run_id))
                return int(segs or 0), int(recs or 0)
        finally:
            await engine.dispose()

    segments, recommendations = asyncio.run(counts())
    assert segments == 5 and recommendations > 200
