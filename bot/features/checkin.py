"""Check-in: when an event starts the bot posts an "I'm here" button; presses record attendance."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot import i18n
from bot.context import Ctx
from bot.delivery.render import OutboxRow, RenderCtx, Renderer, register
from bot.domain.events import VoiceJoined
from bot.domain.messages import Button, OutMessage, Target
from bot.registry import Registry
from bot.storage.models import Attendance, Community, Event
from bot.storage.repo import dialect_insert

i18n.register(
    {
        "checkin.post": {
            "en": "▶️ #{id} {title} starts at {time}{place}. Press the button when you're here.",
            "zh": "▶️ #{id} {title} 将于 {time} 开始{place}。到场后请点击按钮签到。",
        },
        "checkin.button": {"en": "I'm here", "zh": "我已到场"},
        "checkin.done": {"en": "✅ Checked in to {title}. Enjoy!", "zh": "✅ 已签到 {title}，祝你愉快！"},
        "checkin.again": {"en": "You're already checked in.", "zh": "你已经签到过了。"},
        "checkin.closed": {"en": "Check-in for this event is closed.", "zh": "该活动的签到已结束。"},
        "checkin.place": {"en": " ({place})", "zh": "（{place}）"},
    }
)


async def render_checkin(rc: RenderCtx, row: OutboxRow) -> OutMessage | None:
    event = await rc.session.get(Event, row.event_id)
    community = await rc.session.get(Community, row.community_id)
    if event is None or community is None or event.status != "scheduled" or event.ends_at <= rc.now:
        return None
    lang = community.locale
    place = i18n.t(lang, "checkin.place", place=event.place) if event.place else ""
    time = f"{event.starts_at.astimezone(ZoneInfo(community.timezone)):%H:%M}"
    text = i18n.t(lang, "checkin.post", id=event.id, title=event.title, time=time, place=place)
    button = Button(i18n.t(lang, "checkin.button"), f"checkin:{event.id}")
    return OutMessage(Target(community.platform, community.chat_id, False, "group"), text, ((button,),))


async def on_checkin(ctx: Ctx, parts: list[str]) -> None:
    if len(parts) != 1 or not parts[0].isdigit() or ctx.community is None or ctx.member is None:
        return
    event = await ctx.session.get(Event, int(parts[0]))
    if event is None or event.community_id != ctx.community.id:
        return
    opens = event.starts_at - ctx.config.checkin_opens_before
    if event.status != "scheduled" or not opens <= ctx.now <= event.ends_at:
        ctx.toast(ctx.t("checkin.closed"))
        return
    new = await record_attendance(ctx, event, "button")
    ctx.toast(ctx.t("checkin.done", title=event.title) if new else ctx.t("checkin.again"))


async def record_attendance(ctx: Ctx, event: Event, source: str) -> bool:
    """Check the speaker in (once); True if this is their first check-in."""
    assert ctx.member is not None
    stmt = (
        dialect_insert(ctx.session, Attendance)
        .values(event_id=event.id, member_id=ctx.member.id, checked_in_at=ctx.now, source=source)
        .on_conflict_do_nothing(index_elements=["event_id", "member_id"])
        .returning(Attendance.id)
    )
    return (await ctx.session.execute(stmt)).scalar_one_or_none() is not None


async def on_voice_joined(ctx: Ctx) -> None:
    """Joining the voice/stage channel an ongoing event is held in counts as checking in."""
    event = ctx.event
    if not isinstance(event, VoiceJoined) or ctx.community is None or ctx.member is None:
        return
    opens = ctx.now + ctx.config.checkin_opens_before
    candidates = await ctx.session.scalars(
        select(Event).where(
            Event.community_id == ctx.community.id,
            Event.status == "scheduled",
            Event.starts_at <= opens,
            Event.ends_at >= ctx.now,
            Event.place.is_not(None),
        )
    )
    for candidate in candidates:
        if event.channel_id in (candidate.place or ""):
            await record_attendance(ctx, candidate, "voice")


register("checkin", Renderer(render_checkin, read_only=True))


def install(registry: Registry) -> None:
    registry.button("checkin", on_checkin)
    registry.listen(VoiceJoined, on_voice_joined)
