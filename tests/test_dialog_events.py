"""Organizers create, list, edit and cancel events: transcripts in English and Simplified Chinese."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from bot.storage.models import Conversation, Delivery, Event, EventTag, Rsvp
from tests.harness import Harness

SH = timedelta(hours=8)  # Asia/Shanghai has no DST


def utc(text: str) -> datetime:
    """A Shanghai wall-clock time as the aware UTC value the database returns."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC) - SH


async def nothing_saved(bot) -> bool:
    return await bot.count(Event) == 0 and await bot.count(Delivery, Delivery.kind == "announce") == 0


async def test_the_documented_example_works(bot) -> None:
    out = await bot(
        "alice: /newevent Python爬虫挑战赛 2026-12-05 19:00 2h type=challenge #python capacity=30 place=https://meet.example/x"
    )
    assert out == [
        "bot -> group: 📅 Python爬虫挑战赛 (#1)",
        "🕖 Sat 5 Dec 2026 19:00–21:00 (Asia/Shanghai)",
        "🏷 code challenge · #python",
        "📍 https://meet.example/x",
        "👥 Going 0/30 · Maybe 0 · Waitlist 0",
        "[Going] [Maybe] [Can't go]",
        "bot -> group: ✅ Created #1 Python爬虫挑战赛: Sat 5 Dec 2026 19:00. Announced in the group.",
    ]
    [event] = await bot.rows(Event)
    assert (event.title, event.kind, event.capacity, event.place) == (
        "Python爬虫挑战赛", "challenge", 30, "https://meet.example/x",
    )  # fmt: skip
    assert (event.starts_at, event.ends_at) == (utc("2026-12-05 19:00"), utc("2026-12-05 21:00"))
    assert [t.tag for t in await bot.rows(EventTag)] == ["python"]


@pytest.fixture
async def lang_bot(request, tmp_path):  # type: ignore[no-untyped-def]
    """Like the bot fixture, in the language given by indirect parametrization."""
    harness = await Harness.create(str(tmp_path / f"bot-{request.param}.db"), lang=request.param)
    harness.lang = request.param
    yield harness
    await harness.close()


NATURAL_TIMES = [  # (language, when, confirmation text after "#1 Talk")
    ("en", "next monday 7pm", ": Mon 7 Dec 2026 19:00."),
    ("en", "tomorrow 20:00", ": Wed 2 Dec 2026 20:00."),
    ("en", "下周一晚上7点", ": Mon 7 Dec 2026 19:00."),
    ("en", "12月5日 19:30", ": Sat 5 Dec 2026 19:30."),
    ("zh", "next monday 7pm", "：2026年12月7日 周一 19:00。"),
    ("zh", "tomorrow 20:00", "：2026年12月2日 周三 20:00。"),
    ("zh", "下周一晚上7点", "：2026年12月7日 周一 19:00。"),
    ("zh", "12月5日 19:30", "：2026年12月5日 周六 19:30。"),
]


@pytest.mark.parametrize(("lang_bot", "when", "shown"), NATURAL_TIMES, indirect=["lang_bot"])
async def test_natural_language_times(lang_bot, when: str, shown: str) -> None:
    bot = lang_bot
    out = await bot.text(f"alice: /newevent Talk {when}")
    assert f"#1 Talk{shown}" in out
    assert [e.title for e in await bot.rows(Event)] == ["Talk"]


async def test_tz_option_reads_the_time_in_that_zone(bot) -> None:
    out = await bot.text("alice: /newevent Call 2026-12-05 19:00 tz=Europe/London")
    assert "✅ Created #1 Call: Sun 6 Dec 2026 03:00." in out  # shown in the community's zone
    [event] = await bot.rows(Event)
    assert event.starts_at == datetime(2026, 12, 5, 19, 0, tzinfo=UTC)


async def test_weekly_series_is_announced_one_date_at_a_time(bot) -> None:
    out = await bot.text("alice: /newevent Standup 2026-12-05 19:00 repeat=weekly count=3")
    assert "✅ Created #1 Standup: Sat 5 Dec 2026 19:00. 3 dates in all." in out
    assert out.count("📅 Standup") == 1 and "🔁 Part of a series" in out
    events = await bot.rows(Event)
    assert [e.starts_at for e in events] == [utc(f"2026-12-{d} 19:00") for d in ("05", "12", "19")]
    assert {e.series_id for e in events} == {1} and {e.recurrence for e in events} == {"1w"}
    out = await bot.text(":advance 4d10h59m")  # Dec 5 19:59: the first one has not ended yet
    assert "#2" not in out
    out = await bot(":advance 1m")
    assert out[:3] == [
        "-- 2026-12-05 20:00 --",
        "bot -> group: 📅 Standup (#2)",
        "🕖 Sat 12 Dec 2026 19:00–20:00 (Asia/Shanghai)",
    ]
    assert "(#3)" in await bot.text(":advance 7d")


