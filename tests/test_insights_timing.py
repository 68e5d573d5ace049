"""Reminders at each member's most active hour, and the active hours the analytics run stores."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import update

from analytics.pipeline import active_hours
from analytics.store import _store_active_hours
from bot.features.planner import personal_due
from bot.storage.models import Delivery, Member

SH = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


def local(text: str, tz: ZoneInfo = SH) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz)


# --- the rule ----------------------------------------------------------------------------------


def test_first_reminder_moves_to_the_active_hour_inside_the_window() -> None:
    start, now = local("2026-12-03 19:00"), local("2026-12-01 09:00")
    due = personal_due(start, [24 * 60, 60], 21, SH, now)
    assert due == local("2026-12-02 21:00")  # 22 h before: between 24 h and 1 h (+1 h gap) before
    assert personal_due(start, [24 * 60, 60], 8, SH, now) == local("2026-12-03 08:00")
    # 18:00 on the day is inside [start-24h, start-1h] but too close to the 1 h reminder: no hour fits
    # after 19:00 the day before except the next morning's... 18:00 of the 2nd is before the window opens.
    assert personal_due(start, [24 * 60, 60], 18, SH, now) is None


def test_no_history_single_offset_or_closed_window_keep_the_plain_offset() -> None:
    start, now = local("2026-12-03 19:00"), local("2026-12-01 09:00")
    assert personal_due(start, [24 * 60, 60], None, SH, now) is None
    assert personal_due(start, [24 * 60], 21, SH, now) is None
    # the window has passed: now is after its last moment
    assert personal_due(start, [24 * 60, 60], 21, SH, local("2026-12-03 17:30")) is None


def test_a_member_answering_late_gets_the_next_active_hour_still_in_the_window() -> None:
    start = local("2026-12-03 19:00")
    assert personal_due(start, [24 * 60, 60], 21, SH, local("2026-12-02 22:00")) is None  # 21:00 passed
    assert personal_due(start, [24 * 60, 60], 9, SH, local("2026-12-02 22:00")) == local("2026-12-03 09:00")
    assert personal_due(start, [3 * 24 * 60, 60], 21, SH, local("2026-12-01 09:00")) == local(
        "2026-12-01 21:00"
    )


def test_the_active_hour_is_local_time_across_a_daylight_saving_change() -> None:
    # Europe/Berlin leaves summer time on 2026-10-25: 21:00 local is 19:00 UTC before, 20:00 UTC after
    start = local("2026-10-27 19:00", BERLIN)
    due = personal_due(start, [3 * 24 * 60, 60], 21, BERLIN, local("2026-10-24 12:00", BERLIN))
    assert due == local("2026-10-24 21:00", BERLIN)
    assert due.astimezone(UTC).hour == 19
    due = personal_due(start, [2 * 24 * 60, 60], 21, BERLIN, local("2026-10-24 12:00", BERLIN))
    assert due == local("2026-10-25 21:00", BERLIN)
    assert due.astimezone(UTC).hour == 20


# --- in the chat -------------------------------------------------------------------------------


async def set_active_hour(bot, user: str, hour: int | None) -> None:  # type: ignore[no-untyped-def]
    async with bot.app.sessions() as s, s.begin():
        await s.execute(update(Member).where(Member.user_id == f"u-{user}").values(active_hour=hour))


async def test_reminder_goes_out_at_the_members_active_hour_and_the_default_without_history(bot) -> None:
    await bot(
        "alice: /newevent Rust night 2026-12-03 19:00",
        "bob: hi",
        "carol: hi",
        "bob@dm: /start",
        "carol@dm: /start",
    )
    await set_active_hour(bot, "bob", 21)  # bob is mostly active at 21:00; carol has no history
    await bot("bob: [Going]", "carol: [Going]")
    rows = {r.dedupe_key: r.due_at for r in await bot.rows(Delivery, Delivery.kind == "reminder")}
    bob = (await bot.rows(Member, Member.user_id == "u-bob"))[0].id
    carol = (await bot.rows(Member, Member.user_id == "u-carol"))[0].id
    assert rows[f"rem:1:{bob}:1440"] == local("2026-12-02 21:00")
    assert rows[f"rem:1:{carol}:1440"] == local("2026-12-02 19:00")
    assert rows[f"rem:1:{bob}:60"] == rows[f"rem:1:{carol}:60"] == local("2026-12-03 18:00")

    out = await bot.text(":advance 34h")  # to Wed 19:00
    assert "bot -> carol@dm: ⏰ Reminder: #1 Rust night starts in 1d (Thu 3 Dec 2026 19:00)" in out
    assert "bob@dm: ⏰" not in out
    out = await bot.text(":advance 2h")  # Wed 21:00
    assert "bot -> bob@dm: ⏰ Reminder: #1 Rust night starts in 22h (Thu 3 Dec 2026 19:00)" in out
    assert "carol@dm" not in out
    out = await bot.text(":advance 21h")  # Thu 18:00: both get the last call, each once
    assert out.count("bob@dm: ⏰") == 1 and out.count("carol@dm: ⏰") == 1


async def test_personal_timing_can_be_turned_off_and_never_applies_after_an_analytics_opt_out(
    tmp_path,
) -> None:
    from tests.harness import Harness

    off = await Harness.create(str(tmp_path / "off.db"), personal_timing=False)
    on = await Harness.create(str(tmp_path / "on.db"))
    try:
        for harness in (off, on):
            await harness("alice: /newevent Rust night 2026-12-03 19:00", "bob: hi", "bob@dm: /start")
            await set_active_hour(harness, "bob", 21)
        await on("bob: [Going]")
        (row,) = await on.rows(Delivery, Delivery.dedupe_key.like("rem:1:%:1440"))
        assert row.due_at == local("2026-12-02 21:00")
        await on("bob@dm: /privacy analytics off")  # re-plans at once, and forgets the derived hour
        assert (await on.rows(Member, Member.user_id == "u-bob"))[0].active_hour is None
        for harness in (off, on):
            await harness("bob: [Going]")
            (row,) = await harness.rows(Delivery, Delivery.dedupe_key.like("rem:1:%:1440"))
            assert row.due_at == local("2026-12-02 19:00")
    finally:
        await off.close()
        await on.close()


async def test_a_new_active_hour_re_times_pending_reminders_after_the_run(bot) -> None:
    from bot.features.insights.pushes import after_analytics

    await bot("alice: /newevent Rust night 2026-12-03 19:00", "bob: hi", "bob@dm: /start", "bob: [Going]")
    (row,) = await bot.rows(Delivery, Delivery.dedupe_key.like("rem:1:%:1440"))
    assert row.due_at == local("2026-12-02 19:00")
    await set_active_hour(bot, "bob", 22)
    totals = await after_analytics(bot.app.sessions, bot.app.config, bot.clock.now())
    assert totals["events_replanned"] == 1
    (row,) = await bot.rows(Delivery, Delivery.dedupe_key.like("rem:1:%:1440"))
    assert row.due_at == local("2026-12-02 22:00")


# --- what the analytics run stores --------------------------------------------------------------


def test_active_hours_fold_weekday_and_weekend_bins_and_need_enough_history() -> None:
    hours = pd.DataFrame(
        [
            (1, 21, 6), (1, 24 + 21, 3), (1, 9, 5),  # member 1: 21:00 (9 actions) beats 09:00 (5)
            (2, 8, 4), (2, 20, 4), (2, 12, 2),  # member 2: a tie goes to the evening
            (3, 10, 9),  # member 3: 9 actions, below the minimum of 10
        ],
        columns=["member_id", "bin", "n"],
    )  # fmt: skip
    got = active_hours(hours, 10)
    assert got.to_dict() == {1: 21, 2: 20}
    assert active_hours(hours.iloc[:0], 10).empty


async def test_a_run_sets_active_hours_and_clears_the_rest(bot) -> None:
    await bot("alice: hi", "bob: hi", "carol: hi")
    ids = {m.user_id: m.id for m in await bot.rows(Member)}
    await set_active_hour(bot, "carol", 7)  # from an older run; carol is quiet now
    community = (await bot.rows(Member))[0].community_id
    async with bot.app.engine.begin() as conn:
        series = pd.Series([21, 9], index=[ids["u-alice"], ids["u-bob"]])
        await conn.run_sync(_store_active_hours, community, series)
    got = {m.user_id: m.active_hour for m in await bot.rows(Member)}
    assert got == {"u-alice": 21, "u-bob": 9, "u-carol": None}
