"""The relay: sends due outbox rows through the adapters, within rate limits, exactly once in effect.

Each row goes pending -> sending (with a lease) -> sent | failed | skipped. A crash while
a row is ``sending`` leaves it to be retried when its lease expires; the idempotency key
(the row's dedupe key) lets an adapter that supports it drop the repeat. The only
at-least-once window is between the platform accepting a message and our commit of
``sent`` (one round trip), and only on platforms without idempotent sends.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Config
from bot.delivery.ratelimit import RateLimiter
from bot.delivery.render import RENDERERS, RenderCtx
from bot.domain.messages import OutMessage, SentRef
from bot.ports import ChatAdapter, PermanentError, RetryAfter, TransientError, Unreachable
from bot.storage.models import Delivery

logger = logging.getLogger(__name__)


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

    def _due_filter(self, now: datetime):  # type: ignore[no-untyped-def]
        return and_(
            Delivery.platform.in_(tuple(self._adapters)),
            or_(
                and_(Delivery.status == "pending", Delivery.due_at <= now),
                and_(Delivery.status == "sending", Delivery.lease_until < now),
            ),
        )

    async def tick(self) -> int:
        """Send what is due now (one batch); return how many were sent.

        Rows are rendered and claimed in one transaction, then sent one by one, each marked sent
        in its own commit right after its send, so a crash repeats at most the one in flight.
        """
        async with self._lock:
            sent = 0
            for row, message in await self._claim_batch():
                sent += await self._deliver(row, message)
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

    async def _deliver(self, row: Delivery, message: OutMessage) -> int:
        adapter = self._adapters[row.platform]
        try:
            ref = await adapter.send(message, idempotency_key=f"{row.dedupe_key}#{row.generation}")
        except RetryAfter as exc:
            # The paused bucket holds the chat back; due_at stays, so the chat's order is kept.
            self.limiter.pause(row.platform, exc.scope_chat_id or message.target.chat_id, exc.seconds)
            await self._settle(row, status="pending", attempts=row.attempts - 1, last_error=str(exc)[:500])
            return 0
        except Unreachable as exc:
            await self._unreachable(row, str(exc))
            return 0
        except PermanentError as exc:
            await self._settle(row, status="failed", last_error=str(exc)[:500])
            logger.warning("delivery %s failed for good: %s", row.id, exc)
            return 0
        except (TransientError, Exception) as exc:  # noqa: BLE001 - any other failure is retried, never fatal
            if not isinstance(exc, TransientError):
                logger.exception("adapter error on delivery %s", row.id)
            await self._retry(row, str(exc))
            return 0
        await self._mark_sent(row, ref)
        return 1

    async def _claim_batch(self) -> list[tuple[Delivery, OutMessage]]:
        """Render due rows and take those whose chat may receive now (pending -> sending)."""
        now = self._clock.now()
        blocked: set[tuple[str, str]] = set()
        claimed: list[tuple[Delivery, OutMessage]] = []
        async with self._sessions() as session:
            rows = list(
                await session.scalars(
                    select(Delivery)
                    .where(self._due_filter(now))
                    .order_by(Delivery.due_at, Delivery.id)
                    .limit(self._config.batch_size)
                )
            )
            for row in rows:
                message = await self._claim_one(session, row, now, blocked)
                if message is not None:
                    claimed.append((row, message))
            await session.commit()
        return claimed

    async def _claim_one(
        self, session: AsyncSession, row: Delivery, now: datetime, blocked: set[tuple[str, str]]
    ) -> OutMessage | None:
        """Render one row in a savepoint; claim it, or undo what rendering wrote."""
        row_id, claimed_status, attempts = row.id, row.status, row.attempts
        renderer = RENDERERS.get(row.kind)
        if renderer is None:
            logger.error("no renderer for delivery kind %s (row %s)", row.kind, row_id)
            row.status, row.last_error = "failed", f"no renderer for {row.kind}"
            return None
        savepoint = await session.begin_nested()
        rc = RenderCtx(session, self._config, now, self._adapters[row.platform].capabilities)
        try:
            message = await renderer.render(rc, row)
        except Exception:  # noqa: BLE001 - a broken row must not stop the relay
            logger.exception("rendering delivery %s failed", row_id)
            await savepoint.rollback()
            await session.refresh(row)
            row.status, row.last_error, row.lease_until = "failed", "render error", None
            return None
        if message is None:
            await savepoint.commit()
            row.status, row.sent_at = "skipped", now
            return None
        chat = (row.platform, message.target.chat_id)
        if chat in blocked or self.limiter.try_acquire(row.platform, chat[1], message.target.is_private) > 0:
            blocked.add(chat)  # later rows to this chat wait too, so its order holds
            await savepoint.rollback()
            return None
        # Compare-and-set, so two relays never both take the same row.
        lease = now + timedelta(seconds=self._config.lease_seconds)
        taken = await session.execute(
            update(Delivery)
            .where(Delivery.id == row_id, Delivery.status == claimed_status, Delivery.attempts == attempts)
            .values(status="sending", attempts=attempts + 1, lease_until=lease)
            .execution_options(synchronize_session=False)
        )
        if not taken.rowcount:  # type: ignore[attr-defined]
            await savepoint.rollback()
            return None
        await savepoint.commit()
        session.expunge(row)
        row.status, row.attempts, row.lease_until = "sending", attempts + 1, lease
        return message

    async def _mark_sent(self, row: Delivery, ref: SentRef) -> None:
        now = self._clock.now()
        async with self._sessions() as session:
            result = await session.execute(
                update(Delivery)
                .where(Delivery.id == row.id, Delivery.status == "sending", Delivery.attempts == row.attempts)
                .values(status="sent", sent_at=now, platform_message_id=ref.message_id, lease_until=None)
            )
            renderer = RENDERERS[row.kind]
            if result.rowcount and renderer.after_sent is not None:  # type: ignore[attr-defined]
                fresh = await session.get(Delivery, row.id)
                assert fresh is not None
                rc = RenderCtx(session, self._config, now, self._adapters[row.platform].capabilities)
                await renderer.after_sent(rc, fresh, ref)
            await session.commit()

    async def _settle(self, row: Delivery, **values: object) -> bool:
        """Record the outcome of our send, only if the row is still ours (no other relay re-took it)."""
        async with self._sessions() as session:
            result = await session.execute(
                update(Delivery)
                .where(Delivery.id == row.id, Delivery.status == "sending", Delivery.attempts == row.attempts)
                .values(lease_until=None, **values)
            )
            await session.commit()
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def _retry(self, row: Delivery, error: str) -> None:
        if row.attempts >= self._config.max_attempts:
            await self._settle(
                row, status="failed", last_error=f"gave up after {row.attempts} attempts: {error}"[:500]
            )
            return
        delay = timedelta(seconds=min(3600, 5 * 2 ** (row.attempts - 1)))
        await self._settle(row, status="pending", due_at=self._clock.now() + delay, last_error=error[:500])

    async def _unreachable(self, row: Delivery, error: str) -> None:
        now = self._clock.now()
        async with self._sessions() as session:
            fresh = await session.get(Delivery, row.id)
            if fresh is None or fresh.status != "sending" or fresh.attempts != row.attempts:
                return  # another relay took the row over after our lease ran out
            fresh.status, fresh.last_error, fresh.lease_until = (
                "failed",
                ("unreachable: " + error)[:500],
                None,
            )
            renderer = RENDERERS[row.kind]
            if renderer.on_unreachable is not None:
                rc = RenderCtx(session, self._config, now, self._adapters[row.platform].capabilities)
                await renderer.on_unreachable(rc, fresh)
            await session.commit()
