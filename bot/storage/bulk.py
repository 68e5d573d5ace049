"""The bulk write path of App.ingest_batch: a handful of statements per batch, whatever its size.

This is where imports and busy groups spend their time, so these functions speak to the driver
directly (``exec_driver_sql``, one statement for many rows) instead of going through SQLAlchemy's
per-row parameter processing, and convert values themselves the way the column types would:
``sqlite_time`` is what UTCDateTime stores on SQLite and ``dumps`` is ``json.dumps`` for the small
dicts of ``activity_log.data`` (tests hold both equal to SQLAlchemy's own conversions). Each
statement is written for SQLite (multi-row VALUES, or executemany) and for PostgreSQL (arrays
through ``unnest``: one round trip whatever the number of rows).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from bot.domain.events import ChatRef, UserRef
from bot.storage import repo

# The activity-log columns a log row fills, in the order bot.ingest.log_row returns them.
LOG_COLUMNS = ("platform", "source_id", "community_id", "member_id", "kind", "occurred_at",
               "message_id", "reply_to", "text", "data")  # fmt: skip
LOG_TYPES_PG = ("varchar", "varchar", "bigint", "bigint", "varchar", "timestamptz",
                "varchar", "varchar", "text", "json")  # fmt: skip
MEMBERS_PER_STATEMENT = 500  # SQLite: 9 parameters a member, well under its limit of 32,766


def sqlite_time(value: datetime) -> str:
    """An aware datetime as UTCDateTime stores it on SQLite ("2026-12-01 09:00:00.000000", UTC)."""
    if value.tzinfo is None:
        raise ValueError("naive datetimes are not stored; use aware UTC")
    return value.astimezone(UTC).isoformat(" ", "microseconds")[:26]


def _unserializable(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# json.dumps builds a new C encoder for every call; this is the same encoder (the same defaults:
# ASCII output, ": " and ", ", NaN allowed) built once. Without the C module, json.dumps itself.
_ENCODE = (
    c_make_encoder(None, _unserializable, encode_basestring_ascii, None, ": ", ", ", False, False, True)
    if c_make_encoder is not None
    else None
)


def dumps(value: Any) -> str:
    """json.dumps(value) with its default settings, without building an encoder for each call."""
    if _ENCODE is None:
        return json.dumps(value)
    return "".join(_ENCODE(value, 0))


def placeholders(postgres: bool, sql: str) -> str:
    """sql written with ``?`` placeholders, in the driver's own style (PostgreSQL: $1, $2, ...)."""
    if not postgres:
        return sql
    parts = sql.split("?")
    return "".join(part + (f"${n}" if n < len(parts) else "") for n, part in enumerate(parts, 1))


@dataclass(frozen=True)
class CommunityRow:
    """What the batch path needs of a community."""

    id: int
    keep_text: bool


async def community(
    session: AsyncSession, chat: ChatRef, config: Config, now: datetime, members: MemberBatch | None = None
) -> CommunityRow:
    """The community of a group chat (created with the configured defaults on first sight, its
    title kept up to date), as repo.community_for_chat, without loading an ORM object. Given the
    batch's use of the member cache, it reads the member change counter in the same statement if
    the batch has not read it yet: one trip to the database fewer."""
    conn = await session.connection()  # driver SQL: this runs for every ingested batch
    postgres = conn.dialect.name == "postgresql"
    counted = members is not None and members.start is None and await members.usable(conn)
    query = _COMMUNITY_COUNTED if counted else _COMMUNITY[postgres]
    row = (await conn.exec_driver_sql(query, (chat.platform, chat.chat_id))).first()
    if row is None:
        await repo.community_for_chat(session, chat, config, now)
        row = (await conn.exec_driver_sql(query, (chat.platform, chat.chat_id))).one()
    elif chat.title and row[2] != chat.title:
        await conn.exec_driver_sql(_RETITLE[postgres], (chat.title, chat.platform, chat.chat_id))
    if counted:
        members.start = members.end = row[3]  # type: ignore[union-attr]
    return CommunityRow(row[0], bool(row[1]))


_COMMUNITY = {
    postgres: placeholders(
        postgres, "SELECT id, keep_text, title FROM communities WHERE platform = ? AND chat_id = ?"
    )
    for postgres in (False, True)
}
_RETITLE = {
    postgres: placeholders(postgres, "UPDATE communities SET title = ? WHERE platform = ? AND chat_id = ?")
    for postgres in (False, True)
}


