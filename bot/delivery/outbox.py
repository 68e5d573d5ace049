"""Writing rows to the outbox. Every message the bot sends starts here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Delivery
from bot.storage.repo import dialect_insert


def _values(
    key: str, platform: str, kind: str, due_at: datetime, now: datetime, **extra: Any
) -> dict[str, Any]:
    return {
        "dedupe_key": key,
        "platform": platform,
        "kind": kind,
        "due_at": due_at,
        "status": "pending",
        "attempts": 0,
        "generation": 0,
        "created_at": now,
        "payload": extra.pop("payload", None) or {},
        **extra,
    }


@dataclass(frozen=True)
class Planned:
    """One scheduled delivery for plan_many."""

    key: str
    platform: str
    kind: str
    due_at: datetime
    community_id: int | None = None
    event_id: int | None = None
    member_id: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)


async def enqueue(
    session: AsyncSession,
    *,
    key: str,
    platform: str,
    kind: str,
    due_at: datetime,
    now: datetime,
    **extra: Any,
) -> None:
    """Add a delivery once: a second call with the same key changes nothing."""
    stmt = dialect_insert(session, Delivery).values(_values(key, platform, kind, due_at, now, **extra))
    await session.execute(stmt.on_conflict_do_nothing(index_elements=["dedupe_key"]))


async def rearm(
    session: AsyncSession,
    *,
    key: str,
    platform: str,
    kind: str,
    due_at: datetime,
    now: datetime,
    **extra: Any,
) -> None:
    """Add a delivery, or make a finished one pending again (for idempotent edits such as live counts).

    A row still pending is left alone, so many changes coalesce into one edit.
    """
    stmt = dialect_insert(session, Delivery).values(_values(key, platform, kind, due_at, now, **extra))
    stmt = stmt.on_conflict_do_update(
        index_elements=["dedupe_key"],
        set_={
            "status": "pending",
            "due_at": due_at,
            "attempts": 0,
            "generation": Delivery.generation + 1,
            "last_error": None,
            "lease_until": None,
        },
        where=Delivery.status != "pending",
    )
    await session.execute(stmt)


async def plan(
    session: AsyncSession,
    *,
    key: str,
    platform: str,
    kind: str,
    due_at: datetime,
    now: datetime,
    **extra: Any,
) -> None:
    """Add a scheduled delivery or move a pending/cancelled one; a sent one is never sent again."""
    stmt = dialect_insert(session, Delivery).values(_values(key, platform, kind, due_at, now, **extra))
    stmt = stmt.on_conflict_do_update(
        index_elements=["dedupe_key"],
        set_={"status": "pending", "due_at": due_at, "payload": stmt.excluded.payload},
        where=Delivery.status.in_(("pending", "cancelled")),
    )
    await session.execute(stmt)


async def plan_many(session: AsyncSession, rows: Sequence[Planned], *, now: datetime) -> None:
    """plan() for many rows in one statement executed for all of them (an event with many recipients)."""
    if not rows:
        return
    table = Delivery.__table__
    stmt = dialect_insert(session, table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["dedupe_key"],
        set_={"status": "pending", "due_at": stmt.excluded.due_at, "payload": stmt.excluded.payload},
        where=or_(table.c.status == "pending", table.c.status == "cancelled"),  # no IN: executemany
    )
    ids = ("community_id", "event_id", "member_id")
    params = [
        _values(
            r.key, r.platform, r.kind, r.due_at, now, payload=r.payload, **{k: getattr(r, k) for k in ids}
        )
        for r in rows
    ]
    for i in range(0, len(params), 1000):
        await session.execute(stmt, params[i : i + 1000])


async def cancel_pending(
    session: AsyncSession, *, event_id: int, kinds: Iterable[str], keep_keys: Iterable[str] = ()
) -> int:
    """Cancel an event's pending deliveries of the given kinds, except keep_keys; return how many.

    The keys to keep are compared here, not sent as a NOT IN list: an event with many recipients keeps
    more keys than a database accepts as bound parameters.
    """
    keep = set(keep_keys)
    pending = await session.execute(
        select(Delivery.id, Delivery.dedupe_key).where(
            Delivery.event_id == event_id, Delivery.status == "pending", Delivery.kind.in_(tuple(kinds))
        )
    )
    ids = [row_id for row_id, key in pending if key not in keep]
    for i in range(0, len(ids), 1000):
        await session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids[i : i + 1000]), Delivery.status == "pending")
            .values(status="cancelled")
            .execution_options(synchronize_session=False)
        )
    return len(ids)
