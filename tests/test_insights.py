"""Insights in the chat (/segments, /foryou, ...): numbers shown match the analytics results tables."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.storage.models import Community, Member
from bot.storage.results import AnalyticsRun, Recommendation, SegmentProfile, TopicTrend

PROFILE = {  # segment -> (name, size, profile means)
    0: ("event-goers", 20, {"messages": 2.0, "rsvps": 6.0, "attended": 5.0, "tenure_days": 60.0}),
    1: ("core contributors", 10, {"messages": 30.0, "rsvps": 2.0, "attended": 1.0, "tenure_days": 80.0}),
    2: ("newcomers", 3, {"messages": 1.0, "rsvps": 0.0, "attended": 0.0, "tenure_days": 5.0}),
}


async def community(bot) -> Community:  # type: ignore[no-untyped-def]
    async with bot.app.sessions() as s:
        return (await s.scalars(select(Community))).one()


async def add_run(bot, segments: dict[int, tuple[str, int, dict[str, float]]], **extra: Any) -> int:  # type: ignore[no-untyped-def]
    """A stored analytics run of the community with these segment profiles (and any other rows)."""
    c = await community(bot)
    now = bot.clock.now()
    async with bot.app.sessions() as s, s.begin():
        run = AnalyticsRun(community_id=c.id, started_at=now, finished_at=now, window_start=now - timedelta(days=84),
                           window_end=now, seed=0, params={}, metrics=extra.pop("metrics", {}))  # fmt: skip
        s.add(run)
        await s.flush()
        for seg, (name, size, profile) in segments.items():
            s.add(SegmentProfile(run_id=run.id, segment=seg, name=name, size=size, profile=profile))
        for row in extra.pop("rows", []):
            row.run_id = run.id
            s.add(row)
        return run.id


async def member_id(bot, user: str) -> int:  # type: ignore[no-untyped-def]
    async with bot.app.sessions() as s:
        return (await s.scalars(select(Member.id).where(Member.user_id == f"u-{user}"))).one()


# --- /segments -----------------------------------------------------------------------------------


async def test_segments_without_a_run_says_how_analytics_runs(bot, bot_zh) -> None:
    assert await bot("alice: /segments") == [
        "bot -> group: No analytics results yet for this community. Analytics runs every night; "
        "an admin can also run it now with `gatherbot analytics run`."
    ]
    assert "gatherbot analytics run" in await bot_zh.text("alice: /segments")
    assert "分析每晚自动运行" in await bot_zh.text("alice: /segments")


async def test_segments_is_for_organizers(bot) -> None:
    await bot("alice: hi")
    await add_run(bot, PROFILE)
    out = await bot.text("bob: /segments")
    assert "event-goers" not in out


async def test_segments_table_sizes_features_and_small_groups(bot) -> None:
    await bot("alice: hi")
    await add_run(bot, PROFILE)
    out = await bot("alice: /segments")
    text = "\n".join(out)
    # overall means weighted by size over all 33 members: messages (40+300+3)/33 = 10.39
    # z-scores of segment means vs those overall means (spread weighted by size): highest three, in order
    assert (
        "• event-goers: 20 members\n  stands out by: events attended 5↑ (avg 3.33), RSVPs 6↑ (avg 4.24), "
        "days in the group 60↓ (avg 61.06)" in text
    )
    assert (
        "• core contributors: 10 members\n  stands out by: messages 30↑ (avg 10.39), days in the group 80↑ "
        "(avg 61.06), RSVPs 2↓ (avg 4.24)" in text
    )
    assert "newcomers" not in text  # 3 members: suppressed
    assert "Groups of fewer than 5 members are not shown: small groups are protected." in text
    assert "This is the first analytics run" in text
    assert text.index("event-goers") < text.index("core contributors")  # largest first


async def test_segments_show_change_since_previous_run(bot, bot_zh) -> None:
    for harness in (bot, bot_zh):
        await harness("alice: hi")
        await add_run(harness, {0: ("event-goers", 18, {"rsvps": 5.0}), 1: ("fading", 4, {"rsvps": 1.0})})
        await add_run(harness, {0: ("event-goers", 20, {"rsvps": 6.0}), 1: ("fading", 7, {"rsvps": 1.0}),
                                2: ("quiet readers", 9, {"rsvps": 0.5})})  # fmt: skip
    text = await bot.text("alice: /segments")
    assert "• event-goers: 20 members (+2 since the previous run)" in text
    assert "• fading: 7 members (new since the previous run)" in text  # was 4: its old size stays hidden
    assert "• quiet readers: 9 members (new since the previous run)" in text
    assert "first analytics run" not in text and "not shown" not in text
    zh = await bot_zh.text("alice: /segments")
    assert "• 活动常客：20 人（较上次分析 +2）\n  特点：报名次数 6↑（平均 3.65）" in zh
    assert "• 逐渐沉寂：7 人（上次分析后新出现）" in zh
    assert "• 安静读者：9 人" in zh


# --- /foryou -------------------------------------------------------------------------------------


async def setup_foryou(bot) -> tuple[int, list[int]]:  # type: ignore[no-untyped-def]
    """Five events (#1-#5); a run recommending them all to bob; #5 is cancelled later."""
    await bot("alice: /newevent Rust night 2026-12-03 20:00", "bob: hi")
    for title, when in (("Go talk", "2026-12-04 19:00"), ("Past meetup", "2026-12-01 10:00"),
                        ("SQL salon", "2026-12-05 15:00"), ("Cancelled one", "2026-12-06 15:00")):  # fmt: skip
        await bot(f"alice: /newevent {title} {when}")
    bob = await member_id(bot, "bob")
    picks = [(5, "about #misc"), (1, "you like #rust (4.2/5); Thu 20:00 fits when you are active"),
             (3, "popular in the community"), (2, "about #go"), (4, "Sat 15:00 fits when you are active")]  # fmt: skip
    rows = [Recommendation(member_id=bob, event_id=e, kind="upcoming", rank=r, score=1 - r / 10, reason=why)
            for r, (e, why) in enumerate(picks, 1)]  # fmt: skip
    rows.append(Recommendation(member_id=bob, event_id=4, kind="replay", rank=1, score=4.5, reason="replay"))
    await add_run(bot, PROFILE, rows=rows)
    await bot("alice: /cancelevent 5")
    return bob, [1, 2, 4]


async def test_foryou_lists_upcoming_unanswered_recommendations_with_reasons(bot) -> None:
    await setup_foryou(bot)
    await bot(":advance 2h")  # #3 (today 10:00) is now past
    out = await bot.text("bob: /foryou")
    assert "✨ Recommended for you:" in out
    assert (
        "1. #1 Rust night — Thu 3 Dec 2026 20:00\n   why: you like #rust (4.2/5); Thu 20:00 fits when you are active"
        in out
    )
    assert "2. #2 Go talk — Fri 4 Dec 2026 19:00\n   why: about #go" in out
    assert "3. #4 SQL salon — Sat 5 Dec 2026 15:00\n   why: Sat 15:00 fits when you are active" in out
    assert "#5" not in out and "#3" not in out and "replay" not in out  # cancelled, past, not upcoming
    await bot("bob: [Going]")  # on the newest announcement with buttons: #4's
    out = await bot.text("bob: /foryou")
    assert "SQL salon" not in out and "2. #2 Go talk" in out  # answered events are not recommended


async def test_foryou_goes_private_when_possible_and_in_chinese(bot_zh) -> None:
    await setup_foryou(bot_zh)
    await bot_zh("bob@dm: /start")
    out = await bot_zh("bob: /foryou")
    assert out[-1] == "bot -> group: 我已经私聊把推荐发给你了。"
    private = "\n".join(line for line in out if "bob@dm" in line or not line.startswith("bot ->"))
    assert "1. #1 Rust night" in private
    assert "推荐理由：你喜欢 #rust（4.2/5）；周四 20:00 正是你活跃的时间" in private
    assert (
        "2. #3 Past meetup — 2026年12月1日 周二 10:00\n   推荐理由：社群里很受欢迎" in private
    )  # still ahead
    assert "3. #2 Go talk — 2026年12月4日 周五 19:00\n   推荐理由：关于 #go" in private


async def test_foryou_respects_the_analytics_opt_out(bot) -> None:
    await setup_foryou(bot)
    await bot("bob@dm: /privacy analytics off")
    out = await bot.text("bob: /foryou")
    assert "You turned statistics and recommendations off" in out
    assert "Rust night" not in out


async def test_foryou_without_a_run_or_without_picks(bot) -> None:
    await bot("bob: hi")
    assert "gatherbot analytics run" in await bot.text("bob: /foryou")
    await add_run(bot, PROFILE)
    assert "No recommendations for you right now" in await bot.text("bob: /foryou")


# --- /suggest ------------------------------------------------------------------------------------

ADVICE = {
    "all": [  # as analytics/planning.py stores them; the second one has passed by the time of asking
        {"slot": "Wed 19:00", "starts_at": "2026-12-02T11:00:00+00:00", "predicted_turnout": 12.4, "low": 6.0, "high": 19.2},
        {"slot": "Tue 08:00", "starts_at": "2026-12-01T00:00:00+00:00", "predicted_turnout": 9.0, "low": 4.0, "high": 14.0},
        {"slot": "Sat 10:00", "starts_at": "2026-12-05T02:00:00+00:00", "predicted_turnout": 15.0, "low": 8.0, "high": 22.0},
        {"slot": "Sun 15:00", "starts_at": "2026-12-06T07:00:00+00:00", "predicted_turnout": 11.0, "low": 5.0, "high": 17.0},
        {"slot": "Mon 20:00", "starts_at": "2026-12-07T12:00:00+00:00", "predicted_turnout": 10.0, "low": 5.0, "high": 15.0},
    ],
    "tags": {"python": [
        {"slot": "Thu 19:00", "starts_at": "2026-12-03T11:00:00+00:00", "predicted_turnout": 7.6, "low": 2.5, "high": 13.0},
    ]},
}  # fmt: skip


async def setup_suggest(bot) -> None:  # type: ignore[no-untyped-def]
    await bot("alice: /newevent Rust night 2026-12-03 20:00 tags=rust")
    now = bot.clock.now()
    rows = [TopicTrend(topic="go", period_start=now - timedelta(days=7), messages=30, events=0),
            TopicTrend(topic="k8s", period_start=now - timedelta(days=14), messages=12, events=0),
            TopicTrend(topic="rust", period_start=now - timedelta(days=7), messages=50, events=0),  # #1 is coming
            TopicTrend(topic="sql", period_start=now - timedelta(days=7), messages=20, events=1),  # covered
            TopicTrend(topic="ml", period_start=now - timedelta(days=40), messages=99, events=0)]  # fmt: skip
    await add_run(bot, PROFILE, metrics={"advice": ADVICE}, rows=rows)  # #ml: too old


async def test_suggest_shows_stored_slots_with_turnout_and_uncovered_topics(bot, bot_zh) -> None:
    await setup_suggest(bot)
    assert await bot("alice: /suggest") == [
        "bot -> group: 🗓 Best times for a new event (analytics of 2026-12-01 09:00):",
        "1. Wed 2 Dec 2026 19:00 — about 12 expected (6–19)",
        "2. Sat 5 Dec 2026 10:00 — about 15 expected (8–22)",
        "3. Sun 6 Dec 2026 15:00 — about 11 expected (5–17)",
        "Topics in demand that recent events did not cover: #go (30 messages in 4 weeks), "
        "#k8s (12 messages in 4 weeks)",
    ]
    out = await bot("alice: /suggest #python")
    assert out[:2] == [
        "bot -> group: 🗓 Best times for a new #python event (analytics of 2026-12-01 09:00):",
        "1. Thu 3 Dec 2026 19:00 — about 8 expected (2–13)",
    ]
    await setup_suggest(bot_zh)
    assert await bot_zh("alice: /suggest") == [
        "bot -> group: 🗓 新活动的最佳时间（2026-12-01 09:00 的分析）：",
        "1. 2026年12月2日 周三 19:00 — 预计约 12 人（6–19）",
        "2. 2026年12月5日 周六 10:00 — 预计约 15 人（8–22）",
        "3. 2026年12月6日 周日 15:00 — 预计约 11 人（5–17）",
        "近期活动没覆盖、但大家在讨论的话题：#go（4 周内 30 条消息）、#k8s（4 周内 12 条消息）",
    ]


async def test_suggest_for_a_type_computes_slots_now(bot) -> None:
    await setup_suggest(bot)
    out = await bot("alice: /suggest salon")
    assert out[0] == "bot -> group: 🗓 Best times for a new salon (analytics of 2026-12-01 09:00):"
    assert [line[:3] for line in out[1:4]] == ["1. ", "2. ", "3. "]
    assert all(line.endswith("(no turnout forecast yet)") for line in out[1:4])  # no event history yet
    assert "#go" in out[-1]


async def test_suggest_input_errors_and_no_run(bot) -> None:
    assert "gatherbot analytics run" in await bot.text("alice: /suggest")
    out = await bot.text("alice: /suggest foo")
    assert "“foo” is neither a #tag nor an event type" in out and "Example: /suggest #python" in out
    assert "Only organizers can use /suggest" in await bot.text("bob: /suggest")


async def test_foryou_asked_privately_is_answered_privately(bot) -> None:
    await setup_foryou(bot)
    out = await bot("bob@dm: /foryou")
    assert out[0] == "bot -> bob@dm: ✨ Recommended for you:"
    assert not any(line.startswith("bot -> group") for line in out)
