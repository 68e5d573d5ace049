"""Finding every row about a member from the schema itself, to export it or to erase it.

No table is listed by hand: a row is about a member when a column that references members.id holds
one of their ids, or a JSON column names them (a member id under a ``member_id(s)`` key, their platform
user id, or their private chat with the bot). The models of every bot.storage module are loaded first,
so tables added later (the analytics results) are found too.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import JSON, Column, MetaData, String, Table, cast, delete, inspect, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

import bot.storage
from bot.storage import repo
from bot.storage.models import Base, Member

# Rows others count on (an event's answers, check-ins, ratings, votes for the best write-up) stay, re-pointed
# to an anonymous placeholder member: one per event, so nothing links them across events. Values: the column
# that leads to the event. Free text in them is blanked.
KEPT = {"rsvps": "event_id", "attendance": "event_id", "poll_votes": "poll_id", "writeup_votes": "event_id"}
BLANKED = {"poll_votes": ("comment",)}
PLACEHOLDER_NAME = "deleted member"
REDACTED = "[deleted]"


@dataclass(frozen=True)
class Subject:
    """One platform user: their member ids in every community, and the ids that name them."""

    platform: str
    user_id: str
    member_ids: frozenset[int]
    chat_ids: frozenset[str] = frozenset()  # their private chats with the bot (the user id on Telegram)
    communities: dict[int, int] = field(default_factory=dict, compare=False)  # member id -> community id

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        return re.compile(rf"(?<!\w){re.escape(self.user_id)}(?!\w)")

    def names_text(self, text: str) -> bool:
        """Whether a string is one of their chats or contains their platform id."""
        return text in self.chat_ids or self._pattern.search(text) is not None

    def names(self, value: Any, key: str = "") -> bool:
        """Whether a JSON value names them anywhere inside."""
        if isinstance(value, dict):
            return any(self.names(v, str(k)) for k, v in value.items())
        if isinstance(value, list):
            return any(self.names(v, key) for v in value)
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return _member_key(key) and value in self.member_ids
        return isinstance(value, str) and self.names_text(value)

    def scrub(self, value: Any, key: str = "") -> Any:
        """value without the list items that name them, and with their member ids nulled."""
        if isinstance(value, dict):
            return {k: self.scrub(v, str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub(v, key) for v in value if isinstance(v, dict | list) or not self.names(v, key)]
        if isinstance(value, int) and not isinstance(value, bool) and self.names(value, key):
            return None
        return value

    def redact(self, value: Any) -> Any:
        """value with every string that names them redacted (for rows that must stay)."""
        if isinstance(value, dict):
            return {k: self.redact(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.redact(v) for v in value]
        if isinstance(value, str) and self.names_text(value):
            return REDACTED if value in self.chat_ids else self._pattern.sub(REDACTED, value)
        return value


def _member_key(key: str) -> bool:
    return key in ("member_id", "member_ids") or key.endswith(("_member_id", "_member_ids"))


async def subject_of(session: AsyncSession, platform: str, user_id: str, chat_ids: set[str]) -> Subject:
    """The subject for a platform user, with every membership they have on that platform."""
    memberships = await repo.members_of_user(session, platform, user_id)
    return Subject(
        platform=platform,
        user_id=user_id,
        member_ids=frozenset(m.id for m, _ in memberships),
        chat_ids=frozenset({user_id, *chat_ids}),
        communities={m.id: c.id for m, c in memberships},
    )


def metadata() -> MetaData:
    """The schema, with the models of every bot.storage module loaded."""
    for info in pkgutil.iter_modules(bot.storage.__path__):
        importlib.import_module(f"bot.storage.{info.name}")
    return Base.metadata


async def existing_tables(session: AsyncSession) -> list[Table]:
    """Tables of the schema that exist in this database, parents before children."""
    names = set(await session.run_sync(lambda s: inspect(s.connection()).get_table_names()))
    return [t for t in metadata().sorted_tables if t.name in names]


def member_columns(table: Table) -> list[Column[Any]]:
    """Columns that hold a member id: foreign keys to members.id (and members.id itself)."""
    if table.name == "members":
        return [table.c.id]
    return [c for c in table.columns if any(fk.column.table.name == "members" for fk in c.foreign_keys)]


def json_columns(table: Table) -> list[Column[Any]]:
    return [c for c in table.columns if isinstance(c.type, JSON)]


def _might_name(column: Column[Any], subject: Subject) -> ColumnElement[bool]:
    """A cheap SQL filter for JSON that might name the subject (checked exactly in Python)."""
    needles = [subject.user_id, *subject.chat_ids] + (["member_id"] if subject.member_ids else [])
    if not all(n.isascii() for n in needles):  # JSON text escapes other characters
        return true()
    text = cast(column, String)
    return or_(*(text.contains(n, autoescape=True) for n in needles))


def _is_leaf(table: Table, tables: list[Table]) -> bool:
    """Nothing references the table's rows, so deleting one never cascades."""
    return not any(fk.column.table is table for t in tables for fk in t.foreign_keys)


