"""The demo community, built once per test session through the bot's ingestion path, and its analysis."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest

from analytics.config import AnalyticsConfig
from analytics.demo import DemoRun, build_demo
from analytics.demo_run import analyse
from analytics.demo_world import DemoSpec

# The default demo (120 members, 12 weeks): the quality bars need its full size, so it is built
# once (about 20 s) and shared; tests that change data work on a copy.
SPEC = DemoSpec()
CFG = AnalyticsConfig(executor="inline")


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    return asyncio.run(build_demo(str(path), SPEC, progress=lambda _: None))


@pytest.fixture(scope="session")
def analysed(demo: DemoRun) -> dict[str, Any]:
    """One analytics run and one holdout evaluation of the demo."""
    return asyncio.run(analyse(demo, CFG))


@pytest.fixture
def demo_copy(demo: DemoRun, tmp_path: Path) -> DemoRun:
    """A private copy of the demo database, for tests that write to it."""
    target = tmp_path / "copy.db"
    shutil.copyfile(demo.database_url, target)
    return DemoRun(demo.world, str(target), demo.now, demo.community_id, demo.log_rows)
