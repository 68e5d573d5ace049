"""Charts of /report and `gatherbot report`: what may be drawn (chart data, small groups already left out),
the PNG (matplotlib, Agg, imported only when a chart is drawn) and a compact text table for platforms
without files.

Chinese labels need a font with Chinese glyphs: one is looked for among common CJK fonts (or taken from
``[insights] chart_font``); without one, charts are labelled in English, and a title the fonts cannot show is
replaced by the event's number, so a chart never shows empty boxes for missing glyphs."""

from __future__ import annotations

import functools
import io
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot import i18n
from bot.features.insights.common import MIN_GROUP, SEGMENT_NAMES, fmt_num, segment_name
from bot.features.insights.effect import EventFigures
from bot.features.insights.overview import Overview

logger = logging.getLogger(__name__)

WIDTH_IN, HEIGHT_IN, EVENT_HEIGHT_IN, DPI = 11.0, 7.5, 4.5, 100  # 1100x750 and 1100x450 pixels
CJK_FONTS = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "Heiti SC",
    "Noto Sans CJK JP", "Source Han Sans", "Droid Sans Fallback", "AR PL UMing CN", "AR PL UKai CN",
)  # fmt: skip
PROBE = "最近天活跃成员消息报名到场满意度评分群体"  # a CJK font must have these glyphs to be used
BLUE, ORANGE, GREY, GREEN = "#4C72B0", "#DD8452", "#8C8C8C", "#55A868"

i18n.register(
    {
        "chart.overview_title": {"en": "The last 30 days ({start} – {end})", "zh": "最近 30 天（{start} – {end}）"},
        "chart.weekly": {"en": "Activity per week", "zh": "每周活跃情况"},
        "chart.messages": {"en": "messages", "zh": "消息数"},
        "chart.active": {"en": "active members", "zh": "活跃成员"},
        "chart.events": {"en": "Events held: going and came", "zh": "已举办的活动：报名与到场"},
        "chart.going": {"en": "going", "zh": "报名"},
        "chart.came": {"en": "came", "zh": "到场"},
        "chart.predicted": {"en": "predicted (90% range)", "zh": "预测（90% 区间）"},
        "chart.segments": {"en": "Member segments", "zh": "成员群体"},
        "chart.members": {"en": "members", "zh": "人数"},
        "chart.turnout": {"en": "Turnout", "zh": "到场人数"},
        "chart.ratings": {"en": "Satisfaction ratings", "zh": "满意度评分"},
        "chart.mean": {"en": "mean {mean}/5", "zh": "平均 {mean}/5"},
        "chart.people": {"en": "people", "zh": "人数"},
        "chart.no_data": {"en": "Not enough data", "zh": "数据不足"},
        "chart.no_ratings": {"en": "Fewer than {n} ratings", "zh": "评分不足 {n} 个"},
        "chart.not_held": {"en": "Not held yet", "zh": "尚未举行"},
        "chart.hidden": {"en": "Weeks, events and segments with fewer than {n} members are not shown.",
                         "zh": "少于 {n} 人的周、活动和群体不显示。"},
        "chart.caption_overview": {"en": "📊 Chart: the last 30 days ({start} – {end})",
                                   "zh": "📊 图表：最近 30 天（{start} – {end}）"},
        "chart.caption_event": {"en": "📈 Chart: #{id} {title}", "zh": "📈 图表：活动 #{id} {title}"},
        "chart.heading_overview": {"en": "📊 Week by week ({start} – {end})", "zh": "📊 逐周数据（{start} – {end}）"},
        "chart.heading_event": {"en": "📈 #{id} {title} in figures", "zh": "📈 活动 #{id} {title} 数据"},
        "chart.table_weeks": {"en": "Per week (from · messages · active members):",
                              "zh": "每周（起始日 · 消息 · 活跃成员）："},
        "chart.table_events": {"en": "Events held (going / came):", "zh": "已举办的活动（报名 / 到场）："},
        "chart.table_segments": {"en": "Segments: {list}", "zh": "成员群体：{list}"},
        "chart.table_turnout": {"en": "Going {going} · came {came} · predicted {predicted} ({low}–{high})",
                                "zh": "报名 {going} · 到场 {came} · 预测 {predicted}（{low}–{high}）"},
        "chart.table_forecast": {"en": "Going so far {going} · predicted {predicted} ({low}–{high})",
                                 "zh": "目前报名 {going} · 预测 {predicted}（{low}–{high}）"},
        "chart.table_ratings": {"en": "Ratings 1–5: {counts}", "zh": "评分 1–5：{counts}"},
    }
)  # fmt: skip


