""" "Recommended for you" private messages after an analytics run: once per event, a weekly cap,
never after /foryou off or an analytics opt-out, and re-checked when they are sent."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.features.insights.pushes import after_analytics, plan_pushes
from bot.runner import Service
from bot.storage.models import Community, Delivery, Member, Rsvp
from bot.storage.results import Recommendation
from tests.test_insights import PROFILE, add_run, member_id

PICKS = [  # (event, reason) in rank order
    (1, "you like #rust (4.2/5); Thu 20:00 fits when you are active"),
    (2, "about #go"),
    (3, "popular in the community"),
]


async def setup(bot, *, dm: bool = True) -> int:  # type: ignore[no-untyped-def]
    """Three upcoming events recommended to bob (#1-#3), a fourth he is not recommended."""
    await bot(
        "alice: /newevent Rust night 2026-12-03 20:00",
        "alice: /newevent Go talk 2026-12-04 19:00",
        "alice: /newevent SQL salon 2026-12-05 15:00",
        "alice: /newevent Other 2026-12-06 15:00",
        "bob: hi",
    )
    if dm:
        await bot("bob@dm: /start")
    bob = await member_id(bot, "bob")
    rows = [Recommendation(member_id=bob, event_id=e, kind="upcoming", rank=r, score=1 - r / 10, reason=why)
            for r, (e, why) in enumerate(PICKS, 1)]  # fmt: skip
    await add_run(bot, PROFILE, rows=rows)
    return bob


async def plan(bot) -> int:  # type: ignore[no-untyped-def]
    async with bot.app.sessions() as s:
        community = (await s.scalars(select(Community))).one()
        n = await plan_pushes(s, community, bot.app.config, bot.clock.now())
        await s.commit()
    return n


async def pushes(bot) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.dedupe_key for r in await bot.rows(Delivery, Delivery.kind == "recommend")]


async def test_pushes_go_privately_once_per_event_within_the_weekly_cap(bot) -> None:
    bob = await setup(bot)
    assert await plan(bot) == 2  # the cap is 2 a week: the two best-ranked events
    assert sorted(await pushes(bot)) == [f"rec:1:{bob}", f"rec:2:{bob}"]
    out = await bot.text(":advance 1m")
    assert (
        "bot -> bob@dm: ✨ Recommended for you: #1 Rust night — Thu 3 Dec 2026 20:00\n"
        "Why: you like #rust (4.2/5); Thu 20:00 fits when you are active\n"
        "Answer with the buttons, or send /event 1 to see it. /foryou off stops these messages.\n"
        "[Going] [Maybe] [Can't go]"
    ) in out
    assert out.count("✨ Recommended for you") == out.count("bot -> bob@dm: ✨") == 2  # never in the group
    assert await plan(bot) == 0  # the next run the same night: cap reached, nothing twice
    await bot(":advance 7d")  # a week on, #1-#3 are past: nothing left to push
    assert await plan(bot) == 0
    assert len(await pushes(bot)) == 2


async def test_the_cap_counts_the_last_seven_days_and_an_event_is_never_pushed_twice(bot) -> None:
    bob = await setup(bot)
    assert await plan(bot) == 2
    await bot(":advance 1m")
    await bot(":advance 1d")  # Wed: the two pushes are still within 7 days
    assert await plan(bot) == 0
    async with bot.app.sessions() as s, s.begin():  # pretend they were sent 8 days ago
        await s.execute(update(Delivery).where(Delivery.kind == "recommend").values(
            due_at=bot.clock.now() - timedelta(days=8)))  # fmt: skip
    assert await plan(bot) == 1  # room for 2, but #1 and #2 were pushed already: only #3
    assert sorted(await pushes(bot)) == [f"rec:1:{bob}", f"rec:2:{bob}", f"rec:3:{bob}"]


async def test_no_push_after_foryou_off_or_an_analytics_opt_out_or_without_private_messages(
    bot, bot_zh
) -> None:
    await setup(bot)
    assert "🔕 I won't message you with recommendations" in await bot.text("bob: /foryou off")
    assert await plan(bot) == 0
    assert "at most 2 a week" in await bot.text("bob: /foryou on")
    await bot("bob@dm: /privacy analytics off")
    assert await plan(bot) == 0
    await bot("bob@dm: /privacy analytics on")
    assert await plan(bot) == 2

    await setup(bot_zh, dm=False)  # never wrote to the bot: no private message possible
    assert await plan(bot_zh) == 0


