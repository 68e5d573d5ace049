"""Shared by the formats: the event a command names (of the right type), members by @name, times, errors."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import i18n
from bot.context import Ctx, UsageError
from bot.delivery.render import OutboxRow, RenderCtx
from bot.domain.messages import Target
from bot.features.common import fmt_time, get_event, kind_label, parse_event_id
from bot.storage import repo
from bot.storage.formats import EventFormat
from bot.storage.models import Community, Event, Member

QA_KINDS = ("sharing", "lecture")
FORMAT_KINDS = ("challenge", *QA_KINDS, "discussion")
DISCORD_MENTION = re.compile(r"^<@!?(\d+)>$")
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}


def usage_error(ctx: Ctx, problem: str, usage: str, example: str) -> UsageError:
    """'problem + usage + example', localized."""
    return UsageError(ctx.t("error.usage", problem=problem, usage=usage, example=example))


async def find_event(ctx: Ctx, event_id: int) -> Event:
    """An event of the speaker's community; in private, of whichever of their communities has it."""
    if ctx.event.chat.is_private:
        event = await ctx.session.get(Event, event_id)
        if event is not None and (ctx.community is None or event.community_id != ctx.community.id):
            for member, community in await repo.members_of_user(
                ctx.session, ctx.event.platform, ctx.event.user.user_id
            ):
                if community.id == event.community_id:
                    ctx.community, ctx.member = community, member
                    break
    return await get_event(ctx, event_id)


async def format_event(ctx: Ctx, id_text: str, kinds: tuple[str, ...], usage: str, example: str) -> Event:
    """The scheduled event named by id_text, if its type is one of kinds; else a UsageError naming why."""
    event = await find_event(ctx, parse_event_id(ctx, id_text, example))
    if event.kind not in kinds:
        wanted = ctx.t("fmt.or").join(kind_label(k, ctx.lang) for k in kinds)
        problem = ctx.t("fmt.wrong_kind", id=event.id, kind=kind_label(event.kind, ctx.lang), wanted=wanted)
        raise usage_error(ctx, problem, usage, example)
    if event.status != "scheduled":
        raise UsageError(ctx.t("fmt.cancelled", id=event.id))
    return event


async def find_member(ctx: Ctx, name: str, usage: str, example: str) -> Member:
    """A member of the community by @username, display name, platform id or a Discord <@id> mention."""
    from bot.features.admin import find_member as lookup

    handle = DISCORD_MENTION.sub(r"\1", name.strip())
    if not handle.strip("@"):
        raise usage_error(ctx, ctx.t("fmt.no_member"), usage, example)
    try:
        return await lookup(ctx, handle)
    except UsageError as exc:
        raise usage_error(ctx, exc.message, usage, example) from None


async def settings_of(session: AsyncSession, event: Event) -> EventFormat:
    """The event's format settings row (created empty on first use)."""
    row = await session.get(EventFormat, event.id)
    if row is None:
        row = EventFormat(event_id=event.id)
        session.add(row)
        await session.flush()
    return row


async def scheduled_event(
    rc: RenderCtx, row: OutboxRow, kinds: tuple[str, ...]
) -> tuple[Event, Community] | None:
    """A scheduled post's event and community, or None when the event is gone, cancelled or of another type."""
    event = await rc.session.get(Event, row.event_id)
    community = await rc.session.get(Community, row.community_id)
    if event is None or community is None or event.status != "scheduled" or event.kind not in kinds:
        return None
    return event, community


async def lock_event(session: AsyncSession, event: Event) -> None:
    """Serialize numbering within an event (PostgreSQL row lock; SQLite writers are serialized anyway)."""
    await session.execute(select(Event.id).where(Event.id == event.id).with_for_update())


def when(dt: datetime, tz: ZoneInfo, lang: str) -> str:
    return fmt_time(dt, tz, lang)


def clock(dt: datetime, tz: ZoneInfo) -> str:
    return f"{dt.astimezone(tz):%H:%M}"


def group(community: Community) -> Target:
    return Target(community.platform, community.chat_id, False, "group")


def name(member: Member) -> str:
    """How a member is named without pinging them (leaderboards, lists)."""
    return member.display_name or member.username or "?"


def place_label(place: int, lang: str) -> str:
    return MEDALS.get(place) or i18n.t(lang, "fmt.place", place=place)