@dataclass
class Seen:
    """A user as seen in a batch: their latest UserRef, first and latest times, and membership change."""

    user: UserRef
    first: datetime
    last: datetime
    is_member: bool | None = None  # the last join (True) or leave (False) in the batch, if any


# What a batch changes in an existing member row: the same rules as repo.member_changes.
_CHANGES = (
    "display_name = CASE WHEN excluded.display_name <> '' THEN excluded.display_name"
    " ELSE members.display_name END",
    "username = COALESCE(NULLIF(excluded.username, ''), members.username)",
    "last_seen_at = CASE WHEN members.last_seen_at IS NULL OR members.last_seen_at < excluded.last_seen_at"
    " THEN excluded.last_seen_at ELSE members.last_seen_at END",
)
_ADMIN = {
    True: "role = 'admin'",
    False: "role = CASE WHEN members.role = 'admin' THEN 'member' ELSE members.role END",
}


def _needs_write(seen: Seen, row: Any, stale_before: Any) -> bool:
    """Whether an existing member row (id, user_id, display_name, username, role, is_member,
    last_seen_at) would change under repo.member_changes' rules, last_seen_at to the resolution
    (stale_before: seen.last - repo.LAST_SEEN_RESOLUTION, as the database returns times)."""
    user = seen.user
    if (user.display_name and user.display_name != row[2]) or (user.username and user.username != row[3]):
        return True
    if user.is_admin is not None and (row[4] == "admin") != user.is_admin:
        return True
    if seen.is_member is not None and bool(row[5]) != seen.is_member:
        return True
    return row[6] is None or row[6] < stale_before


# The member change counter (migration 0006, SQLite only) and the triggers that move it.
COUNTER_TABLE = "change_counters"
MEMBER_TRIGGERS = ("members_update_counted", "members_delete_counted")
_COUNTER = f"SELECT n FROM {COUNTER_TABLE} WHERE name = 'members'"
# The community lookup with the counter in the same statement (SQLite, the member cache in use).
_COMMUNITY_COUNTED = _COMMUNITY[False].replace(" FROM communities", f", ({_COUNTER}) FROM communities", 1)
_TRIGGERS_PRESENT = (
    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'members'"
    f" AND name IN ({', '.join(repr(name) for name in MEMBER_TRIGGERS)})"
)
_MEMBER_COLUMNS = "id, user_id, display_name, username, role, is_member, last_seen_at"
MemberRow = tuple[Any, ...]  # _MEMBER_COLUMNS, as the database returns them


class MemberCache:
    """Member rows as the batch path last read or wrote them, kept between batches (SQLite).

    A busy group's batches keep meeting the same few hundred people; reading their rows again
    for each batch cost SQLite about 1.1 ms of a 20 ms batch of 1,000. A cached row is used only while the member change
    counter still shows the value it was taken at: triggers (migration 0006) add one to it for
    every UPDATE or DELETE of a member row, whoever makes it (another session, another process,
    a cascade). A batch reads the counter inside its transaction, which on SQLite holds the write
    lock from its first statement (BEGIN IMMEDIATE), so no member row can change under it; what it
    read or wrote goes into the cache only once it has committed (MemberBatch.commit).

    Not used on PostgreSQL (no counter there, see the migration), nor when the triggers are
    missing (a later migration that rebuilt the members table without them): then every batch
    reads its members, as with no cache.
    """

    LIMIT = 50_000  # rows (a few hundred bytes each); past it the cache starts over

    def __init__(self) -> None:
        self.usable: bool | None = None  # None: not checked yet (on the first batch)
        self.counter: int | None = None  # the counter value the rows are valid at
        self.rows: dict[tuple[int, str], MemberRow] = {}  # (community id, user id) -> row

    def batch(self) -> MemberBatch:
        """What one transaction takes from the cache and gives back when it commits."""
        return MemberBatch(self)

    def _merge(self, start: int, end: int, rows: dict[tuple[int, str], MemberRow]) -> None:
        # The cache was valid at `start` and the only changes since are the batch's own (it held the
        # write lock), all of them in `rows`: together they are valid at `end`. Otherwise only
        # `rows` are (they were read or written under the lock, and nothing changed after).
        if start != self.counter or len(self.rows) + len(rows) > self.LIMIT:
            self.rows = {}
        self.counter = end
        self.rows.update(rows)


