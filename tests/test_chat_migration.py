"""A group that moves to a new chat id (a Telegram group upgraded to a supergroup) keeps its community."""

from __future__ import annotations

from bot.domain.events import ChatMigrated, ChatRef, UserRef
from bot.storage.models import Activity, Community, Event, Member

OLD, NEW = "console-group", "console-supergroup"


def moved(bot, source_id: str = "migrate:1") -> ChatMigrated:  # type: ignore[no-untyped-def]
    return ChatMigrated(
        source_id=source_id, chat=ChatRef("memory", OLD, False, "console"), user=UserRef("u-alice", "alice"),
        occurred_at=bot.clock.now(), new_chat_id=NEW,
    )  # fmt: skip


async def test_the_community_follows_its_group_to_the_new_chat(bot) -> None:
    await bot("alice: /newevent Rust night 2026-12-03 20:00", "bob: [Going]")
    assert await bot.app.handle(moved(bot)) is True
    assert await bot.app.handle(moved(bot)) is False  # said again (in the other chat): nothing more
    (community,) = await bot.rows(Community)
    assert community.chat_id == NEW
    bot.session.chat.chat_id = NEW  # from now on the group speaks from its new id
    out = await bot("bob: /events", "carol: [Can't go]")
    assert await bot.count(Community) == 1 and await bot.count(Member) == 3  # no second community
    assert "Rust night · 1 going" in "\n".join(out)
    # what goes out next (the announcement's edit, the group reminder) goes to the new chat
    await bot(":advance 1d11h")  # Wed 20:00: the 24 h reminder
    sent = [r.message.target.chat_id for r in bot.adapter.records if not r.message.target.is_private]
    assert sent[-1] == NEW


async def test_a_new_chat_seen_first_is_folded_into_the_old_community(bot) -> None:
    await bot("alice: /newevent Rust night 2026-12-03 20:00", "bob: hi")
    bot.session.chat.chat_id = NEW  # the supergroup speaks before the bot hears of the move
    await bot("bob: hello from the supergroup", "dave: first words")
    assert await bot.count(Community) == 2
    assert await bot.app.handle(moved(bot)) is True
    (community,) = await bot.rows(Community)
    assert community.chat_id == NEW
    members = {m.user_id: m for m in await bot.rows(Member)}
    assert sorted(members) == ["u-alice", "u-bob", "u-dave"]  # bob once, dave moved over
    assert {m.community_id for m in members.values()} == {community.id}
    rows = await bot.rows(Activity, Activity.kind == "message")
    assert {r.community_id for r in rows} == {community.id}
    assert sorted(r.member_id for r in rows) == sorted([members["u-bob"].id] * 2 + [members["u-dave"].id])
    assert (await bot.rows(Event))[0].community_id == community.id


async def test_a_new_chat_with_its_own_events_is_kept_apart(bot) -> None:
    await bot("alice: /newevent Rust night 2026-12-03 20:00")
    bot.session.chat.chat_id = NEW
    await bot("alice: /newevent Go night 2026-12-04 20:00")
    assert await bot.app.handle(moved(bot)) is True
    chats = sorted(c.chat_id for c in await bot.rows(Community))
    assert chats == sorted([OLD, NEW])  # nothing merged, nothing lost; a warning is logged
