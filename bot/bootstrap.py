"""The composition root: config in, a wired App out. Tests call it with fakes."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import App
from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.features import build_registry
from bot.ports import ChatAdapter
from bot.storage import db

logger = logging.getLogger(__name__)


class StartupError(RuntimeError):
    """gatherbot cannot start; the message says why and what to do."""


async def prepare_database(url: str) -> None:
    """SQLite is upgraded automatically; PostgreSQL must already be at the latest migration."""
    try:
        normalized = db.normalize_url(url)
    except db.DatabaseError as exc:
        raise StartupError(str(exc)) from None
    if normalized.startswith("sqlite"):
        await db.upgrade_async(url)
        return
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(db.alembic_config(url)).get_current_head()
    current = await db.current_async(normalized)
    if current != head:
        raise StartupError(
            f"database {db.redact(url)} is at revision {current or 'empty'}, not {head}: run `gatherbot db upgrade`"
        )


def load_adapter(name: str, config: Config, **kwargs: Any) -> ChatAdapter:
    """Import adapters.<name> only when configured (a chat SDK loads only if used) and build it."""
    try:
        module = importlib.import_module(f"adapters.{name}")
    except ModuleNotFoundError as exc:
        raise StartupError(
            f"adapter {name!r} is not available in this version ({exc.name} missing)"
        ) from None
    return module.create(config, **kwargs)  # type: ignore[no-any-return]


async def build_app(
    config: Config,
    *,
    adapters: Mapping[str, ChatAdapter],
    clock: Clock | None = None,
    engine: AsyncEngine | None = None,
    migrate: bool = True,
) -> App:
    """Wire an App: database (migrated), registry with every feature, relay and adapters."""
    if migrate:
        await prepare_database(config.database_url)
    engine = engine or db.make_engine(config.database_url)
    app = App(config, db.make_sessionmaker(engine), clock or SystemClock(), build_registry(), adapters)
    app.engine = engine
    return app
