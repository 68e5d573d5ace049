"""/report and /report ID: the community's last 30 days, or one event's effect, from the latest analytics run:
the text at once, then a chart (PNG) drawn when the delivery is sent, or a short table where the platform
takes no files."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import i18n
from bot.context import Ctx
from bot.delivery import outbox
from bot.delivery.render import RenderCtx, Renderer, register
from bot.domain.messages import Attachment, OutMessage, Target
from bot.features.common import fmt_time, get_event, parse_event_id
from bot.features.insights import charts
from bot.features.insights.common import MIN_GROUP, as_of_text, fmt_num, latest_runs, pct
from bot.features.insights.effect import EventFigures, compute_event
from bot.features.insights.overview import compute_overview, overview_text
from bot.registry import CommandSpec
from bot.storage.models import Community, Delivery, Event
from bot.storage.results import AnalyticsRun

logger = logging.getLogger(__name__)
CHART_KIND = "report_chart"

USAGE, EXAMPLE = "/report [ID]", "/report 12"

i18n.register(
    {
        "help.report": {"en": "Analytics report: the community, or one event (organizers)",
                        "zh": "分析报告：社群概况或单个活动（组织者）"},
        "report.event_title": {"en": "📈 #{id} {title} — {when} {as_of}", "zh": "📈 活动 #{id} {title} — {when}{as_of}"},
        "report.rating": {"en": "Rating: {rating}", "zh": "评级：{rating}"},
        "report.rating.excellent": {"en": "excellent", "zh": "优秀"},
        "report.rating.good": {"en": "good", "zh": "良好"},
        "report.rating.fair": {"en": "fair", "zh": "一般"},
        "report.rating.poor": {"en": "poor", "zh": "较差"},
        "report.rating.upcoming": {"en": "not held yet", "zh": "尚未举行"},
        "report.participation": {"en": "Going {going} · came {attended} · participation {rate}",
                                  "zh": "报名 {going} · 到场 {attended} · 到场率 {rate}"},
        "report.active": {"en": "Active members then {active} · share who came {rate}",
                          "zh": "当时活跃成员 {active} · 到场比例 {rate}"},
        "report.interaction": {"en": "Interaction: {rate} of those who came wrote or reacted in the chat",
                               "zh": "互动：到场者中 {rate} 在群里发言或回应"},
        "report.satisfaction": {"en": "Satisfaction {mean}/5 · response rate {rate}",
                                "zh": "满意度 {mean}/5 · 回复率 {rate}"},
        "report.turnout": {"en": "Turnout: predicted {predicted} (range {low}–{high}), actual {actual}",
                           "zh": "到场人数：预测 {predicted}（区间 {low}–{high}），实际 {actual}"},
        "report.forecast": {"en": "Forecast turnout: {predicted} (range {low}–{high})",
                            "zh": "预计到场：{predicted}（区间 {low}–{high}）"},
        "report.lift": {"en": "Lift: {lift} actions per attendee in the following weeks vs similar members",
                        "zh": "带动效果：到场者此后几周人均互动比相似成员 {lift} 次"},
        "report.small": {
            "en": "Rates and satisfaction are not shown: fewer than {n} people came (small groups are protected).",
            "zh": "到场不足 {n} 人，不显示比例和满意度（小群体受到保护）。",
        },
        "report.distribution": {"en": "Ratings 1–5: {counts}", "zh": "评分分布 1–5：{counts}"},
        "report.few_votes": {"en": "Satisfaction and rating are not shown: fewer than {n} ratings.",
                             "zh": "评分不足 {n} 个，不显示满意度和评级。"},
        "report.no_effect": {
            "en": "#{id} is not in the latest analytics run yet (analytics runs nightly, or with "
            "`gatherbot analytics run`).",
            "zh": "最新的分析里还没有 #{id}（分析每晚运行，也可以用 `gatherbot analytics run` 运行）。",
        },
    }
)  # fmt: skip


async def report(ctx: Ctx, args: str) -> None:
    assert ctx.community is not None
    event = await get_event(ctx, parse_event_id(ctx, args, EXAMPLE)) if args.strip() else None
    runs = await latest_runs(ctx)
    if not runs:
        await ctx.reply("insights.no_run")
        return
    run = runs[0]
    if event is None:
        await ctx.send(
            overview_text(await compute_overview(ctx.session, ctx.community, run, ctx.now), ctx.lang, ctx.tz)
        )
        await _queue_chart(ctx, run, None)
        return
    fig = await compute_event(ctx.session, run, event)
    if fig is None:
        await ctx.reply("report.no_effect", id=event.id)
        return
    await ctx.send(event_text(fig, run, ctx.lang, ctx.tz))
    if charts.event_chart(fig) is not None:
        await _queue_chart(ctx, run, event.id)


def event_text(fig: EventFigures, run: AnalyticsRun, lang: str, tz: ZoneInfo) -> str:
    """The chat text of /report ID."""

    def t(key: str, **params: object) -> str:
        return i18n.t(lang, key, **params)

    when = fmt_time(fig.starts_at, tz, lang)
    lines = [t("report.event_title", id=fig.id, title=fig.title, when=when, as_of=as_of_text(lang, tz, run.window_end)),
             t("report.rating", rating=rating_text(fig, lang))]  # fmt: skip
    rng = {"predicted": fmt_num(fig.predicted), "low": fmt_num(fig.low, 0), "high": fmt_num(fig.high, 0)}
    if fig.upcoming:
        if fig.predicted is not None:
            lines.append(t("report.forecast", **rng))
        return "\n".join(lines)
    lines.append(
        t("report.participation", going=fig.going, attended=fig.attended, rate=pct(fig.participation_rate))
    )
    lines.append(t("report.active", active=fig.active_members, rate=pct(fig.active_rate)))
    if not fig.small:
        lines.append(t("report.interaction", rate=pct(fig.interaction_rate)))
        if fig.satisfaction_mean is not None:
            lines.append(
                t("report.satisfaction", mean=fmt_num(fig.satisfaction_mean, 2), rate=pct(fig.response_rate))
            )
        elif fig.few_votes:
            lines.append(t("report.few_votes", n=MIN_GROUP))
        if fig.distribution is not None:
            lines.append(t("report.distribution", counts=charts.ratings_text(fig.distribution)))
    if fig.predicted is not None:
        lines.append(t("report.turnout", actual=fig.attended, **rng))
    if fig.lift is not None:
        lines.append(t("report.lift", lift=f"{fig.lift:+.1f}"))
    if fig.small:
        lines.append(t("report.small", n=MIN_GROUP))
    return "\n".join(lines)


def rating_text(fig: EventFigures, lang: str) -> str:
    """The rating label; "–" when fewer than MIN_GROUP came or rated: it rests on their ratings."""
    return "–" if fig.small or fig.few_votes else i18n.t(lang, f"report.rating.{fig.rating}")


async def _queue_chart(ctx: Ctx, run: AnalyticsRun, event_id: int | None) -> None:
    """The chart goes out as a delivery of its own: drawn when it is sent, never stored."""
    assert ctx.community is not None
    target = ctx.here()
    await outbox.enqueue(
        ctx.session, key=f"chart:{ctx.event.platform}:{ctx.event.source_id}", platform=target.platform,
        kind=CHART_KIND, due_at=ctx.now, now=ctx.now, community_id=ctx.community.id, event_id=event_id,
        payload={"target": vars(target), "lang": ctx.lang, "tz": ctx.tz.key, "now": ctx.now.isoformat(),
                 "run_id": run.id},
    )  # fmt: skip


async def render_chart(rc: RenderCtx, row: Delivery) -> OutMessage | None:
    """The chart of the run the command answered from, as a PNG, or as a short table without files."""
    payload = row.payload
    run = await rc.session.get(AnalyticsRun, payload["run_id"])
    community = await rc.session.get(Community, row.community_id) if row.community_id else None
    if run is None or community is None:  # the run was pruned, or the community deleted
        return None
    target, lang, tz = Target(**payload["target"]), payload["lang"], ZoneInfo(payload["tz"])
    font = rc.config.chart_font
    if row.event_id is None:
        ov = await compute_overview(rc.session, community, run, datetime.fromisoformat(payload["now"]))
        data = charts.overview_chart(ov, tz)
        if data.empty:
            return None
        heading = functools.partial(charts.overview_caption, ov, lang, tz)
        table = functools.partial(charts.overview_table, data, lang)
        draw, name = functools.partial(charts.overview_png, data, lang, font), "report-30-days.png"
    else:
        event = await rc.session.get(Event, row.event_id)
        fig = await compute_event(rc.session, run, event) if event is not None else None
        chart = charts.event_chart(fig) if fig is not None else None
        if chart is None:
            return None
        heading = functools.partial(charts.event_caption, chart, lang)
        table = functools.partial(charts.event_table, chart, lang)
        draw, name = functools.partial(charts.event_png, chart, lang, font), f"report-event-{chart.id}.png"
    as_table = OutMessage(target, heading(table=True) + "\n" + table())
    if not rc.capabilities.files:
        return as_table
    # Drawing takes a few hundred milliseconds: the relay does it after its claim commits, so the
    # database is not held meanwhile (on SQLite, every incoming update would wait for it).
    return replace(as_table, finish=functools.partial(_drawn, as_table, heading(), draw, name, row.id))


def _drawn(
    as_table: OutMessage, caption: str, draw: Callable[[], bytes], name: str, row_id: int
) -> OutMessage:
    """The chart as a PNG with its caption; its table instead if it cannot be drawn (in a worker thread)."""
    try:
        png = draw()
    except Exception:  # noqa: BLE001 - a chart that cannot be drawn still says what it would show
        logger.exception("drawing the chart of delivery %s failed; sending its table instead", row_id)
        return as_table
    return OutMessage(as_table.target, caption, attachment=Attachment(name, png, "image/png"))


def specs() -> list[CommandSpec]:
    return [CommandSpec("report", report, USAGE, EXAMPLE, role="organizer")]


register(CHART_KIND, Renderer(render_chart))