class MemberBatch:
    """One transaction's use of a MemberCache."""

    def __init__(self, cache: MemberCache) -> None:
        self.cache = cache
        self.start: int | None = None  # the counter when the transaction first asked (None: no cache)
        self.end: int | None = None  # the counter after its own writes
        self.rows: dict[tuple[int, str], MemberRow] = {}  # what it read or wrote, for after the commit

    async def usable(self, conn: Any) -> bool:
        """Whether the cache can be used on this database (checked once, on the first batch)."""
        cache = self.cache
        if cache.usable is None:
            cache.usable = conn.dialect.name == "sqlite" and (
                await conn.exec_driver_sql(_TRIGGERS_PRESENT)
            ).scalar() == len(MEMBER_TRIGGERS)
        return cache.usable

    async def cached(self, conn: Any) -> dict[tuple[int, str], MemberRow] | None:
        """The cached rows that are still true (maybe none); None when the cache is not used."""
        if not await self.usable(conn):
            return None
        if self.start is None:  # (bulk.community reads it along with the community)
            self.start = self.end = (await conn.exec_driver_sql(_COUNTER)).scalar_one()
        return self.cache.rows if self.start == self.cache.counter else {}

    async def wrote(self, conn: Any) -> None:
        """After the transaction updated member rows: the counter as its triggers left it."""
        self.end = (await conn.exec_driver_sql(_COUNTER)).scalar_one()

    def commit(self) -> None:
        """Call once the transaction has committed: what it read and wrote joins the cache."""
        if self.start is not None and self.end is not None:
            self.cache._merge(self.start, self.end, self.rows)
        self.start = self.end = None
        self.rows = {}


