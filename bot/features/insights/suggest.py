"""/suggest [#tag|type]: the three best time slots for a new event with predicted turnout, and topics
in demand that recent events did not cover.

Slots come from the planning advice the latest run stored (metrics["advice"]); for an event type, a tag
without stored advice, or when the stored slots have passed, they are computed now with the analytics
code (its imports are heavy, so they load only here; the CPU part runs off the event loop)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot import i18n
from bot.context import Ctx, UsageError
from bot.features.common import EVENT_KINDS, KIND_ALIASES, fmt_time, kind_label
from bot.features.insights.common import as_of, latest_runs
from bot.registry import CommandSpec
from bot.storage.models import Event, EventTag
from bot.storage.results import AnalyticsRun, TopicTrend

SLOTS = 3
RECENT = timedelta(days=28)
USAGE, EXAMPLE = "/suggest [#tag | type]", "/suggest #python"

i18n.register(
    {
        "help.suggest": {"en": "Best times for a new event and topics in demand (organizers)",
                         "zh": "新活动的最佳时间与热门话题（组织者）"},
        "suggest.title": {"en": "🗓 Best times for a new {what} {as_of}:", "zh": "🗓 新{what}的最佳时间{as_of}："},
        "suggest.what_all": {"en": "event", "zh": "活动"},
        "suggest.what_tag": {"en": "#{tag} event", "zh": " #{tag} 活动"},
        "suggest.slot": {"en": "{n}. {when} — about {turnout} expected ({low}–{high})",
                         "zh": "{n}. {when} — 预计约 {turnout} 人（{low}–{high}）"},
        "suggest.slot_plain": {"en": "{n}. {when} (no turnout forecast yet)", "zh": "{n}. {when}（暂无到场预测）"},
        "suggest.no_slots": {"en": "No free slot found in the coming week.", "zh": "未来一周没有合适的空档。"},
        "suggest.topics": {"en": "Topics in demand that recent events did not cover: {topics}",
                           "zh": "近期活动没覆盖、但大家在讨论的话题：{topics}"},
        "suggest.topic": {"en": "#{topic} ({n} messages in 4 weeks)", "zh": "#{topic}（4 周内 {n} 条消息）"},
        "suggest.no_topics": {"en": "Every topic in demand was covered by a recent or upcoming event.",
                              "zh": "大家讨论的话题近期都有活动覆盖。"},
        "suggest.bad_arg": {"en": "“{value}” is neither a #tag nor an event type ({kinds}).\nExample: {example}",
                            "zh": "“{value}” 既不是 #标签 也不是活动类型（{kinds}）。\n示例：{example}"},
    }
)  # fmt: skip


def parse(ctx: Ctx, args: str) -> tuple[str | None, str | None]:
    """(tag, kind) from '', '#tag' or a type."""
    value = args.strip()
    if not value:
        return None, None
    if value.startswith("#") and len(value) > 1:
        return value[1:].lower(), None
    kind = KIND_ALIASES.get(value.lower(), value.lower())
    if kind not in EVENT_KINDS:
        kinds = ", ".join(kind_label(k, ctx.lang) for k in EVENT_KINDS)
        raise UsageError(ctx.t("suggest.bad_arg", value=value[:40], kinds=kinds, example=EXAMPLE))
    return None, kind


async def suggest(ctx: Ctx, args: str) -> None:
    tag, kind = parse(ctx, args)
    runs = await latest_runs(ctx)
    if not runs:
        await ctx.reply("insights.no_run")
        return
    run = runs[0]
    advice = run.metrics.get("advice") or {}
    stored: list[dict[str, Any]] | None = None
    if tag is None and kind is None:
        stored = advice.get("all")
    elif tag is not None and kind is None:
        stored = (advice.get("tags") or {}).get(tag)
    elif kind is not None and tag is None:
        stored = (advice.get("kinds") or {}).get(kind)
    slots = [s for s in stored or [] if datetime.fromisoformat(str(s["starts_at"])) > ctx.now][:SLOTS]
    if stored is None or len(slots) < min(SLOTS, len(stored)):
        slots = await live_slots(ctx, run, kind or "lecture", tag)
    what = (
        ctx.t("suggest.what_tag", tag=tag)
        if tag
        else kind_label(kind, ctx.lang)
        if kind
        else ctx.t("suggest.what_all")
    )
    lines = [ctx.t("suggest.title", what=what, as_of=as_of(ctx, run))]
    for n, s in enumerate(slots, 1):
        when = fmt_time(datetime.fromisoformat(str(s["starts_at"])), ctx.tz, ctx.lang)
        if s.get("predicted_turnout") is None:
            lines.append(ctx.t("suggest.slot_plain", n=n, when=when))
        else:
            lines.append(ctx.t("suggest.slot", n=n, when=when, turnout=f"{s['predicted_turnout']:.0f}",
                               low=f"{s['low']:.0f}", high=f"{s['high']:.0f}"))  # fmt: skip
    if not slots:
        lines.append(ctx.t("suggest.no_slots"))
    topics = await uncovered_topics(ctx, run)
    sep = "、" if ctx.lang == "zh" else ", "
    if topics:
        shown = sep.join(ctx.t("suggest.topic", topic=t, n=n) for t, n in topics)
        lines.append(ctx.t("suggest.topics", topics=shown))
    else:
        lines.append(ctx.t("suggest.no_topics"))
    await ctx.send("\n".join(lines))


async def uncovered_topics(ctx: Ctx, run: AnalyticsRun, n: int = 3) -> list[tuple[str, int]]:
    """Topics with messages in the run's last four weeks but no event then, and none coming up."""
    rows = await ctx.session.execute(
        select(TopicTrend.topic, func.sum(TopicTrend.messages), func.sum(TopicTrend.events))
        .where(TopicTrend.run_id == run.id, TopicTrend.period_start >= run.window_end - RECENT)
        .group_by(TopicTrend.topic)
    )
    assert ctx.community is not None
    upcoming = set(
        await ctx.session.scalars(
            select(EventTag.tag)
            .join(Event, Event.id == EventTag.event_id)
            .where(
                Event.community_id == ctx.community.id, Event.status == "scheduled", Event.starts_at > ctx.now
            )
        )
    )
    demand = [(str(t), int(m or 0)) for t, m, e in rows if not e and m and t not in upcoming]
    demand.sort(key=lambda d: (-d[1], d[0]))
    return demand[:n]


