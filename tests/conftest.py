"""Shared fixtures: a bot harness on SQLite, and database URLs for SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.harness import Harness

PG_URL = os.environ.get("GATHERBOT_TEST_POSTGRES_URL")


@pytest.fixture
async def bot(tmp_path) -> AsyncIterator[Harness]:  # type: ignore[no-untyped-def]
    """An English-speaking community in Asia/Shanghai at 2026-12-01 09:00 (a Tuesday)."""
    harness = await Harness.create(str(tmp_path / "bot.db"))
    yield harness
    await harness.close()


@pytest.fixture
async def bot_zh(tmp_path) -> AsyncIterator[Harness]:  # type: ignore[no-untyped-def]
    """The same community speaking Simplified Chinese."""
    harness = await Harness.create(str(tmp_path / "bot_zh.db"), lang="zh")
    yield harness
    await harness.close()


def _pg_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import asyncio

    import asyncpg
    from sqlalchemy.engine import make_url

    assert PG_URL is not None
    base = make_url(PG_URL)
    name = f"gb_{uuid.uuid4().hex[:12]}"
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name, drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """An empty database on each backend; PostgreSQL needs GATHERBOT_TEST_POSTGRES_URL."""
    if request.param == "sqlite":
        yield str(tmp_path / "test.db")
        return
    if not PG_URL:
        pytest.skip("PostgreSQL tests need GATHERBOT_TEST_POSTGRES_URL (CI starts a server and sets it)")
    yield from _pg_database()