async def member_ids(
    session: AsyncSession, community_id: int, users: dict[str, Seen], cache: MemberBatch | None = None
) -> dict[str, int]:
    """Member ids of many users of one community (user id -> Seen): new ones created, changed ones updated.

    The members are taken from the cache where it has them (SQLite, see MemberCache), the others
    read (one statement per MEMBERS_PER_STATEMENT users; on PostgreSQL the rows are share-locked
    against deletion until the batch commits, as the upsert's write lock did). Only new members
    and members with something to change are written, with one upsert per kind of change: a new
    member counts as joined when first seen; an existing row gets what repo.member_changes would
    give it (a new name or username, the admin role as the platform says, the latest time seen,
    the last join or leave).
    """
    conn = await session.connection()
    postgres = conn.dialect.name == "postgresql"
    found: dict[str, Any] = {}
    cached = None  # the cache's rows, when it is used
    if postgres:
        sql = (f"SELECT {_MEMBER_COLUMNS} FROM members WHERE community_id = $1 AND user_id = ANY($2::varchar[])"
               " FOR KEY SHARE")  # fmt: skip
        found.update(
            (row[1], row) for row in (await conn.exec_driver_sql(sql, (community_id, list(users)))).all()
        )
    else:
        cached = await cache.cached(conn) if cache is not None else None
        if cached:
            wanted = []
            for uid in users:
                row = cached.get((community_id, uid))
                if row is None:
                    wanted.append(uid)
                else:
                    found[uid] = row
        else:
            wanted = list(users)
        for start in range(0, len(wanted), MEMBERS_PER_STATEMENT):
            chunk = wanted[start : start + MEMBERS_PER_STATEMENT]
            sql = f"SELECT {_MEMBER_COLUMNS} FROM members WHERE community_id = ? AND user_id IN ({', '.join('?' * len(chunk))})"
            for row in (await conn.exec_driver_sql(sql, (community_id, *chunk))).all():
                found[row[1]] = row = tuple(row)
                if cached is not None:
                    cache.rows[community_id, row[1]] = row  # type: ignore[union-attr]
    ids: dict[str, int] = {}
    groups: dict[tuple[bool | None, bool | None], list[Seen]] = {}
    stale: dict[datetime, Any] = {}  # seen.last -> the time before which last_seen_at is rewritten
    for uid, seen in users.items():
        row = found.get(uid)
        if row is not None:
            stale_before = stale.get(seen.last)
            if stale_before is None:
                stale_before = seen.last - repo.LAST_SEEN_RESOLUTION
                stale_before = stale[seen.last] = stale_before if postgres else sqlite_time(stale_before)
            if not _needs_write(seen, row, stale_before):
                ids[uid] = row[0]
                continue
        groups.setdefault((seen.user.is_admin, seen.is_member), []).append(seen)
    for (admin, member), group in groups.items():
        changes = [*_CHANGES]
        if admin is not None:
            changes.append(_ADMIN[admin])
        if member is not None:
            changes.append("is_member = excluded.is_member")
        role, joined = ("admin" if admin else "member"), (True if member is None else member)
        update = f"ON CONFLICT (community_id, user_id) DO UPDATE SET {', '.join(changes)} RETURNING {_MEMBER_COLUMNS}"
        columns = ("community_id, user_id, display_name, username, role, analytics_opt_out, reminders_opt_out,"
                   " can_dm, is_member, joined_at, last_seen_at, created_at")  # fmt: skip
        if postgres:
            sql = (
                f"INSERT INTO members ({columns}) SELECT $1::bigint, u.i, u.n, u.un, $2::varchar, false, false, false, $3::boolean,"
                " u.f, u.l, u.f FROM unnest($4::varchar[], $5::varchar[], $6::varchar[], $7::timestamptz[],"
                f" $8::timestamptz[]) AS u(i, n, un, f, l) {update}"
            )
            params = (community_id, role, joined, [s.user.user_id for s in group],
                      [s.user.display_name for s in group], [s.user.username for s in group],
                      [s.first.astimezone(UTC) for s in group], [s.last.astimezone(UTC) for s in group])  # fmt: skip
            ids.update((row[1], row[0]) for row in await conn.exec_driver_sql(sql, params))
            continue
        for start in range(0, len(group), MEMBERS_PER_STATEMENT):
            chunk = group[start : start + MEMBERS_PER_STATEMENT]
            marks = ", ".join(["(?, ?, ?, ?, ?, 0, 0, 0, ?, ?, ?, ?)"] * len(chunk))
            params = []
            for s in chunk:
                first = sqlite_time(s.first)
                params += [community_id, s.user.user_id, s.user.display_name, s.user.username, role, joined,
                           first, sqlite_time(s.last), first]  # fmt: skip
            sql = f"INSERT INTO members ({columns}) VALUES {marks} {update}"
            for row in await conn.exec_driver_sql(sql, tuple(params)):
                ids[row[1]] = row[0]
                if cached is not None:
                    cache.rows[community_id, row[1]] = tuple(row)  # type: ignore[union-attr]
    if groups and cached is not None:
        await cache.wrote(conn)  # type: ignore[union-attr]
    return ids


async def insert_log_rows(session: AsyncSession, rows: list[tuple[Any, ...]]) -> int:
    """Append log rows (LOG_COLUMNS order; data a dict) in one statement; rows whose (platform,
    source_id) is already logged are skipped. Returns how many were added."""
    if not rows:
        return 0
    conn = await session.connection()
    names = ", ".join(LOG_COLUMNS)
    conflict = "ON CONFLICT (platform, source_id) DO NOTHING"
    if conn.dialect.name == "postgresql":
        columns = [list(column) for column in zip(*rows, strict=True)]
        columns[5] = [when.astimezone(UTC) for when in columns[5]]
        columns[9] = [dumps(data) for data in columns[9]]
        arrays = ", ".join(f"${n}::{kind}[]" for n, kind in enumerate(LOG_TYPES_PG, 1))
        sql = f"INSERT INTO activity_log ({names}) SELECT * FROM unnest({arrays}) {conflict}"
        result = await conn.exec_driver_sql(sql, tuple(columns))
    else:
        times: dict[datetime, str] = {}  # a batch's events share their times (platforms give seconds)
        params = []
        for p, s, c, m, k, t, i, r, x, d in rows:
            stored = times.get(t)
            if stored is None:
                stored = times[t] = sqlite_time(t)
            params.append((p, s, c, m, k, stored, i, r, x, dumps(d)))
        marks = ", ".join("?" * len(LOG_COLUMNS))
        result = await conn.exec_driver_sql(
            f"INSERT INTO activity_log ({names}) VALUES ({marks}) {conflict}", params
        )
    return int(result.rowcount)
