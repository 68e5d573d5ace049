"""Renderers for notices to members: privately where possible, else one group message with mentions."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot import i18n
from bot.context import Ctx
from bot.delivery import outbox
from bot.delivery.render import OutboxRow, RenderCtx, Renderer, register
from bot.domain.messages import OutMessage, Target
from bot.features.common import fmt_time, member_lang, mention
from bot.storage.models import Community, Delivery, Event, Member
from bot.timeparse import format_duration


async def event_params(rc: RenderCtx, row: OutboxRow, lang: str, tz: ZoneInfo) -> dict[str, object] | None:
    """id/title/when of the row's event for message templates (None: the event is gone)."""
    if row.event_id is None:
        return {}
    event = await rc.get(Event, row.event_id)
    if event is None:
        return None
    return {
        "id": event.id,
        "title": event.title,
        "when": fmt_time(event.starts_at, tz, lang),
        "place": event.place or "",
    }


def dm_target(community: Community, member: Member) -> Target:
    return Target(community.platform, member.user_id, True, f"{member.display_name}@dm")


async def reply_privately(ctx: Ctx, text: str, notice_key: str) -> None:
    """Answer the member in private when the bot can write to them there (and say so in the group);
    otherwise, or when they asked in private already, answer where they asked."""
    assert ctx.community is not None and ctx.member is not None
    if ctx.event.chat.is_private or not ctx.member.can_dm:
        await ctx.send(text)
        return
    await ctx.send(text, target=dm_target(ctx.community, ctx.member))
    await ctx.reply(notice_key)


async def render_notify(rc: RenderCtx, row: OutboxRow) -> OutMessage | None:
    member = await rc.get(Member, row.member_id)
    community = await rc.get(Community, row.community_id)
    if member is None or community is None:
        return None
    lang = member_lang(member, community)
    tz = ZoneInfo(member.timezone or community.timezone)
    params = await event_params(rc, row, lang, tz)
    if params is None:
        return None
    text = i18n.t(lang, row.payload["key"], **{**params, **row.payload.get("params", {})})
    return OutMessage(dm_target(community, member), text)


async def fallback_to_group(rc: RenderCtx, row: Delivery) -> None:
    """The member can't be messaged privately: remember that and mention them in the group instead."""
    member = await rc.session.get(Member, row.member_id)
    if member is None:
        return
    member.can_dm = False
    from bot.features.planner import replan_member

    await replan_member(rc.session, member, rc.config, rc.now)
    await outbox.enqueue(
        rc.session, key=f"{row.dedupe_key}:fallback", platform=row.platform, kind="notify_group", due_at=rc.now,
        now=rc.now, community_id=row.community_id, event_id=row.event_id,
        payload={"key": row.payload.get("key", "reminder.group"), "params": row.payload.get("params", {}),
                 "member_ids": [member.id], "offset": row.payload.get("offset")},
    )  # fmt: skip


async def render_notify_group(rc: RenderCtx, row: OutboxRow) -> OutMessage | None:
    community = await rc.get(Community, row.community_id)
    if community is None:
        return None
    members = list(
        await rc.session.scalars(
            select(Member).where(Member.id.in_(row.payload["member_ids"])).order_by(Member.id)
        )
    )
    if not members:
        return None
    lang, tz = community.locale, ZoneInfo(community.timezone)
    params = await event_params(rc, row, lang, tz)
    if params is None:
        return None
    extra = dict(row.payload.get("params", {}))
    if row.payload.get("offset") is not None:
        extra.setdefault("lead", format_duration(timedelta(minutes=row.payload["offset"]), lang))
    text = i18n.t(lang, row.payload["key"], **{**params, **extra})
    names = " ".join(mention(m) for m in members)
    prefix = i18n.t(lang, "notify.mention_prefix", names=names)
    target = Target(community.platform, community.chat_id, False, "group")
    return OutMessage(target, prefix + text, mentions=tuple(m.user_id for m in members))


register("notify", Renderer(render_notify, on_unreachable=fallback_to_group, read_only=True))
register("notify_group", Renderer(render_notify_group, read_only=True))
