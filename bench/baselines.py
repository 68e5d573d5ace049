"""The baselines the ingestion benchmarks compare with: the same rows written with no code of ours.

The rows our path wrote to the activity log are copied, in the same batches, into a fresh database
with the same schema (made by the same migrations: same indexes, same foreign keys) and the same
connection settings. bench.core does it batch by batch as it goes (SqliteFollower, PgFollower: each
of our batches is followed at once by its baseline batch, so a busy moment of a shared machine slows
both alike); bench.imports copies the whole log after the import (sqlite_executemany):

- SQLite: ``sqlite3.executemany`` of a plain INSERT, each batch its own transaction (WAL,
  synchronous=NORMAL, foreign keys on, BEGIN IMMEDIATE, wal_autocheckpoint, as ``bot.storage.db``
  sets them);
- PostgreSQL: ``COPY`` (asyncpg ``copy_records_to_table``), each batch its own transaction.

Only the writes are timed; reading the rows back, and copying the communities and members they
point to, is not.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.storage import db

LOG_COLUMNS = ("platform", "source_id", "community_id", "member_id", "kind", "occurred_at", "event_id",
               "message_id", "reply_to", "text", "data")  # fmt: skip


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in (
        "foreign_keys=ON",
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "busy_timeout=5000",
        f"wal_autocheckpoint={db.WAL_AUTOCHECKPOINT_PAGES}",
    ):
        conn.execute(f"PRAGMA {pragma}")
    return conn


def sqlite_executemany(source: Path, target: Path, batch: int) -> tuple[int, float]:
    """(rows, seconds): source's activity log written into a fresh target by executemany, batch rows
    per transaction (SqliteFollower, caught up in one go)."""
    db.upgrade(str(target))
    follower = SqliteFollower(source, target)
    try:
        while follower.follow(batch):
            pass
        return follower.rows, follower.seconds
    finally:
        follower.close()


class SqliteFollower:
    """The SQLite baseline run batch by batch alongside our path, so both meet the same machine.

    After each batch of ours, follow() copies the log rows that batch added (and, untimed, any new
    communities and members they point to) into a fresh database with the same schema and settings,
    by one executemany in one transaction; only that transaction is timed.
    """

    def __init__(self, source: Path, target: Path) -> None:  # target: migrated and empty (see create)
        self.src, self.dst = _connect(source), _connect(target)
        self.rows, self.seconds = 0, 0.0
        self._last = {"communities": 0, "members": 0, "activity_log": 0}
        names = ", ".join(LOG_COLUMNS)
        self._select = f"SELECT id, {names} FROM activity_log WHERE id > ? ORDER BY id LIMIT ?"
        self._insert = f"INSERT INTO activity_log ({names}) VALUES ({', '.join('?' * len(LOG_COLUMNS))})"

    @classmethod
    async def create(cls, source: Path, target: Path) -> SqliteFollower:
        await db.upgrade_async(str(target))
        return cls(source, target)

    def follow(self, limit: int = -1) -> int:
        """Copy the log rows added since the last call (at most limit; -1: all); how many were copied."""
        self.dst.execute("BEGIN IMMEDIATE")
        for table in ("communities", "members"):
            rows = self.src.execute(
                f"SELECT * FROM {table} WHERE id > ? ORDER BY id", (self._last[table],)
            ).fetchall()
            if rows:
                self.dst.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
                self._last[table] = rows[-1][0]
        self.dst.execute("COMMIT")
        rows = self.src.execute(self._select, (self._last["activity_log"], limit)).fetchall()
        if not rows:
            return 0
        self._last["activity_log"] = rows[-1][0]
        values = [row[1:] for row in rows]
        began = time.perf_counter()
        self.dst.execute("BEGIN IMMEDIATE")
        self.dst.executemany(self._insert, values)
        self.dst.execute("COMMIT")
        self.seconds += time.perf_counter() - began
        self.rows += len(values)
        return len(values)

    async def follow_async(self) -> None:  # in this thread: the connections belong to it
        self.follow()

    def close(self) -> None:
        self.src.close()
        self.dst.close()


class PgFollower:
    """SqliteFollower for PostgreSQL: each batch of ours followed by COPY of its rows (timed)."""

    def __init__(self, source_url: str, target_url: str) -> None:
        self.source_url, self.target_url = source_url, target_url
        self.rows, self.seconds = 0, 0.0
        self._last = {"communities": 0, "members": 0, "activity_log": 0}

    async def open(self) -> None:
        import asyncpg

        self.src, self.dst = await asyncpg.connect(self.source_url), await asyncpg.connect(self.target_url)

    async def follow(self) -> None:
        for table in ("communities", "members"):
            rows = await self.src.fetch(f"SELECT * FROM {table} WHERE id > $1 ORDER BY id", self._last[table])
            if rows:
                await self.dst.copy_records_to_table(table, records=rows, columns=list(rows[0].keys()))
                self._last[table] = rows[-1]["id"]
        names = ", ".join(LOG_COLUMNS)
        rows = await self.src.fetch(
            f"SELECT id, {names} FROM activity_log WHERE id > $1 ORDER BY id", self._last["activity_log"]
        )
        if not rows:
            return
        self._last["activity_log"] = rows[-1]["id"]
        values = [tuple(row)[1:] for row in rows]
        self.seconds += await _copy(self.dst, values)
        self.rows += len(values)

    async def close(self) -> None:
        await self.src.close()
        await self.dst.close()


@asynccontextmanager
async def pg_database(server_url: str) -> AsyncIterator[str]:
    """A fresh, migrated PostgreSQL database on the server (dropped afterwards); yields its URL."""
    import asyncpg
    from sqlalchemy.engine import make_url

    base = make_url(server_url)
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"gb_bench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = base.set(database=name, drivername="postgresql").render_as_string(hide_password=False)
    try:
        await db.upgrade_async(url)
        yield url
    finally:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


async def _copy(conn, rows: list[tuple]) -> float:  # type: ignore[no-untyped-def, type-arg]
    began = time.perf_counter()
    async with conn.transaction():
        await conn.copy_records_to_table("activity_log", records=rows, columns=list(LOG_COLUMNS))
    return time.perf_counter() - began
