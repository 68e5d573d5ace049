"""Event announcements with live RSVP counts, and the iCalendar file."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as IcsEvent
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import i18n
from bot.delivery import outbox
from bot.delivery.render import OutboxRow, RenderCtx, Renderer, register
from bot.domain.messages import Attachment, Button, OutMessage, SentRef, Target
from bot.features.common import event_tags, fmt_span, kind_label
from bot.storage.models import Community, Delivery, Event, Rsvp

i18n.register(
    {
        "rsvp.going": {"en": "Going", "zh": "参加"},
        "rsvp.maybe": {"en": "Maybe", "zh": "可能"},
        "rsvp.no": {"en": "Can't go", "zh": "不去"},
        "rsvp.dm_link": {"en": "🔔 Remind me privately", "zh": "🔔 私信提醒我"},
        "announce.body": {
            "en": "📅 {title} (#{id})\n🕖 {when}\n🏷 {kind}{tags}{place}\n👥 Going {going}{cap} · Maybe {maybe}{waitlist}",
            "zh": "📅 {title}（#{id}）\n🕖 {when}\n🏷 {kind}{tags}{place}\n👥 参加 {going}{cap} · 可能 {maybe}{waitlist}",
        },
        "announce.waitlist": {"en": " · Waitlist {n}", "zh": " · 候补 {n}"},
        "announce.place": {"en": "\n📍 {place}", "zh": "\n📍 {place}"},
        "announce.repeat": {"en": "\n🔁 Part of a series", "zh": "\n🔁 系列活动"},
        "announce.cancelled": {
            "en": "❌ Cancelled: {title} (#{id}), was {when}",
            "zh": "❌ 已取消：{title}（#{id}），原定 {when}",
        },
        "ics.caption": {"en": "Add #{id} {title} to your calendar.", "zh": "把 #{id} {title} 加入你的日历。"},
    }
)


async def rsvp_counts(session: AsyncSession, event_id: int) -> dict[str, int]:
    """How many members answered each way."""
    rows = await session.execute(
        select(Rsvp.status, func.count()).where(Rsvp.event_id == event_id).group_by(Rsvp.status)
    )
    return {status: n for status, n in rows.all()}


async def describe(session: AsyncSession, event: Event, community: Community, lang: str, tz: ZoneInfo) -> str:
    """The event as text with its live counts."""
    when = fmt_span(event.starts_at, event.ends_at, tz, lang)
    if event.status == "cancelled":
        return i18n.t(lang, "announce.cancelled", title=event.title, id=event.id, when=when)
    counts = await rsvp_counts(session, event.id)
    tags = await event_tags(session, event.id)
    waitlist = counts.get("waitlist", 0)
    text = i18n.t(
        lang,
        "announce.body",
        title=event.title,
        id=event.id,
        when=when,
        kind=kind_label(event.kind, lang),
        tags=(" · " + " ".join("#" + t for t in tags)) if tags else "",
        place=i18n.t(lang, "announce.place", place=event.place) if event.place else "",
        going=counts.get("going", 0),
        cap=f"/{event.capacity}" if event.capacity else "",
        maybe=counts.get("maybe", 0),
        waitlist=i18n.t(lang, "announce.waitlist", n=waitlist) if waitlist or event.capacity else "",
    )
    if event.series_id is not None:
        text += i18n.t(lang, "announce.repeat")
    return text


def rsvp_buttons(event: Event, lang: str, dm_link: str | None = None) -> tuple[tuple[Button, ...], ...]:
    """Going / Maybe / Can't go, plus a one-tap link to private reminders where the platform has one."""
    if event.status != "scheduled":
        return ()
    answers = tuple(
        Button(i18n.t(lang, f"rsvp.{a}"), f"rsvp:{event.id}:{a}") for a in ("going", "maybe", "no")
    )
    if dm_link is None:
        return (answers,)
    return (answers, (Button(i18n.t(lang, "rsvp.dm_link"), "dm", url=dm_link),))


def group_target(community: Community) -> Target:
    return Target(community.platform, community.chat_id, False, "group")


async def _load(rc: RenderCtx, row: OutboxRow) -> tuple[Event, Community] | None:
    event = await rc.session.get(Event, row.event_id)
    community = await rc.session.get(Community, row.community_id)
    if event is None or community is None:
        return None
    return event, community


async def render_announce(rc: RenderCtx, row: OutboxRow) -> OutMessage | None:
    loaded = await _load(rc, row)
    if loaded is None or loaded[0].status != "scheduled":
        return None
    event, community = loaded
    text = await describe(rc.session, event, community, community.locale, ZoneInfo(community.timezone))
    buttons = rsvp_buttons(event, community.locale, rc.capabilities.dm_link)
    return OutMessage(group_target(community), text, buttons)


async def after_announce(rc: RenderCtx, row: Delivery, ref: SentRef) -> None:
    event = await rc.session.get(Event, row.event_id)
    if event is not None:
        event.announce_message_id = ref.message_id


async def render_refresh(rc: RenderCtx, row: OutboxRow) -> OutMessage | None:
    loaded = await _load(rc, row)
    if loaded is None or not loaded[0].announce_message_id or not rc.capabilities.edit_messages:
        return None
    event, community = loaded
    text = await describe(rc.session, event, community, community.locale, ZoneInfo(community.timezone))
    return OutMessage(
        group_target(community),
        text,
        rsvp_buttons(event, community.locale, rc.capabilities.dm_link),
        edit_message_id=event.announce_message_id,
    )


def ics_bytes(event: Event, tags: list[str], now: datetime) -> bytes:
    """An iCalendar file for one event."""
    cal = Calendar()
    cal.add("prodid", "-//gatherbot//EN")
    cal.add("version", "2.0")
    item = IcsEvent()
    item.add("uid", f"event-{event.id}@gatherbot")
    item.add("summary", event.title)
    item.add("dtstart", event.starts_at)
    item.add("dtend", event.ends_at)
    item.add("dtstamp", now)
    if event.place:
        item.add("location", event.place)
    if tags:
        item.add("categories", tags)
    item.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
    cal.add_component(item)
    return cal.to_ical()


async def render_ics(rc: RenderCtx, row: OutboxRow) -> OutMessage | None:
    event = await rc.session.get(Event, row.event_id)
    if event is None:
        return None
    target = Target(**row.payload["target"])
    lang = row.payload.get("lang", "en")
    data = ics_bytes(event, await event_tags(rc.session, event.id), rc.now)
    caption = i18n.t(lang, "ics.caption", id=event.id, title=event.title)
    if not rc.capabilities.files:
        return OutMessage(target, caption + "\n" + data.decode("utf-8"))
    return OutMessage(target, caption, attachment=Attachment(f"event-{event.id}.ics", data, "text/calendar"))


async def refresh_announcement(
    session: AsyncSession, event: Event, community: Community, now: datetime
) -> None:
    """Queue an edit of the announcement so it shows the current state (many changes coalesce)."""
    await outbox.rearm(
        session,
        key=f"annrefresh:{event.id}",
        platform=community.platform,
        kind="announce_refresh",
        due_at=now,
        now=now,
        community_id=community.id,
        event_id=event.id,
    )


register("announce", Renderer(render_announce, after_sent=after_announce, read_only=True))
register("announce_refresh", Renderer(render_refresh, read_only=True))
register("ics", Renderer(render_ics, read_only=True))
