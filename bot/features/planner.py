"""Plans an event's scheduled deliveries from its current state (idempotent: run it after any change).

Reminders go privately to members who can be messaged; the rest are mentioned together in one
group message per reminder offset. Rows already sent are never re-planned, so a reminder is
never sent twice, even after the event moves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from bot.delivery import outbox
from bot.features.common import community_setting, minutes
from bot.storage.models import Community, Event, Member, Rsvp

SCHEDULE_KINDS = ("reminder", "group_reminder", "checkin", "poll_open", "poll_close")
PERSONAL_GAP = timedelta(hours=1)  # a timed first reminder stays this far ahead of the next one


def personal_due(
    starts_at: datetime, offsets: list[int], active_hour: int | None, tz: ZoneInfo, now: datetime
) -> datetime | None:
    """When the first (earliest) reminder goes out for a member active at active_hour (local).

    The window is the member's own: from the largest offset before the start up to PERSONAL_GAP
    before the next reminder. The first whole active hour in that window (and after now) wins;
    None (keep the plain offset) without an active hour, with a single offset, or when the hour
    does not occur in the window.
    """
    if active_hour is None or len(offsets) < 2:
        return None
    first, second = sorted(offsets, reverse=True)[:2]
    opens = starts_at - timedelta(minutes=first)
    closes = starts_at - timedelta(minutes=second) - PERSONAL_GAP
    # from when the window opens, or (once it has) from just after now
    when = at_hour(active_hour, tz, opens, inclusive=True) if opens > now else at_hour(active_hour, tz, now)
    return when if when <= closes else None


def at_hour(hour: int, tz: ZoneInfo, start: datetime, *, inclusive: bool = False) -> datetime:
    """The first whole local hour `hour` after start (or at it, when inclusive), in UTC."""
    day = start.astimezone(tz).date()
    while True:
        when = datetime.combine(day, time(hour), tzinfo=tz).astimezone(UTC)
        if when > start or (inclusive and when == start):
            return when
        day += timedelta(days=1)


# Other features' scheduled rows of an event: hook(session, event, community, config) -> [(key, kind, due, payload)].
ScheduleHook = Callable[
    [AsyncSession, Event, Community, Config], Awaitable[list[tuple[str, str, datetime, dict]]]
]
_HOOKS: list[ScheduleHook] = []
_HOOK_KINDS: list[str] = []


def add_schedule(kinds: tuple[str, ...], hook: ScheduleHook) -> None:
    """Let a feature plan more rows per event (kinds: the delivery kinds it owns); they are re-planned,
    moved and cancelled with the event like the reminders."""
    if set(kinds) & {*SCHEDULE_KINDS, *_HOOK_KINDS}:
        raise ValueError(f"schedule kinds {kinds} registered twice")
    _HOOKS.append(hook)
    _HOOK_KINDS.extend(kinds)


def scheduled_kinds() -> tuple[str, ...]:
    """Every kind replan_event plans and cancels."""
    return (*SCHEDULE_KINDS, *_HOOK_KINDS)


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
        await outbox.cancel_pending(session, event_id=event.id, kinds=(*scheduled_kinds(), "announce"))
        return
    wanted: list[tuple[str, str, datetime, int | None, dict]] = []
    group_offsets: set[int] = set()
    tz = ZoneInfo(community.timezone)
    for member, offsets in await reminder_recipients(session, event, community, config):
        timed = None
        if config.personal_timing and member.can_dm and not member.analytics_opt_out:
            timed = personal_due(event.starts_at, offsets, member.active_hour, tz, now)
        for offset in offsets:
            due = event.starts_at - minutes(offset)
            if timed is not None and offset == max(offsets):
                due = timed
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
    for hook in _HOOKS:
        rows = await hook(session, event, community, config)
        wanted += [(key, kind, due, None, payload) for key, kind, due, payload in rows]
    await outbox.plan_many(
        session,
        [
            outbox.Planned(key, community.platform, kind, due, community.id, event.id, member_id, payload)
            for key, kind, due, member_id, payload in wanted
        ],
        now=now,
    )
    await outbox.cancel_pending(
        session, event_id=event.id, kinds=scheduled_kinds(), keep_keys=[w[0] for w in wanted]
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
