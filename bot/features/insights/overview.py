"""/report without an ID: the community's last 30 days, computed once into an Overview (aggregates over
fewer than 5 members already hidden), then rendered as chat text, a chart or Markdown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import i18n
from bot.features.insights.common import MIN_GROUP, as_of_text, fmt_num, pct, segment_name
from bot.features.insights.effect import EventFigures, figures_of
from bot.storage.models import Activity, Community, Event, Member
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


@dataclass(frozen=True)
class Week:
    """One calendar week (Monday to Monday in the community's zone), cut to the period."""

    start: datetime
    end: datetime
    active: int | None  # None: 1 to MIN_GROUP-1 members were active (hidden, and so are its messages)
    messages: int | None


@dataclass(frozen=True)
class Segment:
    """A segment of the run with at least MIN_GROUP members."""

    segment: int
    name: str
    size: int
    profile: dict[str, float]


@dataclass(frozen=True)
class Overview:
    """The community's last 30 days and the run's segments and topics, with small groups already hidden.

    A count of people between 1 and MIN_GROUP-1 is None; ``hidden`` says that some figure of the summary
    lines (members, rates, segments) was held back."""

    community_id: int
    run_id: int
    run_end: datetime
    start: datetime
    end: datetime
    active: int | None
    new: int | None
    left: int | None
    messages: int
    events_held: int
    participation: float | None
    satisfaction: float | None
    segments: tuple[Segment, ...]  # at least MIN_GROUP members, largest first
    segments_hidden: int  # segments of the run with fewer members
    topics: tuple[str, ...]  # up to three, most in demand first
    weeks: tuple[Week, ...]
    events: tuple[EventFigures, ...]  # events held in the period that the run rated, oldest first
    hidden: bool


def _people(n: int) -> int | None:
    return None if 0 < n < MIN_GROUP else n


def weeks_of(start: datetime, end: datetime, tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """The calendar weeks (Monday 00:00 local) that overlap [start, end), each cut to it."""
    local = start.astimezone(tz).date()
    day = local - timedelta(days=local.weekday())
    out = []
    while True:
        lo = max(datetime.combine(day, time(), tz), start)
        hi = min(datetime.combine(day + timedelta(days=7), time(), tz), end)
        if lo >= end:
            return out
        if hi > lo:
            out.append((lo, hi))
        day += timedelta(days=7)


async def compute_overview(
    session: AsyncSession, community: Community, run: AnalyticsRun, now: datetime
) -> Overview:
    """The figures of /report (and of `gatherbot report`) for the 30 days before now."""
    cid, end = community.id, now
    start = end - PERIOD
    counted = select(Member.id).where(Member.community_id == cid, Member.analytics_opt_out.is_(False))

    def in_range(lo: datetime, hi: datetime) -> tuple:  # type: ignore[type-arg]
        return (Activity.community_id == cid, Activity.occurred_at >= lo, Activity.occurred_at < hi,
                Activity.member_id.in_(counted))  # fmt: skip

    async def distinct_members(lo: datetime, hi: datetime, *kinds: str) -> int:
        q = select(func.count(distinct(Activity.member_id))).where(
            *in_range(lo, hi), Activity.kind.in_(kinds)
        )
        return int(await session.scalar(q) or 0)

    async def messages_in(lo: datetime, hi: datetime) -> int:
        q = select(func.count()).where(*in_range(lo, hi), Activity.kind == "message")
        return int(await session.scalar(q) or 0)

    active = await distinct_members(start, end, *ACTIVE_KINDS)
    new = int(await session.scalar(select(func.count()).where(
        Member.id.in_(counted), Member.joined_at >= start, Member.joined_at < end)) or 0)  # fmt: skip
    left = await distinct_members(start, end, "leave")
    hidden = any(0 < n < MIN_GROUP for n in (active, new, left))

    weeks = []
    for lo, hi in weeks_of(start, end, ZoneInfo(community.timezone)):
        n = _people(await distinct_members(lo, hi, *ACTIVE_KINDS))
        weeks.append(Week(lo, hi, n, None if n is None else await messages_in(lo, hi)))

    held = list(await session.scalars(select(Event).where(
        Event.community_id == cid, Event.status == "scheduled", Event.starts_at >= start, Event.ends_at <= end)
        .order_by(Event.starts_at, Event.id)))  # fmt: skip
    by_id = {e.id: e for e in held}
    effects = list(await session.scalars(select(EventEffect).where(
        EventEffect.run_id == run.id, EventEffect.event_id.in_(by_id), EventEffect.rating != "upcoming")))  # fmt: skip
    effects.sort(key=lambda e: (by_id[e.event_id].starts_at, e.event_id))
    participation = satisfaction = None
    came = [e for e in effects if e.participation_rate is not None]
    if came and sum(e.attended for e in came) >= MIN_GROUP:
        participation = sum(e.participation_rate or 0 for e in came) / len(came)
    elif came:
        hidden = True
    voted = [(e.satisfaction_mean, round((e.response_rate or 0) * e.attended)) for e in effects
             if e.satisfaction_mean is not None]  # fmt: skip
    if voted and sum(n for _, n in voted) >= MIN_GROUP:
        satisfaction = sum(m * n for m, n in voted) / sum(n for _, n in voted)
    elif voted:
        hidden = True

    profiles = list(await session.scalars(select(SegmentProfile).where(SegmentProfile.run_id == run.id)
                                          .order_by(SegmentProfile.size.desc(), SegmentProfile.segment)))  # fmt: skip
    segments = tuple(
        Segment(p.segment, p.name, p.size, dict(p.profile)) for p in profiles if p.size >= MIN_GROUP
    )
    hidden = hidden or len(segments) < len(profiles)
    demand = func.sum(TopicTrend.messages + 3 * TopicTrend.rsvps)
    topics = (await session.execute(
        select(TopicTrend.topic, demand).where(TopicTrend.run_id == run.id,
                                               TopicTrend.period_start >= run.window_end - PERIOD)
        .group_by(TopicTrend.topic).order_by(demand.desc(), TopicTrend.topic).limit(3))).all()  # fmt: skip
    return Overview(
        community_id=cid,
        run_id=run.id,
        run_end=run.window_end,
        start=start,
        end=end,
        active=_people(active),
        new=_people(new),
        left=_people(left),
        messages=await messages_in(start, end),
        events_held=len(held),
        participation=participation,
        satisfaction=satisfaction,
        segments=segments,
        segments_hidden=len(profiles) - len(segments),
        topics=tuple(str(t) for t, d in topics if d),
        weeks=tuple(weeks),
        events=tuple(figures_of(by_id[e.event_id], e) for e in effects),
        hidden=hidden,
    )


def people_text(n: int | None, lang: str) -> str:
    return i18n.t(lang, "overview.few", n=MIN_GROUP) if n is None else str(n)


def overview_text(ov: Overview, lang: str, tz: ZoneInfo) -> str:
    """The chat text of /report."""
    sep = "、" if lang == "zh" else ", "
    lines = [
        i18n.t(lang, "overview.title", start=f"{ov.start.astimezone(tz):%Y-%m-%d}",
               end=f"{ov.end.astimezone(tz):%Y-%m-%d}"),
        i18n.t(lang, "overview.members", active=people_text(ov.active, lang), new=people_text(ov.new, lang),
               left=people_text(ov.left, lang)),
        i18n.t(lang, "overview.messages", n=ov.messages, events=ov.events_held),
        i18n.t(lang, "overview.events", part=pct(ov.participation),
               sat="–" if ov.satisfaction is None else fmt_num(ov.satisfaction, 2) + "/5"),
    ]  # fmt: skip
    if ov.segments:
        shown = sep.join(f"{segment_name(s.name, lang)} {s.size}" for s in ov.segments)
        lines.append(i18n.t(lang, "overview.segments", as_of=as_of_text(lang, tz, ov.run_end), list=shown))
    if ov.topics:
        lines.append(i18n.t(lang, "overview.topics", list=sep.join(f"#{t}" for t in ov.topics)))
    if ov.hidden:
        lines.append(i18n.t(lang, "overview.note", n=MIN_GROUP))
    return "\n".join(lines)
