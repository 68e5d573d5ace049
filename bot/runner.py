"""Running gatherbot as a service: adapters feed the app, APScheduler drives the periodic ticks.

APScheduler holds no per-reminder jobs: everything scheduled is a row in the outbox. It only runs
the relay tick, the daily privacy purge, the nightly analytics and (SQLite) a WAL checkpoint every few
seconds, with coalesce=True so a run missed while the process was busy or asleep happens once, late,
instead of being dropped.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import signal
import sys
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app import App
from bot.bootstrap import build_app, load_adapter
from bot.config import Config
from bot.domain.events import DomainEvent
from bot.features.privacy import purge
from bot.ports import ChatAdapter
from bot.storage import db

logger = logging.getLogger(__name__)
CHECKPOINT_EVERY = timedelta(seconds=5)  # SQLite: copy the WAL into the database off the update path
PURGE_EVERY = timedelta(days=1)
PURGE_FIRST_AFTER = timedelta(minutes=1)  # and once soon after each start, so restarts never skip it


class Service:
    """The app, its adapters and its scheduler, started and stopped together."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self._kick = asyncio.Event()
        self.ticks = 0

    async def on_event(self, event: DomainEvent) -> None:
        """Adapters call this for every inbound event; answers go out on the next relay pass."""
        try:
            await self.app.handle(event)
        except Exception:  # noqa: BLE001 - one bad update must not stop the adapter
            logger.exception("could not handle %s from %s", type(event).__name__, event.platform)
        self._kick.set()

    async def tick(self) -> None:
        """One relay pass; a database hiccup is logged and the next tick tries again."""
        self.ticks += 1
        try:
            await self.app.relay.drain(max_rounds=5)
        except Exception:  # noqa: BLE001 - the scheduler must keep ticking
            logger.exception("relay tick failed; retrying on the next tick")

    async def purge(self) -> dict[str, int] | None:
        """The daily privacy purge (expired text, removed communities); a failure waits for the next run."""
        try:
            return await purge(self.app, self.app.config, self.app.clock.now())
        except Exception:  # noqa: BLE001 - the scheduler must keep running
            logger.exception("privacy purge failed; it runs again on schedule")
            return None

    async def checkpoint(self) -> None:
        """SQLite's WAL copied into the database file in the background, so no update's commit does it."""
        try:
            await db.checkpoint(self.app.engine)
        except Exception:  # noqa: BLE001 - the next run tries again; commits still checkpoint as a backstop
            logger.warning("WAL checkpoint failed; retrying on schedule", exc_info=True)

    async def _kicked_relay(self) -> None:
        while True:
            await self._kick.wait()
            self._kick.clear()
            await self.tick()

    def _schedule_analytics(self) -> None:
        """The nightly analytics run (cron from [analytics] nightly_cron, in the bot's timezone)."""
        from apscheduler.triggers.cron import CronTrigger

        from analytics.config import from_dict

        config = self.app.config
        cron = from_dict(config.analytics).nightly_cron
        self.scheduler.add_job(
            self.nightly_analytics,
            CronTrigger.from_crontab(cron, timezone=config.timezone),
            id="analytics-nightly",
            misfire_grace_time=6 * 3600,  # a run missed while the bot was down still happens, once
            coalesce=True,
            max_instances=1,
        )

    async def nightly_analytics(self) -> int:
        """Run analytics in a child process: pandas and scikit-learn never stay in the bot's memory."""
        env = {
            **os.environ,
            "GATHERBOT_ANALYTICS_URL": self.app.config.database_url,
            "GATHERBOT_ANALYTICS_CONFIG": json.dumps(self.app.config.analytics),
        }
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "analytics.nightly", env=env)
        code = await proc.wait()
        if code:
            logger.error("nightly analytics exited with %s; the next run is tomorrow", code)
            return code
        await self.after_analytics()
        return code

    async def after_analytics(self) -> dict[str, int] | None:
        """Re-time reminders to the new active hours and queue "recommended for you" messages."""
        from bot.features.insights.pushes import after_analytics

        try:
            totals = await after_analytics(self.app.sessions, self.app.config, self.app.clock.now())
        except Exception:  # noqa: BLE001 - the scheduler must keep running
            logger.exception("planning after the analytics run failed")
            return None
        logger.info("after analytics: %s", ", ".join(f"{k}={v}" for k, v in totals.items()))
        self._kick.set()
        return totals

    async def start(self) -> None:
        self.scheduler.add_job(
            self.tick,
            "interval",
            seconds=self.app.config.tick_seconds,
            id="relay",
            misfire_grace_time=None,
            coalesce=True,
            max_instances=1,
        )
        self.scheduler.add_job(
            self.purge,
            "interval",
            seconds=PURGE_EVERY.total_seconds(),
            id="privacy_purge",
            next_run_time=datetime.now(UTC) + PURGE_FIRST_AFTER,
            misfire_grace_time=None,
            coalesce=True,
            max_instances=1,
        )
        if self.app.engine is not None and self.app.engine.dialect.name == "sqlite":
            self.scheduler.add_job(
                self.checkpoint,
                "interval",
                seconds=CHECKPOINT_EVERY.total_seconds(),
                id="wal_checkpoint",
                coalesce=True,
                max_instances=1,
            )
        self._schedule_analytics()
        self.scheduler.start()
        self._kicker = asyncio.create_task(self._kicked_relay())
        for adapter in self.app.adapters.values():
            await adapter.start(self.on_event)
            await adapter.sync_commands(self.app.registry.views())
            logger.info("adapter %s started", adapter.platform)
        settle_after_start()

    async def stop(self) -> None:
        for adapter in self.app.adapters.values():
            try:
                await adapter.stop()
            except Exception:  # noqa: BLE001
                logger.exception("stopping adapter %s failed", adapter.platform)
        self._kicker.cancel()
        self.scheduler.shutdown(wait=False)
        await self.app.close()
        gc.unfreeze()  # what start-up froze may be collected again (matters where a process runs many)


def settle_after_start() -> None:
    """Move everything start-up allocated (modules, the registry, SQLAlchemy's caches) out of the
    garbage collector's reach: a full collection then scans only what the running bot allocates,
    instead of pausing an update for tens of milliseconds."""
    gc.collect()
    gc.freeze()


async def run_forever(config: Config, adapters: Mapping[str, ChatAdapter] | None = None) -> None:
    """Start everything configured and run until SIGINT/SIGTERM."""
    adapters = adapters or {name: load_adapter(name, config) for name in config.adapters}
    adapters = {a.platform: a for a in adapters.values()}
    app = await build_app(config, adapters=adapters)
    service = Service(app)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    await service.start()
    logger.info("gatherbot running with %s", ", ".join(adapters) or "no adapters")
    try:
        await stop.wait()
    finally:
        await service.stop()
