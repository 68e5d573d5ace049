"""The batch path's member cache (bot.storage.bulk.MemberCache, SQLite): used, and never wrong.

A cached member row may only be used while nothing changed it. These tests change members
behind the App's back (through a plain sqlite3 connection, as another process would: a privacy
deletion, a rename, a new member taking a freed id) and check the next batch sees the truth; that
a batch which rolled back leaves nothing in the cache; and, over a seeded random mix of batches and
outside changes, that an App with the cache writes exactly what an App without it writes.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from bot.storage import bulk
from tests.harness import Harness


def member_selects(harness: Harness) -> list[str]:
    """Every statement that reads member rows for the batch path, as it runs (a live list)."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("SELECT id, user_id") and "FROM members" in statement:
            seen.append(statement)

    event.listen(harness.app.engine.sync_engine, "before_cursor_execute", record)
    return seen


def outside(path: Path, sql: str, *params: Any) -> None:
    """A change made by another connection (another process, say), committed at once."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(sql, params)
    finally:
        conn.close()


def eve_joins_elsewhere(path: Path) -> None:
    """A new member, eve, written by another process into bob's community."""
    outside(
        path,
        "INSERT INTO members (community_id, user_id, display_name, role, analytics_opt_out, reminders_opt_out,"
        " can_dm, is_member, created_at) SELECT community_id, 'u-eve', 'eve', 'member', 0, 0, 0, 1, created_at"
        " FROM members WHERE user_id = 'u-bob'",
    )


