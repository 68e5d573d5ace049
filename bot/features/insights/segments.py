"""/segments: the segment profile table of the latest run and how sizes changed since the previous one."""

from __future__ import annotations

import math

from sqlalchemy import select

from bot import i18n
from bot.context import Ctx
from bot.features.insights.common import (
    MIN_GROUP,
    as_of,
    feature_name,
    fmt_num,
    latest_runs,
    segment_name,
)
from bot.registry import CommandSpec
from bot.storage.results import SegmentProfile

i18n.register(
    {
        "help.segments": {
            "en": "Member segments from the latest analytics (organizers)",
            "zh": "最新分析得出的成员群体（组织者）",
        },
        "segments.title": {"en": "👥 Member segments {as_of}", "zh": "👥 成员群体{as_of}"},
        "segments.row": {
            "en": "• {name}: {size} members{change}\n  stands out by: {features}",
            "zh": "• {name}：{size} 人{change}\n  特点：{features}",
        },
        "segments.feature": {"en": "{name} {value}{arrow} (avg {overall})", "zh": "{name} {value}{arrow}（平均 {overall}）"},
        "segments.change": {"en": " ({delta} since the previous run)", "zh": "（较上次分析 {delta}）"},
        "segments.new": {"en": " (new since the previous run)", "zh": "（上次分析后新出现）"},
        "segments.first": {"en": "This is the first analytics run: no change to compare yet.",
                           "zh": "这是第一次分析，暂无变化可比较。"},
        "segments.none": {"en": "No segment has at least {n} members yet.", "zh": "还没有人数不少于 {n} 的群体。"},
    }
)  # fmt: skip


def characteristic(profiles: list[SegmentProfile], n: int = 3) -> dict[int, list[tuple[str, float, float]]]:
    """Per segment: the n features whose mean lies furthest above the overall mean, as z-scores of
    the segment means (overall mean and spread weighted by segment size, over all segments).

    Returns segment -> [(feature, segment mean, overall mean)]."""
    keys = sorted({k for p in profiles for k, v in p.profile.items() if isinstance(v, int | float)})
    stats: dict[str, tuple[float, float]] = {}
    for key in keys:
        pairs = [(float(p.profile[key]), p.size) for p in profiles if p.profile.get(key) is not None]
        weight = sum(w for _, w in pairs)
        if not weight:
            continue
        mean = sum(v * w for v, w in pairs) / weight
        sd = math.sqrt(sum(w * (v - mean) ** 2 for v, w in pairs) / weight)
        stats[key] = (mean, sd)
    out: dict[int, list[tuple[str, float, float]]] = {}
    for p in profiles:
        scored = []
        for key, (mean, sd) in stats.items():
            value = p.profile.get(key)
            if value is None or sd == 0:
                continue
            scored.append(((float(value) - mean) / sd, key, float(value), mean))
        scored.sort(key=lambda s: (-s[0], s[1]))
        out[p.segment] = [(key, value, mean) for _, key, value, mean in scored[:n]]
    return out


async def segments(ctx: Ctx, _args: str) -> None:
    runs = await latest_runs(ctx, 2)
    if not runs:
        await ctx.reply("insights.no_run")
        return
    profiles = await _profiles(ctx, runs[0].id)
    previous = {p.name: p.size for p in await _profiles(ctx, runs[1].id)} if len(runs) > 1 else None
    tops = characteristic(profiles)
    lines = [ctx.t("segments.title", as_of=as_of(ctx, runs[0]))]
    shown = [p for p in profiles if p.size >= MIN_GROUP]
    for p in sorted(shown, key=lambda p: (-p.size, p.segment)):
        lines.append(ctx.t("segments.row", name=segment_name(p.name, ctx.lang), size=p.size,
                           change=_change(ctx, p, previous), features=_features(ctx, tops[p.segment])))  # fmt: skip
    if not shown:
        lines.append(ctx.t("segments.none", n=MIN_GROUP))
    if len(shown) < len(profiles):
        lines.append(ctx.t("insights.small_hidden", n=MIN_GROUP))
    if previous is None:
        lines.append(ctx.t("segments.first"))
    await ctx.send("\n".join(lines))


async def _profiles(ctx: Ctx, run_id: int) -> list[SegmentProfile]:
    rows = await ctx.session.scalars(
        select(SegmentProfile).where(SegmentProfile.run_id == run_id).order_by(SegmentProfile.segment)
    )
    return list(rows)


def _change(ctx: Ctx, p: SegmentProfile, previous: dict[str, int] | None) -> str:
    if previous is None:
        return ""
    before = previous.get(p.name)
    if before is None or before < MIN_GROUP:  # a small group's earlier size stays hidden
        return ctx.t("segments.new")
    delta = p.size - before
    return ctx.t("segments.change", delta=f"{delta:+d}" if delta else "±0")


def _features(ctx: Ctx, top: list[tuple[str, float, float]]) -> str:
    sep = "、" if ctx.lang == "zh" else ", "
    return sep.join(
        ctx.t(
            "segments.feature",
            name=feature_name(k, ctx.lang),
            value=fmt_num(v, 2),
            overall=fmt_num(m, 2),
            arrow="↑" if v > m else "↓" if v < m else "",
        )
        for k, v, m in top
    )


def specs() -> list[CommandSpec]:
    return [CommandSpec("segments", segments, "/segments", "/segments", role="organizer")]