async def test_series_until_a_date(bot_zh) -> None:
    out = await bot_zh.text("alice: /newevent 读书会 2026-12-05 19:00 repeat=每周 until=2026-12-20")
    assert "✅ 已创建 #1 读书会：2026年12月5日 周六 19:00。共 3 场。" in out
    assert len(await bot_zh.rows(Event)) == 3


BAD_FORMS = [  # (arguments, English problem, Chinese problem)
    (
        "Talk 2026-11-05 19:00",
        "That start time (2026-11-05 19:00 Asia/Shanghai) is in the past.",
        "已经过去了",
    ),
    ("Talk banana", "I couldn't find a start time in “Talk banana”.", "没能在 “Talk banana” 中找到开始时间"),
    (
        "Talk 2026-13-45 19:00",
        "I can't read “2026-13-45 19:00” as a time.",
        "无法把 “2026-13-45 19:00” 识别为时间",
    ),
    ("Talk when=banana", "I can't read “banana” as a time.", "无法把 “banana” 识别为时间"),
    ("Talk 9999-12-05 19:00", "is more than 5 years away", "年之后，太远了"),
    (
        "Talk 2026-12-05 19:00 end=18:00",
        "The end (18:00) is not after the start (2026-12-05 19:00).",
        "不晚于开始时间",
    ),
    (
        "Talk 2026-12-05 19:00 capacity=0",
        "Capacity must be a whole number from 1 to 100000, not “0”.",
        "人数上限必须是",
    ),
    ("Talk 2026-12-05 19:00 capacity=-3", "not “-3”", "而不是 “-3”"),
    ("Talk 2026-12-05 19:00 capacity=thirty", "not “thirty”", "而不是 “thirty”"),
    (
        "x" * 121 + " 2026-12-05 19:00",
        "The title is too long (121 characters; at most 120).",
        "标题太长了（121 个字符",
    ),
    (
        "Talk 2026-12-05 19:00 type=party",
        "Unknown event type “party”; choose one of: lecture,",
        "未知的活动类型 “party”",
    ),
    ("Talk 2026-12-05 19:00 color=red", "Unknown option “color”; known options:", "未知的选项 “color”"),
    ("Talk 2026-12-05 19:00 #bad!tag", "“#bad!tag” is not a tag", "“#bad!tag” 不是有效的标签"),
    ("Talk 2026-12-05 19:00 tz=Mars/Base", "Unknown timezone “Mars/Base”.", "未知的时区 “Mars/Base”"),
    (
        "Talk 2026-12-05 19:00 duration=20d",
        "“20d” is not a duration between 1 minute and 14 days",
        "不是 1 分钟到 14 天之间的时长",
    ),
    ("Talk 2026-12-05 19:00 repeat=weekly", "A repeating event needs count=N (2–52)", "重复活动需要 count=N"),
    ("Talk 2026-12-05 19:00 repeat=daily count=2", "Unknown repeat “daily”", "无法识别的重复方式 “daily”"),
    (
        "Talk 2026-12-05 19:00 repeat=weekly count=1",
        "count must be a whole number from 2 to 52",
        "count 必须是 2 到 52",
    ),
    (
        "Talk 2026-12-05 19:00 repeat=weekly until=2026-11-01",
        "until must be a date after the start",
        "until 必须是开始之后的日期",
    ),
]


@pytest.mark.parametrize("lang_bot", ["en", "zh"], indirect=True)
@pytest.mark.parametrize(("args", "en", "zh"), BAD_FORMS, ids=[a[:30] for a, _, _ in BAD_FORMS])
async def test_bad_form_names_the_problem_and_saves_nothing(lang_bot, args: str, en: str, zh: str) -> None:
    zh_bot = lang_bot.lang == "zh"
    out = await lang_bot.text(f"alice: /newevent {args}")
    assert out.startswith("bot -> group: ") and (zh if zh_bot else en) in out
    assert ("\n示例：/newevent " if zh_bot else "\nExample: /newevent ") in out and "✅" not in out
    assert await nothing_saved(lang_bot)


