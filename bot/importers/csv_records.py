"""Spreadsheet records organizers already keep: members, attendance, ratings (CSV, UTF-8, header row).

Columns (case-insensitive; others are ignored):

- every kind: ``member`` (the platform user id, required), ``name`` (display name, optional);
- members: ``time`` (when they joined, optional);
- attendance: ``event`` (title), ``time`` (its start), ``attended`` (yes/no, 1/0, true/false; default yes),
  ``tags`` (the event's tags, ``;``-separated, optional), ``type`` (event kind, optional);
- ratings: ``event``, ``time``, ``rating`` (1–5), ``comment`` (optional).

Times are ISO 8601 (``2025-03-01 19:00``); without an offset they are in the configured timezone.
Every line is checked before anything is written; then everything is written in one transaction.
Members join through App.ingest_batch (MemberJoined, the live path); attendance and ratings have no
chat event, so they are written as events, check-ins and closed feedback polls, matched by (title,
start) so a second import adds nothing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.app import App
from bot.config import Config
from bot.domain.events import ChatRef, MemberJoined, UserRef
from bot.features.common import EVENT_KINDS
from bot.importers.common import ImportFormatError
from bot.storage import repo
from bot.storage.models import Attendance, Event, EventTag, Poll, PollVote, Rsvp

KINDS = ("members", "attendance", "ratings")
REQUIRED = {"members": ("member",), "attendance": ("member", "event", "time"),
            "ratings": ("member", "event", "time", "rating")}  # fmt: skip
YES, NO = ("yes", "y", "1", "true", "x", "是"), ("no", "n", "0", "false", "", "否")


@dataclass
class Record:
    line: int
    member: str
    name: str
    time: datetime | None = None
    event: str = ""
    attended: bool = True
    rating: int | None = None
    comment: str | None = None
    tags: list[str] = field(default_factory=list)
    kind: str = "discussion"


def parse_file(path: str, kind: str, tz: str) -> list[Record]:
    """Every line, validated; ImportFormatError names the first bad line (header: line 1)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip().lower() for h in reader.fieldnames or []]
            missing = [c for c in REQUIRED[kind] if c not in header]
            if missing:
                raise ImportFormatError(
                    f"{path}: line 1: missing column(s) {', '.join(missing)} for --kind {kind}"
                )
            reader.fieldnames = header
            return [_record(row, reader.line_num, kind, ZoneInfo(tz), path) for row in reader]
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{path}: not UTF-8 text at byte {exc.start}") from None
    except csv.Error as exc:
        raise ImportFormatError(f"{path}: not a valid CSV file: {exc}") from None


def _record(row: dict[str, Any], line: int, kind: str, tz: ZoneInfo, path: str) -> Record:
    def cell(name: str) -> str:
        value = row.get(name)
        return value.strip() if isinstance(value, str) else ""

    where = f"{path}: line {line}"
    for col in REQUIRED[kind]:
        if not cell(col):
            raise ImportFormatError(f"{where}: {col!r} is empty")
    member = cell("member")
    if not member.lstrip("-").isdigit():
        raise ImportFormatError(f"{where}: member {member!r} is not a platform user id (digits)")
    record = Record(
        line, member, cell("name") or member, _time(cell("time"), tz, where) if cell("time") else None
    )
    record.event = cell("event")[:200]
    if kind == "attendance":
        attended = cell("attended").lower()
        if attended not in YES + NO:
            raise ImportFormatError(f"{where}: attended {cell('attended')!r} is not yes or no")
        record.attended = attended in YES or "attended" not in row  # no such column: they attended
        record.tags = [t.strip().lower()[:64] for t in cell("tags").split(";") if t.strip()]
        record.kind = cell("type").lower() or "discussion"
        if record.kind not in EVENT_KINDS:
            raise ImportFormatError(f"{where}: type {record.kind!r} is not one of {', '.join(EVENT_KINDS)}")
    if kind == "ratings":
        if not cell("rating").isdigit() or not 1 <= int(cell("rating")) <= 5:
            raise ImportFormatError(f"{where}: rating {cell('rating')!r} is not a whole number from 1 to 5")
        record.rating, record.comment = int(cell("rating")), cell("comment") or None
    return record


