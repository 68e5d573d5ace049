"""Help, settings, organizer roles, unknown commands and private chats, in English and Simplified Chinese."""

from __future__ import annotations

import pytest

from bot.features import build_registry
from bot.storage.models import Community, Delivery, Event, Member
from tests.harness import Harness

REGISTRY = build_registry()
MEMBER_COMMANDS = [s.name for s in REGISTRY if s.role == "member"]  # in menu order
ORGANIZER_COMMANDS = [s.name for s in REGISTRY if s.role != "member"]


@pytest.fixture
async def lang_bot(request, tmp_path):  # type: ignore[no-untyped-def]
    """Like the bot fixture, in the language given by indirect parametrization."""
    harness = await Harness.create(str(tmp_path / "bot.db"), lang=request.param)
    yield harness
    await harness.close()


def commands_listed(out: list[str]) -> list[str]:
    return [line.split(" — ")[0].removeprefix("bot -> group: ").lstrip("/") for line in out if " — " in line]


async def test_help_for_members_and_organizers(bot) -> None:
    await bot("alice: hi")
    member = await bot("bob: /help")
    assert member[0] == "bot -> group: Here's what I can do:"
    assert MEMBER_COMMANDS[:3] == ["help", "start", "events"]  # most used first, not alphabetical
    assert commands_listed(member) == MEMBER_COMMANDS
    assert "For organizers:" not in member and "/events — Upcoming events" in member
    assert member[-1] == "Press Going / Maybe / Can't go under an announcement to answer."
    organizer = await bot("alice: /help")
    assert commands_listed(organizer) == MEMBER_COMMANDS + ORGANIZER_COMMANDS
    assert "For organizers:" in organizer and "/newevent — Create an event (organizers)" in organizer


async def test_help_in_chinese(bot_zh) -> None:
    await bot_zh("alice: hi")
    out = await bot_zh("bob: /help")
    assert out[0] == "bot -> group: 我可以帮你：" and "/events — 即将举行的活动" in out
    assert "组织者命令：" not in out
    out = await bot_zh("alice: /help")
    assert "组织者命令：" in out and "/newevent — 创建活动（组织者）" in out


async def test_settings_show_and_change(bot) -> None:
    assert await bot("alice: /settings") == [
        "bot -> group: Settings of console:", "timezone=Asia/Shanghai", "language=en", "reminders=1d,1h",
        "remind_maybe=off", "poll_delay=10m", "poll_duration=1d", "keep_text=off",
    ]  # fmt: skip
    script = [  # (input, reply)
        ("alice: /settings timezone=Europe/Berlin", "✅ Saved: timezone."),
        ("alice: /settings reminders=2h,15m remind_maybe=on", "✅ Saved: reminders, remind_maybe."),
        (
            "alice: /settings poll_delay=30m poll_duration=2h keep_text=on",
            "✅ Saved: poll_delay, poll_duration, keep_text.",
        ),
        ("alice: /settings tz=Asia/Tokyo", "✅ Saved: timezone."),
        ("alice: /settings language=zh", "✅ Saved: language."),
    ]
    for line, reply in script:
        assert await bot(line) == [f"bot -> group: {reply}"], line
    assert await bot("alice: /settings") == [
        "bot -> group: console 的设置：", "timezone=Asia/Tokyo", "language=zh", "reminders=2h,15m",
        "remind_maybe=on", "poll_delay=30m", "poll_duration=2h", "keep_text=on",
    ]  # fmt: skip
    [community] = await bot.rows(Community)
    assert community.settings == {
        "reminder_offsets": [120, 15],
        "remind_maybe": True,
        "poll_delay": 30,
        "poll_duration": 120,
    }


