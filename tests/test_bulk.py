"""The bulk write path converts values itself: it must store exactly what SQLAlchemy would."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from bot.storage.bulk import dumps, placeholders, sqlite_time
from bot.storage.models import Activity

SQLITE = sqlite.dialect()
ZONES = st.builds(lambda m: timezone(timedelta(minutes=m)), st.integers(-14 * 60, 14 * 60)) | st.just(UTC)


@given(st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 1, 1), timezones=ZONES))
def test_times_are_stored_as_utcdatetime_stores_them(when: datetime) -> None:
    process = Activity.__table__.c.occurred_at.type.dialect_impl(SQLITE).bind_processor(SQLITE)
    assert sqlite_time(when) == process(when)


def test_driver_sql_is_written_once_and_numbered_for_postgresql() -> None:
    sql = "UPDATE communities SET title = ? WHERE platform = ? AND chat_id = ?"
    assert placeholders(False, sql) == sql
    assert placeholders(True, sql) == "UPDATE communities SET title = $1 WHERE platform = $2 AND chat_id = $3"
    assert (
        placeholders(True, "SELECT user_hash FROM do_not_collect") == "SELECT user_hash FROM do_not_collect"
    )


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(st.text(), JSON, max_size=6))
def test_data_is_serialized_as_json_dumps_would(data: dict[str, object]) -> None:
    assert dumps(data) == json.dumps(data)


async def test_the_batch_path_applies_the_platforms_admin_flag_as_the_single_path(bot) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from bot.storage.models import Member

    chat = bot.session.chat

    def say(name: str, admin: bool | None):  # type: ignore[no-untyped-def]
        event = chat.say(name, "hi")
        return replace(event, user=replace(event.user, is_admin=admin))

    await bot.app.ingest_batch([say("a", None), say("b", True), say("c", False)])
    roles = {m.username: m.role for m in await bot.rows(Member)}
    assert roles == {"a": "member", "b": "admin", "c": "member"}
    bot.clock.advance(timedelta(minutes=1))
    await bot.app.ingest_batch([say("a", True), say("b", None), say("c", None)])
    assert {m.username: m.role for m in await bot.rows(Member)} == {"a": "admin", "b": "admin", "c": "member"}
    bot.clock.advance(timedelta(minutes=1))
    await bot.app.ingest_batch([say("a", False), say("b", False)])
    assert {m.username: m.role for m in await bot.rows(Member)} == {
        "a": "member",
        "b": "member",
        "c": "member",
    }


@pytest.mark.parametrize("path", ["batch", "single"])
async def test_a_member_seen_again_within_the_resolution_is_not_rewritten(bot, path: str) -> None:  # type: ignore[no-untyped-def]
    """last_seen_at moves in steps of LAST_SEEN_RESOLUTION, on both paths; other changes at once."""
    from dataclasses import replace

    from bot.storage.models import Member
    from bot.storage.repo import LAST_SEEN_RESOLUTION

    chat = bot.session.chat

    async def ingest(events: list) -> int:  # type: ignore[type-arg]
        if path == "batch":
            return await bot.app.ingest_batch(events)
        return sum([int(await bot.app.handle(e)) for e in events])

    async def seen() -> dict[str, tuple[datetime | None, str]]:
        return {m.username: (m.last_seen_at, m.display_name) for m in await bot.rows(Member)}

    first = [chat.say("a", "hi"), chat.say("b", "hi")]
    await ingest(first)
    assert (await seen())["a"][0] == first[0].occurred_at  # new members: exact
    bot.clock.advance(LAST_SEEN_RESOLUTION - timedelta(seconds=1))
    renamed = chat.say("b", "again")
    renamed = replace(renamed, user=replace(renamed.user, display_name="Bee"))
    await ingest([chat.say("a", "again"), renamed])
    now = await seen()
    assert now["a"] == (first[0].occurred_at, "a")  # within the resolution: the row is left alone
    assert now["b"] == (renamed.occurred_at, "Bee")  # a new name is written, and the time with it
    bot.clock.advance(timedelta(seconds=2))
    later = chat.say("a", "later")
    await ingest([later])
    assert (await seen())["a"][0] == later.occurred_at  # past the resolution: moved to the exact time
    assert await ingest([chat.say("a", "x"), chat.say("new", "y")]) == 2
    assert len(await seen()) == 3  # and the log rows of unchanged members still find their ids
