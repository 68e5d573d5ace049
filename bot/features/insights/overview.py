"""/report without an ID: the community's last 30 days as text; aggregates over fewer than 5 members are hidden."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import distinct, func, select

from bot import i18n
from bot.context import Ctx
from bot.features.insights.common import MIN_GROUP, as_of, fmt_num, pct, segment_name
from bot.storage.models import Activity, Event, Member
from bot.storage.results import AnalyticsRun, EventEffect, SegmentProfile, TopicTrend

PERIOD = timedelta(days=30)
ACTIVE_KINDS = ("message", "command", "button", "poll_vote", "reaction", "voice_join")

i18n.register(
    {
        "overview.title": {"en": "📊 The last 30 days ({start} – {end})", "zh": "📊 最近 30 天（{start} – {end}）"},
        "overview.members": {"en": "Active members {active} · new {new} · left {left}",
                             "zh": "活跃成员 {active} · 新加入 {new} · 离开 {left}"},
        "overview.messages": {"en": "Messages {n} · events held {events}", "zh": "消息 {n} 条 · 举办活动 {events} 场"},
        "overview.events": {"en": "Mean participation {part} · mean satisfaction {sat}",
                            "zh": "平均到场率 {part} · 平均满意度 {sat}"},
        "overview.segments": {"en": "Segments {as_of}: {list}", "zh": "成员群体{as_of}：{list}"},
        "overview.topics": {"en": "Top topics: {list}", "zh": "热门话题：{list}"},
        "overview.few": {"en": "<{n}", "zh": "不足{n}"},
        "overview.note": {"en": "Figures over fewer than {n} members are not shown: small groups are protected.",
                          "zh": "少于 {n} 人的统计不显示：小群体受到保护。"},
    }
)  # fmt: skip


async def overview(ctx: Ctx, run: AnalyticsRun) -> str:
    assert ctx.community is not None
    cid, end = ctx.community.id, ctx.now
    start = end - PERIOD
    counted = select(Member.id).where(Member.community_id == cid, Member.analytics_opt_out.is_(False))
    in_period = (Activity.community_id == cid, Activity.occurred_at >= start, Activity.occurred_at < end,
                 Activity.member_id.in_(counted))  # fmt: skip

    async def distinct_members(*kinds: str) -> int:
        q = select(func.count(distinct(Activity.member_id))).where(*in_period, Activity.kind.in_(kinds))
        return int(await ctx.session.scalar(q) or 0)

    hidden = False

    def people(n: int) -> str:
        nonlocal hidden
        if 0 < n < MIN_GROUP:
            hidden = True
            return ctx.t("overview.few", n=MIN_GROUP)
        return str(n)

    active = await distinct_members(*ACTIVE_KINDS)
    new = int(await ctx.session.scalar(select(func.count()).where(
        Member.id.in_(counted), Member.joined_at >= start, Member.joined_at < end)) or 0)  # fmt: skip
    left = await distinct_members("leave")
    messages = int(
        await ctx.session.scalar(select(func.count()).where(*in_period, Activity.kind == "message")) or 0
    )
    held = list(await ctx.session.scalars(select(Event.id).where(
        Event.community_id == cid, Event.status == "scheduled", Event.starts_at >= start, Event.ends_at <= end)))  # fmt: skip
    effects = list(await ctx.session.scalars(select(EventEffect).where(
        EventEffect.run_id == run.id, EventEffect.event_id.in_(held), EventEffect.rating != "upcoming")))  # fmt: skip
    part, sat = "–", "–"
    came = [e for e in effects if e.participation_rate is not None]
    if came and sum(e.attended for e in came) >= MIN_GROUP:
        part = pct(sum(e.participation_rate or 0 for e in came) / len(came))
    elif came:
        hidden = True
    voted = [(e.satisfaction_mean, round((e.response_rate or 0) * e.attended)) for e in effects
             if e.satisfaction_mean is not None]  # fmt: skip
    if voted and sum(n for _, n in voted) >= MIN_GROUP:
        sat = fmt_num(sum(m * n for m, n in voted) / sum(n for _, n in voted), 2) + "/5"
    elif voted:
        hidden = True
    lines = [
        ctx.t(
            "overview.title",
            start=f"{start.astimezone(ctx.tz):%Y-%m-%d}",
            end=f"{end.astimezone(ctx.tz):%Y-%m-%d}",
        ),
        ctx.t("overview.members", active=people(active), new=people(new), left=people(left)),
        ctx.t("overview.messages", n=messages, events=len(held)),
        ctx.t("overview.events", part=part, sat=sat),
    ]
    profiles = list(await ctx.session.scalars(
        select(SegmentProfile).where(SegmentProfile.run_id == run.id).order_by(SegmentProfile.size.desc())))  # fmt: skip
    sep = "、" if ctx.lang == "zh" else ", "
    shown = [f"{segment_name(p.name, ctx.lang)} {p.size}" for p in profiles if p.size >= MIN_GROUP]
    hidden = hidden or len(shown) < len(profiles)
    if shown:
        lines.append(ctx.t("overview.segments", as_of=as_of(ctx, run), list=sep.join(shown)))
    demand = func.sum(TopicTrend.messages + 3 * TopicTrend.rsvps)
    topics = (await ctx.session.execute(
        select(TopicTrend.topic, demand).where(TopicTrend.run_id == run.id,
                                               TopicTrend.period_start >= run.window_end - PERIOD)
        .group_by(TopicTrend.topic).order_by(demand.desc(), TopicTrend.topic).limit(3))).all()  # fmt: skip
    if topics:
        lines.append(ctx.t("overview.topics", list=sep.join(f"#{t}" for t, d in topics if d)))
    if hidden:
        lines.append(ctx.t("overview.note", n=MIN_GROUP))
    return "\n".join(lines)
