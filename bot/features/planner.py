"""Plans an event's scheduled deliveries from its current state (idempotent: run it after any change).

Reminders go privately to members who can be messaged; the rest are mentioned together in one
group message per reminder offset. Rows already sent are never re-planned, so a reminder is
never sent twice, even after the event moves.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from bot.delivery import outbox
from bot.features.common import community_setting, minutes
from bot.storage.models import Community, Event, Member, Rsvp

SCHEDULE_KINDS = ("reminder", "group_reminder", "checkin", "poll_open", "poll_close")


def reminded_statuses(community: Community, config: Config) -> tuple[str, ...]:
    """The RSVP answers that get reminders in this community."""
    return ("going", "maybe") if community_setting(community, config, "remind_maybe") else ("going",)


def reminder_offsets(
    member: Member, rsvp_status: str | None, community: Community, config: Config
) -> list[int]:
    """The offsets (minutes before the start) at which a member who answered rsvp_status is reminded;
    none when their answer gets no reminders or they opted out. The rule reminder_recipients applies."""
    if member.reminders_opt_out or rsvp_status not in reminded_statuses(community, config):
        return []
    if member.remind_offsets is not None:
        return list(member.remind_offsets)
    return list(community_setting(community, config, "reminder_offsets"))


async def reminder_recipients(
    session: AsyncSession, event: Event, community: Community, config: Config
) -> list[tuple[Member, list[int]]]:
    """Members to remind about an event, each with their offsets in minutes."""
    statuses = reminded_statuses(community, config)
    rows = await session.scalars(
        select(Member)
        .join(Rsvp, Rsvp.member_id == Member.id)
        .where(Rsvp.event_id == event.id, Rsvp.status.in_(statuses), Member.reminders_opt_out.is_(False))
        .order_by(Member.id)
    )
    default = list(community_setting(community, config, "reminder_offsets"))
    return [(m, list(m.remind_offsets) if m.remind_offsets is not None else default) for m in rows]


async def replan_event(
    session: AsyncSession, event: Event, community: Community, config: Config, now: datetime
) -> None:
    """Make the event's pending deliveries match its state: reminders, check-in post, poll open/close."""
    if event.status != "scheduled":
        await outbox.cancel_pending(session, event_id=event.id, kinds=(*SCHEDULE_KINDS, "announce"))
        return
    wanted: list[tuple[str, str, datetime, int | None, dict]] = []
    group_offsets: set[int] = set()
    for member, offsets in await reminder_recipients(session, event, community, config):
        for offset in offsets:
            due = event.starts_at - minutes(offset)
            if due <= now:
                continue
            if member.can_dm:
                wanted.append(
                    (f"rem:{event.id}:{member.id}:{offset}", "reminder", due, member.id, {"offset": offset})
                )
            else:
                group_offsets.add(offset)
    for offset in sorted(group_offsets):
        due = event.starts_at - minutes(offset)
        wanted.append((f"remg:{event.id}:{offset}", "group_reminder", due, None, {"offset": offset}))
    poll_open = event.ends_at + minutes(community_setting(community, config, "poll_delay"))
    poll_close = poll_open + minutes(community_setting(community, config, "poll_duration"))
    checkin_at = event.starts_at - config.checkin_opens_before  # check-in opens with the post
    wanted.append((f"checkin:{event.id}", "checkin", checkin_at, None, {}))
    wanted.append((f"poll:{event.id}", "poll_open", poll_open, None, {}))
    wanted.append((f"pollclose:{event.id}", "poll_close", poll_close, None, {}))
    await outbox.plan_many(
        session,
        [
            outbox.Planned(key, community.platform, kind, due, community.id, event.id, member_id, payload)
            for key, kind, due, member_id, payload in wanted
        ],
        now=now,
    )
    await outbox.cancel_pending(
        session, event_id=event.id, kinds=SCHEDULE_KINDS, keep_keys=[w[0] for w in wanted]
    )


def group_reminder_members(recipients: list[tuple[Member, list[int]]], offset: int) -> list[Member]:
    """Who a group reminder at this offset mentions: those without private messages who chose it."""
    return [m for m, offsets in recipients if not m.can_dm and offset in offsets]


async def replan_member(session: AsyncSession, member: Member, config: Config, now: datetime) -> None:
    """Re-plan every upcoming event the member answered (their timing, reach or opt-out changed)."""
    community = await session.get(Community, member.community_id)
    if community is None:
        return
    events = await session.scalars(
        select(Event)
        .join(Rsvp, Rsvp.event_id == Event.id)
        .where(Rsvp.member_id == member.id, Event.status == "scheduled", Event.starts_at > now)
    )
    for event in events:
        await replan_event(session, event, community, config, now)
