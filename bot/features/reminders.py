"""Reminders before events, and each member's /remind preference."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot import i18n
from bot.context import Ctx, UsageError
from bot.delivery.render import OutboxRow, RenderCtx, Renderer, register
from bot.domain.messages import OutMessage, Target
from bot.features import planner
from bot.features.common import community_setting, fmt_time, member_lang, mention
from bot.features.notify import dm_target, fallback_to_group
from bot.features.planner import group_reminder_members, reminder_offsets, reminder_recipients
from bot.registry import CommandSpec, Registry
from bot.storage.models import Community, Delivery, Event, Member, Rsvp
from bot.timeparse import TimeParseError, format_duration, parse_offsets

MAX_OFFSET = timedelta(days=14)
RSVP_MEMO = "reminders.rsvp"  # RenderCtx.memo key: {(event_id, member_id): status or None}
REMIND_USAGE = "/remind 30m | /remind 24h,1h | /remind off | /remind on | /remind default"
REMIND_EXAMPLE = "/remind 2h,15m"

i18n.register(
    {
        "help.remind": {"en": "When I remind you before events", "zh": "设置活动前多久提醒你"},
        "reminder.dm": {
            "en": "⏰ Reminder: #{id} {title} starts in {lead} ({when}).{place_line}",
            "zh": "⏰ 提醒：#{id} {title} 将在 {lead}后开始（{when}）。{place_line}",
        },
        "reminder.group": {
            "en": "⏰ #{id} {title} starts in {lead} ({when}).",
            "zh": "⏰ #{id} {title} 将在 {lead}后开始（{when}）。",
        },
        "reminder.place_line": {"en": "\n📍 {place}", "zh": "\n📍 {place}"},
        "remind.show": {
            "en": "I remind you {offsets} before events you're going to.{dm}",
            "zh": "我会在你报名的活动开始前 {offsets} 提醒你。{dm}",
        },
        "remind.show_off": {
            "en": "Reminders are off for you. /remind on turns them back on.",
            "zh": "你已关闭提醒。发送 /remind on 重新开启。",
        },
        "remind.dm_yes": {"en": " I'll send them privately.", "zh": "提醒会私信发给你。"},
        "remind.dm_no": {
            "en": " I can't message you privately yet, so I'll mention you in the group. Send me /start in private to get them there.",
            "zh": "我还不能私信你，所以会在群里提到你。私聊我发送 /start 即可改为私信提醒。",
        },
        "remind.set": {
            "en": "✅ I'll remind you {offsets} before each event.",
            "zh": "✅ 我会在每个活动开始前 {offsets} 提醒你。",
        },
        "remind.off": {
            "en": "🔕 Reminders off. /remind on turns them back on.",
            "zh": "🔕 已关闭提醒。发送 /remind on 重新开启。",
        },
        "remind.on": {"en": "🔔 Reminders on.", "zh": "🔔 已开启提醒。"},
        "remind.bad": {
            "en": "“{text}” is not a list of times before the event (at most 14 days each).",
            "zh": "“{text}” 不是有效的提前时间列表（每个最多 14 天）。",
        },
    }
)


def _offsets_text(offsets: list[int], lang: str) -> str:
    sep = "、" if lang == "zh" else ", "
    return sep.join(format_duration(timedelta(minutes=o), lang) for o in sorted(offsets, reverse=True))


async def _load(rc: RenderCtx, row: OutboxRow) -> tuple[Event, Community] | None:
    event = await rc.get(Event, row.event_id)
    community = await rc.get(Community, row.community_id)
    if event is None or community is None or event.status != "scheduled" or event.starts_at <= rc.now:
        return None
    return event, community


async def prefetch_rsvps(rc: RenderCtx, rows: Sequence[OutboxRow]) -> None:
    """The answers of the batch's (event, member) pairs in one query, for render_reminder."""
    events = {r.event_id for r in rows if r.event_id is not None}
    members = {r.member_id for r in rows if r.member_id is not None}
    if not events or not members:
        return
    found = await rc.session.execute(
        select(Rsvp.event_id, Rsvp.member_id, Rsvp.status).where(
            Rsvp.event_id.in_(events), Rsvp.member_id.in_(members)
        )
    )
    answers: dict[tuple[int, int], str | None] = rc.memo.setdefault(RSVP_MEMO, {})
    answers.update({(r.event_id, r.member_id): None for r in rows})  # no row: no answer
    answers.update({(e, m): status for e, m, status in found})


async def _rsvp_status(rc: RenderCtx, event_id: int, member_id: int) -> str | None:
    answers = rc.memo.get(RSVP_MEMO, {})
    if (event_id, member_id) in answers:
        return answers[(event_id, member_id)]
    return await rc.session.scalar(
        select(Rsvp.status).where(Rsvp.event_id == event_id, Rsvp.member_id == member_id)
    )