async def test_an_opt_out_or_an_answer_before_sending_wins(bot) -> None:
    await setup(bot)
    assert await plan(bot) == 2
    await bot("bob: /foryou off")
    out = await bot(":advance 1m")
    assert not any("✨" in line for line in out)
    assert {r.status for r in await bot.rows(Delivery, Delivery.kind == "recommend")} == {"skipped"}


async def test_an_answered_event_is_not_pushed(bot) -> None:
    bob = await setup(bot)
    now = bot.clock.now()
    async with bot.app.sessions() as s, s.begin():  # bob answered #1 (by any route)
        s.add(Rsvp(event_id=1, member_id=bob, status="maybe", created_at=now, updated_at=now))
    assert await plan(bot) == 2
    assert sorted(await pushes(bot)) == [f"rec:2:{bob}", f"rec:3:{bob}"]


async def test_the_push_waits_for_the_members_active_hour_and_speaks_their_language(bot_zh) -> None:
    bob = await setup(bot_zh)
    async with bot_zh.app.sessions() as s, s.begin():
        await s.execute(update(Member).where(Member.id == bob).values(active_hour=21))
    assert await plan(bot_zh) == 2
    rows = await bot_zh.rows(Delivery, Delivery.kind == "recommend")
    assert {r.due_at.hour for r in rows} == {13}  # 21:00 in Shanghai
    out = await bot_zh.text(":advance 11h")  # 20:00: not yet
    assert "✨" not in out
    out = await bot_zh.text(":advance 1h")
    assert (
        "bot -> bob@dm: ✨ 为你推荐：#1 Rust night — 2026年12月3日 周四 20:00\n推荐理由：你喜欢 #rust（4.2/5）"
        in out
    )
    assert "发送 /foryou off 不再接收此类消息。" in out


async def test_weekly_cap_zero_or_pushes_off_turn_them_off(tmp_path) -> None:
    from tests.harness import Harness

    for options in ({"recommend_weekly_cap": 0}, {"recommend_pushes": False}):
        harness = await Harness.create(str(tmp_path / f"{len(options)}{list(options)[0]}.db"), **options)
        try:
            await setup(harness)
            assert await plan(harness) == 0
        finally:
            await harness.close()


async def test_foryou_rejects_an_unknown_option(bot_zh) -> None:
    await bot_zh("bob: hi")
    out = await bot_zh.text("bob: /foryou sometimes")
    assert "/foryou 没有“sometimes”这个选项。" in out and "示例：/foryou off" in out
    (bob,) = await bot_zh.rows(Member, Member.user_id == "u-bob")
    assert bob.recommend_opt_out is False


async def test_the_service_plans_after_the_nightly_run(bot) -> None:
    await setup(bot)
    totals = await Service(bot.app).after_analytics()
    assert totals == {"events_replanned": 4, "pushes": 2}
    again = await after_analytics(bot.app.sessions, bot.app.config, bot.clock.now())
    assert again == {"events_replanned": 4, "pushes": 0}


async def test_a_push_is_answered_with_its_buttons_in_the_private_chat(bot) -> None:
    bob = await setup(bot)
    await plan(bot)
    await bot(":advance 1m")  # #1 and #2 are pushed; #2 is the newest message with buttons
    out = await bot.text("bob: [Going]")
    assert "bot -> bob (only you): You're going to Go talk." in out
    assert [(r.event_id, r.status) for r in await bot.rows(Rsvp, Rsvp.member_id == bob)] == [(2, "going")]


async def test_a_push_button_answers_for_the_events_community_not_the_latest_one(bot) -> None:
    """bob is in two groups and spoke last in the other one: his answer still lands in the event's."""
    from adapters.memory import ScriptedChat

    bob = await setup(bot)
    await plan(bot)
    await bot(":advance 1m")
    other = ScriptedChat(bot.adapter, bot.clock, chat_id="group-2", title="Other group")
    await bot.app.handle(other.say("carol", "hello"))
    await bot.app.handle(other.say("bob", "hi there"))  # his most recent membership is now group-2's
    assert len(await bot.rows(Community)) == 2
    out = await bot.text("bob: [Maybe]")
    assert "bot -> bob (only you): " in out
    assert [(r.event_id, r.member_id, r.status) for r in await bot.rows(Rsvp)] == [(2, bob, "maybe")]
    out = await bot.text("bob@dm: /event 1")  # as the push suggests: found in the event's group too
    assert "bot -> bob@dm: 📅 Rust night (#1)" in out, out
    out = await bot.text("carol@dm: /event 1")  # not a member of that group: not shown
    assert "No event #1" in out or "no event #1" in out.lower(), out
