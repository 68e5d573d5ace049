"""The active hour the analytics run stores per member (reminders are timed to it)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.analytics.conftest import CFG


def test_the_demo_run_stores_each_members_busiest_hour(demo, analysed) -> None:  # type: ignore[no-untyped-def]
    """On the analytics demo community, active_hour matches the log (messages and reactions per local hour)."""
    with sqlite3.connect(demo.database_url) as conn:
        members = conn.execute("SELECT id, active_hour FROM members").fetchall()
        log = conn.execute(
            "SELECT member_id, occurred_at FROM activity_log WHERE kind IN ('message', 'reaction') "
            "AND member_id IS NOT NULL"
        ).fetchall()
    tz = ZoneInfo(demo.world.spec.tz)
    counts: dict[int, list[int]] = {}
    for member, at in log:
        when = datetime.fromisoformat(at)
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
        if demo.now - timedelta(days=CFG.window_days) <= when < demo.now:
            counts.setdefault(member, [0] * 24)[when.astimezone(tz).hour] += 1
    timed = [(m, h) for m, h in members if h is not None]
    assert len(timed) > len(members) // 2
    for member, hour in timed:
        row = counts[member]
        assert sum(row) >= CFG.active_hour_min_actions
        assert row[hour] == max(row), (member, hour, row)
    quiet = [m for m, h in members if h is None and sum(counts.get(m, [])) >= CFG.active_hour_min_actions]
    assert not quiet


def test_the_demo_run_stores_a_planning_model_the_bot_can_read(demo, analysed) -> None:  # type: ignore[no-untyped-def]
    import json

    from bot.features.insights.forecast import forecast

    with sqlite3.connect(demo.database_url) as conn:
        (metrics,) = conn.execute("SELECT metrics FROM analytics_runs ORDER BY id DESC LIMIT 1").fetchone()
    model = json.loads(metrics)["turnout_model"]
    assert len(model["coef"]) == len(model["center"]) == 5 + len(model["kinds"])
    starts = demo.now + timedelta(days=5)
    tz = ZoneInfo(demo.world.spec.tz)
    got = forecast(model, starts_at=starts, ends_at=starts + timedelta(hours=2), created_at=demo.now,
                   kind="lecture", tags=[], tz=tz)  # fmt: skip
    assert got is not None and 0 <= got.low <= got.predicted <= got.high
    assert 1 <= got.predicted <= 120  # a 120-member community
