"""RSVP buttons with capacity and an automatic waitlist."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import i18n
from bot.context import Ctx
from bot.features.announce import refresh_announcement
from bot.features.common import in_event_community, notify_members
from bot.features.planner import replan_event
from bot.registry import Registry
from bot.storage.models import Community, Event, Member, Rsvp

ANSWERS = ("going", "maybe", "no", "interested")  # interested: a soft maybe from a platform's own events

i18n.register(
    {
        "rsvp.closed": {"en": "This event is closed for answers.", "zh": "该活动已停止报名。"},
        "rsvp.toast_going": {
            "en": "You're going to {title}. I'll remind you before it starts.",
            "zh": "你已报名 {title}，开始前我会提醒你。",
        },
        "rsvp.toast_going_quiet": {
            "en": "You're going to {title}. (Your reminders are off: /remind on turns them on.)",
            "zh": "你已报名 {title}。（你关闭了提醒：发送 /remind on 可重新开启。）",
        },
        "rsvp.toast_maybe": {"en": "Marked as maybe for {title}.", "zh": "已标记为「可能参加」{title}。"},
        "rsvp.toast_no": {"en": "Marked as not going to {title}.", "zh": "已标记为「不参加」{title}。"},
        "rsvp.toast_waitlist": {
            "en": "{title} is full: you're #{pos} on the waitlist. I'll tell you if a spot opens.",
            "zh": "{title} 已满：你在候补名单第 {pos} 位，有空位时我会通知你。",
        },
        "rsvp.toast_same": {
            "en": "No change: you already answered that.",
            "zh": "没有变化：你已经这样回复过了。",
        },
        "rsvp.promoted": {
            "en": "🎉 A spot opened up: you're now going to #{id} {title} ({when}).",
            "zh": "🎉 有空位了：你已报名 #{id} {title}（{when}）。",
        },
    }
)


async def going_count(session: AsyncSession, event_id: int) -> int:
    return int(
        await session.scalar(select(func.count()).where(Rsvp.event_id == event_id, Rsvp.status == "going"))
        or 0
    )


async def waitlist_position(session: AsyncSession, rsvp: Rsvp) -> int:
    ahead = await session.scalar(
        select(func.count()).where(
            Rsvp.event_id == rsvp.event_id,
            Rsvp.status == "waitlist",
            (Rsvp.updated_at < rsvp.updated_at)
            | ((Rsvp.updated_at == rsvp.updated_at) & (Rsvp.id < rsvp.id)),
        )
    )
    return int(ahead or 0) + 1


async def promote_waitlist(
    session: AsyncSession, event: Event, community: Community, now: datetime
) -> list[Member]:
    """Move people from the waitlist to going while there is room, and tell them."""
    promoted: list[Member] = []
    while True:
        if event.capacity is not None and await going_count(session, event.id) >= event.capacity:
            break
        first = await session.scalar(
            select(Rsvp)
            .where(Rsvp.event_id == event.id, Rsvp.status == "waitlist")
            .order_by(Rsvp.updated_at, Rsvp.id)
            .limit(1)
        )
        if first is None:
            break
        first.status, first.updated_at = "going", now
        await session.flush()
        member = await session.get(Member, first.member_id)
        assert member is not None
        promoted.append(member)
    for member in promoted:
        await notify_members(
            session, community=community, members=[member], key="rsvp.promoted", params={},
            dedupe=f"promoted:{event.id}:{member.id}:{int(now.timestamp())}", now=now, event_id=event.id,
        )  # fmt: skip
    return promoted


async def set_rsvp(ctx: Ctx, event: Event, answer: str) -> str:
    """Record an answer and return the toast key (waitlist when full)."""
    assert ctx.member is not None and ctx.community is not None
    rsvp = await ctx.session.scalar(
        select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.member_id == ctx.member.id)
    )
    previous = rsvp.status if rsvp else None
    if answer == "interested":  # never overrides an answer given with our buttons
        if previous is not None:
            return "rsvp.toast_same"
        answer = "maybe"
    if previous == answer or (answer == "going" and previous == "waitlist"):
        return "rsvp.toast_same"
    status = answer
    if (
        answer == "going"
        and event.capacity is not None
        and await going_count(ctx.session, event.id) >= event.capacity
    ):
        status = "waitlist"
    if rsvp is None:
        rsvp = Rsvp(
            event_id=event.id, member_id=ctx.member.id, status=status, created_at=ctx.now, updated_at=ctx.now
        )
        ctx.session.add(rsvp)
    else:
        rsvp.status, rsvp.updated_at = status, ctx.now
    await ctx.session.flush()
    if previous == "going":
        await promote_waitlist(ctx.session, event, ctx.community, ctx.now)
    await replan_event(ctx.session, event, ctx.community, ctx.config, ctx.now)
    await refresh_announcement(ctx.session, event, ctx.community, ctx.now)
    return f"rsvp.toast_{status}"


async def on_rsvp_button(ctx: Ctx, parts: list[str]) -> None:
    if len(parts) != 2 or not parts[0].isdigit() or parts[1] not in ANSWERS or ctx.community is None:
        return
    event = await ctx.session.get(Event, int(parts[0]))
    # A button in a private message (a recommendation) answers as the member of the event's
    # community, which need not be the one this user was most recently active in.
    if event is None or not await in_event_community(ctx, event):
        return
    if event.status != "scheduled" or event.ends_at <= ctx.now:
        ctx.toast(ctx.t("rsvp.closed"))
        return
    key = await set_rsvp(ctx, event, parts[1])
    if key == "rsvp.toast_going" and ctx.member is not None and ctx.member.reminders_opt_out:
        key = "rsvp.toast_going_quiet"
    params: dict[str, object] = {"title": event.title}
    if key == "rsvp.toast_waitlist":
        rsvp = await ctx.session.scalar(
            select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.member_id == ctx.member.id)
        )  # type: ignore[union-attr]
        assert rsvp is not None
        params["pos"] = await waitlist_position(ctx.session, rsvp)
    ctx.toast(ctx.t(key, **params))


def install(registry: Registry) -> None:
    registry.button("rsvp", on_rsvp_button)
