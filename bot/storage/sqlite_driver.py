"""SQLAlchemy's aiosqlite adapter, with one trip to the driver's thread per statement instead of four.

aiosqlite runs every call on its own thread, and SQLAlchemy's adapter makes four such calls per
statement: open a cursor, execute, fetch the rows, close the cursor. Each trip is a hand-over
between threads (about 75 µs here), so a statement cost about 350 µs before SQLite did any work,
which was most of the time of a short command and a fifth of a batch of ingested events.

Here a statement is one function run on aiosqlite's thread that does all four with the plain
``sqlite3`` cursor and hands back the rows, the description, rowcount and lastrowid: the same
results, in one trip. A transaction's ``BEGIN IMMEDIATE`` (``db._sqlite_begin``, via ``defer_begin``)
waits for the transaction's first statement and goes in the same trip: one trip fewer per
transaction, and none at all for a transaction that runs no statement. Everything else
(transactions, server-side cursors, error translation, the statement mutex) is SQLAlchemy's own
adapter. It is installed with ``create_async_engine(...,
module=one_trip_dbapi())``, create_engine's documented way to supply the DBAPI module.

It leans on two details of the libraries it wraps, checked by ``supported()`` (the engine falls back
to the stock adapter when either is missing): aiosqlite's ``Connection._execute`` (queue a function
on its thread) and ``Connection._conn`` (the sqlite3 connection, only touched on that thread), and
SQLAlchemy's ``AsyncAdapt_aiosqlite_cursor``/``_connection`` classes (2.1). tests/test_sqlite_driver.py
holds its results equal to the stock adapter's.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite

try:  # SQLAlchemy 2.1's layout; anything else falls back to the stock adapter
    from sqlalchemy.dialects.sqlite.aiosqlite import (
        AsyncAdapt_aiosqlite_connection,
        AsyncAdapt_aiosqlite_cursor,
        AsyncAdapt_aiosqlite_dbapi,
        AsyncAdapt_aiosqlite_ss_cursor,
    )
    from sqlalchemy.util import EMPTY_DICT
    from sqlalchemy.util.concurrency import await_

    _IMPORTED = True
except ImportError:  # pragma: no cover - depends on the installed SQLAlchemy
    _IMPORTED = False


def supported() -> bool:
    """Whether the installed SQLAlchemy and aiosqlite have what the one-trip adapter relies on."""
    return (
        _IMPORTED
        and hasattr(aiosqlite.Connection, "_execute")
        and hasattr(aiosqlite.Connection, "_conn")
        and all(
            hasattr(AsyncAdapt_aiosqlite_cursor, name)
            for name in ("_adapt_connection", "_connection", "_cursor", "_rows", "_soft_closed_memoized")
        )
        and hasattr(aiosqlite.Connection, "in_transaction")
        and all(
            hasattr(AsyncAdapt_aiosqlite_ss_cursor, name) for name in ("_execute_async", "_executemany_async")
        )
        and hasattr(AsyncAdapt_aiosqlite_connection, "_execute_mutex")
        and hasattr(AsyncAdapt_aiosqlite_connection, "_handle_exception")
    )


# Set on an aiosqlite.Connection (a plain object) by defer_begin: the statement that begins the
# transaction, for the next statement's trip to run first.
_BEGIN = "_gatherbot_begin"


def defer_begin(dbapi_connection: Any, statement: str) -> bool:
    """Begin a transaction with the connection's next statement, in the same trip to the driver's
    thread (one trip fewer per transaction). False when dbapi_connection is not ours: then the
    caller runs statement itself."""
    if not _IMPORTED or not isinstance(dbapi_connection, OneTripConnection):
        return False
    setattr(dbapi_connection._connection, _BEGIN, statement)
    return True


def _take_begin(driver: aiosqlite.Connection) -> str | None:
    """The begin deferred on this aiosqlite connection (None: none), which is then no longer pending."""
    begin: str | None = driver.__dict__.pop(_BEGIN, None)
    return begin


async def _begin_now(adapt_connection: Any) -> None:
    """Run a deferred begin of this connection now, if there is one."""
    driver = adapt_connection._connection
    begin = _take_begin(driver)
    if begin is not None:
        async with adapt_connection._execute_mutex:
            await driver._execute(lambda: driver._conn.execute(begin).close())


def _run(
    conn: sqlite3.Connection, operation: str, parameters: Any, many: bool, begin: str | None = None
) -> tuple[Any, list[Any] | None, int, int | None]:
    """On aiosqlite's thread: begin (if asked), execute, fetch everything, close.
    (description, rows, rowcount, lastrowid)."""
    if begin is not None:
        conn.execute(begin)
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else None
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


if _IMPORTED:

    class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
        """A cursor that holds its results in memory; no aiosqlite cursor is ever opened."""

        __slots__ = ("_description", "_rowcount", "_lastrowid", "_arraysize")

        def __init__(self, adapt_connection: Any) -> None:  # no trip: the stock one opens a cursor here
            self._adapt_connection = adapt_connection
            self._connection = adapt_connection._connection
            self._cursor = None
            self._soft_closed_memoized = EMPTY_DICT
            self._rows = collections.deque()
            self._description: Any = None
            self._rowcount = -1
            self._lastrowid: int | None = None
            self._arraysize = 1

        @property
        def description(self) -> Any:
            return self._description

        @property
        def rowcount(self) -> int:
            return self._rowcount

        @property
        def lastrowid(self) -> int | None:
            return self._lastrowid

        @property
        def arraysize(self) -> int:
            return self._arraysize

        @arraysize.setter
        def arraysize(self, value: int) -> None:
            self._arraysize = value

        async def _async_soft_close(self) -> None:
            return  # nothing is open on the driver's side

        def close(self) -> None:
            self._rows.clear()

        def execute(self, operation: Any, parameters: Any = None) -> Any:
            try:
                return await_(self._one_trip(operation, parameters, False))
            except Exception as error:  # translated the way the stock adapter does
                self._adapt_connection._handle_exception(error)

        def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
            try:
                return await_(self._one_trip(operation, seq_of_parameters, True))
            except Exception as error:
                self._adapt_connection._handle_exception(error)

        async def _one_trip(self, operation: Any, parameters: Any, many: bool) -> None:
            driver = self._connection  # the aiosqlite.Connection
            async with self._adapt_connection._execute_mutex:
                begin = _take_begin(driver)  # a transaction begun since the last trip
                description, rows, rowcount, lastrowid = await driver._execute(
                    lambda: _run(driver._conn, operation, parameters, many, begin)
                )
            self._description, self._rowcount, self._lastrowid = description, rowcount, lastrowid
            self._rows = collections.deque(rows or ())

        def nextset(self) -> None:
            return None

        def setinputsizes(self, *inputsizes: Any) -> None:
            return None

    class BeginFirstStreamingCursor(AsyncAdapt_aiosqlite_ss_cursor):
        """The stock streaming (server-side) cursor, which runs a deferred begin first, on its own trip."""

        __slots__ = ()

        async def _execute_async(self, operation: Any, parameters: Any) -> Any:
            await _begin_now(self._adapt_connection)
            return await super()._execute_async(operation, parameters)

        async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
            await _begin_now(self._adapt_connection)
            return await super()._executemany_async(operation, seq_of_parameters)

    class OneTripConnection(AsyncAdapt_aiosqlite_connection):
        __slots__ = ()
        _cursor_cls = OneTripCursor

        _ss_cursor_cls = BeginFirstStreamingCursor

        def _nothing_to_end(self) -> bool:
            # The pool rolls back every connection it gets back, most often after a commit, and a
            # transaction that ran no statement was never begun in SQLite (see defer_begin): outside
            # a transaction sqlite3's commit and rollback do nothing, so they need no trip to the
            # driver's thread (in_transaction is sqlite3_get_autocommit, safe from any thread).
            _take_begin(self._connection)  # a begin that never reached the driver is dropped
            return bool(self._connection._connection) and not self._connection.in_transaction

        def rollback(self) -> None:
            if not self._nothing_to_end():
                super().rollback()

        def commit(self) -> None:
            if not self._nothing_to_end():
                super().commit()

    class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
        def connect(self, *arg: Any, **kw: Any) -> Any:
            connection = super().connect(*arg, **kw)
            connection.__class__ = OneTripConnection  # the same object, whose cursors take one trip
            return connection


def one_trip_dbapi() -> Any | None:
    """The DBAPI module to hand create_async_engine(module=...), or None to use the stock adapter."""
    if not supported():
        return None
    return OneTripDBAPI(aiosqlite, sqlite3)
