"""`gatherbot report`: the /report overview as files: report.md (the same figures as /report, the segment
table, and the effects of recent events) and PNG charts, with small groups hidden as in the chat."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import i18n
from bot.features.common import fmt_time
from bot.features.insights import charts
from bot.features.insights.common import (
    FEATURES,
    MIN_GROUP,
    as_of_text,
    feature_name,
    fmt_num,
    pct,
    segment_name,
)
from bot.features.insights.effect import EventFigures, compute_event, figures_of
from bot.features.insights.overview import Overview, compute_overview, people_text
from bot.features.insights.report import rating_text
from bot.storage.models import Community, Event
from bot.storage.results import AnalyticsRun, EventEffect

MAX_EVENT_CHARTS = 12  # the most recent events that get a chart of their own

i18n.register(
    {
        "mdreport.title": {"en": "# Community report: {name}", "zh": "# 社群报告：{name}"},
        "mdreport.period": {"en": "The last 30 days, {start} – {end} {as_of}", "zh": "最近 30 天，{start} – {end}{as_of}"},
        "mdreport.overview": {"en": "## Overview", "zh": "## 概况"},
        "mdreport.overview_head": {"en": "| Figure | Value |", "zh": "| 指标 | 数值 |"},
        "mdreport.active": {"en": "Active members", "zh": "活跃成员"},
        "mdreport.new": {"en": "New members", "zh": "新加入"},
        "mdreport.left": {"en": "Members who left", "zh": "离开"},
        "mdreport.messages": {"en": "Messages", "zh": "消息"},
        "mdreport.held": {"en": "Events held", "zh": "举办活动"},
        "mdreport.participation": {"en": "Mean participation", "zh": "平均到场率"},
        "mdreport.satisfaction": {"en": "Mean satisfaction", "zh": "平均满意度"},
        "mdreport.topics": {"en": "Top topics", "zh": "热门话题"},
        "mdreport.chart": {"en": "Chart", "zh": "图表"},
        "mdreport.weeks": {"en": "## Week by week", "zh": "## 逐周数据"},
        "mdreport.weeks_head": {"en": "| Week from | Messages | Active members |", "zh": "| 起始日 | 消息 | 活跃成员 |"},
        "mdreport.segments": {"en": "## Member segments {as_of}", "zh": "## 成员群体{as_of}"},
        "mdreport.segment_head": {"en": "| Segment | Members |", "zh": "| 群体 | 人数 |"},
        "mdreport.no_segments": {"en": "No segment has at least {n} members.", "zh": "没有人数不少于 {n} 的群体。"},
        "mdreport.events": {"en": "## Events held in these 30 days", "zh": "## 这 30 天举办的活动"},
        "mdreport.events_head": {
            "en": "| Event | When | Going | Came | Participation | Interaction | Satisfaction | Rating | Predicted (90% range) | Lift |",
            "zh": "| 活动 | 时间 | 报名 | 到场 | 到场率 | 互动 | 满意度 | 评级 | 预测（90% 区间） | 带动效果 |",
        },
        "mdreport.no_events": {"en": "No event of these 30 days is in the analytics run.",
                               "zh": "这次分析里没有这 30 天举办的活动。"},
        "mdreport.upcoming": {"en": "## Coming up: forecast turnout", "zh": "## 即将举行：预计到场"},
        "mdreport.upcoming_head": {"en": "| Event | When | Going so far | Predicted (90% range) |",
                                   "zh": "| 活动 | 时间 | 目前报名 | 预测（90% 区间） |"},
        "mdreport.small_events": {
            "en": "Not shown: rates, satisfaction, rating and lift of an event fewer than {n} people came to, and "
            "satisfaction and rating of an event fewer than {n} rated.",
            "zh": "不显示：到场不足 {n} 人的活动的比例、满意度、评级和带动效果，以及评分不足 {n} 个的活动的满意度和评级。",
        },
    }
)  # fmt: skip

ESCAPE = str.maketrans({c: "\\" + c for c in "\\|*_`[]<>"} | {"\n": " ", "\r": " "})


def md(text: str) -> str:
    """Text from members (titles, names) safe inside a Markdown table."""
    return text.translate(ESCAPE)


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _rule(head: str) -> str:
    return "|" + " --- |" * (head.count("|") - 1)


def _range(fig: EventFigures) -> str:
    if fig.predicted is None:
        return "–"
    return f"{fmt_num(fig.predicted)} ({fmt_num(fig.low, 0)}–{fmt_num(fig.high, 0)})"


def report_markdown(
    community: Community,
    ov: Overview,
    upcoming: list[EventFigures],
    lang: str,
    tz: ZoneInfo,
    event_charts: dict[int, str],
    overview_chart: str | None = "overview.png",
) -> str:
    """report.md: the /report figures, weeks, segments and events, small groups hidden."""

    def t(key: str, **params: object) -> str:
        return i18n.t(lang, key, **params)

    sep = "、" if lang == "zh" else ", "
    as_of = as_of_text(lang, tz, ov.run_end)
    sat = "–" if ov.satisfaction is None else fmt_num(ov.satisfaction, 2) + "/5"
    out = [
        t("mdreport.title", name=md(community.title or f"#{community.id}")),
        "",
        t("mdreport.period", start=f"{ov.start.astimezone(tz):%Y-%m-%d}", end=f"{ov.end.astimezone(tz):%Y-%m-%d}",
          as_of=as_of),
        "",
        t("mdreport.overview"),
        "",
        t("mdreport.overview_head"),
        _rule(t("mdreport.overview_head")),
        _row(t("mdreport.active"), people_text(ov.active, lang)),
        _row(t("mdreport.new"), people_text(ov.new, lang)),
        _row(t("mdreport.left"), people_text(ov.left, lang)),
        _row(t("mdreport.messages"), ov.messages),
        _row(t("mdreport.held"), ov.events_held),
        _row(t("mdreport.participation"), pct(ov.participation)),
        _row(t("mdreport.satisfaction"), sat),
        _row(t("mdreport.topics"), sep.join(f"#{md(topic)}" for topic in ov.topics) or "–"),
        "",
    ]  # fmt: skip
    if overview_chart:
        out += [f"![{t('mdreport.chart')}]({overview_chart})", ""]
    out += [t("mdreport.weeks"), "", t("mdreport.weeks_head"), _rule(t("mdreport.weeks_head"))]
    for w in ov.weeks:
        messages = "–" if w.messages is None else w.messages
        out.append(_row(f"{w.start.astimezone(tz):%Y-%m-%d}", messages, people_text(w.active, lang)))
    out += ["", t("mdreport.segments", as_of=as_of), ""]
    if ov.segments:
        keys = [k for k in FEATURES if any(k in s.profile for s in ov.segments)]
        head = t("mdreport.segment_head") + "".join(f" {feature_name(k, lang)} |" for k in keys)
        out += [head, _rule(head)]
        for s in ov.segments:
            values = [fmt_num(s.profile.get(k), 2) for k in keys]
            out.append(_row(md(segment_name(s.name, lang)), s.size, *values))
    else:
        out.append(t("mdreport.no_segments", n=MIN_GROUP))
    out += ["", t("mdreport.events"), ""]
    if ov.events:
        out += [t("mdreport.events_head"), _rule(t("mdreport.events_head"))]
        for e in reversed(ov.events):  # newest first
            sat = "–" if e.satisfaction_mean is None else fmt_num(e.satisfaction_mean, 2) + "/5"
            lift = "–" if e.lift is None else f"{e.lift:+.1f}"
            out.append(_row(f"#{e.id} {md(e.title)}", fmt_time(e.starts_at, tz, lang), e.going, e.attended,
                            pct(e.participation_rate), pct(e.interaction_rate), sat, rating_text(e, lang),
                            _range(e), lift))  # fmt: skip
        out.append("")
        if any(e.small or e.few_votes for e in ov.events):
            out += [f"_{t('mdreport.small_events', n=MIN_GROUP)}_", ""]
        for event_id, name in event_charts.items():
            out += [f"![#{event_id}]({name})", ""]
    else:
        out += [t("mdreport.no_events"), ""]
    if upcoming:
        out += [t("mdreport.upcoming"), "", t("mdreport.upcoming_head"), _rule(t("mdreport.upcoming_head"))]
        for e in upcoming:
            out.append(_row(f"#{e.id} {md(e.title)}", fmt_time(e.starts_at, tz, lang), e.going, _range(e)))
        out.append("")
    if ov.hidden or any(w.active is None for w in ov.weeks):
        out += [f"_{i18n.t(lang, 'overview.note', n=MIN_GROUP)}_", ""]
    return "\n".join(out).rstrip("\n") + "\n"


async def upcoming_figures(session: AsyncSession, run: AnalyticsRun, now: datetime) -> list[EventFigures]:
    """The run's forecasts for scheduled events that have not started yet, soonest first."""
    rows = await session.execute(
        select(Event, EventEffect)
        .join(EventEffect, EventEffect.event_id == Event.id)
        .where(EventEffect.run_id == run.id, EventEffect.rating == "upcoming", Event.status == "scheduled",
               Event.starts_at > now)
        .order_by(Event.starts_at, Event.id)
    )  # fmt: skip
    return [figures_of(event, eff) for event, eff in rows.all()]


