"""`gatherbot analytics export`: results for analysts with members as keyed hashes, never ids or names."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

from click.testing import CliRunner

from analytics.cli import analytics_group
from analytics.demo import DemoRun
from analytics.jobs import run_analytics
from tests.analytics.test_jobs import CFG


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_export_is_pseudonymized_and_stable(demo_copy: DemoRun, tmp_path: Path) -> None:
    url = demo_copy.database_url
    asyncio.run(run_analytics(url, CFG, demo_copy.now))
    runner = CliRunner()
    first = runner.invoke(analytics_group, ["export", "--db", url, "--out", str(tmp_path / "a")])
    assert first.exit_code == 0, first.output
    second = runner.invoke(analytics_group, ["export", "--db", url, "--out", str(tmp_path / "b")])
    assert second.exit_code == 0, second.output
    members = read(tmp_path / "a" / "members.csv")
    assert len(members) == len(demo_copy.world.crowd)
    assert {m["member_key"] for m in members} == {
        m["member_key"] for m in read(tmp_path / "b" / "members.csv")
    }
    everything = "".join((tmp_path / "a" / name).read_text(encoding="utf-8") for name in
                         ("segments.csv", "members.csv", "events.csv", "recommendations.csv"))  # fmt: skip
    for person in demo_copy.world.crowd[:20]:
        user_id = getattr(person, "user_id", None) or f"demo-{demo_copy.world.crowd.index(person)}"
        assert user_id not in everything  # no platform id...
        name = getattr(person, "name", None)
        assert not name or f",{name}," not in everything  # ...and no name
    assert read(tmp_path / "a" / "recommendations.csv") and read(tmp_path / "a" / "events.csv")
    ids = runner.invoke(
        analytics_group, ["export", "--db", url, "--out", str(tmp_path / "c"), "--member-ids"]
    )
    assert ids.exit_code == 0 and "member_id" in (tmp_path / "c" / "members.csv").read_text()
