"""The one-trip SQLite adapter (bot.storage.sqlite_driver) gives what SQLAlchemy's stock one gives.

Every statement is run on two engines over copies of the same database: the app's (one trip to
aiosqlite's thread per statement) and a stock ``sqlite+aiosqlite`` engine. Rows, rowcount,
lastrowid, RETURNING, executemany, errors, savepoints and ORM flushes must come out the same.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.storage import db, sqlite_driver
from bot.storage.models import Community, Member

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
async def engines(tmp_path: Path) -> AsyncIterator[tuple[AsyncEngine, AsyncEngine]]:
    """(the app's engine, a stock aiosqlite engine with the app's connection set-up), same data."""
    ours_path, stock_path = tmp_path / "ours.db", tmp_path / "stock.db"
    await db.upgrade_async(str(ours_path))
    shutil.copy(ours_path, stock_path)
    ours = db.make_engine(str(ours_path))
    stock = create_async_engine(f"sqlite+aiosqlite:///{stock_path}")
    event.listen(stock.sync_engine, "connect", db._sqlite_pragmas)
    event.listen(stock.sync_engine, "begin", db._sqlite_begin)
    yield ours, stock
    await ours.dispose()
    await stock.dispose()


def test_the_app_engine_uses_the_one_trip_adapter_on_this_install() -> None:
    # If a SQLAlchemy or aiosqlite upgrade removed what it relies on, the engine would quietly fall
    # back to the stock adapter; this says so instead.
    assert sqlite_driver.supported()
    assert isinstance(sqlite_driver.one_trip_dbapi(), sqlite_driver.OneTripDBAPI)


async def test_it_is_the_adapter_the_engine_connects_with(engines) -> None:
    ours, stock = engines
    async with ours.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.dbapi_connection, sqlite_driver.OneTripConnection)
        assert isinstance(raw.driver_connection, aiosqlite.Connection)
    async with stock.connect() as conn:
        raw = await conn.get_raw_connection()
        assert not isinstance(raw.dbapi_connection, sqlite_driver.OneTripConnection)


async def _script(engine: AsyncEngine) -> list[object]:
    """A run of statements of every shape; returns everything observable about their results."""
    seen: list[object] = []
    async with engine.begin() as conn:
        await conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE, n INTEGER)")
        result = await conn.exec_driver_sql("INSERT INTO t (v, n) VALUES (?, ?)", ("a", 1))
        seen.append(("insert", result.rowcount, result.lastrowid))
        result = await conn.exec_driver_sql(
            "INSERT INTO t (v, n) VALUES (?, ?)", [("b", 2), ("c", 3), ("d", 4)]
        )
        seen.append(("executemany", result.rowcount))
        result = await conn.exec_driver_sql(
            "INSERT INTO t (v, n) VALUES ('e', 5), ('a', 9) ON CONFLICT (v) DO NOTHING RETURNING id, v"
        )
        seen.append(("returning", result.all()))
        result = await conn.exec_driver_sql("UPDATE t SET n = n + 10 WHERE n > ?", (2,))
        seen.append(("update", result.rowcount))
        result = await conn.execute(text("SELECT id, v, n FROM t WHERE n >= :n ORDER BY id"), {"n": 0})
        seen.append(("keys", list(result.keys())))
        seen.append(("first", result.first()))
        result = await conn.execute(text("SELECT id, v FROM t ORDER BY id"))
        seen.append(("many", result.fetchmany(2), result.fetchmany(2), result.fetchall()))
        seen.append(("scalar", await conn.scalar(text("SELECT count(*) FROM t"))))
        seen.append(("empty", (await conn.execute(text("SELECT id FROM t WHERE 0"))).all()))
        seen.append(("ddl", (await conn.exec_driver_sql("CREATE INDEX ix_t_n ON t (n)")).rowcount))
    return seen


async def test_rows_counts_and_ids_are_the_same_as_the_stock_adapter(engines) -> None:
    ours, stock = engines
    mine = await _script(ours)
    assert mine == await _script(stock)
    assert ("returning", [(5, "e")]) in mine  # and they are what SQLite says, not two equal mistakes
    assert ("executemany", 3) in mine and ("update", 3) in mine


async def test_errors_come_out_as_sqlalchemy_errors_and_roll_back_the_same(engines) -> None:
    for engine in engines:
        sessions = db.make_sessionmaker(engine)
        async with sessions() as session:
            session.add(Community(platform="telegram", chat_id="-1", title="g", timezone="UTC",
                                  locale="en", keep_text=False, settings={}, created_at=NOW))  # fmt: skip
            await session.commit()
        async with sessions() as session:
            session.add(Community(platform="telegram", chat_id="-1", title="twin", timezone="UTC",
                                  locale="en", keep_text=False, settings={}, created_at=NOW))  # fmt: skip
            with pytest.raises(IntegrityError):
                await session.flush()
            await session.rollback()
            with pytest.raises(OperationalError):
                await session.execute(text("SELECT * FROM no_such_table"))
            await session.rollback()
        async with sessions() as session:  # the connection is usable afterwards
            assert await session.scalar(select(Community.title)) == "g"


async def test_orm_flushes_savepoints_and_foreign_keys_behave_as_before(engines) -> None:
    outcomes = []
    for engine in engines:
        sessions = db.make_sessionmaker(engine)
        async with sessions() as session:
            group = Community(platform="discord", chat_id="9", title="g", timezone="UTC", locale="zh",
                              keep_text=True, settings={"a": 1}, created_at=NOW)  # fmt: skip
            session.add(group)
            await session.flush()
            people = [Member(community_id=group.id, user_id=str(i), display_name=f"m{i}", created_at=NOW)
                      for i in range(3)]  # fmt: skip
            session.add_all(people)
            await session.flush()  # ids come back (insertmanyvalues with RETURNING)
            ids = [m.id for m in people]
            try:
                async with session.begin_nested():
                    session.add(Member(community_id=group.id + 100, user_id="x", display_name="x",
                                       created_at=NOW))  # fmt: skip
                    await session.flush()  # foreign keys are on: this fails and only it is undone
            except IntegrityError:
                pass
            await session.commit()
        async with sessions() as session:
            names = list(await session.scalars(select(Member.display_name).order_by(Member.id)))
            settings = await session.scalar(select(Community.settings))
        outcomes.append((ids, names, settings))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][1] == ["m0", "m1", "m2"] and outcomes[0][2] == {"a": 1}


async def test_a_connection_back_in_the_pool_after_a_commit_costs_no_trip_but_rollbacks_still_undo(
    engines, monkeypatch
) -> None:
    ours, _ = engines
    trips = _count_trips(monkeypatch)
    row = {"platform": "console", "chat_id": "c1", "title": "t", "timezone": "UTC", "locale": "en",
           "keep_text": False, "settings": "{}", "created_at": NOW}  # fmt: skip
    insert = Community.__table__.insert()
    async with ours.connect() as conn:
        await conn.execute(insert, row)
        await conn.commit()
        trips.clear()
    assert trips == []  # returned to the pool outside a transaction: sqlite3 had nothing to roll back
    async with ours.connect() as conn:  # inside one, the rollback goes to the driver and undoes
        await conn.execute(insert, {**row, "chat_id": "c2"})
        trips.clear()
    assert len(trips) == 1
    async with ours.connect() as conn:
        await conn.execute(insert, {**row, "chat_id": "c3"})
        await conn.rollback()
        await conn.commit()
        chats = list(await conn.scalars(select(Community.chat_id).order_by(Community.chat_id)))
    assert chats == ["c1"]


def _count_trips(monkeypatch) -> list[object]:  # type: ignore[no-untyped-def]
    trips: list[object] = []
    real = aiosqlite.Connection._execute

    async def counted(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        trips.append(fn)
        return await real(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return trips


async def test_begin_travels_with_the_first_statement_and_still_takes_the_write_lock(
    engines, tmp_path, monkeypatch
) -> None:
    """BEGIN IMMEDIATE goes in the same trip as the transaction's first statement: a transaction
    of one statement is two trips (the statement, the commit), one of none is no trip at all. The
    write lock is held from that first statement on, even when it only reads."""
    import sqlite3

    ours, _ = engines
    trips = _count_trips(monkeypatch)
    row = {"platform": "console", "chat_id": "c1", "title": "t", "timezone": "UTC", "locale": "en",
           "keep_text": False, "settings": "{}", "created_at": NOW}  # fmt: skip
    other = sqlite3.connect(tmp_path / "ours.db", timeout=0, isolation_level=None)
    try:
        async with ours.connect() as conn:
            await conn.execute(text("SELECT 1"))  # opens the pool's connection (set-up trips)
            await conn.commit()
            trips.clear()
            await conn.execute(Community.__table__.insert(), row)
            await conn.commit()
            assert len(trips) == 2
            trips.clear()
            await conn.begin()
            await conn.commit()
            assert trips == []
            assert (await conn.scalar(select(Community.chat_id))) == "c1"  # a read begins, too
            assert conn.in_transaction()
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            await conn.rollback()
        other.execute("BEGIN IMMEDIATE")  # free again
        other.execute("ROLLBACK")
    finally:
        other.close()


async def test_a_streamed_first_statement_begins_the_transaction_too(engines, tmp_path) -> None:
    """Server-side (streaming) cursors are the stock adapter's: the deferred BEGIN is run before them."""
    import sqlite3

    ours, _ = engines
    other = sqlite3.connect(tmp_path / "ours.db", timeout=0, isolation_level=None)
    try:
        async with ours.connect() as conn:
            await conn.execute(text("SELECT 1"))
            await conn.commit()
            result = await conn.stream(select(Community.chat_id))
            assert [r async for r in result] == []
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            await conn.rollback()
    finally:
        other.close()
