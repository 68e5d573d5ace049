"""A group that moves to a new chat id keeps its community (Telegram: a group upgraded to a supergroup).

Telegram tells us twice, in the old group (``migrate_to_chat_id``) and in the new supergroup
(``migrate_from_chat_id``); both become one ChatMigrated with the same source id, so it is handled once.
The community row simply takes the new chat id: its members, events, answers, log and settings stay,
and everything rendered at send time (reminders, announcements, polls) goes to the new chat.

If the bot already saw the new chat before it heard of the move, a second community exists for it. When
that one has no events, what it logged is folded into the old community (members matched by user id)
and it is deleted; otherwise both are kept and a warning says so (merging two communities' events is
left to an administrator).
"""

from __future__ import annotations

import logging

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import aliased

from bot.context import Ctx
from bot.domain.events import ChatMigrated
from bot.registry import Registry
from bot.storage.models import Activity, Community, Event, Member

logger = logging.getLogger(__name__)


async def on_chat_migrated(ctx: Ctx) -> None:
    event = ctx.event
    if not isinstance(event, ChatMigrated) or ctx.community is None or event.chat.is_private:
        return
    old = ctx.community
    if old.chat_id == event.new_chat_id:
        return
    session = ctx.session
    twin = await session.scalar(
        select(Community).where(Community.platform == old.platform, Community.chat_id == event.new_chat_id)
    )
    if twin is not None:
        events = await session.scalar(select(func.count()).where(Event.community_id == twin.id))
        if events:
            logger.warning(
                "%s group %s moved to %s, which already has %d event(s) as community %s: kept apart",
                old.platform, old.chat_id, event.new_chat_id, events, twin.id,
            )  # fmt: skip
            return
        await _fold(ctx, twin, old)
    logger.info(
        "%s group %s moved to %s (community %s)", old.platform, old.chat_id, event.new_chat_id, old.id
    )
    old.chat_id = event.new_chat_id


async def _fold(ctx: Ctx, twin: Community, into: Community) -> None:
    """Move what the twin community logged into the old one, then delete the twin."""
    session = ctx.session
    known = select(Member.user_id).where(Member.community_id == into.id)
    # members the old community does not have move over whole
    await session.execute(
        update(Member)
        .where(Member.community_id == twin.id, Member.user_id.not_in(known))
        .values(community_id=into.id)  # fmt: skip
    )
    # the rest: their log rows point at the old community's member with the same user id
    kept, gone = aliased(Member), aliased(Member)
    same = (
        select(kept.id)
        .join(gone, gone.user_id == kept.user_id)
        .where(kept.community_id == into.id, gone.id == Activity.member_id)
        .scalar_subquery()
    )
    twins = select(Member.id).where(Member.community_id == twin.id)
    await session.execute(update(Activity).where(Activity.member_id.in_(twins)).values(member_id=same))
    await session.execute(
        update(Activity).where(Activity.community_id == twin.id).values(community_id=into.id)
    )
    await session.execute(delete(Community).where(Community.id == twin.id))
    await session.flush()


def install(registry: Registry) -> None:
    registry.listen(ChatMigrated, on_chat_migrated)