# --- what may be drawn ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewChart:
    """The overview chart's data: only weeks with at least MIN_GROUP active members, events at least
    MIN_GROUP people came to, and segments of at least MIN_GROUP members; the rest is counted as hidden."""

    start: date
    end: date
    weeks: tuple[tuple[date, int, int], ...]  # (first day, messages, active members)
    events: tuple[tuple[int, date, int, int], ...]  # (event id, day, going, came)
    segments: tuple[tuple[str, int], ...]  # (name as analytics stored it, members), largest first
    hidden: int  # weeks, events and segments left out

    @property
    def empty(self) -> bool:
        return not (self.weeks or self.events or self.segments)


@dataclass(frozen=True)
class EventChart:
    """The event chart's data (never built for an event fewer than MIN_GROUP people came to)."""

    id: int
    title: str
    upcoming: bool
    going: int
    came: int | None  # None: not held yet
    predicted: float | None
    low: float | None
    high: float | None
    ratings: tuple[int, ...] | None  # how many rated 1..5; None under MIN_GROUP ratings
    satisfaction: float | None  # the mean rating, when at least MIN_GROUP rated


def overview_chart(ov: Overview, tz: ZoneInfo) -> OverviewChart:
    """What the overview chart draws: a week, event or segment of fewer than MIN_GROUP members is left out
    (the Overview has already hidden them; this checks again, as the chart is what leaves the server)."""
    weeks = tuple((w.start.astimezone(tz).date(), w.messages or 0, w.active) for w in ov.weeks
                  if w.active is not None and not 0 < w.active < MIN_GROUP)  # fmt: skip
    events = tuple((e.id, e.starts_at.astimezone(tz).date(), e.going, e.attended) for e in ov.events
                   if not e.small and not e.upcoming)  # fmt: skip
    segments = tuple((s.name, s.size) for s in ov.segments if s.size >= MIN_GROUP)
    hidden = len(ov.weeks) - len(weeks) + len(ov.events) - len(events) + len(ov.segments) - len(segments)
    return OverviewChart(
        start=ov.start.astimezone(tz).date(),
        end=ov.end.astimezone(tz).date(),
        weeks=weeks,
        events=events,
        segments=segments,
        hidden=hidden + ov.segments_hidden,
    )


def event_chart(fig: EventFigures) -> EventChart | None:
    """None for an event fewer than MIN_GROUP people came to: it is not drawn."""
    if fig.small:
        return None
    return EventChart(
        id=fig.id,
        title=fig.title,
        upcoming=fig.upcoming,
        going=fig.going,
        came=None if fig.upcoming else fig.attended,
        predicted=fig.predicted,
        low=fig.low,
        high=fig.high,
        ratings=fig.distribution,
        satisfaction=fig.satisfaction_mean,
    )


# --- without files: a compact table ---------------------------------------------------------------


def overview_table(chart: OverviewChart, lang: str) -> str:
    sep = "、" if lang == "zh" else ", "
    lines = [i18n.t(lang, "chart.table_weeks")]
    lines += [f"{day:%m-%d} · {messages} · {active}" for day, messages, active in chart.weeks]
    if chart.events:
        lines.append(i18n.t(lang, "chart.table_events"))
        lines += [f"#{i} {day:%m-%d} · {going} / {came}" for i, day, going, came in chart.events]
    if chart.segments:
        shown = sep.join(f"{segment_name(n, lang)} {size}" for n, size in chart.segments)
        lines.append(i18n.t(lang, "chart.table_segments", list=shown))
    if chart.hidden:
        lines.append(i18n.t(lang, "chart.hidden", n=MIN_GROUP))
    return "\n".join(lines)


