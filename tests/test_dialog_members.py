"""Members answer, get reminded, check in and rate events: transcripts in English and Simplified Chinese."""

from __future__ import annotations

import pytest

from bot.storage.models import Attendance, Delivery, Member, PollVote, Rsvp
from tests.harness import Harness

EVENT = "alice: /newevent Rust night 2026-12-05 19:00 2h"  # the clock starts Tue 1 Dec 09:00
ANNOUNCE = ["🕖 Sat 5 Dec 2026 19:00–21:00 (Asia/Shanghai)", "🏷 discussion"]


@pytest.fixture
async def lang_bot(request, tmp_path):  # type: ignore[no-untyped-def]
    """Like the bot fixture, in the language given by indirect parametrization."""
    harness = await Harness.create(str(tmp_path / "bot.db"), lang=request.param)
    yield harness
    await harness.close()


def edited(counts: str) -> list[str]:
    return ["bot -> group (edited): 📅 Rust night (#1)", *ANNOUNCE, counts, "[Going] [Maybe] [Can't go]"]


async def test_rsvp_answers_and_live_counts(bot) -> None:
    await bot(EVENT)
    script = [  # (input, exact output)
        (
            "bob: [Going]",
            [
                "bot -> bob (only you): You're going to Rust night. I'll remind you before it starts.",
                *edited("👥 Going 1 · Maybe 0"),
            ],
        ),
        ("bob: [Going]", ["bot -> bob (only you): No change: you already answered that."]),
        (
            "carol: [Maybe]",
            ["bot -> carol (only you): Marked as maybe for Rust night.", *edited("👥 Going 1 · Maybe 1")],
        ),
        (
            "bob: [Can't go]",
            ["bot -> bob (only you): Marked as not going to Rust night.", *edited("👥 Going 0 · Maybe 1")],
        ),
        ("bob: [Can't go]", ["bot -> bob (only you): No change: you already answered that."]),
    ]
    for line, expected in script:
        assert await bot(line) == expected, line
    assert sorted((r.member_id, r.status) for r in await bot.rows(Rsvp)) == [(2, "no"), (3, "maybe")]


async def test_rsvp_in_chinese(bot_zh) -> None:
    await bot_zh("alice: /newevent 读书会 2026-12-05 19:00")
    out = await bot_zh("bob: [参加]")
    assert out[0] == "bot -> bob (only you): 你已报名 读书会，开始前我会提醒你。"
    assert "👥 参加 1 · 可能 0" in out
    assert await bot_zh("bob: [参加]") == ["bot -> bob (only you): 没有变化：你已经这样回复过了。"]
    assert (await bot_zh("bob: [可能]"))[0] == "bot -> bob (only you): 已标记为「可能参加」读书会。"
    assert (await bot_zh("bob: [不去]"))[0] == "bot -> bob (only you): 已标记为「不参加」读书会。"


async def test_waitlist_promotion_is_announced_privately_or_in_the_group(bot) -> None:
    await bot(
        EVENT + " capacity=1", "bob: [Going]", "carol@dm: /start"
    )  # carol has not spoken in the group yet
    await bot("carol: hi", "carol@dm: /start")
    out = await bot("carol: [Going]", "dave: [Going]")
    assert (
        "bot -> carol (only you): Rust night is full: you're #1 on the waitlist. I'll tell you if a spot opens."
        in out
    )
    assert (
        "bot -> dave (only you): Rust night is full: you're #2 on the waitlist. I'll tell you if a spot opens."
        in out
    )
    assert "👥 Going 1/1 · Maybe 0 · Waitlist 2" in out
    out = await bot("bob: [Can't go]")
    assert (
        "bot -> carol@dm: 🎉 A spot opened up: you're now going to #1 Rust night (Sat 5 Dec 2026 19:00)."
        in out
    )
    assert "👥 Going 1/1 · Maybe 0 · Waitlist 1" in out
    out = await bot("carol: [Maybe]")
    assert (
        "bot -> group: @dave: 🎉 A spot opened up: you're now going to #1 Rust night (Sat 5 Dec 2026 19:00)."
        in out
    )
    assert sorted(r.status for r in await bot.rows(Rsvp)) == ["going", "maybe", "no"]


