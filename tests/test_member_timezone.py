"""Each member can read and see times in their own timezone."""

from __future__ import annotations

from bot.storage.models import Event, Member


async def test_member_timezone_changes_how_times_are_read_and_shown(bot) -> None:
    await bot("alice: hi")
    assert await bot("bob: /timezone") == [
        "bot -> group: I show and read times for you in Asia/Shanghai (the community's). Change it: /timezone Area/City"
    ]
    assert await bot("alice: /timezone Europe/Berlin") == [
        "bot -> group: 🕖 Your timezone is now Europe/Berlin: it is 2026-12-01 02:00 there."
    ]
    out = await bot("alice: /newevent Berlin night 2026-12-05 19:00")
    assert "bot -> group: ✅ Created #1 Berlin night: Sat 5 Dec 2026 19:00. Announced in the group." in out
    event = (await bot.rows(Event))[0]
    assert event.starts_at.hour == 18  # 19:00 in Berlin is 18:00 UTC
    assert "🕖 Sun 6 Dec 2026 02:00–03:00 (Asia/Shanghai)" in out[1]  # the group sees its own zone
    assert await bot("alice: /timezone default") == [
        "bot -> group: You now use the community's timezone, Asia/Shanghai."
    ]
    assert (await bot.rows(Member, Member.username == "alice"))[0].timezone is None


async def test_bad_timezone_changes_nothing(bot_zh) -> None:
    out = await bot_zh("bob: /timezone Mars/Base")
    assert out[0] == "bot -> group: 未知的时区 “Mars/Base”。"
    assert "示例：/timezone Europe/Berlin" in out[-1]
    assert (await bot_zh.rows(Member))[0].timezone is None