def event_table(chart: EventChart, lang: str) -> str:
    rng = {
        "predicted": fmt_num(chart.predicted),
        "low": fmt_num(chart.low, 0),
        "high": fmt_num(chart.high, 0),
    }
    if chart.came is None:
        lines = [i18n.t(lang, "chart.table_forecast", going=chart.going, **rng)]
    else:
        lines = [i18n.t(lang, "chart.table_turnout", going=chart.going, came=chart.came, **rng)]
    if chart.ratings is not None:
        lines.append(i18n.t(lang, "chart.table_ratings", counts=ratings_text(chart.ratings)))
    return "\n".join(lines)


def ratings_text(counts: tuple[int, ...]) -> str:
    return " · ".join(f"{score}★ {n}" for score, n in enumerate(counts, 1))


# --- fonts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FontChoice:
    name: str
    path: str


@functools.lru_cache(maxsize=64)
def _glyphs(path: str) -> Any:
    from matplotlib.ft2font import FT2Font

    try:
        return FT2Font(path)
    except (OSError, RuntimeError, ValueError):
        return None


def covers(paths: tuple[str, ...], text: str) -> bool:
    """Every visible character of text has a glyph in one of the fonts."""
    fonts = [f for f in (_glyphs(p) for p in paths) if f is not None]
    return all(c.isspace() or any(f.get_char_index(ord(c)) for f in fonts) for c in text)


@functools.lru_cache(maxsize=8)
def cjk_font(font_file: str = "") -> FontChoice | None:
    """A font that can show Chinese: the configured file if it can, else the first known CJK font installed."""
    from matplotlib import font_manager

    if font_file:
        try:
            font_manager.fontManager.addfont(font_file)
            name = font_manager.FontProperties(fname=font_file).get_name()
        except (OSError, RuntimeError, ValueError) as exc:
            logger.warning("insights.chart_font %s cannot be used: %s", font_file, exc)
        else:
            if covers((font_file,), PROBE):
                return FontChoice(name, font_file)
            logger.warning(
                "insights.chart_font %s has no Chinese glyphs; looking for another font", font_file
            )
    installed = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        path = installed.get(name)
        if path and covers((path,), PROBE):
            return FontChoice(name, path)
    return None


@dataclass(frozen=True)
class Style:
    """The labels' language and the fonts a chart is drawn with."""

    lang: str
    paths: tuple[str, ...]

    def t(self, key: str, **params: Any) -> str:
        return i18n.t(self.lang, key, **params)

    def fits(self, text: str) -> bool:
        return covers(self.paths, text)


_DRAWING = threading.Lock()  # matplotlib's rcParams are global: one chart at a time


@contextmanager
def chart_style(lang: str, font_file: str = "") -> Iterator[Style]:
    """Agg, fixed fonts and no math parsing while a chart is drawn and saved; Chinese labels only when a
    font has every glyph they need."""
    with _DRAWING:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import font_manager

        base = font_manager.findfont("DejaVu Sans")
        cjk = cjk_font(font_file)
        names = ["DejaVu Sans"] + ([cjk.name] if cjk else [])
        paths = (base, cjk.path) if cjk else (base,)
        style = Style("zh" if lang == "zh" and cjk is not None else "en", paths)
        if style.lang == "zh" and not style.fits(_zh_labels()):
            style = Style("en", paths)
        rc = {"font.family": names, "text.parse_math": False,  # a list of families: each falls back to the next
              "svg.hashsalt": "gatherbot", "axes.unicode_minus": False, "figure.dpi": DPI}  # fmt: skip
        with matplotlib.rc_context(rc):
            yield style


