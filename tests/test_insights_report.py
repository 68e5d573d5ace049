"""/report ID and /report: the numbers shown are the analytics_event_effects rows and the chat's last 30 days."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.storage.results import EventEffect, TopicTrend
from tests.test_insights import PROFILE, add_run

FILE = re.compile(r"\[file (report-[\w-]+\.png), (\d+) bytes\]")


def chart_of(out: list[str], caption: str) -> tuple[list[str], str]:
    """The transcript without its chart message (the last two lines), and the chart's file name."""
    assert out[-2] == f"bot -> group: {caption}", out
    match = FILE.fullmatch(out[-1])
    assert match is not None and int(match.group(2)) > 5000, out[-1]
    return out[:-2], match.group(1)


def effects() -> list[EventEffect]:
    return [
        EventEffect(event_id=1, going=20, attended=16, active_members=50, participation_rate=0.8, active_rate=0.32,
                    interaction_rate=0.45, satisfaction_mean=4.23, response_rate=0.5, rating="good",
                    predicted_turnout=14.26, turnout_low=9.0, turnout_high=20.4, lift=1.26),
        EventEffect(event_id=2, going=2, attended=0, active_members=0, rating="upcoming", predicted_turnout=11.5,
                    turnout_low=6, turnout_high=17),
        EventEffect(event_id=3, going=4, attended=3, active_members=50, participation_rate=0.75, active_rate=0.06,
                    interaction_rate=1.0, satisfaction_mean=5.0, response_rate=1.0, rating="excellent",
                    predicted_turnout=3.0, turnout_low=0, turnout_high=6, lift=2.0),
    ]  # fmt: skip


async def setup(bot, chatters: int = 0) -> None:  # type: ignore[no-untyped-def]
    await bot("alice: /newevent Rust night 2026-12-01 10:00", "alice: /newevent Go talk 2026-12-05 10:00",
              "alice: /newevent Tiny 2026-12-01 11:00")  # fmt: skip
    for i in range(chatters):
        await bot(f"m{i}: hello everyone")
    await bot(":advance 3h")
    now = bot.clock.now()
    trends = [TopicTrend(topic="go", period_start=now - timedelta(days=7), messages=30, rsvps=2),
              TopicTrend(topic="rust", period_start=now - timedelta(days=7), messages=10, rsvps=10),
              TopicTrend(topic="ml", period_start=now - timedelta(days=60), messages=99, rsvps=9)]  # fmt: skip
    await add_run(bot, PROFILE, rows=effects() + trends)


async def test_report_of_one_event_shows_its_effect_row(bot, bot_zh) -> None:
    await setup(bot)
    text, name = chart_of(await bot("alice: /report 1"), "📈 Chart: #1 Rust night")
    assert name == "report-event-1.png"
    assert text == [
        "bot -> group: 📈 #1 Rust night — Tue 1 Dec 2026 10:00 (analytics of 2026-12-01 12:00)",
        "Rating: good",
        "Going 20 · came 16 · participation 80%",
        "Active members then 50 · share who came 32%",
        "Interaction: 45% of those who came wrote or reacted in the chat",
        "Satisfaction 4.23/5 · response rate 50%",
        "Turnout: predicted 14.3 (range 9–20), actual 16",
        "Lift: +1.3 actions per attendee in the following weeks vs similar members",
    ]
    text, name = chart_of(await bot("alice: /report 2"), "📈 Chart: #2 Go talk")
    assert text == [
        "bot -> group: 📈 #2 Go talk — Sat 5 Dec 2026 10:00 (analytics of 2026-12-01 12:00)",
        "Rating: not held yet",
        "Forecast turnout: 11.5 (range 6–17)",
    ]
    await setup(bot_zh)
    text, name = chart_of(await bot_zh("alice: /report #1"), "📈 图表：活动 #1 Rust night")
    assert name == "report-event-1.png"
    assert text == [
        "bot -> group: 📈 活动 #1 Rust night — 2026年12月1日 周二 10:00（2026-12-01 12:00 的分析）",
        "评级：良好",
        "报名 20 · 到场 16 · 到场率 80%",
        "当时活跃成员 50 · 到场比例 32%",
        "互动：到场者中 45% 在群里发言或回应",
        "满意度 4.23/5 · 回复率 50%",
        "到场人数：预测 14.3（区间 9–20），实际 16",
        "带动效果：到场者此后几周人均互动比相似成员 +1.3 次",
    ]


async def test_report_of_a_small_event_hides_rates(bot, bot_zh) -> None:
    await setup(bot)
    out = await bot.text("alice: /report 3")
    assert "Rating: –\nGoing 4 · came 3 · participation –" in out and "share who came –" in out
    assert "excellent" not in out  # the label rests on 3 ratings
    assert "5/5" not in out and "100%" not in out and "Lift" not in out
    assert "fewer than 5 people came (small groups are protected)" in out
    await setup(bot_zh)
    assert "到场不足 5 人，不显示比例和满意度（小群体受到保护）。" in await bot_zh.text("alice: /report 3")


