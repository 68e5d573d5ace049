"""Storage behaves the same on SQLite and PostgreSQL: times, redelivery, foreign keys, the whole app.

Each test migrates an empty database from the `db_url` fixture (PostgreSQL needs
GATHERBOT_TEST_POSTGRES_URL) and talks to it through the app's own engine and sessions.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.bootstrap import StartupError
from bot.storage import db, repo
from bot.storage.models import Activity, Community, Event, Member, Rsvp
from tests.harness import Harness

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """The app's engine on a database migrated to head."""
    await db.upgrade_async(db_url)
    eng = db.make_engine(db_url)
    yield eng
    await eng.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker:  # type: ignore[type-arg]
    return db.make_sessionmaker(engine)


def community(chat_id: str = "-100", **kw: object) -> Community:
    values: dict[str, object] = {
        "platform": "telegram",
        "chat_id": chat_id,
        "title": "Study group",
        "timezone": "Asia/Shanghai",
        "locale": "en",
        "keep_text": False,
        "settings": {},
        "created_at": NOW,
    }
    return Community(**{**values, **kw})


def member(community_id: int, user_id: str = "42") -> Member:
    return Member(community_id=community_id, user_id=user_id, display_name="Alice", created_at=NOW)


# --- UTCDateTime -------------------------------------------------------------------------------


async def test_aware_datetime_round_trips_as_utc(sessions) -> None:  # type: ignore[no-untyped-def]
    local = datetime(2026, 12, 5, 19, 30, 15, 123456, tzinfo=CST)
    async with sessions() as s:
        s.add(community(created_at=local))
        await s.commit()
    async with sessions() as s:  # a new session reads the stored value, not the cached object
        stored = await s.scalar(select(Community.created_at))
    assert stored == local
    assert stored.tzinfo == UTC
    assert stored.replace(tzinfo=None) == datetime(2026, 12, 5, 11, 30, 15, 123456)


async def test_comparisons_use_the_instant_not_the_wall_clock(sessions) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        s.add(community(created_at=datetime(2026, 12, 5, 19, 0, tzinfo=CST)))  # 11:00 UTC
        await s.commit()
    async with sessions() as s:
        after = select(func.count()).select_from(Community).where(Community.created_at > NOW)
        assert await s.scalar(after.where(Community.created_at < datetime(2026, 12, 5, 12, tzinfo=UTC))) == 1
        assert await s.scalar(after.where(Community.created_at < datetime(2026, 12, 5, 18, tzinfo=CST))) == 0


async def test_naive_datetime_is_rejected(sessions) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        s.add(community(created_at=datetime(2026, 12, 5, 19, 0)))
        with pytest.raises(StatementError, match="naive datetimes are not stored"):
            await s.commit()
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Community)) == 0


# --- the activity log ------------------------------------------------------------------------


async def test_append_activity_ignores_a_redelivery(sessions) -> None:  # type: ignore[no-untyped-def]
    row = {"platform": "telegram", "source_id": "update:7", "kind": "message", "occurred_at": NOW, "data": {}}
    async with sessions() as s:
        first = await repo.append_activity(s, **row)
        await s.commit()
    async with sessions() as s:  # the same update delivered again, in a later transaction
        again = await repo.append_activity(s, **{**row, "data": {"chars": 3}})
        other = await repo.append_activity(s, **{**row, "platform": "discord"})
        await s.commit()
    assert isinstance(first, int)
    assert again is None
    assert isinstance(other, int) and other != first
    async with sessions() as s:
        rows = (await s.execute(select(Activity.platform, Activity.data).order_by(Activity.id))).all()
    assert [tuple(r) for r in rows] == [("telegram", {}), ("discord", {})]


# --- foreign keys ------------------------------------------------------------------------------


async def test_deleting_a_community_cascades_to_members(sessions) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        c, other = community("-1"), community("-2")
        s.add_all([c, other])
        await s.flush()
        s.add_all([member(c.id, "1"), member(c.id, "2"), member(other.id, "1")])
        await s.commit()
    async with sessions() as s:
        await s.execute(delete(Community).where(Community.id == c.id))
        await s.commit()
    async with sessions() as s:
        left = (await s.scalars(select(Member.community_id))).all()
    assert left == [other.id]


async def test_member_of_a_missing_community_is_refused(sessions) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        s.add(member(community_id=999))
        with pytest.raises(IntegrityError):
            await s.commit()


async def test_sqlite_connections_have_foreign_keys_and_wal(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = str(tmp_path / "pragmas.db")
    await db.upgrade_async(url)
    engine = db.make_engine(url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA synchronous"))).scalar() == 1  # NORMAL: safe with WAL
            assert (
                await conn.execute(text("PRAGMA wal_autocheckpoint"))
            ).scalar() == db.WAL_AUTOCHECKPOINT_PAGES
    finally:
        await engine.dispose()


async def test_a_background_checkpoint_copies_the_wal_while_a_writer_holds_its_transaction(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = str(tmp_path / "wal.db")
    await db.upgrade_async(url)
    engine = db.make_engine(url)
    sessions = db.make_sessionmaker(engine)
    try:
        async with sessions() as s:
            s.add_all(community(f"-{i}") for i in range(300))
            await s.commit()
        async with sessions() as writer:  # a write transaction is open (BEGIN IMMEDIATE) meanwhile
            writer.add(community("-busy"))
            await writer.flush()
            busy, wal_pages, copied = await db.checkpoint(engine)  # type: ignore[misc]
            assert busy == 0 and wal_pages > 0 and copied == wal_pages  # all committed pages copied
            await writer.commit()
        async with sessions() as s:
            assert await s.scalar(select(func.count()).select_from(Community)) == 301
    finally:
        await engine.dispose()


# --- the whole app -----------------------------------------------------------------------------


async def test_event_and_rsvps_through_the_app(db_url: str) -> None:
    """A transcript on each backend: the app really runs on PostgreSQL, not only on SQLite."""
    await db.upgrade_async(db_url)  # PostgreSQL is never migrated implicitly
    h = await Harness.create(db_url)
    try:
        out = await h("alice: /newevent Python night 2026-12-05 19:00 2h")
        assert out[0] == "bot -> group: 📅 Python night (#1)"
        out = await h("bob: [Going]", "carol: [Going]")
        going = "(only you): You're going to Python night. I'll remind you before it starts."
        assert f"bot -> bob {going}" in out and f"bot -> carol {going}" in out
        assert "👥 Going 2 · Maybe 0" in out  # the announcement was edited with the new count
        assert await h("bob: [Going]") == ["bot -> bob (only you): No change: you already answered that."]
        assert await h.count(Rsvp) == 2
        assert await h.count(Rsvp, Rsvp.status == "going") == 2
        assert await h.count(Member) == 3
        (event,) = await h.rows(Event)
        assert event.starts_at == datetime(2026, 12, 5, 11, 0, tzinfo=UTC)
        assert event.starts_at.tzinfo == UTC
        assert await h.count(Activity) == 4
    finally:
        await h.close()


async def test_postgres_needs_an_explicit_upgrade(db_url: str) -> None:
    """SQLite is migrated on start; PostgreSQL refuses to start on an unmigrated database."""
    if db.normalize_url(db_url).startswith("sqlite"):
        h = await Harness.create(db_url)
        await h.close()
        assert await asyncio.to_thread(db.current, db_url) is not None
        return
    with pytest.raises(StartupError, match="gatherbot db upgrade"):
        await Harness.create(db_url)