async def test_reminders_go_to_going_members_privately_or_in_one_group_message(bot) -> None:
    await bot(EVENT, "bob: [Going]", "carol: [Going]", "dave: [Going]", "erin: [Maybe]", "carol@dm: /start")
    assert await bot(":advance 3d9h59m") == []
    assert await bot(":advance 1m") == [
        "-- 2026-12-04 19:00 --",
        "bot -> group: @bob @dave: ⏰ #1 Rust night starts in 1d (Sat 5 Dec 2026 19:00).",
        "bot -> carol@dm: ⏰ Reminder: #1 Rust night starts in 1d (Sat 5 Dec 2026 19:00).",
    ]
    out = await bot.text(":advance 23h")
    assert "-- 2026-12-05 18:00 --" in out and "@bob @dave: ⏰ #1 Rust night starts in 1h" in out
    assert "bot -> carol@dm: ⏰ Reminder: #1 Rust night starts in 1h" in out
    assert "erin" not in out  # maybe: not reminded by default


async def test_remind_maybe_setting_includes_maybe_members(bot) -> None:
    await bot(EVENT, "bob: [Maybe]")
    assert await bot("alice: /settings remind_maybe=on") == ["bot -> group: ✅ Saved: remind_maybe."]
    assert "@bob: ⏰ #1 Rust night starts in 1d" in await bot.text(":advance 3d10h")


REMIND_SCRIPT = [  # (input, expected text of the reply) for a member who has not /start-ed
    (
        "bob: /remind",
        "I remind you 1d, 1h before events you're going to. I can't message you privately yet, so I'll mention you in the group.",
    ),
    ("bob: /remind 30m", "✅ I'll remind you 30m before each event."),
    ("bob: /remind", "I remind you 30m before events you're going to."),
    ("bob: /remind 2h,15m", "✅ I'll remind you 2h, 15m before each event."),
    ("bob: /remind off", "🔕 Reminders off. /remind on turns them back on."),
    ("bob: /remind", "Reminders are off for you. /remind on turns them back on."),
    ("bob: /remind on", "🔔 Reminders on."),
    ("bob: /remind default", "✅ I'll remind you 1d, 1h before each event."),
    (
        "bob: /remind banana",
        "“banana” is not a list of times before the event (at most 14 days each).\nUsage: /remind 30m",
    ),
    ("bob: /remind 30d", "“30d” is not a list of times before the event"),
    ("bob@dm: /start", "👋 Hi bob!"),
    ("bob@dm: /remind", "I remind you 1d, 1h before events you're going to. I'll send them privately."),
]
REMIND_SCRIPT_ZH = [
    ("bob: /remind", "我会在你报名的活动开始前 1天、1小时 提醒你。我还不能私信你"),
    ("bob: /remind 30m", "✅ 我会在每个活动开始前 30分钟 提醒你。"),
    ("bob: /remind 关闭", "🔕 已关闭提醒。发送 /remind on 重新开启。"),
    ("bob: /remind", "你已关闭提醒。"),
    ("bob: /remind 开启", "🔔 已开启提醒。"),
    ("bob: /remind 默认", "✅ 我会在每个活动开始前 1天、1小时 提醒你。"),
    ("bob: /remind 香蕉", "“香蕉” 不是有效的提前时间列表（每个最多 14 天）。\n用法：/remind 30m"),
]


@pytest.mark.parametrize(
    ("lang_bot", "script"), [("en", REMIND_SCRIPT), ("zh", REMIND_SCRIPT_ZH)], indirect=["lang_bot"]
)
async def test_remind_preferences(lang_bot, script: list[tuple[str, str]]) -> None:
    harness = lang_bot
    await harness("alice: hi")
    for line, expected in script:
        out = await harness.text(line)
        assert expected in out, (line, out)
    [bob] = await harness.rows(Member, Member.username == "bob")
    assert (bob.reminders_opt_out, bob.remind_offsets) == (False, None)  # back to the defaults


async def test_remind_off_means_no_reminder_and_custom_times_apply(bot) -> None:
    await bot(EVENT, "bob: [Going]", "carol: [Going]", "bob: /remind off", "carol: /remind 30m")
    out = await bot.text(":advance 4d10h")  # up to the start
    assert "bob" not in out
    assert "1d" not in out and "@carol: ⏰ #1 Rust night starts in 30m (Sat 5 Dec 2026 19:00)." in out
    assert out.count("⏰") == 1


