"""Organizers create, edit and cancel events; everyone lists them and gets calendar files."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select

from bot import i18n
from bot.context import Ctx, UsageError
from bot.delivery import outbox
from bot.features import eventform as form_
from bot.features.announce import describe, refresh_announcement
from bot.features.common import fmt_time, get_event, in_event_community, notify_members, parse_event_id
from bot.features.eventform import EventForm, FormError
from bot.features.insights.forecast import event_forecast
from bot.features.mirror import mirror_event
from bot.features.planner import replan_event
from bot.registry import CommandSpec, Registry
from bot.storage.models import Event, EventTag, Member, Rsvp

i18n.register(
    {
        "help.newevent": {"en": "Create an event (organizers)", "zh": "创建活动（组织者）"},
        "help.events": {"en": "Upcoming events", "zh": "即将举行的活动"},
        "help.event": {"en": "Details of one event", "zh": "查看活动详情"},
        "help.myevents": {"en": "Events you answered", "zh": "我报名的活动"},
        "help.editevent": {"en": "Change an event (organizers)", "zh": "修改活动（组织者）"},
        "help.cancelevent": {"en": "Cancel an event (organizers)", "zh": "取消活动（组织者）"},
        "help.ics": {"en": "Calendar file for an event", "zh": "获取活动的日历文件"},
        "events.created": {
            "en": "✅ Created #{id} {title}: {when}.{more} Announced in the group.",
            "zh": "✅ 已创建 #{id} {title}：{when}。{more}已在群里发布公告。",
        },
        "events.created_series": {"en": " {n} dates in all.", "zh": "共 {n} 场。"},
        "events.forecast": {
            "en": "📈 Expected turnout: about {predicted} (90% range {low}–{high}), from past events like it.",
            "zh": "📈 预计到场：约 {predicted} 人（90% 区间 {low}–{high}），依据以往类似活动估算。",
        },
        "events.none": {
            "en": "No upcoming events. Organizers can add one with /newevent.",
            "zh": "暂无即将举行的活动。组织者可以用 /newevent 创建。",
        },
        "events.header": {"en": "Upcoming events:", "zh": "即将举行的活动："},
        "events.line": {
            "en": "#{id} {when} · {title} · {going} going",
            "zh": "#{id} {when} · {title} · {going} 人参加",
        },
        "events.mine_none": {
            "en": "You haven't answered any upcoming event yet.",
            "zh": "你还没有报名任何即将举行的活动。",
        },
        "events.mine_header": {"en": "Your upcoming events:", "zh": "你报名的活动："},
        "events.mine_line": {
            "en": "#{id} {when} · {title} · {status}",
            "zh": "#{id} {when} · {title} · {status}",
        },
        "status.going": {"en": "going", "zh": "参加"},
        "status.maybe": {"en": "maybe", "zh": "可能"},
        "status.no": {"en": "not going", "zh": "不去"},
        "status.waitlist": {"en": "waitlist", "zh": "候补"},
        "events.edited": {"en": "✏️ Updated #{id}: {fields}.", "zh": "✏️ 已更新 #{id}：{fields}。"},
        "events.edit_nothing": {"en": "Tell me what to change.", "zh": "请告诉我要修改什么。"},
        "events.moved": {
            "en": "🕖 #{id} {title} moved to {when}.",
            "zh": "🕖 #{id} {title} 改到了 {when}。",
        },
        "events.cancelled": {
            "en": "❌ Cancelled #{id} {title}. Notified: {n}.",
            "zh": "❌ 已取消 #{id} {title}，已通知 {n} 人。",
        },
        "events.cancelled_notice": {
            "en": "❌ #{id} {title} ({when}) is cancelled.",
            "zh": "❌ #{id} {title}（{when}）已取消。",
        },
        "events.already_cancelled": {"en": "#{id} is already cancelled.", "zh": "#{id} 已经取消了。"},
        "events.not_editable": {
            "en": "#{id} has already ended or is cancelled; it can't be changed.",
            "zh": "#{id} 已结束或已取消，不能修改。",
        },
    }
)

EDITABLE = ("title", "when", "duration", "end", "type", "capacity", "place", "tags", "tz")


def usage_error(
    ctx: Ctx, exc: FormError, usage: str = form_.USAGE, example: str = form_.EXAMPLE
) -> UsageError:
    """A localized 'problem + usage + example' error."""
    return UsageError(ctx.t("error.usage", problem=exc.text(ctx.lang), usage=usage, example=example))


async def create_events(ctx: Ctx, form: EventForm) -> list[Event]:
    """Save the event (every occurrence of a series), announce it and plan its deliveries."""
    assert ctx.community is not None and ctx.member is not None
    community, now = ctx.community, ctx.now
    tz = ZoneInfo(community.timezone)
    starts = form_.occurrences(form, tz, ctx.config.max_occurrences)
    events: list[Event] = []
    for start in starts:
        event = Event(
            community_id=community.id,
            title=form.title,
            kind=form.kind,
            starts_at=start,
            ends_at=start + form.duration,
            capacity=form.capacity,
            place=form.place,
            status="scheduled",
            recurrence=None
            if form.interval_weeks is None
            else ("monthly" if form.interval_weeks == 0 else f"{form.interval_weeks}w"),
            created_by=ctx.member.id,
            created_at=now,
            updated_at=now,
        )
        ctx.session.add(event)
        await ctx.session.flush()
        if len(starts) > 1:
            event.series_id = events[0].id if events else event.id
        ctx.session.add_all(EventTag(event_id=event.id, tag=tag) for tag in form.tags)
        # Each occurrence is announced when the previous one ends, so a series does not flood the group.
        announce_at = now if not events else max(now, events[-1].ends_at)
        await outbox.enqueue(
            ctx.session, key=f"announce:{event.id}", platform=community.platform, kind="announce",
            due_at=announce_at, now=now, community_id=community.id, event_id=event.id,
        )  # fmt: skip
        await replan_event(ctx.session, event, community, ctx.config, now)
        await mirror_event(ctx.session, event, community, now)
        events.append(event)
    return events


async def newevent(ctx: Ctx, args: str) -> None:
    if not args:
        from bot.features.wizard import start_wizard

        await start_wizard(ctx)
        return
    from bot.features.wizard import drop_dialog

    await drop_dialog(ctx)  # a one-line /newevent replaces a dialog left open
    try:
        form = form_.parse_form(args, now=ctx.now, tz=ctx.tz, config=ctx.config)
    except FormError as exc:
        raise usage_error(ctx, exc) from None
    await confirm_created(ctx, await create_events(ctx, form))


async def confirm_created(ctx: Ctx, events: list[Event]) -> None:
    first = events[0]
    more = ctx.t("events.created_series", n=len(events)) if len(events) > 1 else ""
    when = fmt_time(first.starts_at, ctx.tz, ctx.lang)
    text = ctx.t("events.created", id=first.id, title=first.title, when=when, more=more)
    expected = await event_forecast(ctx.session, first, ctx.tz, ctx.now)
    if expected is not None:
        text += "\n" + ctx.t(
            "events.forecast", predicted=f"{expected.predicted:.0f}", low=f"{expected.low:.0f}",
            high=f"{expected.high:.0f}",
        )  # fmt: skip
    await ctx.send(text)


async def list_events(ctx: Ctx, args: str) -> None:
    assert ctx.community is not None
    rows = list(
        await ctx.session.scalars(
            select(Event)
            .where(
                Event.community_id == ctx.community.id, Event.status == "scheduled", Event.ends_at > ctx.now
            )
            .order_by(Event.starts_at, Event.id)
            .limit(10)
        )
    )
    if not rows:
        await ctx.reply("events.none")
        return
    going_to = dict(
        (
            await ctx.session.execute(
                select(Rsvp.event_id, func.count())
                .where(Rsvp.event_id.in_([e.id for e in rows]), Rsvp.status == "going")
                .group_by(Rsvp.event_id)
            )
        ).all()
    )  # one query for the whole list
    lines = [ctx.t("events.header")]
    for event in rows:
        going = going_to.get(event.id, 0)
        when = fmt_time(event.starts_at, ctx.tz, ctx.lang)
        lines.append(ctx.t("events.line", id=event.id, when=when, title=event.title, going=going))
    await ctx.send("\n".join(lines))


async def show_event(ctx: Ctx, args: str) -> None:
    assert ctx.community is not None
    event_id = parse_event_id(ctx, args, "/event 3")
    found = await ctx.session.get(Event, event_id)
    if found is not None:  # privately: any group's event the user is a member of
        await in_event_community(ctx, found)
    event = await get_event(ctx, event_id)
    await ctx.send(await describe(ctx.session, event, ctx.community, ctx.lang, ctx.tz))


async def my_events(ctx: Ctx, args: str) -> None:
    assert ctx.member is not None
    rows = (
        await ctx.session.execute(
            select(Event, Rsvp.status)
            .join(Rsvp, Rsvp.event_id == Event.id)
            .where(
                Rsvp.member_id == ctx.member.id,
                Event.status == "scheduled",
                Event.ends_at > ctx.now,
                Rsvp.status != "no",
            )
            .order_by(Event.starts_at)
        )
    ).all()
    if not rows:
        await ctx.reply("events.mine_none")
        return
    lines = [ctx.t("events.mine_header")]
    for event, status in rows:
        when = fmt_time(event.starts_at, ctx.tz, ctx.lang)
        lines.append(
            ctx.t(
                "events.mine_line",
                id=event.id,
                when=when,
                title=event.title,
                status=ctx.t(f"status.{status}"),
            )
        )
    await ctx.send("\n".join(lines))


async def _apply_edit(ctx: Ctx, event: Event, options: dict[str, str], words: list[str]) -> list[str]:
    tz = form_.parse_zone(options["tz"]) if "tz" in options else ctx.tz
    changed = []
    if "title" in options:
        title = options["title"].strip()
        if not title:
            raise FormError("form.no_title")
        if len(title) > ctx.config.max_title:
            raise FormError("form.title_too_long", length=len(title), max=ctx.config.max_title)
        event.title, changed = title, [*changed, "title"]
    duration = event.ends_at - event.starts_at
    if "when" in options:
        start = form_.check_start(form_.parse_time_text(options["when"], ctx.now, tz), ctx.now, tz)
        event.starts_at, changed = start, [*changed, "when"]
    if "duration" in options:
        duration, changed = form_.parse_event_duration(options["duration"]), [*changed, "duration"]
    if "end" in options:
        duration, changed = form_.parse_end(options["end"], event.starts_at, tz), [*changed, "end"]
    event.ends_at = event.starts_at + duration
    if "type" in options:
        event.kind, changed = form_.parse_kind(options["type"]), [*changed, "type"]
    if "capacity" in options:
        value = options["capacity"].lower()
        event.capacity = None if value in ("none", "0", "无", "不限") else form_.parse_capacity(value)
        changed.append("capacity")
    if "place" in options:
        event.place, changed = form_.parse_place(options["place"]) or None, [*changed, "place"]
    if "tags" in options or words:
        tags = form_.parse_tags([options.get("tags", ""), *words])
        await ctx.session.execute(delete(EventTag).where(EventTag.event_id == event.id))
        ctx.session.add_all(EventTag(event_id=event.id, tag=tag) for tag in tags)
        changed.append("tags")
    return changed


async def edit_event(ctx: Ctx, args: str) -> None:
    assert ctx.community is not None
    id_text, _, rest = args.partition(" ")
    event = await get_event(ctx, parse_event_id(ctx, id_text, form_.EDIT_EXAMPLE))
    if event.status != "scheduled" or event.ends_at <= ctx.now:
        raise UsageError(ctx.t("events.not_editable", id=event.id))
    old_start = event.starts_at
    try:
        words, options, tags = form_.split_options(form_.tokenize(rest))
        if not options and not tags:
            raise UsageError(
                ctx.t(
                    "error.usage",
                    problem=ctx.t("events.edit_nothing"),
                    usage=form_.EDIT_USAGE,
                    example=form_.EDIT_EXAMPLE,
                )
            )
        unknown = words[:1] or [key for key in options if key not in EDITABLE]
        if unknown:
            raise FormError("form.bad_option", text=unknown[0][:40], keys=", ".join(EDITABLE))
        changed = await _apply_edit(ctx, event, options, ["#" + t for t in tags])
        if not changed:  # only tz=, which says how to read the other values
            raise FormError("events.edit_nothing")
    except FormError as exc:
        if exc.key == "form.bad_option":  # name the options /editevent knows, not /newevent's
            exc.params["keys"] = ", ".join(EDITABLE)
        raise usage_error(ctx, exc, form_.EDIT_USAGE, form_.EDIT_EXAMPLE) from None
    event.updated_at = ctx.now
    from bot.features.rsvp import promote_waitlist

    await promote_waitlist(ctx.session, event, ctx.community, ctx.now)
    await replan_event(ctx.session, event, ctx.community, ctx.config, ctx.now)
    await refresh_announcement(ctx.session, event, ctx.community, ctx.now)
    await mirror_event(ctx.session, event, ctx.community, ctx.now)
    if event.starts_at != old_start:
        await _notify_rsvped(
            ctx, event, "events.moved", f"moved:{event.id}:{int(event.starts_at.timestamp())}"
        )
    await ctx.reply("events.edited", id=event.id, fields=", ".join(changed))


async def _rsvped(ctx: Ctx, event: Event) -> list[Member]:
    return list(
        await ctx.session.scalars(
            select(Member)
            .join(Rsvp, Rsvp.member_id == Member.id)
            .where(Rsvp.event_id == event.id, Rsvp.status.in_(("going", "maybe", "waitlist")))
            .order_by(Member.id)
        )
    )


async def _notify_rsvped(ctx: Ctx, event: Event, key: str, dedupe: str) -> int:
    assert ctx.community is not None
    members = await _rsvped(ctx, event)
    await notify_members(
        ctx.session, community=ctx.community, members=members, key=key, params={}, dedupe=dedupe,
        now=ctx.now, event_id=event.id,
    )  # fmt: skip
    return len(members)


async def cancel_event(ctx: Ctx, args: str) -> None:
    assert ctx.community is not None
    event = await get_event(ctx, parse_event_id(ctx, args, "/cancelevent 3"))
    if event.status == "cancelled":
        raise UsageError(ctx.t("events.already_cancelled", id=event.id))
    if event.ends_at <= ctx.now:
        raise UsageError(ctx.t("events.not_editable", id=event.id))
    event.status, event.updated_at = "cancelled", ctx.now
    await replan_event(ctx.session, event, ctx.community, ctx.config, ctx.now)
    await refresh_announcement(ctx.session, event, ctx.community, ctx.now)
    await mirror_event(ctx.session, event, ctx.community, ctx.now)
    told = await _notify_rsvped(ctx, event, "events.cancelled_notice", f"cancel:{event.id}")
    await ctx.reply("events.cancelled", id=event.id, title=event.title, n=told)


async def send_ics(ctx: Ctx, args: str) -> None:
    event = await get_event(ctx, parse_event_id(ctx, args, "/ics 3"))
    target = ctx.here()
    await outbox.enqueue(
        ctx.session, key=f"ics:{ctx.event.platform}:{ctx.event.source_id}", platform=target.platform, kind="ics",
        due_at=ctx.now, now=ctx.now, community_id=event.community_id, event_id=event.id,
        payload={"target": vars(target), "lang": ctx.lang},
    )  # fmt: skip


def install(registry: Registry) -> None:
    registry.add(CommandSpec("newevent", newevent, form_.USAGE, form_.EXAMPLE, role="organizer"))
    registry.add(CommandSpec("events", list_events, "/events", "/events"))
    registry.add(CommandSpec("event", show_event, "/event ID", "/event 3"))
    registry.add(CommandSpec("myevents", my_events, "/myevents", "/myevents"))
    registry.add(CommandSpec("editevent", edit_event, form_.EDIT_USAGE, form_.EDIT_EXAMPLE, role="organizer"))
    registry.add(
        CommandSpec("cancelevent", cancel_event, "/cancelevent ID", "/cancelevent 3", role="organizer")
    )
    registry.add(CommandSpec("ics", send_ics, "/ics ID", "/ics 3"))