def _time(text: str, tz: ZoneInfo, where: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("/", "-"))
    except ValueError:
        raise ImportFormatError(f"{where}: invalid time {text!r} (use 2025-03-01 19:00)") from None
    return (value if value.tzinfo else value.replace(tzinfo=tz)).astimezone(UTC)


async def import_records(
    app: App, config: Config, records: list[Record], kind: str, platform: str, chat_id: str
) -> dict[str, int]:
    """Write the records; counts of what was added."""
    chat = ChatRef(platform, chat_id, False, "")
    now = datetime.now(UTC)
    if kind == "members":
        events = [
            MemberJoined(source_id=f"import:csv:join:{chat_id}:{r.member}", chat=chat,
                         user=UserRef(r.member, r.name), occurred_at=r.time or now)
            for r in records
        ]  # fmt: skip
        return {"members joined": await app.ingest_batch(events)}
    counts = {"events": 0, "check-ins": 0, "no-shows": 0, "ratings": 0}
    async with app.sessions() as session:
        community = await repo.community_for_chat(session, chat, config, now)
        users = {r.member: (UserRef(r.member, r.name), r.time or now) for r in records}
        members = await repo.members_for_users(session, community, users)
        events: dict[tuple[str, datetime], Event] = {}
        for r in records:
            assert r.time is not None
            key = (r.event, r.time)
            if key not in events:
                events[key], created = await _event(session, community.id, r, config.default_duration, now)
                counts["events"] += created
                await session.flush()
            event, member = events[key], members[r.member]
            if kind == "attendance":
                counts["check-ins" if r.attended else "no-shows"] += await _attendance(
                    session, event, member.id, r
                )
            else:
                counts["ratings"] += await _rating(session, event, member.id, r, now)
        await session.commit()
    return counts


async def _event(
    session: Any, community_id: int, r: Record, duration: timedelta, now: datetime
) -> tuple[Event, int]:
    assert r.time is not None
    found = await session.scalar(
        select(Event).where(
            Event.community_id == community_id, Event.title == r.event, Event.starts_at == r.time
        )
    )
    if found is not None:
        return found, 0
    event = Event(community_id=community_id, title=r.event, kind=r.kind, starts_at=r.time, ends_at=r.time + duration,
                  status="scheduled", created_at=now, updated_at=now)  # fmt: skip
    session.add(event)
    await session.flush()
    for tag in dict.fromkeys(r.tags):
        session.add(EventTag(event_id=event.id, tag=tag))
    return event, 1


async def _attendance(session: Any, event: Event, member_id: int, r: Record) -> int:
    """A going RSVP, and a check-in when they attended (1 if anything was added)."""
    added = 0
    for model, values in (
        (Rsvp, {"status": "going", "created_at": event.starts_at, "updated_at": event.starts_at}),
        (Attendance, {"checked_in_at": event.starts_at, "source": "import"} if r.attended else None),
    ):
        if values is None:
            continue
        stmt = repo.dialect_insert(session, model).values(event_id=event.id, member_id=member_id, **values)
        result = await session.execute(stmt.on_conflict_do_nothing())
        added = max(added, int(result.rowcount or 0))
    return added


async def _rating(session: Any, event: Event, member_id: int, r: Record, now: datetime) -> int:
    poll = await session.scalar(select(Poll).where(Poll.event_id == event.id, Poll.kind == "satisfaction"))
    if poll is None:
        poll = Poll(event_id=event.id, kind="satisfaction", status="closed", opened_at=event.ends_at,
                    closes_at=event.ends_at)  # fmt: skip
        session.add(poll)
        await session.flush()
    stmt = repo.dialect_insert(session, PollVote).values(
        poll_id=poll.id, member_id=member_id, score=r.rating, comment=r.comment, voted_at=event.ends_at
    )
    result = await session.execute(stmt.on_conflict_do_nothing())
    return int(result.rowcount or 0)