async def test_a_reminder_is_never_sent_twice(bot) -> None:
    await bot(EVENT, "bob: [Going]", "carol: [Going]", "carol@dm: /start")
    assert (await bot.text(":advance 3d10h")).count(
        "⏰"
    ) == 2  # the 24h reminder: bob in the group, carol privately
    assert (await bot.text(":advance 1m")).count("⏰") == 0  # advancing past it again
    out = await bot.text(
        'alice: /editevent 1 when="2026-12-06 19:00"'
    )  # moved after the 24h reminder went out
    assert "moved to Sun 6 Dec 2026 19:00" in out and "⏰" not in out
    out = await bot.text(":advance 3d")
    assert out.count("⏰") == 2 and "starts in 1d" not in out  # only the 1h reminders of the new time
    sent = await bot.rows(
        Delivery, Delivery.kind.in_(("reminder", "group_reminder")), Delivery.status == "sent"
    )
    keys = [d.dedupe_key for d in sent]
    assert sorted(keys) == ["rem:1:3:1440", "rem:1:3:60", "remg:1:1440", "remg:1:60"]


async def test_check_in_window(bot) -> None:
    await bot("alice: /newevent Rust night 2026-12-01 10:00", "bob: [Going]")
    assert "Press the button when you're here.\n[I'm here]" in await bot.text(":advance 1h")
    assert await bot("bob: [I'm here]") == ["bot -> bob (only you): ✅ Checked in to Rust night. Enjoy!"]
    assert await bot("bob: [I'm here]") == ["bot -> bob (only you): You're already checked in."]
    await bot(
        'alice: /editevent 1 when="2026-12-02 10:00"'
    )  # moved after it started: the button is early now
    assert await bot("carol: [I'm here]") == ["bot -> carol (only you): Check-in for this event is closed."]
    await bot(":advance 23h45m")  # check-in opens 15 minutes before the start
    assert await bot("carol: [I'm here]") == ["bot -> carol (only you): ✅ Checked in to Rust night. Enjoy!"]
    await bot(":advance 1h16m")  # after the end
    assert await bot("dave: [I'm here]") == ["bot -> dave (only you): Check-in for this event is closed."]
    assert await bot.count(Attendance) == 2


async def test_check_in_in_chinese(bot_zh) -> None:
    await bot_zh("alice: /newevent 读书会 2026-12-01 10:00 place=301室")
    out = await bot_zh.text(":advance 1h")  # posted when check-in opens, 15 minutes before the start
    assert (
        "-- 2026-12-01 09:45 --\nbot -> group: ▶️ #1 读书会 将于 10:00 开始（301室）。到场后请点击按钮签到。\n[我已到场]"
        in out
    )
    assert await bot_zh("bob: [我已到场]") == ["bot -> bob (only you): ✅ 已签到 读书会，祝你愉快！"]
    assert await bot_zh("bob: [我已到场]") == ["bot -> bob (only you): 你已经签到过了。"]


