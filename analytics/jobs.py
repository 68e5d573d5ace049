"""The analytics job: read in SQL, compute off the event loop, write results in one transaction.

`gatherbot run` runs ``run_nightly`` every night in a child process (analytics/nightly.py, scheduled in
bot/runner.py), so the bot's own process never loads pandas and scikit-learn.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from analytics.config import AnalyticsConfig
from analytics.load import Inputs, load_inputs
from analytics.pipeline import Results, compute
from analytics.sql import Window
from analytics.store import communities, previous_assignments, read_engine, write_results
from bot.storage.db import make_engine

logger = logging.getLogger(__name__)


def engine_url(engine: AsyncEngine | str) -> str:
    """The URL of an engine (with its password: it is only used to open another engine)."""
    return engine if isinstance(engine, str) else engine.url.render_as_string(hide_password=False)


@contextmanager
def executor_for(cfg: AnalyticsConfig) -> Iterator[Executor | None]:
    """A one-worker process pool ('process'), the loop's thread pool ('thread'), or None ('inline')."""
    if cfg.executor != "process":
        yield None
        return
    # spawn, not fork: forking a process that runs an event loop and driver threads can deadlock
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    try:
        yield pool
    finally:
        pool.shutdown(wait=True)


async def off_loop(cfg: AnalyticsConfig, pool: Executor | None, fn: Any, *args: Any) -> Any:
    """Run CPU-heavy fn(*args) away from the event loop (inline only when configured so)."""
    if cfg.executor == "inline":
        return fn(*args)
    return await asyncio.get_running_loop().run_in_executor(pool, fn, *args)


async def read_inputs(
    url: str, community_id: int | None, cfg: AnalyticsConfig, now: datetime, days: int | None = None
) -> tuple[Inputs, dict[int, int]]:
    """Load one community's inputs (and its previous run's segments) on a read-only engine."""
    reader = read_engine(url)
    try:
        async with reader.connect() as conn:
            found = await conn.run_sync(communities)
            if not found:
                raise LookupError("no community in the database yet")
            match = [(c, t) for c, t in found if community_id in (None, c)]
            if not match:
                raise LookupError(f"no community {community_id}")
            cid, tz = match[0]
            window = Window.make(cid, tz, now, days or cfg.window_days, cfg.recent_days, cfg.horizon_days)
            inputs = await conn.run_sync(load_inputs, window)
            previous = await conn.run_sync(previous_assignments, cid)
            await conn.rollback()
    finally:
        await reader.dispose()
    return inputs, previous


async def run_analytics(
    engine: AsyncEngine | str,
    config: AnalyticsConfig | None = None,
    now: datetime | None = None,
    community_id: int | None = None,
) -> int:
    """One run over one community (default: the first); returns the run id."""
    cfg = config or AnalyticsConfig()
    now = (now or datetime.now(UTC)).astimezone(UTC)
    started, clock = datetime.now(UTC), time.perf_counter()
    inputs, previous = await read_inputs(engine_url(engine), community_id, cfg, now)
    read_s = time.perf_counter() - clock
    with executor_for(cfg) as pool:
        results: Results = await off_loop(cfg, pool, compute, inputs, cfg, previous)
    compute_s = time.perf_counter() - clock - read_s
    writer = make_engine(engine) if isinstance(engine, str) else engine
    try:
        async with writer.begin() as conn:
            run_id = await conn.run_sync(
                write_results, inputs.window, cfg, results, started, datetime.now(UTC)
            )
    finally:
        if isinstance(engine, str):
            await writer.dispose()
    logger.info(
        "analytics run %s for community %s: read %.1fs, compute %.1fs, write %.1fs",
        run_id,
        inputs.window.community_id,
        read_s,
        compute_s,
        time.perf_counter() - clock - read_s - compute_s,
    )
    return run_id


async def run_nightly(engine: AsyncEngine | str, config: AnalyticsConfig | None = None) -> list[int]:
    """Run for every community; a failing community is logged and the others still run."""
    url = engine_url(engine)
    reader = read_engine(url)
    try:
        async with reader.connect() as conn:
            ids = [cid for cid, _ in await conn.run_sync(communities)]
    finally:
        await reader.dispose()
    runs = []
    for cid in ids:
        try:
            runs.append(await run_analytics(engine, config, community_id=cid))
        except Exception:  # noqa: BLE001 - one community's failure must not stop the others
            logger.exception("analytics run failed for community %s", cid)
    return runs
