"""Settings validation, the SQL time arithmetic, and the printed tables and charts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from analytics import report
from analytics.cli import demo_analytics
from analytics.config import AnalyticsConfig, AnalyticsConfigError, from_dict, load
from analytics.sql import Dialect, Window, query


def test_analytics_table_of_config_toml(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[bot]\ntimezone = "Asia/Shanghai"\n[analytics]\nk = 4\nreplay_kinds = ["lecture"]\ntime_weight = 1\n'
    )
    cfg = load(path)
    assert cfg.k == 4 and cfg.replay_kinds == ("lecture",) and cfg.time_weight == 1.0
    assert load(None) == AnalyticsConfig()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"colour": 1}, "analytics.colour: unknown setting"),
        ({"window_days": "90"}, "analytics.window_days: expected int"),
        ({"k_min": 6, "k_max": 3}, "k_min/k_max"),
        ({"holdout_days": 120}, "holdout_days"),
        ({"executor": "gpu"}, "analytics.executor"),
        ({"nightly_cron": "3am"}, "analytics.nightly_cron"),
        ({"time_weight": 2}, "analytics.time_weight"),
    ],
)
def test_bad_settings_name_the_key(table: dict[str, Any], message: str) -> None:
    with pytest.raises(AnalyticsConfigError, match=message):
        from_dict(table)


def test_hour_of_week_is_local_and_exact_on_the_hour() -> None:
    """12:00:00 Shanghai on a Wednesday is hour 2*24+12, never 11:59:59.999 (julianday rounding)."""
    engine = create_engine("sqlite://")
    d = Dialect("sqlite")
    when = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # Wed 12:00 in Shanghai
    window = Window.make(1, "Asia/Shanghai", when, 30, 7, 7)
    with engine.connect() as conn:
        conn.execute(text("CREATE TABLE t (at DATETIME)"))
        conn.execute(
            text("INSERT INTO t VALUES ('2026-11-25 04:00:00.000000'), ('2026-11-30 15:59:59.000000')")
        )
        hows = conn.execute(query(f"SELECT {d.hour_of_week('at')} FROM t"), window.params()).scalars().all()
    assert hows == [2 * 24 + 12, 0 * 24 + 23]


def test_tables_and_charts(analysed: dict[str, Any], tmp_path: Path) -> None:
    t = analysed["tables"]
    assert "core contributors" in report.profiles_table(t["profiles"])
    effects = report.effects_table(t["effects"], "Asia/Shanghai")
    assert "upcoming" in effects and ("excellent" in effects or "good" in effects)
    recs = report.recommendations_table(t["recommendations"], "Asia/Shanghai", ["alice"])
    assert "alice" in recs and "replay" in recs
    assert "popularity" in report.evaluation_table(analysed["evaluation"])
    paths = report.charts(t, tmp_path / "charts", "Asia/Shanghai")
    assert [p.name for p in paths] == ["segments.png", "events.png", "heatmap.png", "topics.png"]
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in paths)


def test_demo_command_end_to_end(tmp_path: Path) -> None:
    """A small community through the CLI: progress, the three tables, the evaluation and charts."""
    args = ["--out", str(tmp_path / "out"), "--members", "24", "--weeks", "6", "--db", str(tmp_path / "d.db")]
    result = CliRunner().invoke(demo_analytics, args)
    assert result.exit_code == 0, result.output
    for heading in (
        "week  6/6",
        "Segment profiles",
        "Event effect",
        "Top recommendations",
        "Evaluation",
        "Charts",
    ):
        assert heading in result.output
    assert len(list((tmp_path / "out").glob("*.png"))) == 4
    again = CliRunner().invoke(demo_analytics, args)
    assert again.exit_code != 0 and "exists" in again.output