BAD_SETTINGS = [  # (arguments, English problem, Chinese problem)
    (
        "timezone=Mars/Base",
        "“Mars/Base” is not a valid value for timezone.",
        "“Mars/Base” 不是 timezone 的有效值。",
    ),
    ("language=fr", "“fr” is not a valid value for language.", "“fr” 不是 language 的有效值。"),
    (
        "reminders=banana",
        "“banana” is not a valid value for reminders.",
        "“banana” 不是 reminders 的有效值。",
    ),
    ("reminders=", "“” is not a valid value for reminders.", "“” 不是 reminders 的有效值。"),
    (
        "remind_maybe=perhaps",
        "“perhaps” is not a valid value for remind_maybe.",
        "不是 remind_maybe 的有效值",
    ),
    ("poll_delay=forever", "“forever” is not a valid value for poll_delay.", "不是 poll_delay 的有效值"),
    ("poll_duration=30d", "“30d” is not a valid value for poll_duration.", "不是 poll_duration 的有效值"),
    ("keep_text=sometimes", "“sometimes” is not a valid value for keep_text.", "不是 keep_text 的有效值"),
    (
        "color=red",
        "Unknown setting “color”; known: timezone, language,",
        "未知的设置项 “color”；可用：timezone",
    ),
    ("banana", "Unknown setting “banana”", "未知的设置项 “banana”"),
    (
        "timezone=Asia/Tokyo color=red",
        "Unknown setting “color”",
        "未知的设置项 “color”",
    ),  # the good half is not saved
    ("language=zh keep_text=maybe", "“maybe” is not a valid value for keep_text.", "不是 keep_text 的有效值"),
]


@pytest.mark.parametrize("lang_bot", ["en", "zh"], indirect=True)
@pytest.mark.parametrize(("args", "en", "zh"), BAD_SETTINGS, ids=[a for a, _, _ in BAD_SETTINGS])
async def test_bad_settings_change_nothing(lang_bot, args: str, en: str, zh: str) -> None:
    await lang_bot("alice: hi")
    [before] = await lang_bot.rows(Community)
    out = await lang_bot.text(f"alice: /settings {args}")
    zh_bot = before.locale == "zh"
    assert (zh if zh_bot else en) in out
    assert ("\n示例：/settings " if zh_bot else "\nExample: /settings ") in out
    [after] = await lang_bot.rows(Community)
    assert (after.timezone, after.locale, after.keep_text, after.settings) == (
        before.timezone, before.locale, before.keep_text, before.settings,
    )  # fmt: skip


async def test_changed_reminder_settings_apply_to_planned_events(bot) -> None:
    await bot("alice: /newevent Rust night 2026-12-05 19:00", "bob: [Going]")
    await bot("alice: /settings reminders=30m")
    pending = await bot.rows(Delivery, Delivery.kind == "group_reminder", Delivery.status == "pending")
    assert [d.dedupe_key for d in pending] == ["remg:1:30"]
    out = await bot.text(":advance 4d10h")
    assert out.count("⏰") == 1 and "@bob: ⏰ #1 Rust night starts in 30m" in out


async def test_organizer_roles(bot) -> None:
    await bot("alice: hi", "bob: hi")
    assert await bot("bob: /newevent Go night 2026-12-05 19:00") == [
        "bot -> group: Only organizers can use /newevent. Nothing was changed."
    ]
    script = [  # (input, reply)
        ("bob: /organizer add @bob", "Only group admins can use /organizer. Nothing was changed."),
        ("alice: /organizer list", "No organizers besides the group admins."),
        (
            "alice: /organizer add @carol",
            "I don't know “@carol” in this group yet (they need to have spoken here).",
        ),
        ("alice: /organizer add @Bob", "✅ bob is now an organizer."),
        ("alice: /organizer list", "Organizers: bob"),
        ("alice: /organizer add @alice", "alice is a group admin and always an organizer."),
        ("bob: /organizer add @alice", "Only group admins can use /organizer. Nothing was changed."),
    ]
    for line, reply in script:
        assert await bot(line) == [f"bot -> group: {reply}"], line
    assert "✅ Created #1 Go night" in await bot.text("bob: /newevent Go night 2026-12-05 19:00")
    assert await bot("alice: /organizer remove @bob") == ["bot -> group: bob is no longer an organizer."]
    assert await bot("alice: /organizer remove @bob") == ["bot -> group: bob is not an organizer."]
    assert await bot("bob: /cancelevent 1") == [
        "bot -> group: Only organizers can use /cancelevent. Nothing was changed."
    ]
    assert [m.role for m in await bot.rows(Member)] == ["admin", "member"]
    assert [e.status for e in await bot.rows(Event)] == ["scheduled"]


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ("", "Tell me what to do: add or remove someone (by @name), or list the organizers."),
        ("add", "Tell me what to do: add or remove someone (by @name), or list the organizers."),
        ("promote @bob", "I don't know /organizer promote. Send /help to see what I can do."),
    ],
)
async def test_organizer_usage(bot, args: str, problem: str) -> None:
    out = await bot(f"alice: /organizer {args}")
    assert out[0] == f"bot -> group: {problem}"
    assert out[1:] == [
        "Usage: /organizer add @name | /organizer remove @name | /organizer list",
        "Example: /organizer add @alice",
    ]


