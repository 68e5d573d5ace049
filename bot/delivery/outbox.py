"""Writing rows to the outbox. Every message the bot sends starts here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import update
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


async def cancel_pending(
    session: AsyncSession, *, event_id: int, kinds: Iterable[str], keep_keys: Iterable[str] = ()
) -> int:
    """Cancel an event's pending deliveries of the given kinds, except keep_keys; return how many."""
    stmt = (
        update(Delivery)
        .where(
            Delivery.event_id == event_id,
            Delivery.status == "pending",
            Delivery.kind.in_(tuple(kinds)),
        )
        .values(status="cancelled")
    )
    keep = tuple(keep_keys)
    if keep:
        stmt = stmt.where(Delivery.dedupe_key.not_in(keep))
    result = await session.execute(stmt)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