async def test_wizard_asks_step_by_step(bot) -> None:
    assert await bot("alice: /newevent", "alice: Rust night") == [
        "bot -> group: Let's create an event (send /cancel to stop). What's the title?",
        "bot -> group: When does it start? For example: 2026-12-05 19:00, tomorrow 20:00, next monday 7pm",
    ]
    # A bad answer names the problem, repeats the question and keeps the dialog where it was.
    assert await bot("alice: banana") == [
        "bot -> group: I can't read “banana” as a time.",
        "When does it start? For example: 2026-12-05 19:00, tomorrow 20:00, next monday 7pm",
    ]
    [convo] = await bot.rows(Conversation)
    assert (convo.step, convo.data) == ("when", {"title": "Rust night"})
    assert "is in the past" in await bot.text("alice: 2026-11-01 10:00")
    assert await bot("alice: tomorrow 20:00") == ["bot -> group: How long? (e.g. 90m, 2h; skip = 1h)"]
    assert "not a duration" in await bot.text("alice: forever")
    assert await bot("alice: 90m") == [
        "bot -> group: What type? lecture, salon, sharing, challenge, discussion (skip = discussion)"
    ]
    assert "Unknown event type “party”" in await bot.text("alice: party")
    assert "Anything else?" in await bot.text("alice: salon")
    assert "Capacity must be" in await bot.text("alice: capacity=0")
    assert "Unknown option “repeat”; known options: #tag, capacity, place." in await bot.text(
        "alice: repeat=weekly"
    )
    out = await bot.text("alice: #rust capacity=2 place=Room 301")
    assert "✅ Created #1 Rust night: Wed 2 Dec 2026 20:00. Announced in the group." in out
    [event] = await bot.rows(Event)
    assert (event.kind, event.capacity, event.place) == ("salon", 2, "Room 301")
    assert event.ends_at - event.starts_at == timedelta(minutes=90)
    assert await bot.count(Conversation) == 0


async def test_wizard_in_chinese_with_skips(bot_zh) -> None:
    out = await bot_zh("alice: /newevent", "alice: 读书会", "alice: 明天晚上8点", "alice: 跳过")
    assert out[-1] == "bot -> group: 什么类型？讲座、沙龙、技术分享、编程挑战、讨论（跳过 = 讨论）"
    assert "还有其他信息吗" in await bot_zh.text("alice: 沙龙")
    out = await bot_zh.text("alice: 跳过")
    assert "✅ 已创建 #1 读书会：2026年12月2日 周三 20:00。" in out
    [event] = await bot_zh.rows(Event)
    assert (event.kind, event.ends_at - event.starts_at) == ("salon", timedelta(hours=1))


async def test_wizard_cancel_saves_nothing(bot) -> None:
    assert (await bot("alice: /newevent", "alice: Talk", "alice: /cancel"))[-1:] == [
        "bot -> group: Stopped. Nothing was saved."
    ]
    assert await bot("alice: /cancel") == ["bot -> group: There is nothing to stop."]
    assert await bot("alice: tomorrow 8pm") == []  # no dialog any more: an ordinary message
    assert await nothing_saved(bot) and await bot.count(Conversation) == 0


async def test_wizard_cancel_in_chinese(bot_zh) -> None:
    assert (await bot_zh("alice: /newevent", "alice: /cancel"))[
        -1
    ] == "bot -> group: 已退出，没有保存任何内容。"
    assert await bot_zh("alice: /cancel") == ["bot -> group: 当前没有进行中的对话。"]
    assert await nothing_saved(bot_zh)


async def test_wizard_asks_again_when_the_start_passed_meanwhile(bot) -> None:
    await bot(
        "alice: /newevent",
        "alice: Soon",
        "alice: 2026-12-01 09:10",
        "alice: 2h",
        "alice: salon",
        ":advance 20m",
    )
    assert await bot("alice: #x") == [
        "bot -> group: That start time (2026-12-01 09:10 Asia/Shanghai) is in the past.",
        "When does it start? For example: 2026-12-05 19:00, tomorrow 20:00, next monday 7pm",
    ]
    assert "✅ Created #1 Soon: Wed 2 Dec 2026 20:00." in await bot.text("alice: tomorrow 8pm")
    [event] = await bot.rows(Event)
    assert (event.kind, event.ends_at - event.starts_at) == ("salon", timedelta(hours=2))