async def render_reminder(rc: RenderCtx, row: OutboxRow) -> OutMessage | None:
    loaded = await _load(rc, row)
    member = await rc.get(Member, row.member_id)
    if loaded is None or member is None:
        return None
    event, community = loaded
    status = await _rsvp_status(rc, event.id, member.id)
    offset = row.payload["offset"]
    if offset not in reminder_offsets(member, status, community, rc.config):
        return None  # no longer going, opted out, or changed their timing
    lang = member_lang(member, community)
    tz = ZoneInfo(member.timezone or community.timezone)
    text = i18n.t(
        lang, "reminder.dm", id=event.id, title=event.title, lead=format_duration(event.starts_at - rc.now, lang),
        when=fmt_time(event.starts_at, tz, lang),
        place_line=i18n.t(lang, "reminder.place_line", place=event.place) if event.place else "",
    )  # fmt: skip
    return OutMessage(dm_target(community, member), text)


async def render_group_reminder(rc: RenderCtx, row: OutboxRow) -> OutMessage | None:
    loaded = await _load(rc, row)
    if loaded is None:
        return None
    event, community = loaded
    offset = row.payload["offset"]
    members = group_reminder_members(
        await reminder_recipients(rc.session, event, community, rc.config), offset
    )
    already = set(
        await rc.session.scalars(
            select(Delivery.member_id).where(
                Delivery.event_id == event.id, Delivery.kind == "reminder", Delivery.status == "sent",
                Delivery.dedupe_key.like(f"rem:{event.id}:%:{offset}"),
            )
        )
    )  # fmt: skip
    members = [m for m in members if m.id not in already]
    if not members:
        return None
    lang, tz = community.locale, ZoneInfo(community.timezone)
    text = i18n.t(
        lang, "reminder.group", id=event.id, title=event.title, lead=format_duration(event.starts_at - rc.now, lang),
        when=fmt_time(event.starts_at, tz, lang),
    )  # fmt: skip
    names = i18n.t(lang, "notify.mention_prefix", names=" ".join(mention(m) for m in members))
    target = Target(community.platform, community.chat_id, False, "group")
    return OutMessage(target, names + text, mentions=tuple(m.user_id for m in members))


async def replan_member(ctx: Ctx, member: Member) -> None:
    """Re-plan every upcoming event the member answered (after a preference change)."""
    await planner.replan_member(ctx.session, member, ctx.config, ctx.now)


async def remind(ctx: Ctx, args: str) -> None:
    assert ctx.member is not None and ctx.community is not None
    member, word = ctx.member, args.strip().lower()
    if not word:
        if member.reminders_opt_out:
            await ctx.reply("remind.show_off")
            return
        offsets = member.remind_offsets or community_setting(ctx.community, ctx.config, "reminder_offsets")
        dm = ctx.t("remind.dm_yes" if member.can_dm else "remind.dm_no")
        await ctx.reply("remind.show", offsets=_offsets_text(offsets, ctx.lang), dm=dm)
        return
    if word in ("off", "关", "关闭"):
        member.reminders_opt_out = True
        await ctx.reply("remind.off")
    elif word in ("on", "开", "开启"):
        member.reminders_opt_out = False
        await ctx.reply("remind.on")
    elif word in ("default", "默认"):
        member.remind_offsets, member.reminders_opt_out = None, False
        offsets = community_setting(ctx.community, ctx.config, "reminder_offsets")
        await ctx.reply("remind.set", offsets=_offsets_text(offsets, ctx.lang))
    else:
        try:
            parsed = parse_offsets(args)
        except TimeParseError:
            parsed = []
        if not parsed or len(parsed) > 5 or any(td > MAX_OFFSET for td in parsed):
            problem = ctx.t("remind.bad", text=args.strip()[:40])
            raise UsageError(
                ctx.t("error.usage", problem=problem, usage=REMIND_USAGE, example=REMIND_EXAMPLE)
            )
        member.remind_offsets = [int(td.total_seconds() // 60) for td in parsed]
        member.reminders_opt_out = False
        await ctx.reply("remind.set", offsets=_offsets_text(member.remind_offsets, ctx.lang))
    await replan_member(ctx, member)


register(
    "reminder",
    Renderer(render_reminder, on_unreachable=fallback_to_group, read_only=True, prefetch=prefetch_rsvps),
)
register("group_reminder", Renderer(render_group_reminder, read_only=True))


def install(registry: Registry) -> None:
    registry.add(CommandSpec("remind", remind, REMIND_USAGE, REMIND_EXAMPLE))
