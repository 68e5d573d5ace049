"""The relay: sends due outbox rows through the adapters, within rate limits, exactly once in effect.

Each row goes pending -> sending (with a lease) -> sent | failed | skipped. A crash while
a row is ``sending`` leaves it to be retried when its lease expires; the idempotency key
(the row's dedupe key) lets an adapter that supports it drop the repeat. The only
at-least-once window is between the platform accepting a message and our commit of
``sent``, and only on platforms without idempotent sends: there it holds at most
``delivery.max_in_flight`` messages (1 by default) per crash of a relay.

One pass (``tick``):

1. claim: one transaction selects the due rows, loads what they are about in bulk, renders them
   (read-only kinds without a savepoint), asks the rate limiter, and takes the rows that may go now
   with one compare-and-set UPDATE;
2. send them in groups. A group holds at most ``max_in_flight`` sends to a platform without idempotent
   sends (any number to one with them); sends to different chats in a group may run concurrently, a
   chat's own messages go one after another in order;
3. record each group's outcomes in one commit before the next group is sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Config
from bot.delivery.ratelimit import RateLimiter
from bot.delivery.render import RENDERERS, OutboxRow, RenderCtx
from bot.domain.messages import OutMessage, SentRef
from bot.ports import ChatAdapter, PermanentError, RetryAfter, TransientError, Unreachable
from bot.storage.models import Community, Delivery, Event, Member

logger = logging.getLogger(__name__)

TABLE = Delivery.__table__
CHUNK = 500  # ids per IN (...) list, well under every driver's limit on bound parameters
LOADED_MEMO = "relay.loaded"  # RenderCtx.memo key: the batch's prefetched objects (strong references)

# One statement, executed for many rows at once: each row becomes sent only if it is still ours.
MARK_SENT = (
    update(TABLE)
    .where(
        TABLE.c.id == bindparam("row_id"),
        TABLE.c.status == "sending",
        TABLE.c.attempts == bindparam("seen_attempts"),
    )
    .values(
        status="sent", sent_at=bindparam("now"), platform_message_id=bindparam("message_id"), lease_until=None
    )
)


class _Careful(Exception):
    """A read-only renderer failed outside a savepoint: redo the batch one savepoint per row."""


@dataclass
class _Send:
    """One claimed row on its way out, and what the platform said."""

    row: OutboxRow
    message: OutMessage
    ref: SentRef | None = None
    error: Exception | None = None
    late: bool = False  # its lease ran out before its turn: not sent, handed back


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class Relay:
    """Delivers the outbox."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        adapters: Mapping[str, ChatAdapter],
        clock: Clock,
        config: Config,
    ) -> None:
        self._sessions = sessions
        self._adapters = adapters
        self._clock = clock
        self._config = config
        self.limiter = RateLimiter(config.rate_limit, lambda: clock.now().timestamp())
        self._lock = asyncio.Lock()

    async def tick(self) -> int:
        """Send what is due now (one batch); return how many were sent.

        The outcomes of a group of sends are committed before the next group goes out, so a crash
        repeats at most one group's sends (one message with the default ``max_in_flight = 1``).
        """
        async with self._lock:
            sent = 0
            claimed = [_Send(row, message) for row, message in await self._claim_batch()]
            for group in self._groups(claimed):
                await self._send_group(group)
                sent += await self._record(group)
            return sent

    async def drain(self, max_rounds: int = 1000) -> int:
        """Tick until nothing due can go now; return how many were sent."""
        total = 0
        for _ in range(max_rounds):
            sent = await self.tick()
            total += sent
            if sent == 0:
                break
        return total

    async def next_due_at(self) -> datetime | None:
        """When the earliest pending row falls due (None if none)."""
        async with self._sessions() as session:
            return await session.scalar(
                select(func.min(Delivery.due_at)).where(
                    Delivery.status == "pending", Delivery.platform.in_(tuple(self._adapters))
                )
            )

    # -- claiming ---------------------------------------------------------------------------------

    async def _claim_batch(self) -> list[tuple[OutboxRow, OutMessage]]:
        """Render due rows and take those whose chat may receive now (pending -> sending)."""
        now = self._clock.now()
        try:
            return await self._claim(now, careful=False)
        except _Careful:
            return await self._claim(now, careful=True)

    async def _claim(self, now: datetime, *, careful: bool) -> list[tuple[OutboxRow, OutMessage]]:
        async with self._sessions() as session:
            rows = await self._due_rows(session, now)
            if not rows:
                return []
            memo: dict[Any, Any] = {}
            ctxs = {
                p: RenderCtx(session, self._config, now, self._adapters[p].capabilities, memo)
                for p in {r.platform for r in rows}
            }
            await self._prefetch(session, rows, ctxs)
            # No more messages are rendered for a platform than its global rate limit lets go now
            # (Telegram: 30 a second), so a big batch does not render hundreds of rows to send a few.
            budget = {p: self.limiter.available(p) for p in ctxs}
            rendered: dict[int, OutMessage | None] = {}
            if not careful:  # read-only kinds first, no savepoint and no rate limiter yet
                for row in rows:
                    renderer = RENDERERS.get(row.kind)
                    if renderer is not None and renderer.read_only and budget[row.platform] >= 1:
                        try:
                            message = rendered[row.id] = await renderer.render(ctxs[row.platform], row)
                        except Exception:  # noqa: BLE001 - redone carefully, where it is failed alone
                            logger.warning("rendering delivery %s failed; redoing the batch", row.id)
                            await session.rollback()
                            raise _Careful from None
                        if message is not None:
                            budget[row.platform] -= 1
            blocked: set[tuple[str, str]] = set()
            wanted: list[tuple[OutboxRow, OutMessage]] = []
            skipped: list[int] = []
            failed: list[tuple[int, str]] = []
            for row in rows:
                renderer = RENDERERS.get(row.kind)
                if renderer is None:
                    logger.error("no renderer for delivery kind %s (row %s)", row.kind, row.id)
                    failed.append((row.id, f"no renderer for {row.kind}"))
                    continue
                if row.id in rendered:
                    message = rendered[row.id]
                    if message is not None and not self._may_send(row, message, blocked):
                        continue
                elif budget[row.platform] < 1 or (renderer.read_only and not careful):
                    continue  # over this pass's budget: it waits for the next pass
                else:
                    row_id = row.id
                    outcome = await self._render_in_savepoint(session, row, ctxs[row.platform], blocked)
                    memo.clear()  # it may have written: what other rows cached may be stale
                    if outcome == "error":
                        failed.append((row_id, "render error"))
                        continue
                    if outcome == "held":
                        continue
                    message = outcome
                    if message is not None:
                        budget[row.platform] -= 1
                if message is None:
                    skipped.append(row.id)
                else:
                    wanted.append((row, message))
            claimed = await self._take(session, now, wanted)
            await self._finish(session, now, skipped, failed)
            await session.commit()
        lease = now + timedelta(seconds=self._config.lease_seconds)
        for row, _ in claimed:
            row.status, row.attempts, row.lease_until = "sending", row.attempts + 1, lease
        return claimed

    async def _due_rows(self, session: AsyncSession, now: datetime) -> list[OutboxRow]:
        """Up to batch_size due rows, oldest due_at first: pending ones, and sending ones whose lease ran out.

        Two queries, each walking the (status, due_at, id) index in order and stopping at the limit;
        one query with OR would collect every due row and sort them all. The rows stay locked until the
        claim commits (PostgreSQL: FOR UPDATE SKIP LOCKED, so another relay takes other rows; SQLite: the
        transaction began with BEGIN IMMEDIATE), so nothing changes them between this read and the claim.
        """
        platforms = tuple(self._adapters)
        found: list[OutboxRow] = []
        for status, ready in (("pending", TABLE.c.due_at <= now), ("sending", TABLE.c.lease_until < now)):
            result = await session.execute(
                select(TABLE)
                .where(TABLE.c.status == status, ready, TABLE.c.platform.in_(platforms))
                .order_by(TABLE.c.due_at, TABLE.c.id)
                .limit(self._config.batch_size)
                .with_for_update(skip_locked=True)
            )
            found += (OutboxRow(**row) for row in result.mappings())
        found.sort(key=lambda r: (r.due_at, r.id))
        return found[: self._config.batch_size]

    async def _prefetch(
        self, session: AsyncSession, rows: Sequence[OutboxRow], ctxs: Mapping[str, RenderCtx]
    ) -> None:
        """Load the batch's events, communities and members in bulk, then each kind's own prefetch.

        The loaded objects are kept in the memo: the session's identity map holds them only weakly,
        and ``session.get`` finds them there without a query.
        """
        loaded: list[Any] = next(iter(ctxs.values())).memo.setdefault(LOADED_MEMO, [])
        for model, column in ((Event, "event_id"), (Community, "community_id"), (Member, "member_id")):
            ids = sorted({getattr(r, column) for r in rows} - {None})
            for chunk in _chunks(ids):
                loaded += await session.scalars(select(model).where(model.id.in_(chunk)))
        by_kind: dict[tuple[str, str], list[OutboxRow]] = {}
        for row in rows:
            by_kind.setdefault((row.kind, row.platform), []).append(row)
        for (kind, platform), group in by_kind.items():
            renderer = RENDERERS.get(kind)
            if renderer is not None and renderer.prefetch is not None:
                for chunk in _chunks(group):
                    await renderer.prefetch(ctxs[platform], chunk)

    async def _render_in_savepoint(
        self, session: AsyncSession, row: OutboxRow, rc: RenderCtx, blocked: set[tuple[str, str]]
    ) -> OutMessage | None | str:
        """Render a row that may write; undo its writes if it fails or its chat must wait.

        Returns the message (None: skipped), "error" or "held" (rate limited).
        """
        row_id = row.id
        savepoint = await session.begin_nested()
        try:
            message = await RENDERERS[row.kind].render(rc, row)
        except Exception:  # noqa: BLE001 - a broken row must not stop the relay
            logger.exception("rendering delivery %s failed", row_id)
            await savepoint.rollback()
            return "error"
        if message is not None and not self._may_send(row, message, blocked):
            await savepoint.rollback()
            return "held"
        await savepoint.commit()
        return message

    def _may_send(self, row: OutboxRow, message: OutMessage, blocked: set[tuple[str, str]]) -> bool:
        """Ask the rate limiter; once a chat is held back, later rows to it wait too (keeps its order)."""
        chat = (row.platform, message.target.chat_id)
        if chat in blocked or self.limiter.try_acquire(row.platform, chat[1], message.target.is_private) > 0:
            blocked.add(chat)
            return False
        return True

    def _still_due(self, ids: Sequence[int], now: datetime):  # type: ignore[no-untyped-def]
        """The rows among ids that are still due (they are locked: this only guards our own writes)."""
        return and_(
            TABLE.c.id.in_(ids),
            or_(
                TABLE.c.status == "pending",
                and_(TABLE.c.status == "sending", TABLE.c.lease_until < now),
            ),
        )

    async def _take(
        self, session: AsyncSession, now: datetime, wanted: list[tuple[OutboxRow, OutMessage]]
    ) -> list[tuple[OutboxRow, OutMessage]]:
        """pending -> sending, with a lease, for the rendered rows whose chat may receive now."""
        lease = now + timedelta(seconds=self._config.lease_seconds)
        taken: set[int] = set()
        for chunk in _chunks([row.id for row, _ in wanted]):
            result = await session.execute(
                update(TABLE)
                .where(self._still_due(chunk, now))
                .values(status="sending", attempts=TABLE.c.attempts + 1, lease_until=lease)
                .returning(TABLE.c.id)
            )
            taken.update(result.scalars())
        return [(row, message) for row, message in wanted if row.id in taken]

    async def _finish(
        self, session: AsyncSession, now: datetime, skipped: list[int], failed: list[tuple[int, str]]
    ) -> None:
        """Rows whose purpose has gone become skipped; rows that cannot be rendered, failed."""
        for chunk in _chunks(skipped):
            await session.execute(
                update(TABLE)
                .where(self._still_due(chunk, now))
                .values(status="skipped", sent_at=now, lease_until=None)
            )
        for row_id, reason in failed:
            await session.execute(
                update(TABLE)
                .where(self._still_due([row_id], now))
                .values(status="failed", last_error=reason, lease_until=None)
            )

    # -- sending --------------------------------------------------------------------------------

    def _groups(self, claimed: list[_Send]) -> Iterator[list[_Send]]:
        """Cut the batch into groups whose outcomes are committed together.

        A group closes once it holds ``max_in_flight`` sends to platforms without idempotent sends:
        those are the messages a crash before the group's commit would repeat. Sends to a platform
        that drops a repeated idempotency key do not count (a repeat carries the same key).
        """
        group: list[_Send] = []
        risky = 0
        for item in claimed:
            group.append(item)
            if not self._adapters[item.row.platform].capabilities.idempotent_send:
                risky += 1
            if risky >= self._config.max_in_flight:
                yield group
                group, risky = [], 0
        if group:
            yield group

    async def _send_group(self, group: list[_Send]) -> None:
        """Send a group: each chat's messages in order, different chats concurrently (max_in_flight)."""
        if self._config.max_in_flight <= 1 or len(group) == 1:
            for item in group:
                await self._send(item)
            return
        chains: dict[tuple[str, str], list[_Send]] = {}
        for item in group:
            chains.setdefault((item.row.platform, item.message.target.chat_id), []).append(item)
        gate = asyncio.Semaphore(self._config.max_in_flight)

        async def run(chain: list[_Send]) -> None:
            for item in chain:
                async with gate:
                    await self._send(item)

        await asyncio.gather(*(run(chain) for chain in chains.values()))

    async def _send(self, item: _Send) -> None:
        row = item.row
        if row.lease_until is not None and self._clock.now() >= row.lease_until:
            # Slow sends ahead of it used up its lease: another relay may take it over now, so
            # sending it here could send it twice. Hand it back instead.
            item.late = True
            return
        try:
            if item.message.finish is not None:  # slow work, done now that no transaction is open
                item.message = await asyncio.to_thread(item.message.finish)
            item.ref = await self._adapters[row.platform].send(
                item.message, idempotency_key=f"{row.dedupe_key}#{row.generation}"
            )
        except Exception as exc:  # noqa: BLE001 - every failure is recorded, none stops the relay
            item.error = exc
            if isinstance(exc, RetryAfter):  # the paused bucket holds the chat back from now on
                self.limiter.pause(
                    row.platform, exc.scope_chat_id or item.message.target.chat_id, exc.seconds
                )

    # -- recording ------------------------------------------------------------------------------

    async def _record(self, group: list[_Send]) -> int:
        """Commit what happened to a group of sends; return how many were sent."""
        now = self._clock.now()
        async with self._sessions() as session:
            plain = [
                {
                    "row_id": s.row.id,
                    "seen_attempts": s.row.attempts,
                    "message_id": s.ref.message_id,
                    "now": now,
                }
                for s in group
                if s.ref is not None and RENDERERS[s.row.kind].after_sent is None
            ]
            if plain:
                await session.execute(MARK_SENT, plain)
            for item in group:
                if item.ref is not None:
                    if RENDERERS[item.row.kind].after_sent is not None:
                        await self._mark_sent_with_hook(session, item.row, item.ref, now)
                elif item.late:
                    await self._cas(session, item.row, status="pending", attempts=item.row.attempts - 1)
                elif item.error is not None:
                    await self._failed_send(session, item.row, item.error, now)
            await session.commit()
        return sum(1 for item in group if item.ref is not None)

    async def _mark_sent_with_hook(
        self, session: AsyncSession, row: OutboxRow, ref: SentRef, now: datetime
    ) -> None:
        params = {"row_id": row.id, "seen_attempts": row.attempts, "message_id": ref.message_id, "now": now}
        result = await session.execute(MARK_SENT, params)
        if not result.rowcount:  # type: ignore[attr-defined]
            return  # another relay took the row over after our lease ran out
        renderer = RENDERERS[row.kind]
        assert renderer.after_sent is not None
        try:
            async with session.begin_nested():
                fresh = await session.get(Delivery, row.id)
                assert fresh is not None
                rc = RenderCtx(session, self._config, now, self._adapters[row.platform].capabilities)
                await renderer.after_sent(rc, fresh, ref)
        except Exception:  # noqa: BLE001 - the message went out: it stays sent, whatever the hook did
            logger.exception("after-send step of delivery %s failed", row.id)

    async def _failed_send(
        self, session: AsyncSession, row: OutboxRow, exc: Exception, now: datetime
    ) -> None:
        if isinstance(exc, RetryAfter):
            # Not counted as an attempt; due_at stays, so the chat's order is kept.
            await self._cas(
                session, row, status="pending", attempts=row.attempts - 1, last_error=str(exc)[:500]
            )
        elif isinstance(exc, Unreachable):
            await self._unreachable(session, row, str(exc), now)
        elif isinstance(exc, PermanentError):
            await self._cas(session, row, status="failed", last_error=str(exc)[:500])
            logger.warning("delivery %s failed for good: %s", row.id, exc)
        else:
            if not isinstance(exc, TransientError):
                logger.error("adapter error on delivery %s", row.id, exc_info=exc)
            await self._retry(session, row, str(exc), now)

    async def _cas(self, session: AsyncSession, row: OutboxRow, **values: object) -> bool:
        """Record the outcome of our send, only if the row is still ours (no other relay re-took it)."""
        result = await session.execute(
            update(TABLE)
            .where(TABLE.c.id == row.id, TABLE.c.status == "sending", TABLE.c.attempts == row.attempts)
            .values(lease_until=None, **values)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def _settle(self, row: OutboxRow, **values: object) -> bool:
        """_cas in a transaction of its own."""
        async with self._sessions() as session:
            ours = await self._cas(session, row, **values)
            await session.commit()
            return ours

    async def _retry(self, session: AsyncSession, row: OutboxRow, error: str, now: datetime) -> None:
        if row.attempts >= self._config.max_attempts:
            reason = f"gave up after {row.attempts} attempts: {error}"[:500]
            await self._cas(session, row, status="failed", last_error=reason)
            return
        delay = timedelta(seconds=min(3600, 5 * 2 ** (row.attempts - 1)))
        await self._cas(session, row, status="pending", due_at=now + delay, last_error=error[:500])

    async def _unreachable(self, session: AsyncSession, row: OutboxRow, error: str, now: datetime) -> None:
        renderer = RENDERERS[row.kind]
        try:
            async with session.begin_nested():
                if not await self._cas(
                    session, row, status="failed", last_error=("unreachable: " + error)[:500]
                ):
                    return  # another relay took the row over after our lease ran out
                if renderer.on_unreachable is not None:
                    fresh = await session.get(Delivery, row.id)
                    assert fresh is not None
                    rc = RenderCtx(session, self._config, now, self._adapters[row.platform].capabilities)
                    await renderer.on_unreachable(rc, fresh)
        except Exception:  # noqa: BLE001 - the fallback is retried with the row, never lost
            logger.exception("fallback of unreachable delivery %s failed; retrying it", row.id)
            await self._retry(session, row, f"unreachable, fallback failed: {error}", now)
