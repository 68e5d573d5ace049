"""The insight commands in Chinese on the seeded demo community: the numbers shown are the results tables'."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.features.common import fmt_time
from bot.features.insights.common import segment_name, translate_reason
from bot.features.insights.forecast import forecast
from bot.storage.results import AnalyticsRun, EventEffect, SegmentProfile
from tests.analytics.conftest import demo  # noqa: F401  (the session-scoped demo fixture)
from tests.test_insights_demo import Chat, chat, open_recommendation  # noqa: F401  (the demo chat fixture)


async def test_insights_in_chinese_on_the_demo_match_the_results_tables(chat: Chat) -> None:  # noqa: F811
    tz = ZoneInfo(chat.run.world.spec.tz)
    await chat(0, "/lang zh")

    profiles = [p for (p,) in await chat.rows(select(SegmentProfile))]
    out = await chat(0, "/segments")
    for p in profiles:
        line = f"• {segment_name(p.name, 'zh')}：{p.size} 人"
        assert (line in out) == (p.size >= 5), (line, out)

    overview = await chat(0, "/report")
    assert "📊 最近 30 天" in overview
    for p in profiles:
        if p.size >= 5:
            assert f"{segment_name(p.name, 'zh')} {p.size}" in overview

    eff = next(e for (e,) in await chat.rows(select(EventEffect).order_by(EventEffect.event_id))
               if e.rating != "upcoming" and e.attended >= 5)  # fmt: skip
    report = await chat(0, f"/report {eff.event_id}")
    assert f"报名 {eff.going} · 到场 {eff.attended} · 到场率 {100 * eff.participation_rate:.0f}%" in report
    assert f"实际 {eff.attended}" in report

    ((metrics,),) = await chat.rows(select(AnalyticsRun.metrics).order_by(AnalyticsRun.id.desc()).limit(1))
    advice = await chat(0, "/suggest")
    for slot in metrics["advice"]["all"]:
        if datetime.fromisoformat(slot["starts_at"]) > chat.run.now:
            when = fmt_time(datetime.fromisoformat(slot["starts_at"]), tz, "zh")
            assert f"{when} — 预计约 {slot['predicted_turnout']:.0f} 人" in advice
            break
    else:
        raise AssertionError("no stored slot ahead of the demo's now")

    # /newevent: the forecast in the confirmation is the stored model's
    start = (
        (chat.run.now + timedelta(days=6)).astimezone(tz).replace(hour=20, minute=0, second=0, microsecond=0)
    )
    created = await chat(0, f"/newevent 数据分析沙龙 {start:%Y-%m-%d %H:%M} 2h type=salon #pandas")
    f = forecast(metrics["turnout_model"], starts_at=start, ends_at=start + timedelta(hours=2),
                 created_at=chat.run.now, kind="salon", tags=["pandas"], tz=tz)  # fmt: skip
    assert f is not None
    assert f"📈 预计到场：约 {f.predicted:.0f} 人（90% 区间 {f.low:.0f}–{f.high:.0f}）" in created

    # /foryou for a member with an open recommendation, in Chinese with the translated reason
    user, event, reason = await open_recommendation(chat)
    member = int(user.split("-")[1])
    await chat(member, "/lang zh")
    mine = await chat(member, "/foryou")
    assert f"1. #{event.id} {event.title} — {fmt_time(event.starts_at, tz, 'zh')}" in mine
    assert f"推荐理由：{translate_reason(reason, 'zh')}" in mine
