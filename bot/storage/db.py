"""Engine and session set-up, and running migrations from code."""

from __future__ import annotations

import asyncio
import logging
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from bot.storage import sqlite_driver

logger = logging.getLogger(__name__)
WAL_AUTOCHECKPOINT_PAGES = 10_000  # 40 MB of WAL at SQLite's default page size


class DatabaseError(ValueError):
    """A database location we cannot use; the message says why."""


def normalize_url(url_or_path: str) -> str:
    """Accept a file path or any SQLAlchemy URL; return an async-driver URL (no side effects)."""
    if ":memory:" in url_or_path or url_or_path.strip() in ("", "sqlite://", "sqlite:///"):
        raise DatabaseError(
            "an in-memory SQLite database cannot be used (migrations and the bot need one file)"
        )
    if "://" not in url_or_path:
        return f"sqlite+aiosqlite:///{Path(url_or_path).expanduser()}"
    url = make_url(url_or_path)
    if url.drivername in ("sqlite", "sqlite+pysqlite"):
        url = url.set(drivername="sqlite+aiosqlite")
    elif url.drivername in ("postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg"):
        url = url.set(drivername="postgresql+asyncpg")
    return url.render_as_string(hide_password=False)


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL (None for other databases)."""
    parsed = make_url(normalize_url(url))
    return Path(parsed.database) if parsed.drivername.startswith("sqlite") and parsed.database else None


def ensure_parent(url: str) -> None:
    """Create the folder of a SQLite file we are about to create."""
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


def redact(url: str) -> str:
    """The URL with its password hidden, safe for logs."""
    if "://" not in url:
        return url  # a file path has no password
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL we cannot parse is not logged at all
        return "<database url>"


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    # We issue BEGIN ourselves (see _sqlite_begin): the driver's own transaction handling
    # breaks SAVEPOINT, which handlers use to undo a failed command but keep its log row.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=5000")
    # A commit that grows the WAL past this many pages copies it into the database file itself (and
    # waits for the disk). `gatherbot run` checkpoints in the background every few seconds instead
    # (checkpoint() below), so this is only the backstop; SQLite's default of 1000 pages put a
    # checkpoint into about one update in a hundred.
    cur.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
    cur.close()


def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
    # IMMEDIATE: writers queue on busy_timeout instead of failing on a lock upgrade. On our adapter
    # the BEGIN travels with the transaction's first statement (one trip to the driver fewer).
    if not sqlite_driver.defer_begin(conn.connection.dbapi_connection, "BEGIN IMMEDIATE"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> AsyncEngine:
    """Create the async engine; SQLite gets foreign keys and WAL on every connection."""
    url = normalize_url(url)
    ensure_parent(url)
    options: dict[str, Any] = {}
    if url.startswith("sqlite+aiosqlite") and (module := sqlite_driver.one_trip_dbapi()) is not None:
        options["module"] = module  # one trip to aiosqlite's thread per statement (see sqlite_driver)
    engine = create_async_engine(url, pool_pre_ping=not url.startswith("sqlite"), **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


async def checkpoint(engine: AsyncEngine) -> tuple[int, int, int] | None:
    """Copy the SQLite WAL into the database file without blocking readers or writers (PASSIVE).

    Runs on a pooled connection outside any transaction (our connections begin with BEGIN
    IMMEDIATE, inside which a checkpoint cannot run). Returns SQLite's (busy, WAL pages,
    pages checkpointed); None for other databases.
    """
    if engine.dialect.name != "sqlite":
        return None
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        cursor = await raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        row = await cursor.fetchone()
        await cursor.close()
    return (int(row[0]), int(row[1]), int(row[2])) if row else None


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker:  # type: ignore[type-arg]
    """Sessions that keep objects usable after commit (no lazy loads in async code)."""
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the packaged migrations and the given database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("migrations")))
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    cfg.attributes["configure_logging"] = False
    return cfg


def _run_alembic(fn, url: str, *args: str) -> None:  # type: ignore[no-untyped-def]
    if fn is command.upgrade:
        ensure_parent(url)
    cfg = alembic_config(url)
    fn(cfg, *args)


async def _in_thread(fn, url: str, *args: str) -> None:  # type: ignore[no-untyped-def]
    # Alembic's env.py runs its own event loop, so it must not run inside ours.
    await asyncio.to_thread(_run_alembic, fn, url, *args)


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations up to revision."""
    _run_alembic(command.upgrade, url, revision)


def downgrade(url: str, revision: str) -> None:
    """Revert migrations down to revision."""
    _run_alembic(command.downgrade, url, revision)


async def upgrade_async(url: str, revision: str = "head") -> None:
    """upgrade() for callers already inside an event loop."""
    await _in_thread(command.upgrade, url, revision)


def current(url: str) -> str | None:
    """The revision the database is at, or None for an empty database."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise DatabaseError(f"no database file at {path}")
    return asyncio.run(current_async(url))


async def current_async(url: str) -> str | None:
    """current() for callers already inside an event loop."""
    from alembic.runtime.migration import MigrationContext

    engine = create_async_engine(normalize_url(url))
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
    finally:
        await engine.dispose()
