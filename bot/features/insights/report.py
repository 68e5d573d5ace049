"""/report ID: one event's effect from the latest analytics run (text)."""

from __future__ import annotations

from sqlalchemy import select

from bot import i18n
from bot.context import Ctx
from bot.features.common import fmt_time, get_event, parse_event_id
from bot.features.insights.common import MIN_GROUP, as_of, fmt_num, latest_runs, pct
from bot.features.insights.overview import overview
from bot.registry import CommandSpec
from bot.storage.results import EventEffect

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
        "report.few_votes": {"en": "Satisfaction is not shown: fewer than {n} ratings.",
                             "zh": "评分不足 {n} 个，不显示满意度。"},
        "report.no_effect": {
            "en": "#{id} is not in the latest analytics run yet (analytics runs nightly, or with "
            "`gatherbot analytics run`).",
            "zh": "最新的分析里还没有 #{id}（分析每晚运行，也可以用 `gatherbot analytics run` 运行）。",
        },
    }
)  # fmt: skip


async def report(ctx: Ctx, args: str) -> None:
    event = await get_event(ctx, parse_event_id(ctx, args, EXAMPLE)) if args.strip() else None
    runs = await latest_runs(ctx)
    if not runs:
        await ctx.reply("insights.no_run")
        return
    if event is None:
        await ctx.send(await overview(ctx, runs[0]))
        return
    eff = await ctx.session.scalar(
        select(EventEffect).where(EventEffect.run_id == runs[0].id, EventEffect.event_id == event.id)
    )
    if eff is None:
        await ctx.reply("report.no_effect", id=event.id)
        return
    when = fmt_time(event.starts_at, ctx.tz, ctx.lang)
    lines = [ctx.t("report.event_title", id=event.id, title=event.title, when=when, as_of=as_of(ctx, runs[0])),
             ctx.t("report.rating", rating=ctx.t(f"report.rating.{eff.rating}"))]  # fmt: skip
    rng = {"predicted": fmt_num(eff.predicted_turnout), "low": fmt_num(eff.turnout_low, 0),
           "high": fmt_num(eff.turnout_high, 0)}  # fmt: skip
    if eff.rating == "upcoming":
        if eff.predicted_turnout is not None:
            lines.append(ctx.t("report.forecast", **rng))
        await ctx.send("\n".join(lines))
        return
    small = eff.attended < MIN_GROUP
    hide = (lambda v: "–") if small else pct  # noqa: E731
    lines.append(ctx.t("report.participation", going=eff.going, attended=eff.attended,
                       rate=hide(eff.participation_rate)))  # fmt: skip
    lines.append(ctx.t("report.active", active=eff.active_members, rate=hide(eff.active_rate)))
    if not small:
        lines.append(ctx.t("report.interaction", rate=pct(eff.interaction_rate)))
        voters = round((eff.response_rate or 0) * eff.attended)
        if eff.satisfaction_mean is not None and voters >= MIN_GROUP:
            lines.append(ctx.t("report.satisfaction", mean=fmt_num(eff.satisfaction_mean, 2),
                               rate=pct(eff.response_rate)))  # fmt: skip
        elif eff.satisfaction_mean is not None:
            lines.append(ctx.t("report.few_votes", n=MIN_GROUP))
    if eff.predicted_turnout is not None:
        lines.append(ctx.t("report.turnout", actual=eff.attended, **rng))
    if not small and eff.lift is not None:
        lines.append(ctx.t("report.lift", lift=f"{eff.lift:+.1f}"))
    if small:
        lines.append(ctx.t("report.small", n=MIN_GROUP))
    await ctx.send("\n".join(lines))


def specs() -> list[CommandSpec]:
    return [CommandSpec("report", report, USAGE, EXAMPLE, role="organizer")]