async def test_listing_and_showing_events(bot) -> None:
    assert await bot("alice: /events") == [
        "bot -> group: No upcoming events. Organizers can add one with /newevent."
    ]
    await bot(
        "alice: /newevent Rust night 2026-12-05 19:00",
        "alice: /newevent Go night 2026-12-03 19:00",
        "bob: [Going]",
    )
    assert await bot("bob: /events") == [
        "bot -> group: Upcoming events:",
        "#2 Thu 3 Dec 2026 19:00 · Go night · 1 going",
        "#1 Sat 5 Dec 2026 19:00 · Rust night · 0 going",
    ]
    assert (await bot("bob: /event #2"))[0] == "bot -> group: 📅 Go night (#2)"
    assert await bot("bob: /event two") == [
        "bot -> group: “two” is not an event number.",
        "Example: /event 3",
    ]
    assert await bot("bob: /event 99") == [
        "bot -> group: There is no event #99 in this community. Send /events to see the upcoming ones."
    ]
    assert await bot("bob: /myevents") == [
        "bot -> group: Your upcoming events:",
        "#2 Thu 3 Dec 2026 19:00 · Go night · going",
    ]
    assert await bot("carol: /myevents") == ["bot -> group: You haven't answered any upcoming event yet."]


async def test_listing_and_showing_events_in_chinese(bot_zh) -> None:
    assert await bot_zh("alice: /events") == [
        "bot -> group: 暂无即将举行的活动。组织者可以用 /newevent 创建。"
    ]
    assert await bot_zh("bob: /event 两") == ["bot -> group: “两” 不是活动编号。", "示例：/event 3"]
    await bot_zh("alice: /newevent 读书会 2026-12-05 19:00", "bob: [可能]")
    assert await bot_zh("bob: /myevents") == [
        "bot -> group: 你报名的活动：",
        "#1 2026年12月5日 周六 19:00 · 读书会 · 可能",
    ]


async def test_edit_moves_reminders_and_tells_members(bot) -> None:
    await bot(
        "alice: /newevent Rust night 2026-12-05 19:00", "bob: [Going]", "carol: [Maybe]", "carol@dm: /start"
    )
    out = await bot.text('alice: /editevent 1 when="2026-12-06 20:00" title="Rust & Go night"')
    assert "🕖 Sun 6 Dec 2026 20:00–21:00 (Asia/Shanghai)" in out and "(edited)" in out
    assert "bot -> carol@dm: 🕖 #1 Rust & Go night moved to Sun 6 Dec 2026 20:00." in out
    assert "bot -> group: @bob: 🕖 #1 Rust & Go night moved to Sun 6 Dec 2026 20:00." in out
    assert "bot -> group: ✏️ Updated #1: title, when." in out
    pending = await bot.rows(Delivery, Delivery.status == "pending", Delivery.kind == "group_reminder")
    assert sorted(d.due_at for d in pending) == [utc("2026-12-05 20:00"), utc("2026-12-06 19:00")]
    out = await bot.text(":advance 4d10h")  # Dec 5 19:00: the old reminder time passes quietly
    assert "⏰" not in out
    assert "@bob: ⏰ #1 Rust & Go night starts in 1d" in await bot.text(":advance 1h")


