"""Shared by the insight commands: the latest analytics runs, small-group protection, labels in both languages."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import i18n
from bot.context import Ctx
from bot.storage.results import AnalyticsRun

MIN_GROUP = 5  # aggregates over fewer members are never shown ("small groups are protected")

SEGMENT_NAMES = {
    "core contributors": "核心贡献者",
    "event-goers": "活动常客",
    "quiet readers": "安静读者",
    "newcomers": "新成员",
    "fading": "逐渐沉寂",
}
FEATURES = {
    "messages": ("messages", "消息数"),
    "active_days": ("active days", "活跃天数"),
    "replies_given": ("replies given", "回复他人"),
    "replies_received": ("replies received", "收到回复"),
    "reactions_given": ("reactions given", "表情回应"),
    "rsvps": ("RSVPs", "报名次数"),
    "attended": ("events attended", "参加活动"),
    "attendance_ratio": ("show rate", "到场率"),
    "no_shows": ("no-shows", "报名未到"),
    "satisfaction_given": ("mean rating given", "平均打分"),
    "contributions": ("challenge, Q&A and write-up contributions", "挑战、问答和总结参与次数"),
    "tenure_days": ("days in the group", "入群天数"),
    "recent_share": ("recent activity share", "近期活跃占比"),
}
DAYS = {
    "Mon": "周一", "Tue": "周二", "Wed": "周三", "Thu": "周四", "Fri": "周五", "Sat": "周六", "Sun": "周日",
}  # fmt: skip

i18n.register(
    {
        "insights.no_run": {
            "en": "No analytics results yet for this community. Analytics runs every night; "
            "an admin can also run it now with `gatherbot analytics run`.",
            "zh": "本社群还没有分析结果。分析每晚自动运行；管理员也可以用 `gatherbot analytics run` 立即运行。",
        },
        "insights.as_of": {"en": "(analytics of {when})", "zh": "（{when} 的分析）"},
        "insights.small_hidden": {
            "en": "Groups of fewer than {n} members are not shown: small groups are protected.",
            "zh": "少于 {n} 人的群体不显示：小群体受到保护。",
        },
    }
)


async def latest_runs(ctx: Ctx, n: int = 1) -> list[AnalyticsRun]:
    """The community's newest successful runs, newest first."""
    assert ctx.community is not None
    return await community_runs(ctx.session, ctx.community.id, n)


async def community_runs(session: AsyncSession, community_id: int, n: int = 1) -> list[AnalyticsRun]:
    """latest_runs without a chat context (the report renderer, `gatherbot report`)."""
    rows = await session.scalars(
        select(AnalyticsRun)
        .where(AnalyticsRun.community_id == community_id, AnalyticsRun.status == "ok")
        .order_by(AnalyticsRun.id.desc())
        .limit(n)
    )
    return list(rows)


def as_of(ctx: Ctx, run: AnalyticsRun) -> str:
    return as_of_text(ctx.lang, ctx.tz, run.window_end)


def as_of_text(lang: str, tz: ZoneInfo, when: datetime) -> str:
    return i18n.t(lang, "insights.as_of", when=f"{when.astimezone(tz):%Y-%m-%d %H:%M}")


def segment_name(name: str, lang: str) -> str:
    """An archetype name ('event-goers', 'fading (6)') in the language, else as stored."""
    if lang != "zh":
        return name
    m = re.fullmatch(r"(.+?)( \(\d+\))?", name)
    assert m is not None
    return SEGMENT_NAMES.get(m.group(1), m.group(1)) + (m.group(2) or "")


def feature_name(key: str, lang: str) -> str:
    en, zh = FEATURES.get(key, (key, key))
    return zh if lang == "zh" else en


def translate_reason(reason: str, lang: str) -> str:
    """The analytics job's English reasons (analytics/recommend.py reason()) in the language."""
    if lang != "zh":
        return reason
    out = []
    for part in reason.split("; "):
        if m := re.fullmatch(r"you like #(\S+) \(([\d.]+)/5\)", part):
            out.append(f"你喜欢 #{m.group(1)}（{m.group(2)}/5）")
        elif m := re.fullmatch(r"about #(\S+)", part):
            out.append(f"关于 #{m.group(1)}")
        elif m := re.fullmatch(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d\d:\d\d) fits when you are active", part):
            out.append(f"{DAYS[m.group(1)]} {m.group(2)} 正是你活跃的时间")
        elif part == "popular in the community":
            out.append("社群里很受欢迎")
        else:
            out.append(part)
    return "；".join(out)


def fmt_num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"


def pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"
