"""Helpers shared by features: formatting times, finding events and members, notifying people."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import i18n
from bot.config import Config
from bot.context import Ctx, UsageError
from bot.delivery import outbox
from bot.storage import repo
from bot.storage.models import Community, Event, EventTag, Member

EVENT_KINDS = ("lecture", "salon", "sharing", "challenge", "discussion")
KIND_ALIASES = {
    "讲座": "lecture",
    "沙龙": "salon",
    "分享": "sharing",
    "技术分享": "sharing",
    "挑战": "challenge",
    "挑战赛": "challenge",
    "编程挑战": "challenge",
    "讨论": "discussion",
    "talk": "lecture",
    "share": "sharing",
}
WEEKDAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}

i18n.register(
    {
        "kind.lecture": {"en": "lecture", "zh": "讲座"},
        "kind.salon": {"en": "salon", "zh": "沙龙"},
        "kind.sharing": {"en": "tech sharing", "zh": "技术分享"},
        "kind.challenge": {"en": "code challenge", "zh": "编程挑战"},
        "kind.discussion": {"en": "discussion", "zh": "讨论"},
        "error.bad_event_id": {
            "en": "“{value}” is not an event number.\nExample: {example}",
            "zh": "“{value}” 不是活动编号。\n示例：{example}",
        },
        "error.no_event": {
            "en": "There is no event #{id} in this community. Send /events to see the upcoming ones.",
            "zh": "本社群没有编号为 #{id} 的活动。发送 /events 查看即将举行的活动。",
        },
        "notify.mention_prefix": {"en": "{names}: ", "zh": "{names}："},
    }
)


def fmt_time(dt: datetime, tz: ZoneInfo, lang: str) -> str:
    """A start time in a zone, e.g. 'Sat 5 Dec 2026 19:00' / '2026年12月5日 周六 19:00'."""
    local = dt.astimezone(tz)
    day = WEEKDAYS[lang if lang in WEEKDAYS else "en"][local.weekday()]
    if lang == "zh":
        return f"{local.year}年{local.month}月{local.day}日 {day} {local:%H:%M}"
    return f"{day} {local.day} {local:%b} {local.year} {local:%H:%M}"


def fmt_span(start: datetime, end: datetime, tz: ZoneInfo, lang: str) -> str:
    """A start–end span with the zone name."""
    end_local = end.astimezone(tz)
    same_day = start.astimezone(tz).date() == end_local.date()
    end_text = f"{end_local:%H:%M}" if same_day else fmt_time(end, tz, lang)
    zone = f"（{tz.key}）" if lang == "zh" else f" ({tz.key})"
    return f"{fmt_time(start, tz, lang)}–{end_text}{zone}"


def kind_label(kind: str, lang: str) -> str:
    return i18n.t(lang, f"kind.{kind}")


def parse_event_id(ctx: Ctx, text: str, example: str) -> int:
    """An event number from text like '12' or '#12', or a UsageError."""
    value = text.strip().lstrip("#")
    if not value.isdecimal() or len(value) > 12:  # isdigit() would let "²" through to int()
        raise UsageError(ctx.t("error.bad_event_id", value=text.strip()[:40], example=example))
    return int(value)


async def get_event(ctx: Ctx, event_id: int) -> Event:
    """An event of the current community, or a UsageError."""
    assert ctx.community is not None
    event = await ctx.session.get(Event, event_id)
    if event is None or event.community_id != ctx.community.id:
        raise UsageError(ctx.t("error.no_event", id=event_id))
    return event


async def in_event_community(ctx: Ctx, event: Event) -> bool:
    """Whether ctx speaks for the event's community: it already does, or, in a private chat, it
    switches to the user's membership there (False if they have none).

    In a private chat the context is the membership the user was most recently active in. Only
    what a member may do in any of their groups may switch (an RSVP button, reading an event):
    the command's role check was made against the first membership.
    """
    assert ctx.community is not None
    if event.community_id == ctx.community.id:
        return True
    if not ctx.event.chat.is_private:
        return False
    for member, community in await repo.members_of_user(
        ctx.session, ctx.event.platform, ctx.event.user.user_id
    ):
        if community.id == event.community_id:
            ctx.member, ctx.community, ctx.lang = member, community, member_lang(member, community)
            return True
    return False


async def event_tags(session: AsyncSession, event_id: int) -> list[str]:
    rows = await session.scalars(
        select(EventTag.tag).where(EventTag.event_id == event_id).order_by(EventTag.tag)
    )
    return list(rows)


def community_setting(community: Community, config: Config, name: str) -> Any:
    """A community setting, falling back to the configured default."""
    settings = community.settings or {}
    if name in settings:
        return settings[name]
    return _SETTING_DEFAULTS[name](config)


_SETTING_DEFAULTS: dict[str, Callable[[Config], Any]] = {
    "reminder_offsets": lambda config: [int(td.total_seconds() // 60) for td in config.reminder_offsets],
    "remind_maybe": lambda config: config.remind_maybe,
    "poll_delay": lambda config: int(config.poll_delay.total_seconds() // 60),
    "poll_duration": lambda config: int(config.poll_duration.total_seconds() // 60),
}


def minutes(value: int) -> timedelta:
    return timedelta(minutes=value)


def mention(member: Member) -> str:
    """How a member is named in a group message."""
    return f"@{member.username}" if member.username else member.display_name


def member_lang(member: Member, community: Community) -> str:
    return member.language or community.locale


async def notify_members(
    session: AsyncSession,
    *,
    community: Community,
    members: Sequence[Member],
    key: str,
    params: dict[str, Any],
    dedupe: str,
    now: datetime,
    event_id: int | None = None,
) -> None:
    """Tell each member something: privately where possible, else in one group message that mentions them."""
    in_group = []
    for member in members:
        if member.can_dm:
            await outbox.enqueue(
                session,
                key=f"{dedupe}:m{member.id}",
                platform=community.platform,
                kind="notify",
                due_at=now,
                now=now,
                community_id=community.id,
                event_id=event_id,
                member_id=member.id,
                payload={"key": key, "params": params},
            )
        else:
            in_group.append(member.id)
    if in_group:
        await outbox.enqueue(
            session,
            key=f"{dedupe}:group",
            platform=community.platform,
            kind="notify_group",
            due_at=now,
            now=now,
            community_id=community.id,
            event_id=event_id,
            payload={"key": key, "params": params, "member_ids": in_group},
        )