ZH_LABELS = (  # the texts drawn inside a chart (captions and tables are chat text)
    "chart.overview_title", "chart.weekly", "chart.messages", "chart.active", "chart.events", "chart.going",
    "chart.came", "chart.predicted", "chart.segments", "chart.members", "chart.turnout", "chart.ratings",
    "chart.mean", "chart.people", "chart.no_data", "chart.no_ratings", "chart.not_held", "chart.hidden",
)  # fmt: skip


@functools.cache
def _zh_labels() -> str:
    """Every Chinese text a chart may draw."""
    catalog = i18n.catalog()
    return "".join(catalog[key]["zh"] for key in ZH_LABELS) + "".join(SEGMENT_NAMES.values())


def to_png(fig: Any) -> bytes:
    """The figure as PNG bytes at its fixed size (no timestamp or version in the file)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def overview_png(chart: OverviewChart, lang: str, font_file: str = "") -> bytes:
    with chart_style(lang, font_file) as style:
        return to_png(draw_overview(chart, style))


def event_png(chart: EventChart, lang: str, font_file: str = "") -> bytes:
    with chart_style(lang, font_file) as style:
        return to_png(draw_event(chart, style))


# --- drawing --------------------------------------------------------------------------------------


def _whole_numbers(ax: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))


def _empty(ax: Any, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", color=GREY, transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def draw_overview(chart: OverviewChart, style: Style) -> Any:
    """Weekly messages and active members; going and came per event; segment sizes."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    grid = fig.add_gridspec(2, 2, height_ratios=(1, 1.1))
    weekly, events, segments = (
        fig.add_subplot(grid[0, :]),
        fig.add_subplot(grid[1, 0]),
        fig.add_subplot(grid[1, 1]),
    )
    fig.suptitle(style.t("chart.overview_title", start=f"{chart.start:%Y-%m-%d}", end=f"{chart.end:%Y-%m-%d}"),
                 fontsize=14)  # fmt: skip

    weekly.set_title(style.t("chart.weekly"), loc="left")
    if chart.weeks:
        xs = range(len(chart.weeks))
        weekly.bar(xs, [m for _, m, _ in chart.weeks], color=BLUE, label=style.t("chart.messages"))
        weekly.set_ylabel(style.t("chart.messages"))
        weekly.set_xticks(list(xs), [f"{d:%m-%d}" for d, _, _ in chart.weeks])
        people = weekly.twinx()
        people.plot(
            list(xs), [a for _, _, a in chart.weeks], "o-", color=ORANGE, label=style.t("chart.active")
        )
        people.set_ylabel(style.t("chart.active"))
        people.set_ylim(bottom=0)
        _whole_numbers(people)
        _whole_numbers(weekly)
        handles = weekly.get_legend_handles_labels()[0] + people.get_legend_handles_labels()[0]
        weekly.legend(handles=handles, loc="upper left", fontsize=9)
    else:
        _empty(weekly, style.t("chart.no_data"))

    events.set_title(style.t("chart.events"), loc="left")
    if chart.events:
        xs = list(range(len(chart.events)))
        events.bar([x - 0.2 for x in xs], [g for _, _, g, _ in chart.events], 0.4, color=GREY,
                   label=style.t("chart.going"))  # fmt: skip
        events.bar([x + 0.2 for x in xs], [c for _, _, _, c in chart.events], 0.4, color=GREEN,
                   label=style.t("chart.came"))  # fmt: skip
        if len(xs) <= 8:
            events.set_xticks(xs, [f"#{i}\n{d:%m-%d}" for i, d, _, _ in chart.events], fontsize=8)
        else:  # no room for dates
            events.set_xticks(xs, [f"#{i}" for i, _, _, _ in chart.events], fontsize=7)
        _whole_numbers(events)
        events.set_ylabel(style.t("chart.people"))
        events.legend(fontsize=9)
    else:
        _empty(events, style.t("chart.no_data"))

    segments.set_title(style.t("chart.segments"), loc="left")
    if chart.segments:
        names = [segment_name(n, style.lang) for n, _ in chart.segments][::-1]
        sizes = [s for _, s in chart.segments][::-1]
        segments.barh(range(len(sizes)), sizes, color=BLUE)
        segments.set_yticks(range(len(sizes)), names)
        segments.set_xlabel(style.t("chart.members"))
        for y, size in enumerate(sizes):
            segments.text(size, y, f" {size}", va="center", fontsize=9)
    else:
        _empty(segments, style.t("chart.no_data"))
    if chart.hidden:
        fig.supxlabel(style.t("chart.hidden", n=MIN_GROUP), fontsize=9, color=GREY)
    return fig