async def test_edit_raising_capacity_promotes_the_waitlist(bot_zh) -> None:
    await bot_zh("alice: /newevent 读书会 2026-12-05 19:00 capacity=1", "bob: [参加]", "carol: [参加]")
    assert [r.status for r in await bot_zh.rows(Rsvp)] == ["going", "waitlist"]
    out = await bot_zh.text("alice: /editevent 1 capacity=2")
    assert "bot -> group: @carol：🎉 有空位了：你已报名 #1 读书会（2026年12月5日 周六 19:00）。" in out
    assert "👥 参加 2/2 · 可能 0 · 候补 0" in out and "✏️ 已更新 #1：capacity。" in out


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ("1", "Tell me what to change."),
        ("1 repeat=weekly", "Unknown option “repeat”; known options: title, when, duration, end,"),
        ("1 tz=Europe/London", "Tell me what to change."),
        ("1 when=yesterday", "I can't read “yesterday” as a time."),
        ("1 end=18:00", "The end (18:00) is not after the start"),
        ("x capacity=3", "“x” is not an event number."),
        ("9 capacity=3", "There is no event #9 in this community."),
    ],
)
async def test_bad_edits_change_nothing(bot, args: str, problem: str) -> None:
    await bot("alice: /newevent Rust night 2026-12-05 19:00")
    before = [
        (d.dedupe_key, d.status, d.due_at) for d in await bot.rows(Delivery, Delivery.kind != "message")
    ]
    out = await bot.text(f"alice: /editevent {args}")
    assert problem in out
    assert "Example: /editevent 3" in out or args.startswith("9")  # an unknown number needs no example
    [event] = await bot.rows(Event)
    assert (event.title, event.starts_at, event.updated_at) == (
        "Rust night",
        utc("2026-12-05 19:00"),
        utc("2026-12-01 09:00"),
    )
    assert [
        (d.dedupe_key, d.status, d.due_at) for d in await bot.rows(Delivery, Delivery.kind != "message")
    ] == before


async def test_cancel_tells_everyone_and_stops_every_delivery(bot) -> None:
    await bot("alice: /newevent Rust night 2026-12-05 19:00 capacity=1", "bob: [Going]", "carol: [Maybe]")
    await bot("dave: [Going]", "erin: [Can't go]", "carol@dm: /start")
    out = await bot("alice: /cancelevent 1")
    assert (
        "bot -> group (edited): ❌ Cancelled: Rust night (#1), was Sat 5 Dec 2026 19:00–20:00 (Asia/Shanghai)"
        in out
    )
    assert "bot -> carol@dm: ❌ #1 Rust night (Sat 5 Dec 2026 19:00) is cancelled." in out
    assert (
        "bot -> group: @bob @dave: ❌ #1 Rust night (Sat 5 Dec 2026 19:00) is cancelled." in out
    )  # not erin
    assert out[-1] == "bot -> group: ❌ Cancelled #1 Rust night. Notified: 3."
    assert await bot.count(Delivery, Delivery.status == "pending") == 0
    assert await bot(":advance 10d") == []  # no reminder, check-in or poll ever fires
    assert await bot("alice: /cancelevent 1") == ["bot -> group: #1 is already cancelled."]
    assert bot.adapter.records[0].message.buttons == ()  # the announcement lost its RSVP buttons
    assert "has already ended or is cancelled" in await bot.text("alice: /editevent 1 capacity=5")


async def test_cancel_in_chinese(bot_zh) -> None:
    await bot_zh("alice: /newevent 读书会 2026-12-05 19:00", "bob: [参加]")
    out = await bot_zh("alice: /cancelevent 1")
    assert "bot -> group: @bob：❌ #1 读书会（2026年12月5日 周六 19:00）已取消。" in out
    assert out[-1] == "bot -> group: ❌ 已取消 #1 读书会，已通知 1 人。"


async def test_ics_file_parses(bot) -> None:
    await bot('alice: /newevent Rust night 2026-12-05 19:00 2h #rust place="Room 301"')
    out = await bot("bob: /ics 1")
    assert out[0] == "bot -> group: Add #1 Rust night to your calendar."
    assert out[1].startswith("[file event-1.ics, ") and out[1].endswith(" bytes]")
    content = bot.adapter.records[-1].message.attachment.content
    assert out[1] == f"[file event-1.ics, {len(content)} bytes]"
    [item] = Calendar.from_ical(content).walk("VEVENT")
    assert str(item["summary"]) == "Rust night" and str(item["location"]) == "Room 301"
    assert item.decoded("dtstart") == utc("2026-12-05 19:00") and item.decoded("dtend") == utc(
        "2026-12-05 21:00"
    )
    assert await bot("bob: /ics 7") == [
        "bot -> group: There is no event #7 in this community. Send /events to see the upcoming ones."
    ]


async def test_ics_in_chinese_and_in_private(bot_zh) -> None:
    await bot_zh("alice: /newevent 读书会 2026-12-05 19:00", "bob: hi", "bob@dm: /start")
    assert (await bot_zh("bob: /ics 1"))[0] == "bot -> group: 把 #1 读书会 加入你的日历。"
    out = await bot_zh("bob@dm: /ics 1")
    assert out[0] == "bot -> bob@dm: 把 #1 读书会 加入你的日历。" and out[1].startswith("[file event-1.ics, ")