async def test_organizer_in_chinese(bot_zh) -> None:
    await bot_zh("alice: hi", "bob: hi")
    assert await bot_zh("alice: /organizer add @bob") == ["bot -> group: ✅ bob 现在是组织者了。"]
    assert await bot_zh("alice: /organizer list") == ["bot -> group: 组织者：bob"]
    assert await bot_zh("alice: /organizer add @nobody") == [
        "bot -> group: 我还不认识本群的 “@nobody”（对方需要先在群里说过话）。"
    ]
    assert await bot_zh("carol: /organizer list") == [
        "bot -> group: 只有群管理员可以使用 /organizer。没有做任何更改。"
    ]


@pytest.mark.parametrize(
    ("lang_bot", "line", "expected"),
    [
        (
            "en",
            "bob: /frobnicate",
            "bot -> group: I don't know /frobnicate. Send /help to see what I can do.",
        ),
        ("zh", "bob: /frobnicate", "bot -> group: 我不认识 /frobnicate 这个命令。发送 /help 查看可用命令。"),
        (
            "en",
            "alice@dm: /organizer list",
            "bot -> alice@dm: /organizer works in the group chat, not in private.",
        ),
        (
            "zh",
            "alice@dm: /organizer list",
            "bot -> alice@dm: /organizer 需要在群聊中使用，不能在私聊中使用。",
        ),
        (
            "en",
            "zed@dm: /events",
            "bot -> zed@dm: Use this in your community's group first, then I'll know which community you mean.",
        ),
        ("zh", "zed@dm: /events", "bot -> zed@dm: 请先在社群的群聊里使用，这样我才知道你指的是哪个社群。"),
        (
            "en",
            "zed@dm: /newevent Go 2026-12-05 19:00",
            "bot -> zed@dm: Use this in your community's group first",
        ),
        ("en", "zed@dm: /remind off", "bot -> zed@dm: Use this in your community's group first"),
        (
            "en",
            "zed@dm: /frobnicate",
            "bot -> zed@dm: I don't know /frobnicate. Send /help to see what I can do.",
        ),
        ("en", "zed@dm: /help", "bot -> zed@dm: Here's what I can do:"),
        ("zh", "zed@dm: /help", "bot -> zed@dm: 我可以帮你："),
        ("en", "zed@dm: /lang zh", "bot -> zed@dm: 语言已设置为简体中文。"),
        ("en", "zed@dm: hello", ""),  # plain text from a stranger: ignored
    ],
    indirect=["lang_bot"],
)
async def test_unknown_commands_and_private_chats(lang_bot, line: str, expected: str) -> None:
    await lang_bot("alice: hi")  # alice is the admin
    out = await lang_bot.text(line)
    assert out.startswith(expected) and (expected or out == "")
    assert await lang_bot.count(Event) == 0


async def test_private_commands_of_a_known_member(bot) -> None:
    await bot("alice: hi", "bob: hi")
    out = await bot("alice@dm: /newevent Rust night 2026-12-05 19:00")
    assert out[0] == "bot -> group: 📅 Rust night (#1)"  # announced in the group, confirmed privately
    assert (
        out[-1] == "bot -> alice@dm: ✅ Created #1 Rust night: Sat 5 Dec 2026 19:00. Announced in the group."
    )
    assert await bot("bob@dm: /events") == [
        "bot -> bob@dm: Upcoming events:",
        "#1 Sat 5 Dec 2026 19:00 · Rust night · 0 going",
    ]
    assert await bot("bob@dm: /cancelevent 1") == [
        "bot -> bob@dm: Only organizers can use /cancelevent. Nothing was changed."
    ]
    assert await bot("bob@dm: /start") == [
        "bot -> bob@dm: 👋 Hi bob! I'll send your reminders here from now on. /help shows what I can do."
    ]
    assert await bot("bob: /start") == [
        "bot -> group: 👋 I'm gatherbot: I announce events, take RSVPs, remind and collect feedback. /help for more."
    ]