async def live_slots(ctx: Ctx, run: AnalyticsRun, kind: str, tag: str | None) -> list[dict[str, Any]]:
    """The best slots from now on for this kind/tag, computed with the analytics code off the event loop."""
    from analytics.config import AnalyticsConfig, AnalyticsConfigError, from_dict
    from analytics.jobs import read_inputs

    assert ctx.community is not None
    try:
        cfg = from_dict(run.params or {})
    except (AnalyticsConfigError, TypeError):
        cfg = AnalyticsConfig()
    inputs, _ = await read_inputs(ctx.config.database_url, ctx.community.id, cfg, ctx.now)
    return await asyncio.to_thread(plan, inputs, cfg, kind, tag)


def plan(inputs: Any, cfg: Any, kind: str, tag: str | None) -> list[dict[str, Any]]:
    """analytics.pipeline.planning_advice for one template: everyone's hours, or the tag's fans' hours."""
    import pandas as pd

    from analytics.effects import event_table
    from analytics.planning import advise, group_weights
    from analytics.turnout import TurnoutModel, slot_activity

    ev = event_table(inputs, cfg.early_rsvp_hours)
    activity = slot_activity(inputs.heatmap)
    past = ev[ev["past"]]
    model = TurnoutModel(use_early=False, alpha=cfg.turnout_alpha).fit(past, activity) if len(past) else None
    members = None
    if tag is not None:
        fans = inputs.attendance.merge(inputs.tags, on="event_id")
        group = pd.Index(fans[fans["tag"] == tag]["member_id"].unique())
        members = group if len(group) >= cfg.min_group else None
    template = {"kind": kind, "duration_h": 1.5, "tags": [tag] if tag else []}
    scheduled = ev[ev["starts"] >= inputs.window.end.timestamp()]
    w = inputs.window
    weights = group_weights(inputs.hours, members)
    return advise(activity, weights, scheduled, w.end, w.offset_s, model, template)[:SLOTS]


def specs() -> list[CommandSpec]:
    return [CommandSpec("suggest", suggest, USAGE, EXAMPLE, role="organizer")]
