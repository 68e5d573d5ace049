"""Writing the outbox in bulk: plan_many keeps plan's rules, cancel_pending scales to huge events.
SQLite and (with GATHERBOT_TEST_POSTGRES_URL) PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.delivery import outbox
from bot.storage import db
from bot.storage.models import Delivery
from tests.harness import Harness


async def harness(db_url: str) -> Harness:
    await db.upgrade_async(db_url)
    return await Harness.create(db_url)


async def test_cancel_pending_keeps_more_keys_than_a_statement_can_bind(db_url) -> None:  # type: ignore[no-untyped-def]
    """A huge event keeps more keys than a statement can bind (asyncpg: 32767; this SQLite: 250000)."""
    h = await harness(db_url)
    try:
        await h("alice: /newevent Talk 2026-12-05 19:00")
        async with h.app.sessions() as s:
            keys = {
                r.dedupe_key: r for r in await s.scalars(select(Delivery).where(Delivery.kind == "checkin"))
            }
            (key,) = keys
            keep = [f"rem:1:{i}:60" for i in range(300_000)]
            assert await outbox.cancel_pending(s, event_id=1, kinds=("checkin",), keep_keys=[key, *keep]) == 0
            assert await outbox.cancel_pending(s, event_id=1, kinds=("checkin",), keep_keys=keep) == 1
            await s.commit()
        (row,) = await h.rows(Delivery, Delivery.kind == "checkin")
        assert row.status == "cancelled"
    finally:
        await h.close()


async def test_plan_many_moves_pending_and_cancelled_rows_and_never_touches_sent_ones(db_url) -> None:  # type: ignore[no-untyped-def]
    h = await harness(db_url)
    now = h.clock.now()
    later = now + timedelta(hours=5)
    try:
        async with h.app.sessions() as s:
            for key, status in (("a", "pending"), ("b", "cancelled"), ("c", "sent"), ("d", "sending")):
                await outbox.enqueue(s, key=key, platform="memory", kind="reminder", due_at=now, now=now)
                await s.execute(
                    Delivery.__table__.update().where(Delivery.dedupe_key == key).values(status=status)
                )
            planned = [outbox.Planned(k, "memory", "reminder", later, payload={"offset": 1}) for k in "abcde"]
            await outbox.plan_many(s, planned, now=now)
            await s.commit()
        rows = {r.dedupe_key: r for r in await h.rows(Delivery, Delivery.kind == "reminder")}
        assert {k: (r.status, r.due_at == later, r.payload) for k, r in rows.items()} == {
            "a": ("pending", True, {"offset": 1}),
            "b": ("pending", True, {"offset": 1}),
            "c": ("sent", False, {}),
            "d": ("sending", False, {}),
            "e": ("pending", True, {"offset": 1}),
        }
    finally:
        await h.close()