async def test_report_errors_and_no_run(bot) -> None:
    await bot("alice: /newevent Talk 2026-12-03 20:00")
    assert "gatherbot analytics run" in await bot.text("alice: /report")
    assert "gatherbot analytics run" in await bot.text("alice: /report 1")
    await add_run(bot, PROFILE)
    assert "#1 is not in the latest analytics run yet" in await bot.text("alice: /report 1")
    assert "There is no event #9" in await bot.text("alice: /report 9")
    assert "Example: /report 12" in await bot.text("alice: /report x")
    assert "Only organizers can use /report" in await bot.text("bob: /report")


async def test_community_report_of_the_last_30_days(bot, bot_zh) -> None:
    await setup(bot, chatters=6)
    await bot("m5@dm: /privacy analytics off")  # not counted any more
    text, name = chart_of(await bot("alice: /report"), "📊 Chart: the last 30 days (2026-11-01 – 2026-12-01)")
    assert name == "report-30-days.png"
    assert text == [
        "bot -> group: 📊 The last 30 days (2026-11-01 – 2026-12-01)",
        "Active members 6 · new 6 · left 0",  # alice (commands) and m0-m4; m5 opted out
        "Messages 5 · events held 2",
        "Mean participation 78% · mean satisfaction 4.44/5",  # (0.8+0.75)/2; (4.23*8 + 5*3)/11 ratings
        "Segments (analytics of 2026-12-01 12:00): event-goers 20, core contributors 10",
        "Top topics: #rust, #go",  # 10+3*10 > 30+3*2; #ml is older than 30 days
        "Figures over fewer than 5 members are not shown: small groups are protected.",  # newcomers (3)
    ]
    await setup(bot_zh, chatters=2)
    out = await bot_zh.text("alice: /report")
    assert "活跃成员 不足5 · 新加入 不足5 · 离开 0" in out
    assert "成员群体（2026-12-01 12:00 的分析）：活动常客 20、核心贡献者 10" in out
    assert "少于 5 人的统计不显示：小群体受到保护。" in out