async def write_report(
    session: AsyncSession,
    community: Community,
    run: AnalyticsRun,
    now: datetime,
    lang: str,
    out: Path,
    font_file: str = "",
) -> list[Path]:
    """Write report.md and its charts into out; return the paths written, report.md first."""
    tz = ZoneInfo(community.timezone)
    ov = await compute_overview(session, community, run, now)
    upcoming = await upcoming_figures(session, run, now)
    out.mkdir(parents=True, exist_ok=True)
    pngs = [out / "overview.png"]
    pngs[0].write_bytes(charts.overview_png(charts.overview_chart(ov, tz), lang, font_file))
    event_charts: dict[int, str] = {}
    for e in [e for e in ov.events if not e.small][-MAX_EVENT_CHARTS:][::-1]:
        event = await session.get(Event, e.id)
        fig = await compute_event(session, run, event) if event is not None else None
        chart = charts.event_chart(fig) if fig is not None else None
        if chart is None:
            continue
        path = out / f"event-{e.id}.png"
        path.write_bytes(charts.event_png(chart, lang, font_file))
        event_charts[e.id] = path.name
        pngs.append(path)
    report = out / "report.md"
    report.write_text(report_markdown(community, ov, upcoming, lang, tz, event_charts), encoding="utf-8")
    return [report, *pngs]