async def rows_about(session: AsyncSession, subject: Subject) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table that names the subject, by table name."""
    found: dict[str, list[dict[str, Any]]] = {}
    ids = subject.member_ids
    for table in await existing_tables(session):
        members, jsons = member_columns(table), json_columns(table)
        conditions = [c.in_(ids) for c in members if ids] + [_might_name(c, subject) for c in jsons]
        if not conditions:
            continue
        result = await session.execute(select(table).where(or_(*conditions)))
        rows = [
            dict(row)
            for row in result.mappings()
            if any(row[c.name] in ids for c in members) or any(subject.names(row[c.name]) for c in jsons)
        ]
        if rows:
            found[table.name] = rows
    return found


async def erase(session: AsyncSession, subject: Subject, now: datetime) -> Counter[str]:
    """Delete every row that names the subject; anonymize the rows others count on.

    Returns how many rows were deleted (per table), anonymized ("kept") and scrubbed.
    """
    await session.flush()  # pending ORM changes first: the statements below bypass the ORM
    counts: Counter[str] = Counter()
    tables = await existing_tables(session)
    ids = list(subject.member_ids)
    if ids:
        counts["kept"] = await _anonymize(session, tables, subject, now)
        for table in reversed(tables):  # children before parents, the member rows last
            for column in member_columns(table):
                counts.update(await _clear(session, table, column, ids))
    counts.update(await _scrub_json(session, tables, subject))
    _detach(session, subject)
    return counts


async def _clear(session: AsyncSession, table: Table, column: Column[Any], ids: list[int]) -> Counter[str]:
    """Null a SET NULL reference (an event they created stays), delete the rest."""
    ondelete = next((fk.ondelete for fk in column.foreign_keys), None) or ""
    if ondelete.upper() == "SET NULL":
        result = await session.execute(update(table).where(column.in_(ids)).values({column.name: None}))
        return Counter({"unlinked": result.rowcount or 0})  # type: ignore[attr-defined]
    result = await session.execute(delete(table).where(column.in_(ids)))
    return Counter({table.name: result.rowcount or 0})  # type: ignore[attr-defined]


async def _anonymize(session: AsyncSession, tables: list[Table], subject: Subject, now: datetime) -> int:
    placeholders: dict[tuple[int, int], int] = {}  # (member id, event id) -> placeholder member id
    moved = 0
    for table in tables:
        if table.name not in KEPT:
            continue
        (member_col,), context = member_columns(table), table.c[KEPT[table.name]]
        key = list(table.primary_key.columns)
        rows = (
            await session.execute(select(*key, member_col, context).where(member_col.in_(subject.member_ids)))
        ).all()
        for row in rows:
            member_id, ctx_value = row[len(key)], row[len(key) + 1]
            event_id = await _event_of(session, context, ctx_value)
            if (member_id, event_id) not in placeholders:
                placeholders[member_id, event_id] = await _placeholder(
                    session, subject.communities[member_id], now
                )
            values: dict[str, Any] = {member_col.name: placeholders[member_id, event_id]}
            values |= dict.fromkeys(BLANKED.get(table.name, ()))
            where = [c == row[i] for i, c in enumerate(key)]
            await session.execute(update(table).where(*where).values(values))
            moved += 1
    return moved


async def _event_of(session: AsyncSession, column: Column[Any], value: Any) -> int:
    """The event a kept row belongs to (directly, or through e.g. its poll)."""
    fk = next(iter(column.foreign_keys))
    if fk.column.table.name == "events":
        return int(value)
    event_id = await session.scalar(select(fk.column.table.c.event_id).where(fk.column == value))
    assert event_id is not None  # the foreign key guarantees it
    return int(event_id)


async def _placeholder(session: AsyncSession, community_id: int, now: datetime) -> int:
    member = Member(
        community_id=community_id, user_id=f"deleted:{uuid.uuid4().hex}", display_name=PLACEHOLDER_NAME,
        role="member", analytics_opt_out=False, reminders_opt_out=True, can_dm=False, is_member=False,
        created_at=now,
    )  # fmt: skip
    session.add(member)
    await session.flush()
    return member.id


async def _scrub_json(session: AsyncSession, tables: list[Table], subject: Subject) -> Counter[str]:
    """Rows whose JSON names them: leaf rows addressed to them go; the rest lose the mention."""
    counts: Counter[str] = Counter()
    for table in tables:
        jsons = json_columns(table)
        if not jsons or table.name == "members":
            continue
        key = list(table.primary_key.columns)
        result = await session.execute(select(table).where(or_(*(_might_name(c, subject) for c in jsons))))
        for row in list(result.mappings()):
            if not any(subject.names(row[c.name]) for c in jsons):
                continue
            where = [c == row[c.name] for c in key]
            values = {c.name: subject.scrub(row[c.name]) for c in jsons}
            if any(subject.names(v) for v in values.values()):
                if _is_leaf(table, tables):  # e.g. a message to their private chat
                    await session.execute(delete(table).where(*where))
                    counts[table.name] += 1
                    continue
                values = {name: subject.redact(v) for name, v in values.items()}
            await session.execute(update(table).where(*where).values(values))
            counts["scrubbed"] += 1
    return counts


def _detach(session: AsyncSession, subject: Subject) -> None:
    """Forget loaded objects of rows that were deleted or re-pointed, so the commit leaves them alone."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Member) and obj.id in subject.member_ids:
            session.expunge(obj)
        elif getattr(obj, "member_id", None) in subject.member_ids:
            session.expunge(obj)