async def rate(bot, event_id: int, scores: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    """A closed satisfaction poll of the event with these members' ratings (cast before the run)."""
    from sqlalchemy import select

    from bot.storage.models import Member, Poll, PollVote

    now = bot.clock.now()
    async with bot.app.sessions() as s, s.begin():
        poll = Poll(event_id=event_id, kind="satisfaction", status="closed", opened_at=now - timedelta(hours=2),
                    closes_at=now - timedelta(hours=1))  # fmt: skip
        s.add(poll)
        await s.flush()
        for user, score in scores.items():
            member = (await s.scalars(select(Member.id).where(Member.user_id == f"u-{user}"))).one()
            s.add(PollVote(poll_id=poll.id, member_id=member, score=score, voted_at=now - timedelta(hours=1)))


async def test_report_of_an_event_shows_the_rating_distribution_from_five_ratings(bot, bot_zh) -> None:
    for harness in (bot, bot_zh):
        await harness("alice: /newevent Rust night 2026-12-01 10:00", "alice: /newevent Go talk 2026-12-05 10:00",
                      "alice: /newevent Tiny 2026-12-01 11:00")  # fmt: skip
        for i in range(7):
            await harness(f"m{i}: hello")
        await harness(":advance 3h")
        await rate(harness, 1, {"m0": 5, "m1": 4, "m2": 4, "m3": 3, "m4": 5, "m5": 1})
        await rate(harness, 3, {"m0": 5, "m1": 5, "m2": 5})
        await harness("m5@dm: /privacy analytics off")  # m5's rating of #1 is no longer counted
        await add_run(harness, PROFILE, rows=effects())
    text, _ = chart_of(await bot("alice: /report 1"), "📈 Chart: #1 Rust night")
    assert text[5:7] == [
        "Satisfaction 4.23/5 · response rate 50%",
        "Ratings 1–5: 1★ 0 · 2★ 0 · 3★ 1 · 4★ 2 · 5★ 2",
    ]
    zh, _ = chart_of(await bot_zh("alice: /report 1"), "📈 图表：活动 #1 Rust night")
    assert "评分分布 1–5：1★ 0 · 2★ 0 · 3★ 1 · 4★ 2 · 5★ 2" in zh
    async with bot.app.sessions() as s:  # what the chart would draw: the same counts
        from bot.features.insights import charts
        from bot.features.insights.effect import compute_event
        from bot.storage.models import Event
        from bot.storage.results import AnalyticsRun

        run = await s.get(AnalyticsRun, 1)
        fig = await compute_event(s, run, await s.get(Event, 1))  # type: ignore[arg-type]
        assert fig is not None and charts.event_chart(fig).ratings == (0, 0, 1, 2, 2)  # type: ignore[union-attr]
    out = await bot.text("alice: /report 3")  # 3 ratings, 3 came: nothing about them, and no chart
    assert "Ratings 1–5" not in out and "[file" not in out and "Chart" not in out


async def test_four_ratings_show_no_distribution(bot) -> None:
    await setup(bot, chatters=4)
    await rate(bot, 1, {"m0": 5, "m1": 4, "m2": 4, "m3": 3})
    out = await bot.text("alice: /report 1")
    assert "Ratings 1–5" not in out and "★" not in out
    assert "[file report-event-1.png," in out  # the chart still shows going, came and the forecast


async def test_without_files_the_chart_is_a_short_table(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.ports import Capabilities
    from tests.harness import Harness

    no_files = Capabilities(files=False, idempotent_send=True)
    for lang in ("en", "zh"):
        bot = await Harness.create(str(tmp_path / f"{lang}.db"), lang=lang, capabilities=no_files)
        try:
            await setup(bot, chatters=6)
            out = await bot("alice: /report")
            overview = out.index(next(line for line in out if "Week by week" in line or "逐周数据" in line))
            event = await bot("alice: /report 1")
        finally:
            await bot.close()
        assert not any("[file" in line for line in out + event)
        if lang == "en":
            assert out[overview:] == [
                "bot -> group: 📊 Week by week (2026-11-01 – 2026-12-01)",
                "Per week (from · messages · active members):",
                "11-01 · 0 · 0", "11-02 · 0 · 0", "11-09 · 0 · 0", "11-16 · 0 · 0", "11-23 · 0 · 0",
                "11-30 · 6 · 7",  # alice and m0-m5 (messages: m0-m5)
                "Events held (going / came):",
                "#1 12-01 · 20 / 16",  # #3: 3 came, not shown
                "Segments: event-goers 20, core contributors 10",
                "Weeks, events and segments with fewer than 5 members are not shown.",
            ]  # fmt: skip
            assert event[-2:] == ["bot -> group: 📈 #1 Rust night in figures",
                                  "Going 20 · came 16 · predicted 14.3 (9–20)"]  # fmt: skip
        else:
            assert out[overview] == "bot -> group: 📊 逐周数据（2026-11-01 – 2026-12-01）"
            assert "成员群体：活动常客 20、核心贡献者 10" in out[overview:]
            assert "少于 5 人的周、活动和群体不显示。" in out[overview:]
            assert event[-1] == "报名 20 · 到场 16 · 预测 14.3（9–20）"


async def test_an_event_rated_by_fewer_than_five_shows_no_satisfaction_nor_rating(bot, bot_zh) -> None:
    for harness in (bot, bot_zh):
        await harness("alice: /newevent Rust night 2026-12-01 10:00", ":advance 3h")
        few = EventEffect(event_id=1, going=20, attended=16, active_members=50, participation_rate=0.8,
                          active_rate=0.32, interaction_rate=0.45, satisfaction_mean=2.0, response_rate=0.1875,
                          rating="poor", predicted_turnout=14.26, turnout_low=9.0, turnout_high=20.4, lift=1.26)  # fmt: skip
        await add_run(harness, PROFILE, rows=[few])  # 3 of 16 rated
    text, _ = chart_of(await bot("alice: /report 1"), "📈 Chart: #1 Rust night")
    assert text[1:4] == [
        "Rating: –",
        "Going 20 · came 16 · participation 80%",
        "Active members then 50 · share who came 32%",
    ]
    assert "Satisfaction and rating are not shown: fewer than 5 ratings." in text
    assert not any("poor" in line or "2/5" in line for line in text)
    zh = await bot_zh.text("alice: /report 1")
    assert "评级：–" in zh and "评分不足 5 个，不显示满意度和评级。" in zh and "较差" not in zh


async def test_a_chart_that_cannot_be_drawn_becomes_its_table(bot, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    from bot.features.insights import charts

    def broken(*_: object) -> bytes:
        raise RuntimeError("no renderer")

    monkeypatch.setattr(charts, "event_png", broken)
    await setup(bot, chatters=6)
    out = await bot("alice: /report 1")
    assert out[-2:] == [
        "bot -> group: 📈 #1 Rust night in figures",
        "Going 20 · came 16 · predicted 14.3 (9–20)",
    ]
    assert "Traceback" not in "\n".join(out) and "no renderer" in caplog.text  # logged, not shown


async def test_the_chart_is_drawn_while_the_database_is_free(bot, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Drawing takes a few hundred ms: the relay must not hold SQLite's write lock meanwhile, or every
    incoming update would wait for the chart."""
    import sqlite3

    from bot.features.insights import charts

    await setup(bot)
    real, seen = charts.event_png, []

    def drawing_while_checking(*args, **kwargs):  # type: ignore[no-untyped-def]
        other = sqlite3.connect(tmp_path / "bot.db", timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once ("database is locked") if a writer is open
            other.execute("ROLLBACK")
            seen.append("free")
        except sqlite3.OperationalError as exc:
            seen.append(str(exc))
        finally:
            other.close()
        return real(*args, **kwargs)

    monkeypatch.setattr(charts, "event_png", drawing_while_checking)
    chart_of(await bot("alice: /report 1"), "📈 Chart: #1 Rust night")
    assert seen == ["free"]