def _title(chart: EventChart, style: Style) -> str:
    title = chart.title if len(chart.title) <= 60 else chart.title[:59] + "…"
    return f"#{chart.id} {title}" if style.fits(title) else f"#{chart.id}"


def draw_event(chart: EventChart, style: Style) -> Any:
    """Going, came and the predicted turnout with its range; the ratings 1-5."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, EVENT_HEIGHT_IN), dpi=DPI, layout="constrained")
    turnout, ratings = fig.subplots(1, 2, width_ratios=(1, 1.2))
    fig.suptitle(_title(chart, style), fontsize=14)

    turnout.set_title(style.t("chart.turnout"), loc="left")
    labels, values, colors = [style.t("chart.going")], [chart.going], [GREY]
    if chart.came is not None:
        labels.append(style.t("chart.came"))
        values.append(chart.came)
        colors.append(GREEN)
    turnout.bar(range(len(values)), values, color=colors)
    for x, v in enumerate(values):
        turnout.text(x, v, f"{v}", ha="center", va="bottom", fontsize=10)
    if chart.predicted is not None:
        x = len(values)
        lo = chart.predicted - (chart.low if chart.low is not None else chart.predicted)
        hi = (chart.high if chart.high is not None else chart.predicted) - chart.predicted
        turnout.bar([x], [chart.predicted], color="white", edgecolor=ORANGE, hatch="//")
        turnout.errorbar([x], [chart.predicted], yerr=[[max(lo, 0)], [max(hi, 0)]], color=ORANGE, capsize=8)
        labels.append(style.t("chart.predicted"))
    turnout.set_xticks(range(len(labels)), labels)
    turnout.set_ylabel(style.t("chart.people"))
    turnout.set_ylim(bottom=0)
    _whole_numbers(turnout)

    mean = "" if chart.satisfaction is None else style.t("chart.mean", mean=fmt_num(chart.satisfaction, 2))
    ratings.set_title(style.t("chart.ratings") + (f" · {mean}" if mean else ""), loc="left")
    if chart.ratings is not None:
        ratings.bar(range(1, 6), chart.ratings, color=BLUE)
        ratings.set_xticks(range(1, 6), [f"{s}" for s in range(1, 6)])
        ratings.set_ylabel(style.t("chart.people"))
        _whole_numbers(ratings)
        for s, n in enumerate(chart.ratings, 1):
            ratings.text(s, n, f"{n}", ha="center", va="bottom", fontsize=10)
    elif chart.upcoming:
        _empty(ratings, style.t("chart.not_held"))
    elif mean:  # rated by enough members, but the single votes are not known (e.g. imported results)
        _empty(ratings, mean)
    else:
        _empty(ratings, style.t("chart.no_ratings", n=MIN_GROUP))
    return fig


def overview_caption(ov: Overview, lang: str, tz: ZoneInfo, table: bool = False) -> str:
    """The photo's caption, or the heading of the table sent instead."""
    key = "chart.heading_overview" if table else "chart.caption_overview"
    return i18n.t(
        lang, key, start=f"{ov.start.astimezone(tz):%Y-%m-%d}", end=f"{ov.end.astimezone(tz):%Y-%m-%d}"
    )


def event_caption(chart: EventChart, lang: str, table: bool = False) -> str:
    return i18n.t(
        lang, "chart.heading_event" if table else "chart.caption_event", id=chart.id, title=chart.title
    )