def log(path: Path) -> list[tuple[str, str | None]]:
    """(source id, the user id of the member the log row points to), in order."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT a.source_id, m.user_id FROM activity_log a LEFT JOIN members m ON m.id = a.member_id"
            " ORDER BY a.id"
        ).fetchall()
    finally:
        conn.close()


def members(path: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT * FROM members ORDER BY id").fetchall()
    finally:
        conn.close()


@pytest.fixture
async def chat(tmp_path):  # type: ignore[no-untyped-def]
    harness = await Harness.create(str(tmp_path / "cache.db"))
    yield harness
    await harness.close()


async def test_a_busy_groups_members_are_read_once(chat: Harness) -> None:
    selects = member_selects(chat)
    group = chat.session.chat
    await chat.app.ingest_batch([group.say(name, "hi") for name in ("ann", "bob", "cy")])
    assert len(selects) == 1
    chat.clock.advance(timedelta(minutes=1))
    await chat.app.ingest_batch([group.say(name, "again") for name in ("ann", "bob", "cy")])
    assert len(selects) == 1  # all three came from the cache
    await chat.app.ingest_batch([group.say(name, "and") for name in ("ann", "dee")])
    assert len(selects) == 2 and selects[-1].count("?") == 2  # only dee (and the community id) asked for


async def test_a_member_renamed_elsewhere_is_read_again(chat: Harness, tmp_path: Path) -> None:
    group = chat.session.chat
    await chat.app.ingest_batch([group.say("ann", "hi")])
    outside(tmp_path / "cache.db", "UPDATE members SET display_name = 'someone else' WHERE user_id = 'u-ann'")
    chat.clock.advance(timedelta(minutes=1))
    await chat.app.ingest_batch([group.say("ann", "hi again")])  # the platform still calls her ann
    assert [m[3] for m in members(tmp_path / "cache.db")] == ["ann"]


async def test_a_member_deleted_elsewhere_is_not_revived_from_the_cache(
    chat: Harness, tmp_path: Path
) -> None:
    """Her id freed and taken by someone else (SQLite reuses the highest rowid): her next message
    must not be logged under the newcomer."""
    path, group = tmp_path / "cache.db", chat.session.chat
    await chat.app.ingest_batch([group.say("bob", "hi"), group.say("ann", "hi")])
    outside(path, "DELETE FROM members WHERE user_id = 'u-ann'")  # /privacy delete, in another process
    eve_joins_elsewhere(path)  # SQLite gives her the highest id plus one: ann's
    chat.clock.advance(timedelta(minutes=1))
    ann = group.say("ann", "back")
    await chat.app.ingest_batch([ann])
    assert log(path)[-1] == (ann.source_id, "u-ann")
    assert sorted(m[2] for m in members(path)) == ["u-ann", "u-bob", "u-eve"]


async def test_a_batch_that_rolled_back_leaves_nothing_in_the_cache(
    chat: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, group = tmp_path / "cache.db", chat.session.chat
    await chat.app.ingest_batch([group.say("bob", "hi")])

    async def broken(session, rows):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(bulk, "insert_log_rows", broken)
    with pytest.raises(RuntimeError):
        await chat.app.ingest_batch([group.say("ann", "hi")])  # ann's new member row is rolled back
    monkeypatch.undo()
    assert [m[2] for m in members(path)] == ["u-bob"]
    eve_joins_elsewhere(path)  # the id ann's row had is free again: eve takes it
    chat.clock.advance(timedelta(minutes=1))
    ann = group.say("ann", "hi again")
    await chat.app.ingest_batch([ann])
    assert log(path)[-1] == (ann.source_id, "u-ann")


async def test_without_the_counters_triggers_every_batch_reads_its_members(
    chat: Harness, tmp_path: Path
) -> None:
    """A members table rebuilt by some later migration would lose the triggers: no cache then."""
    path, group = tmp_path / "cache.db", chat.session.chat
    for name in bulk.MEMBER_TRIGGERS:
        outside(path, f"DROP TRIGGER {name}")
    selects = member_selects(chat)
    await chat.app.ingest_batch([group.say("ann", "hi")])
    outside(path, "UPDATE members SET display_name = 'someone else'")  # nothing counts this now
    chat.clock.advance(timedelta(minutes=1))
    await chat.app.ingest_batch([group.say("ann", "hi again")])
    assert len(selects) == 2 and chat.app.members.usable is False
    assert [m[3] for m in members(path)] == ["ann"]


NAMES = ("ann", "bob", "cy", "dee", "eve", "fay")
# Mostly nothing for a batch to write (so stale cached rows would show); sometimes a change.
ADMIN = (None,) * 8 + (True, False)
SUFFIX = ("",) * 8 + ("_2",)
MINUTES = (0, 0, 0, 1, 90)


async def test_with_and_without_the_cache_the_same_rows_are_written(tmp_path: Path) -> None:
    """A seeded random mix of batches (messages, renames, admin flags, joins, leaves, time passing)
    and outside changes (renames, deletions, new members), fed to two Apps: one with the cache,
    one without. Their members and logs must be equal at every step."""
    rng = random.Random(20261128)
    cached = await Harness.create(str(tmp_path / "cached.db"))
    plain = await Harness.create(str(tmp_path / "plain.db"))
    plain.app.members.usable = False
    reads = member_selects(cached)
    batches = 0
    try:
        for step in range(200):
            roll = rng.random()
            if roll < 0.25 and step:
                name = rng.choice(NAMES)
                sql, params = rng.choice(
                    [
                        ("DELETE FROM members WHERE user_id = ?", (f"u-{name}",)),
                        (
                            "UPDATE members SET display_name = 'x', role = 'admin' WHERE user_id = ?",
                            (f"u-{name}",),
                        ),
                        (
                            "UPDATE members SET is_member = 0, last_seen_at = NULL WHERE user_id = ?",
                            (f"u-{name}",),
                        ),
                    ]
                )
                for db in ("cached.db", "plain.db"):
                    outside(tmp_path / db, sql, *params)
            else:
                batch = []
                for _ in range(rng.randint(1, 3)):
                    name, kind = rng.choice(NAMES), rng.random()
                    batch.append((name, kind, rng.choice(ADMIN), rng.choice(SUFFIX)))
                batches += 1
                for harness in (cached, plain):
                    group, events = harness.session.chat, []
                    for name, kind, admin, suffix in batch:
                        e = (
                            group.join(name)
                            if kind < 0.05
                            else group.leave(name)
                            if kind < 0.1
                            else group.say(name, "m")
                        )
                        user = replace(e.user, is_admin=admin, display_name=name + suffix)
                        events.append(replace(e, user=user))
                    await harness.app.ingest_batch(events)
            advance = timedelta(minutes=rng.choice(MINUTES))
            cached.clock.advance(advance)
            plain.clock.advance(advance)
            assert members(tmp_path / "cached.db") == members(tmp_path / "plain.db"), f"step {step}"
            assert log(tmp_path / "cached.db") == log(tmp_path / "plain.db"), f"step {step}"
        assert batches - len(reads) >= 30  # batches served by the cache alone: the test is not vacuous
    finally:
        await cached.close()
        await plain.close()
