"""/privacy: members see, export and delete their data, and opt out; checked against the database itself.

The scan below reflects the tables from the database (not from the models), so a table the privacy code
does not know about would show up as a leftover.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from typing import Any

import pytest
from sqlalchemy import MetaData, func, insert, select

from adapters.memory import ScriptedChat
from bot import i18n
from bot.domain.events import DomainEvent
from bot.storage import db
from bot.storage.models import (
    Activity,
    Attendance,
    Delivery,
    DoNotCollect,
    Event,
    Member,
    Poll,
    PollVote,
    Rsvp,
)
from tests.harness import Harness

BOB = ("u-bob", "dm-bob")  # bob's platform user id and his private chat with the bot
SETUP = [  # the clock starts Tue 1 Dec 2026 09:00 (Asia/Shanghai)
    "alice: /newevent Rust night 2026-12-02 19:00 2h capacity=2",
    "bob: [Going]", "carol: [Going]", "dave: [Going]",  # dave: waitlist
    "bob@dm: /start", "bob: hello everyone", "bob: /remind 2h", "carol: hi",
    ":advance 1d9h50m",  # Wed 18:50: reminders went out, check-in is open
    "bob: [I'm here]", "carol: [I'm here]",
    ":advance 2h30m",  # 21:20: the rating poll is out
    "bob: [5]", "carol: [3]", "bob: /feedback 1 Great talk, thanks!",
    "alice: /newevent Go night 2026-12-09 19:00 capacity=1",
    "bob: [Going]", "erin: [Going]",  # erin: waitlist behind bob
]  # fmt: skip


# --- a scan of the whole database ---------------------------------------------------------------


def _json_members(value: Any, key: str = "") -> Iterable[int]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _json_members(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _json_members(v, key)
    elif isinstance(value, int) and not isinstance(value, bool) and key.endswith(("member_id", "member_ids")):
        yield value


def _scan(conn: Any, ids: set[int], needles: tuple[str, ...]) -> dict[str, set[tuple]]:
    meta = MetaData()
    meta.reflect(conn)
    found: dict[str, set[tuple]] = {}
    for table in meta.sorted_tables:
        refs = [c for c in table.columns if any(fk.column.table.name == "members" for fk in c.foreign_keys)]
        refs += [table.c.id] if table.name == "members" else []
        key = list(table.primary_key.columns)
        for row in conn.execute(select(table)).mappings():
            text = json.dumps(dict(row), default=str, ensure_ascii=False)
            if (
                any(row[c.name] in ids for c in refs)
                or any(needle in text for needle in needles)
                or any(i in ids for v in row.values() for i in _json_members(v))
            ):
                found.setdefault(table.name, set()).add(tuple(row[c.name] for c in key))
    return found


async def scan(bot: Harness, ids: Iterable[int], needles: tuple[str, ...] = BOB) -> dict[str, set[tuple]]:
    """Primary keys, per table, of every row that references one of ids or contains one of needles."""
    async with bot.app.sessions() as session:
        return await session.run_sync(lambda s: _scan(s.connection(), set(ids), needles))


async def member_ids(bot: Harness, user_id: str = "u-bob") -> list[int]:
    return [m.id for m in await bot.rows(Member, Member.user_id == user_id)]


# --- helpers -------------------------------------------------------------------------------------


@pytest.fixture
async def kept(db_url: str):  # type: ignore[no-untyped-def]
    """A community that keeps message text, where bob went to a past event and answered a future one.

    On SQLite, and on PostgreSQL too when GATHERBOT_TEST_POSTGRES_URL is set.
    """
    if "://" in db_url:
        await asyncio.to_thread(db.upgrade, db_url)  # PostgreSQL is not upgraded automatically
    harness = await Harness.create(db_url, keep_text=True)
    await harness(*SETUP)
    yield harness
    await harness.close()


async def second_group(bot: Harness, *lines: tuple[str, str]) -> ScriptedChat:
    """Speak in another group of the same platform (zoe speaks first, so she is its admin)."""
    chat = ScriptedChat(bot.adapter, bot.app.clock, chat_id="group-2", title="Second group")
    for name, text in [("zoe", "hello"), *lines]:
        await handle(bot, chat.say(name, text))
    return chat


async def handle(bot: Harness, event: DomainEvent) -> None:
    await bot.app.handle(event)
    await bot.app.relay.drain()
    bot.session.flush()  # so the next transcript starts after this


async def add_analytics_rows(bot: Harness, member_id: int, other_id: int, event_id: int) -> bool:
    """Rows of the analytics results tables (written by another module) about bob and carol."""
    async with bot.app.sessions() as session:
        meta = MetaData()
        await session.run_sync(lambda s: meta.reflect(s.connection()))
        if "analytics_member_segments" not in meta.tables:
            return False
        now = bot.clock.now()
        run = (
            await session.execute(
                insert(meta.tables["analytics_runs"]).returning(meta.tables["analytics_runs"].c.id),
                [{"community_id": 1, "status": "ok", "started_at": now, "finished_at": now, "window_start": now,
                  "window_end": now, "seed": 1, "params": {}, "metrics": {}}],
            )
        ).scalar_one()  # fmt: skip
        segments = meta.tables["analytics_member_segments"]
        await session.execute(
            insert(segments), [{"run_id": run, "member_id": m, "segment": 0} for m in (member_id, other_id)]
        )
        await session.execute(
            insert(meta.tables["analytics_recommendations"]),
            [{"run_id": run, "member_id": member_id, "event_id": event_id, "kind": "upcoming", "rank": 1, "score": 0.9, "reason": "x"}],
        )  # fmt: skip
        await session.commit()
    return True


async def counts(bot: Harness, event_id: int) -> tuple[int, int, int, float]:
    """Going, checked in, ratings and mean rating of an event."""
    going = await bot.count(Rsvp, Rsvp.event_id == event_id, Rsvp.status == "going")
    attended = await bot.count(Attendance, Attendance.event_id == event_id)
    votes = await bot.rows(PollVote, PollVote.poll_id.in_(select(Poll.id).where(Poll.event_id == event_id)))
    return going, attended, len(votes), sum(v.score for v in votes) / max(1, len(votes))


# --- /privacy ------------------------------------------------------------------------------------


async def test_privacy_is_answered_in_private_only(bot, bot_zh) -> None:
    assert await bot("bob: /privacy") == [
        "bot -> group: /privacy works in a private chat with me, so nobody else sees your data. Open a private chat with me and send /privacy there."
    ]
    assert await bot_zh("bob: /privacy delete confirm") == [
        "bot -> group: /privacy 需要在和我的私聊中使用，这样别人看不到你的数据。请私聊我并发送 /privacy。"
    ]
    assert await bot.count(Member, Member.user_id == "u-bob") == 1  # nothing was deleted


async def test_overview_says_what_is_stored_and_lists_the_choices(kept) -> None:
    await second_group(kept, ("zoe", "/settings keep_text=off"), ("bob", "hi"))
    out = await kept.text("bob@dm: /privacy")
    assert out.startswith("bot -> bob@dm: 🔒 What I store about you\n")
    for expected in (
        "The text of your messages only where the community keeps it, and then for 30 days at most.",
        "• console: message text is kept for 30 days", "• Second group: message text is not kept",
        "Statistics and recommendations: on · Reminders: on", "/privacy export", "/privacy delete",
        "/privacy forget", "/privacy analytics off|on", "/privacy reminders off|on",
    ):  # fmt: skip
        assert expected in out, expected


async def test_overview_in_chinese_and_for_strangers(bot_zh) -> None:
    await bot_zh("bob: 你好", "bob@dm: /privacy reminders off")
    out = await bot_zh.text("bob@dm: /privacy")
    assert out.startswith("bot -> bob@dm: 🔒 我保存了你的哪些数据\n")
    assert "• console：不保留消息文字" in out and "统计与推荐：开启 · 提醒：关闭" in out
    assert "我还没有在任何群里见过你" in await bot_zh.text("stranger@dm: /privacy")
    assert await bot_zh("stranger@dm: /privacy export") == [
        "bot -> stranger@dm: 我没有保存任何关于你的数据：我还没有在任何群里见过你。"
    ]


async def test_unknown_subcommands_get_the_usage(bot, bot_zh) -> None:
    await bot("bob: hi")
    assert await bot("bob@dm: /privacy delete everything") == [
        "bot -> bob@dm: I don't know “delete everything” here.",
        "Usage: /privacy [export | delete | forget | analytics off|on | reminders off|on | collect on]",
        "Example: /privacy export",
    ]
    assert (await bot_zh("bob@dm: /privacy 打开"))[0] == "bot -> bob@dm: 这里没有 “打开” 这个选项。"
    assert await bot.count(Member) == 1


# --- export --------------------------------------------------------------------------------------


async def test_export_is_a_json_file_with_every_row_the_scan_finds(kept) -> None:
    await second_group(kept, ("bob", "hi there"), ("bob", "/remind 30m"))
    ids = await member_ids(kept)
    assert len(ids) == 2  # a member of both groups
    analytics = await add_analytics_rows(kept, ids[0], ids[0] + 1, 2)
    out = await kept("bob@dm: /privacy export")
    assert out[0] == "bot -> bob@dm: 📦 Everything I store about you, as of 2026-12-02 13:20 (UTC)."
    assert out[1].startswith("[file gatherbot-export.json, ")
    attachment = kept.adapter.records[-1].message.attachment
    assert attachment is not None and attachment.mime_type == "application/json"
    data = json.loads(attachment.content)
    assert (data["format"], data["platform"], data["user_id"]) == ("gatherbot-export/1", "memory", "u-bob")
    assert {c["title"] for c in data["communities"]} == {"console", "Second group"}
    exported = {
        table: {tuple(row[c] for c in key) for row in rows}
        for table, rows in data["tables"].items()
        for key in [_primary_keys(table)]
    }
    found = await scan(kept, ids)
    assert found, "the scan finds bob's rows"
    for table, keys in found.items():
        assert keys <= exported.get(table, set()), f"{table}: rows missing from the export"
    expected = {"members", "activity_log", "rsvps", "attendance", "poll_votes", "deliveries"}
    assert expected | (
        {"analytics_member_segments", "analytics_recommendations"} if analytics else set()
    ) <= set(data["tables"])
    texts = [row["text"] for row in data["tables"]["activity_log"]]
    assert "hello everyone" in texts  # kept text is part of the export
    assert any(row.get("comment") == "Great talk, thanks!" for row in data["tables"]["poll_votes"])
    assert not any(row["user_id"] != "u-bob" for row in data["tables"]["members"])  # nobody else's profile


def _primary_keys(table: str) -> list[str]:
    from bot.features.privacy.scan import metadata

    return [c.name for c in metadata().tables[table].primary_key.columns]


async def test_export_in_chinese_and_without_files(tmp_path) -> None:
    from bot.ports import Capabilities

    bot = await Harness.create(
        str(tmp_path / "b.db"), lang="zh", capabilities=Capabilities(files=False, max_text=100_000)
    )
    try:
        await bot("bob: 你好")
        out = await bot("bob@dm: /privacy export")
        assert out[0].startswith("bot -> bob@dm: 📦 截至 2026-12-01 01:00（UTC）我保存的关于你的全部数据。")
        assert '"user_id": "u-bob"' in "\n".join(out)
    finally:
        await bot.close()


# --- delete --------------------------------------------------------------------------------------


async def test_delete_asks_first_and_changes_nothing_until_confirmed(kept) -> None:
    before = await scan(kept, await member_ids(kept))
    out = await kept("bob@dm: /privacy delete")
    assert out[0].startswith(
        "bot -> bob@dm: ⚠️ This deletes everything I store about you in all your communities here (1)"
    )
    assert out[-1] == "[🗑 Delete my data]"
    after = await scan(kept, await member_ids(kept))
    assert set(after) >= set(before) and await kept.count(Member, Member.user_id == "u-bob") == 1


async def test_delete_leaves_no_row_naming_the_member_and_keeps_the_counts(kept) -> None:
    await second_group(kept, ("bob", "hi there"), ("carol", "hey"))
    ids = await member_ids(kept)
    analytics = await add_analytics_rows(kept, ids[0], ids[0] + 1, 2)
    past, carol_rows = (
        await counts(kept, 1),
        await scan(kept, await member_ids(kept, "u-carol"), ("u-carol",)),
    )
    assert past == (2, 2, 2, 4.0)
    await kept("bob@dm: /privacy delete")
    out = await kept("bob@dm: [🗑 Delete my data]")
    assert (
        "bot -> group: @erin: 🎉 A spot opened up: you're now going to #2 Go night (Wed 9 Dec 2026 19:00)."
        in out
    )
    assert out[-1].startswith("bot -> bob@dm: 🗑 Done. Deleted records about you: ")
    assert out[-1].endswith(
        "(communities: 2). Answers, check-ins and ratings of past events kept in the counts without your name: 3."
    )
    assert await scan(kept, ids) == {}  # no reference, no platform id, no private chat left anywhere
    # Past events keep their counts, through one anonymous placeholder per event; the comment is gone.
    assert await counts(kept, 1) == past
    placeholders = await kept.rows(Member, Member.user_id.like("deleted:%"))
    assert [(m.display_name, m.is_member, m.reminders_opt_out) for m in placeholders] == [
        ("deleted member", False, True)
    ]
    assert [v.comment for v in await kept.rows(PollVote)] == [None, None]
    # The upcoming event: bob's answer withdrawn, erin moved up from the waitlist.
    assert [(r.status, r.member_id) for r in await kept.rows(Rsvp, Rsvp.event_id == 2)] == [
        ("going", (await member_ids(kept, "u-erin"))[0])
    ]
    # Others' data is untouched.
    assert await scan(kept, await member_ids(kept, "u-carol"), ("u-carol",)) == carol_rows
    if analytics:
        assert await kept.count(Member, Member.user_id == "u-carol") == 2


async def test_delete_confirm_by_command_in_chinese(bot_zh) -> None:
    await bot_zh("alice: /newevent 读书会 2026-12-05 19:00", "bob: [参加]", "bob@dm: /start")
    ids = await member_ids(bot_zh)
    out = await bot_zh("bob@dm: /privacy 删除")
    assert out[-1] == "[🗑 删除我的数据]"
    out = await bot_zh("bob@dm: /privacy delete 确认")
    assert out[-1].startswith("bot -> bob@dm: 🗑 已完成。删除了关于你的记录 ")
    assert out[-1].endswith(
        " 条（社群 1 个）。已结束活动中不再带有你名字、仍计入人数的回复、签到和评分：0 条。"
    )
    assert await scan(bot_zh, ids) == {}
    assert "👥 参加 0 · 可能 0" in await bot_zh.text(
        "alice: /event 1"
    )  # the answer to an upcoming event is withdrawn


async def test_a_deleted_member_who_comes_back_starts_afresh(kept) -> None:
    await kept("bob@dm: /privacy delete confirm", "bob: I'm back")
    members = await kept.rows(Member, Member.user_id == "u-bob")
    assert len(members) == 1 and await kept.count(Activity, Activity.member_id == members[0].id) == 1
    assert "you're #1 on the waitlist" in await kept.text(
        "bob@dm: /start", "bob: [Going]"
    )  # erin took the spot


# --- forget: do not collect -----------------------------------------------------------------------


async def test_forget_deletes_and_stops_collecting_until_collect_on(kept) -> None:
    ids = await member_ids(kept)
    out = await kept("bob@dm: /privacy forget")
    assert "/privacy collect on undoes it" in out[0] and out[-1] == "[🚫 Delete and forget me]"
    out = await kept("bob@dm: [🚫 Delete and forget me]")
    assert (
        out[-1]
        == "bot -> bob@dm: 🚫 From now on I collect nothing about you. To undo it, send me /privacy collect on."
    )
    assert await scan(kept, ids) == {}
    logged, members, deliveries = (
        await kept.count(Activity),
        await kept.count(Member),
        await kept.count(Delivery),
    )
    # Messages, commands and button presses in the group: nothing logged, no member row, no answer.
    assert await kept("bob: hello again", "bob: /events", "bob: /remind 1h", "bob: [Going]") == []
    batch = [
        kept.session.chat.say("bob", "batched"),
        kept.session.chat.join("bob"),
        kept.session.chat.say("carol", "hi"),
    ]
    assert await kept.app.ingest_batch(batch) == 1  # only carol's message
    assert (await kept.count(Activity), await kept.count(Member)) == (logged + 1, members)
    assert await scan(kept, ids) == {}
    assert await kept.count(Member, Member.user_id == "u-bob") == 0
    # In private, any command says where they stand (logged nowhere; the answer forgets the chat once sent).
    blocked = "bot -> bob@dm: 🚫 You asked me to collect nothing about you, so I store nothing and ignore your messages, commands and button presses. Send /privacy collect on to undo it."
    assert await kept("bob@dm: /events") == [blocked]
    assert await kept("bob@dm: /privacy export") == [blocked]
    assert await kept("bob@dm: just chatting") == []
    assert await kept.count(Activity) == logged + 1 and await scan(kept, ids) == {}
    assert await kept.count(Delivery) == deliveries + 2  # the two answers, their payloads already erased
    # Undo: from then on bob is known again.
    assert await kept("bob@dm: /privacy collect on") == [
        "bot -> bob@dm: ✅ I collect again: say something in your community's group and I'll know you there."
    ]
    assert await kept.count(DoNotCollect) == 0
    await kept("bob: hello")
    assert await kept.count(Member, Member.user_id == "u-bob") == 1
    assert await kept("bob@dm: /privacy collect on") == [
        "bot -> bob@dm: You are not on the do-not-collect list: nothing to undo."
    ]


async def test_the_list_keeps_a_keyed_hash_never_the_id(tmp_path) -> None:
    import hashlib
    import hmac

    bot = await Harness.create(str(tmp_path / "k.db"), privacy_hash_key="configured-key")
    try:
        await bot("bob: hi", "bob@dm: /privacy forget confirm")
        (row,) = await bot.rows(DoNotCollect)
        assert row.user_hash == hmac.new(b"configured-key", b"memory\x00u-bob", hashlib.sha256).hexdigest()
        assert await scan(bot, [], ("u-bob", "dm-bob", "bob")) == {}  # not even the display name is left
    finally:
        await bot.close()


async def test_without_a_configured_key_one_is_generated_once(bot) -> None:
    from bot.storage.models import InstallationSecret

    await bot("bob: hi", "carol: hi")
    assert await bot.count(InstallationSecret) == 0  # nobody asked: no key yet
    await bot("bob@dm: /privacy forget confirm", "carol@dm: /privacy forget confirm")
    (secret,) = await bot.rows(InstallationSecret)
    assert len(bytes.fromhex(secret.value)) == 32 and await bot.count(DoNotCollect) == 2
    assert await bot("carol: still here?") == [] and await bot.count(Member) == 0


async def test_forget_in_chinese(bot_zh) -> None:
    await bot_zh("bob: 你好")
    out = await bot_zh("bob@dm: /privacy 忘记 确认")
    assert (
        out[-1]
        == "bot -> bob@dm: 🚫 从现在起我不再收集任何关于你的信息。如需撤销，请私聊我发送 /privacy collect on。"
    )
    assert (await bot_zh("bob@dm: /start"))[0].startswith("bot -> bob@dm: 🚫 你要求我不收集任何关于你的信息")
    assert await bot_zh("bob@dm: /privacy 收集 开") == [
        "bot -> bob@dm: ✅ 已恢复收集：在社群群聊里说句话，我就会重新认识你。"
    ]


# --- analytics and reminders ---------------------------------------------------------------------


async def test_analytics_off_and_on_in_every_community(bot, bot_zh) -> None:
    await bot("bob: hi")
    await second_group(bot, ("bob", "hi"))
    assert await bot("bob@dm: /privacy analytics off") == [
        "bot -> bob@dm: 📊 Done: you are left out of statistics, models and recommendations in all your communities here. You still get the reminders you asked for. /privacy analytics on brings you back."
    ]
    assert [m.analytics_opt_out for m in await bot.rows(Member, Member.user_id == "u-bob")] == [True, True]
    assert [m.reminders_opt_out for m in await bot.rows(Member, Member.user_id == "u-bob")] == [False, False]
    assert await bot("bob@dm: /privacy analytics on") == [
        "bot -> bob@dm: 📊 Done: you are counted in statistics and get recommendations again."
    ]
    assert [m.analytics_opt_out for m in await bot.rows(Member, Member.user_id == "u-bob")] == [False, False]
    await bot_zh("bob: 你好")
    assert (await bot_zh("bob@dm: /privacy 统计 关"))[0].startswith(
        "bot -> bob@dm: 📊 已完成：你在这里所有社群的统计"
    )
    assert await bot_zh("bob@dm: /privacy analytics on") == [
        "bot -> bob@dm: 📊 已完成：你重新计入统计，并会收到推荐。"
    ]


async def test_reminders_off_means_no_reminder_and_on_brings_them_back(bot, bot_zh) -> None:
    await bot(
        "alice: /newevent Rust night 2026-12-05 19:00", "bob: [Going]", "carol: [Going]", "bob@dm: /start"
    )
    await second_group(bot, ("bob", "hi"))
    assert await bot("bob@dm: /privacy reminders off") == [
        "bot -> bob@dm: 🔕 Reminders off in all your communities here. /privacy reminders on turns them back on."
    ]
    assert [m.reminders_opt_out for m in await bot.rows(Member, Member.user_id == "u-bob")] == [True, True]
    out = await bot.text(":advance 3d10h")  # past the 24h reminder (Fri 19:00)
    assert "@carol: ⏰ #1 Rust night starts in 1d" in out and "bob" not in out
    assert await bot("bob@dm: /privacy reminders on") == [
        "bot -> bob@dm: 🔔 Reminders on in all your communities here."
    ]
    out = await bot.text(":advance 1d")
    assert "bot -> bob@dm: ⏰ Reminder: #1 Rust night starts in 1h (Sat 5 Dec 2026 19:00)." in out
    await bot_zh("bob: 你好")
    assert await bot_zh("bob@dm: /privacy 提醒 关") == [
        "bot -> bob@dm: 🔕 已关闭你在这里所有社群的提醒。发送 /privacy reminders on 重新开启。"
    ]
    assert await bot_zh("bob@dm: /privacy reminders on") == [
        "bot -> bob@dm: 🔔 已开启你在这里所有社群的提醒。"
    ]


# --- every text in both languages ----------------------------------------------------------------


def test_every_privacy_text_exists_in_both_languages_and_is_used() -> None:
    import re
    from pathlib import Path

    from bot.features import build_registry

    build_registry()
    catalog = i18n.catalog()
    keys = {k for k in catalog if k.startswith("privacy.")} | {"help.privacy"}
    for key in keys:
        assert catalog[key]["en"].strip() and re.search(r"[\u3400-\u9fff]", catalog[key]["zh"]), key
    package = Path(__file__).resolve().parents[1] / "bot" / "features" / "privacy"
    source = "\n".join(p.read_text(encoding="utf-8") for p in package.glob("*.py") if p.name != "texts.py")
    used = set(re.findall(r'"(privacy\.[a-z_]+)"', source))
    built = {f"privacy.{a}_{b}" for a in ("analytics", "reminders") for b in ("on", "off")}
    built |= {f"privacy.{a}_{b}" for a in ("delete", "forget") for b in ("ask", "button")}
    assert used <= keys and keys - {"help.privacy"} <= used | built


async def test_help_lists_privacy(bot) -> None:
    assert "/privacy — Your data: see, export or delete it, opt out (in private)" in await bot.text(
        "bob: /help"
    )


async def test_the_activity_log_counts_are_unchanged_for_others(kept) -> None:
    """Deleting bob removes exactly bob's log rows."""
    ids = await member_ids(kept)
    async with kept.app.sessions() as s:
        others = await s.scalar(
            select(func.count()).select_from(Activity).where(Activity.member_id.not_in(ids))
        )
    await kept("bob@dm: /privacy delete confirm")
    async with kept.app.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Activity)) == others
    assert await kept.count(Event) == 2
