"""Retention: kept message text expires, and a community the bot was removed from is purged.

``purge`` runs daily on the service's scheduler (and from the command line). It is idempotent.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Config
from bot.context import Ctx
from bot.domain.events import BotRoleChanged
from bot.storage import repo
from bot.storage.models import Activity, BotRemoval, Community, Delivery

logger = logging.getLogger(__name__)
FINISHED = ("sent", "skipped", "failed", "cancelled")
# Sent replies can quote what members wrote, so they expire with the text; the other kinds are
# planned rows whose being sent must stay known (a reminder is never sent twice).
REPLY_KINDS = ("message",)
PRIVACY_KINDS = ("privacy_notice", "privacy_export")  # finished ones go at the next purge, whatever their age


async def on_bot_role(ctx: Ctx) -> None:
    """Remember when the bot was removed from a group (the purge counts from then); re-adding forgets it."""
    event = ctx.event
    if not isinstance(event, BotRoleChanged) or event.chat.is_private or ctx.community is None:
        return
    if event.present:
        await ctx.session.execute(delete(BotRemoval).where(BotRemoval.community_id == ctx.community.id))
        return
    await ctx.session.execute(
        repo.dialect_insert(ctx.session, BotRemoval)
        .values(community_id=ctx.community.id, removed_at=event.occurred_at)
        .on_conflict_do_nothing()  # removed twice: the grace period runs from the first time
    )


async def purge(app_or_sessions: Any, config: Config, now: datetime) -> dict[str, int]:
    """Erase expired message text and sent replies; delete communities whose grace period is over.

    Takes an App (its ``sessions``) or an async_sessionmaker; returns how many rows of each kind.
    """
    sessions: async_sessionmaker[AsyncSession] = getattr(app_or_sessions, "sessions", app_or_sessions)
    async with sessions() as session:
        counts = await purge_in(session, config, now)
        await session.commit()
    logger.info("privacy purge: %s", ", ".join(f"{k}={v}" for k, v in counts.items()))
    return counts


async def purge_in(session: AsyncSession, config: Config, now: datetime) -> dict[str, int]:
    """purge() inside a caller's transaction."""
    cutoff = now - timedelta(days=config.text_retention_days)
    no_text = select(Community.id).where(Community.keep_text.is_(False))
    texts = await _count(
        session,
        update(Activity)
        .where(
            Activity.text.is_not(None), (Activity.occurred_at < cutoff) | Activity.community_id.in_(no_text)
        )
        .values(text=None),
    )
    replies = await _count(
        session,
        delete(Delivery).where(
            Delivery.status.in_(FINISHED),
            (Delivery.kind.in_(PRIVACY_KINDS))
            | (Delivery.kind.in_(REPLY_KINDS) & (Delivery.created_at < cutoff)),
        ),
    )
    grace = now - timedelta(days=config.removed_grace_days)
    gone = list(await session.scalars(select(BotRemoval.community_id).where(BotRemoval.removed_at < grace)))
    communities = await _count(session, delete(Community).where(Community.id.in_(gone))) if gone else 0
    return {"texts_erased": texts, "replies_deleted": replies, "communities_purged": communities}


async def _count(session: AsyncSession, stmt: Any) -> int:
    result = await session.execute(stmt)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