async def test_satisfaction_poll_and_summary(bot) -> None:
    await bot("alice: /settings poll_duration=2h", "alice@dm: /start")
    await bot(
        "alice: /newevent Rust night 2026-12-01 10:00 2h", "bob: [Going]", "carol: [Going]", "dave: [Maybe]"
    )
    await bot(":advance 1h", "bob: [I'm here]", "carol: [I'm here]")
    assert await bot("bob: /feedback 1 too early") == [
        "bot -> group: Rate #1 first (the poll after the event), then add a comment."
    ]
    out = await bot(":advance 2h10m")
    assert out[-2:] == [
        "bot -> group: @bob @carol: ⭐ How was #1 Rust night? Rate it 1 (poor) to 5 (great).",
        "[1] [2] [3] [4] [5]",
    ]
    script = [
        ("dave: [5]", "bot -> dave (only you): Only people who were at the event can rate it."),
        (
            "bob: [2]",
            "bot -> bob (only you): Thanks! You rated Rust night 2/5. Add a comment with /feedback 1 your words",
        ),
        (
            "bob: [5]",
            "bot -> bob (only you): Thanks! You rated Rust night 5/5. Add a comment with /feedback 1 your words",
        ),
        (
            "carol: [4]",
            "bot -> carol (only you): Thanks! You rated Rust night 4/5. Add a comment with /feedback 1 your words",
        ),
        ("bob: /feedback 1 More exercises please", "bot -> group: 📝 Comment saved for #1. Thank you!"),
        (
            "dave: /feedback 1 I was not there",
            "bot -> group: Rate #1 first (the poll after the event), then add a comment.",
        ),
        (
            "bob: /feedback 1",
            "bot -> group: The comment is empty.\nUsage: /feedback ID your comment\nExample: /feedback 3 Great examples, more time for Q&A please",
        ),
        (
            "bob: /feedback one hi",
            "bot -> group: “one” is not an event number.\nExample: /feedback 3 Great examples, more time for Q&A please",
        ),
    ]
    for line, expected in script:
        assert await bot.text(line) == expected, line
    assert sorted((v.member_id, v.score, v.comment) for v in await bot.rows(PollVote)) == [
        (2, 5, "More exercises please"), (3, 4, None),
    ]  # fmt: skip
    assert await bot(":advance 1h59m") == []
    assert await bot(":advance 1m") == [
        "-- 2026-12-01 14:10 --",
        "bot -> alice@dm: 📊 Feedback on #1 Rust night: responses 2, attendees 2, mean 4.5.",
        "5★ █ 1", "4★ █ 1", "3★ 0", "2★ 0", "1★ 0",
        "Comments:", "• More exercises please",
        "bot -> group (edited): How was #1 Rust night? Rate it 1 (poor) to 5 (great).", "(closed)",
    ]  # fmt: skip
    assert await bot("carol: /feedback 1 late") == ["bot -> group: This poll is closed."]


async def test_poll_scores_stay_out_of_the_group_without_private_chat(bot_zh) -> None:
    await bot_zh("alice: /newevent 读书会 2026-12-01 10:00", "bob: [参加]")
    out = await bot_zh.text(":advance 2h10m")  # the poll opens 10 minutes after the end
    assert "@bob：⭐ #1 读书会 怎么样？请打分：1（差）到 5（很好）。" in out
    assert (await bot_zh("bob: [3]"))[
        0
    ] == "bot -> bob (only you): 谢谢！你给 读书会 打了 3/5 分。可以用 /feedback 1 评论内容 补充评论"
    out = await bot_zh.text(":advance 1d")
    assert "bot -> group: 📊 #1 读书会 的反馈投票已结束（1 人回复）。组织者可发送 /results 1 查看。" in out
    assert "平均" not in out and "3★" not in out  # members' scores are not shown to the group
    assert "（已结束）" in out
    out = await bot_zh.text("alice: /results 1")
    assert (
        "bot -> group: 📊 #1 读书会 的反馈：回复 1 人，参加者 1 人，平均 3.0 分。\n5★ 0\n4★ 0\n3★ █ 1" in out
    )


async def test_lang_switches_one_members_language(bot) -> None:
    await bot(EVENT)
    assert await bot("bob: /lang zh") == ["bot -> group: 语言已设置为简体中文。"]
    out = await bot("bob: [Going]", "carol: [Going]")
    assert out[0] == "bot -> bob (only you): 你已报名 Rust night，开始前我会提醒你。"
    assert "bot -> carol (only you): You're going to Rust night. I'll remind you before it starts." in out
    assert "👥 Going 2 · Maybe 0" in out  # the group stays English
    assert await bot("bob: /lang klingon") == [
        "bot -> group: 请选择 en 或 zh。",
        "用法：/lang en|zh",
        "示例：/lang zh",
    ]
    assert await bot("bob: /lang english") == ["bot -> group: Language set to English."]
    assert [m.language for m in await bot.rows(Member, Member.username == "bob")] == ["en"]


@pytest.mark.parametrize(
    ("lang_bot", "expected"),
    [
        (
            "en",
            "bot -> zed@dm: 👋 Hi! Add me to your community's group and speak there once; then I can send you reminders here.",
        ),
        (
            "zh",
            "bot -> zed@dm: 👋 你好！请先把我加入你的社群群聊并在群里说句话，之后我就能在这里给你发提醒。",
        ),
    ],
    indirect=["lang_bot"],
)
async def test_start_in_private_before_speaking_in_the_group(lang_bot, expected: str) -> None:
    harness = lang_bot
    await harness("alice: hi")
    assert await harness("zed@dm: /start") == [expected]
    assert await harness.count(Member, Member.username == "zed") == 0
