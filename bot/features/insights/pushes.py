"""After an analytics run: "recommended for you" private messages, and reminders re-timed to the
members' new most active hours.

A push is a delivery of kind ``recommend`` keyed ``rec:EVENT:MEMBER``, so a member hears about an
event at most once, however many runs recommend it. Planning honours the weekly cap; the renderer
checks everything again at send time (an opt-out, an RSVP or a cancellation in between wins).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import i18n
from bot.config import Config
from bot.delivery import outbox
from bot.delivery.render import RenderCtx, Renderer, register
from bot.domain.messages import OutMessage
from bot.features.announce import rsvp_buttons
from bot.features.common import fmt_time, member_lang
from bot.features.insights.common import translate_reason
from bot.features.notify import dm_target
from bot.features.planner import at_hour, replan_event
from bot.storage.models import Community, Delivery, Event, Member, Rsvp
from bot.storage.results import AnalyticsRun, Recommendation

logger = logging.getLogger(__name__)

KIND = "recommend"
WEEK = timedelta(days=7)
LEAD = timedelta(hours=2)  # a push is never planned closer than this to the event's start
PUSH_WAIT = timedelta(hours=23)  # longest a push waits for the member's active hour
PUSH_RANKS = 3  # only a member's top recommendations are pushed

i18n.register(
    {
        "recommend.push": {
            "en": "✨ Recommended for you: #{id} {title} — {when}\nWhy: {reason}\n"
            "Answer with the buttons, or send /event {id} to see it. /foryou off stops these messages.",
            "zh": "✨ 为你推荐：#{id} {title} — {when}\n推荐理由：{reason}\n"
            "点下面的按钮报名，或发送 /event {id} 查看。发送 /foryou off 不再接收此类消息。",
        },
    }
)


def eligible(member: Member, config: Config) -> bool:
    """May this member get a push at all (checked when planning and again when sending)?"""
    return (
        config.recommend_pushes
        and config.recommend_weekly_cap > 0
        and member.can_dm
        and member.is_member
        and not member.analytics_opt_out
        and not member.recommend_opt_out
    )


def push_time(member: Member, event: Event, tz: ZoneInfo, now: datetime) -> datetime | None:
    """The next start of the member's active hour when it comes within PUSH_WAIT (so not while the hour
    is on) and before the event gets too close; else now; None when the event is too close already."""
    latest = event.starts_at - LEAD
    if member.active_hour is not None:
        timed = at_hour(member.active_hour, tz, now)
        if timed - now <= PUSH_WAIT and timed <= latest:
            return timed
    return now if now <= latest else None


async def plan_pushes(session: AsyncSession, community: Community, config: Config, now: datetime) -> int:
    """Queue pushes from the community's latest run; returns how many were queued."""
    if not (config.recommend_pushes and config.recommend_weekly_cap > 0):
        return 0
    run_id = await session.scalar(
        select(AnalyticsRun.id)
        .where(AnalyticsRun.community_id == community.id, AnalyticsRun.status == "ok")
        .order_by(AnalyticsRun.id.desc())
        .limit(1)
    )
    if run_id is None:
        return 0
    answered = select(Rsvp.id).where(Rsvp.member_id == Member.id, Rsvp.event_id == Event.id)
    rows = await session.execute(
        select(Member, Event, Recommendation)
        .join(Member, Member.id == Recommendation.member_id)
        .join(Event, Event.id == Recommendation.event_id)
        .where(
            Recommendation.run_id == run_id,
            Recommendation.kind == "upcoming",
            Recommendation.rank <= PUSH_RANKS,
            Event.status == "scheduled",
            Event.starts_at > now + LEAD,
            ~answered.exists(),
        )
        .order_by(Member.id, Recommendation.rank)
    )
    by_member: dict[int, list[tuple[Member, Event, Recommendation]]] = {}
    for member, event, rec in rows:
        if eligible(member, config):
            by_member.setdefault(member.id, []).append((member, event, rec))
    if not by_member:
        return 0
    recent = dict(
        (
            await session.execute(
                select(Delivery.member_id, func.count())
                .where(
                    Delivery.kind == KIND,
                    Delivery.member_id.in_(list(by_member)),
                    Delivery.status.in_(("pending", "sending", "sent")),
                    Delivery.due_at > now - WEEK,
                )
                .group_by(Delivery.member_id)
            )
        ).all()
    )
    done = set(
        await session.scalars(
            select(Delivery.dedupe_key).where(Delivery.kind == KIND, Delivery.member_id.in_(list(by_member)))
        )
    )
    tz = ZoneInfo(community.timezone)
    queued = 0
    for member_id, picks in by_member.items():
        room = config.recommend_weekly_cap - int(recent.get(member_id, 0))
        for member, event, rec in picks:
            key = f"rec:{event.id}:{member.id}"
            if room <= 0:
                break
            if key in done:
                continue
            due = push_time(member, event, tz, now)
            if due is None:
                continue
            await outbox.enqueue(
                session, key=key, platform=community.platform, kind=KIND, due_at=due, now=now,
                community_id=community.id, event_id=event.id, member_id=member.id,
                payload={"reason": rec.reason},
            )  # fmt: skip
            room -= 1
            queued += 1
    return queued


async def render_push(rc: RenderCtx, row: Delivery) -> OutMessage | None:
    member = await rc.session.get(Member, row.member_id)
    event = await rc.session.get(Event, row.event_id)
    community = await rc.session.get(Community, row.community_id)
    if member is None or event is None or community is None or not eligible(member, rc.config):
        return None
    if event.status != "scheduled" or event.starts_at <= rc.now:
        return None
    answered = await rc.session.scalar(
        select(Rsvp.id).where(Rsvp.member_id == member.id, Rsvp.event_id == event.id)
    )
    if answered is not None:
        return None
    lang = member_lang(member, community)
    tz = ZoneInfo(member.timezone or community.timezone)
    text = i18n.t(
        lang, "recommend.push", id=event.id, title=event.title, when=fmt_time(event.starts_at, tz, lang),
        reason=translate_reason(row.payload.get("reason", ""), lang),
    )  # fmt: skip
    return OutMessage(dm_target(community, member), text, buttons=rsvp_buttons(event, lang))


async def replan_upcoming(session: AsyncSession, community: Community, config: Config, now: datetime) -> int:
    """Re-plan the community's upcoming events (reminders follow the members' new active hours)."""
    events = list(
        await session.scalars(
            select(Event).where(
                Event.community_id == community.id, Event.status == "scheduled", Event.starts_at > now
            )
        )
    )
    for event in events:
        await replan_event(session, event, community, config, now)
    return len(events)


async def after_analytics(
    sessions: async_sessionmaker[AsyncSession], config: Config, now: datetime
) -> dict[str, Any]:
    """Run after the nightly analytics: per community, re-time reminders and queue pushes."""
    totals = {"events_replanned": 0, "pushes": 0}
    async with sessions() as session:
        ids = list(await session.scalars(select(Community.id).order_by(Community.id)))
    for cid in ids:
        try:
            async with sessions() as session:
                community = await session.get(Community, cid)
                if community is None:
                    continue
                totals["events_replanned"] += await replan_upcoming(session, community, config, now)
                totals["pushes"] += await plan_pushes(session, community, config, now)
                await session.commit()
        except Exception:  # noqa: BLE001 - one community's failure must not stop the others
            logger.exception("after-analytics planning failed for community %s", cid)
    return totals


register(KIND, Renderer(render_push))
