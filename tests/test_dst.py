"""Daylight-saving time: a weekly event stays at the same local time, and so do its reminders."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.storage.models import Delivery, Event
from tests.harness import Harness

BERLIN = ZoneInfo("Europe/Berlin")


async def test_weekly_event_keeps_its_local_time_across_the_dst_change(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bot = await Harness.create(str(tmp_path / "dst.db"), start="2027-03-15 09:00", tz="Europe/Berlin")
    try:
        await bot("alice: /newevent Reading group 2027-03-20 19:00 repeat=weekly count=3", "alice@dm: /start")
        events = sorted(await bot.rows(Event), key=lambda e: e.starts_at)
        assert [e.starts_at.astimezone(BERLIN).strftime("%m-%d %H:%M") for e in events] == [
            "03-20 19:00", "03-27 19:00", "04-03 19:00",
        ]  # fmt: skip
        assert [e.starts_at.hour for e in events] == [18, 18, 17]  # UTC moves when Berlin springs forward
        await bot("alice: [Going]")  # the first date (the next ones are announced as each one ends)
        out = await bot(":advance 5d9h")  # to 03-20 18:00: the 1h reminder of the first date
        assert "bot -> alice@dm: ⏰ Reminder: #1 Reading group starts in 1h (Sat 20 Mar 2027 19:00)." in out
        reminders = await bot.rows(Delivery, Delivery.kind == "reminder")
        local = sorted(d.due_at.astimezone(BERLIN).strftime("%m-%d %H:%M") for d in reminders)
        assert "03-20 18:00" in local and "03-19 19:00" in local
    finally:
        await bot.close()


async def test_a_community_timezone_change_keeps_events_at_their_moment(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bot = await Harness.create(str(tmp_path / "tz.db"), start="2026-12-01 09:00", tz="Asia/Shanghai")
    try:
        await bot("alice: /newevent Talk 2026-12-05 19:00")
        before = (await bot.rows(Event))[0].starts_at
        await bot("alice: /settings timezone=Europe/Berlin")
        assert (await bot.rows(Event))[0].starts_at == before  # the meeting did not move...
        out = await bot.text("alice: /event 1")
        assert "Sat 5 Dec 2026 12:00–13:00 (Europe/Berlin)" in out  # ...it is shown in the new zone
    finally:
        await bot.close()


async def test_a_community_timezone_change_keeps_reminders_at_their_moment_shown_in_the_new_zone(
    tmp_path,
) -> None:  # type: ignore[no-untyped-def]
    bot = await Harness.create(str(tmp_path / "tzr.db"), start="2026-12-01 09:00", tz="Asia/Shanghai")
    try:
        await bot(
            "alice: /newevent Talk 2026-12-05 19:00", "bob: [Going]", "bob@dm: /start", "carol: [Going]"
        )
        planned = {d.dedupe_key: d.due_at for d in await bot.rows(Delivery) if d.kind.endswith("reminder")}
        assert len(planned) == 4  # bob privately, carol in the group; 24 h and 1 h before
        await bot("alice: /settings timezone=Europe/Berlin")
        after = {d.dedupe_key: d.due_at for d in await bot.rows(Delivery) if d.kind.endswith("reminder")}
        assert after == planned  # the meeting did not move, so neither did its reminders
        out = await bot.text(":advance 4d9h")  # Dec 5 18:00 in Shanghai = 11:00 in Berlin
        assert "bot -> bob@dm: ⏰ Reminder: #1 Talk starts in 1h (Sat 5 Dec 2026 12:00)." in out
        assert "bot -> group: @carol: ⏰ #1 Talk starts in 1h (Sat 5 Dec 2026 12:00)." in out
    finally:
        await bot.close()
