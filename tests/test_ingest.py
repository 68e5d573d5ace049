"""Batch ingestion: the path imports and busy groups use; same dedupe as one-by-one handling."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.storage.models import Activity, Event, Member


async def test_batch_logs_each_event_once(bot) -> None:
    chat = bot.session.chat
    events = [chat.say(f"m{i % 7}", f"hello {i}") for i in range(300)]
    events += [chat.react("m1", "5", "👍"), chat.join("newbie"), chat.leave("m6")]
    assert await bot.app.ingest_batch(events) == 303
    assert await bot.app.ingest_batch(events) == 0  # a replay adds nothing
    assert await bot.count(Activity) == 303
    assert await bot.count(Member) == 8
    gone = (await bot.rows(Member, Member.username == "m6"))[0]
    assert gone.is_member is False
    kinds = {a.kind for a in await bot.rows(Activity)}
    assert kinds == {"message", "reaction", "join", "leave"}
    assert all(a.text is None for a in await bot.rows(Activity))  # text is not kept by default


async def test_batch_and_single_paths_share_dedupe(bot) -> None:
    event = bot.session.chat.say("alice", "hi")
    assert await bot.app.handle(event) is True
    assert await bot.app.ingest_batch([event]) == 0
    assert await bot.count(Activity) == 1


async def test_commands_and_dialog_answers_in_a_batch_are_handled(bot) -> None:
    chat = bot.session.chat
    await bot("alice: /newevent")  # alice is now in the wizard: her next message is an answer
    batch = [
        chat.say("alice", "Batch night"),
        chat.say("bob", "unrelated chatter"),
        chat.say("bob", "/events"),
    ]
    assert await bot.app.ingest_batch(batch) == 3
    await bot.app.relay.drain()
    texts = bot.adapter.texts("group")
    assert texts[-2].startswith("When does it start?")
    assert texts[-1].startswith("No upcoming events")
    bot.clock.advance(timedelta(minutes=1))
    await bot("alice: tomorrow 20:00", "alice: skip", "alice: skip", "alice: skip")
    assert [e.title for e in await bot.rows(Event)] == ["Batch night"]


async def test_events_handled_after_the_batch_are_not_lost_when_cleaned(bot) -> None:
    """A private message and a dialog answer go to handle() after the bulk write; one with a
    character that sanitize() removes (a bidi control) is a cleaned copy, and was dropped."""
    chat = bot.session.chat
    await bot("alice: /newevent")
    batch = [chat.say("alice", "Night \u202eof bidi"), chat.say("bob", "psst \u202b", private=True)]
    assert await bot.app.ingest_batch(batch) == 2
    await bot.app.relay.drain()
    assert bot.adapter.texts("group")[-1].startswith("When does it start?")  # the title was taken
    assert sum(a.data.get("private", False) for a in await bot.rows(Activity)) == 1


async def test_topics_are_extracted_at_ingest_even_when_text_is_not_kept(bot) -> None:
    chat = bot.session.chat
    await bot.app.ingest_batch([chat.say("bob", "Anyone using asyncio task groups in Python?"),
                                chat.say("carol", "我们下周用Rust写一个命令行工具"), chat.say("dave", "hi")])  # fmt: skip
    rows = {a.member_id: a for a in await bot.rows(Activity)}
    assert "python" in rows[1].data["topics"] and rows[1].text is None
    assert "rust" in rows[2].data["topics"]
    assert "topics" not in rows[3].data


async def test_a_batch_resolves_members_once_with_their_first_and_latest_times(bot) -> None:
    from datetime import timedelta

    chat = bot.session.chat
    first = chat.say("newbie", "hello")
    bot.clock.advance(timedelta(hours=2))
    later = chat.say("newbie", "still here")
    assert await bot.app.ingest_batch([later, first]) == 2  # any order within a batch
    member = (await bot.rows(Member, Member.username == "newbie"))[0]
    assert member.joined_at == first.occurred_at and member.last_seen_at == later.occurred_at


async def test_the_bulk_path_on_each_backend(db_url: str) -> None:
    """The same rows, member updates and dedupe on SQLite and PostgreSQL (each has its own bulk insert)."""
    from dataclasses import replace

    from bot.storage import db
    from bot.storage.models import Community
    from tests.harness import Harness

    await db.upgrade_async(db_url)
    h = await Harness.create(db_url, keep_text=True)
    try:
        chat = h.session.chat
        first = [chat.say(f"m{i % 4}", f"line {i} about #rust and python") for i in range(10)]
        first.append(chat.join("newbie"))
        assert await h.app.ingest_batch(first) == 11
        h.clock.advance(timedelta(hours=1))
        renamed = chat.say("m1", "later")
        renamed = replace(renamed, user=replace(renamed.user, display_name="Em One"))
        second = [*first[:3], renamed, chat.leave("newbie"), chat.react("m2", first[0].message_id, "🎉")]
        assert await h.app.ingest_batch(second) == 3  # the first three were logged already
        assert await h.count(Activity) == 14
        assert await h.count(Member) == 5 and await h.count(Community) == 1
        members = {m.username: m for m in await h.rows(Member)}
        assert members["m1"].display_name == "Em One"
        assert members["m1"].last_seen_at == renamed.occurred_at
        assert members["m0"].last_seen_at == first[8].occurred_at  # not seen in the second batch
        assert members["newbie"].is_member is False
        rows = {a.source_id: a for a in await h.rows(Activity)}
        message = rows[first[0].source_id]
        assert message.member_id == members["m0"].id and message.occurred_at == first[0].occurred_at
        assert message.text == "line 0 about #rust and python" and message.message_id == first[0].message_id
        assert message.data == {"chars": 29, "attachments": 0, "topics": ["rust", "python"]}
        reaction = rows[second[-1].source_id]
        assert (reaction.kind, reaction.data, reaction.message_id) == (
            "reaction",
            {"emoji": "🎉"},
            first[0].message_id,
        )
        chat.title = "Study Group 2027"  # the group was renamed: the batch path keeps the title
        assert await h.app.ingest_batch([chat.say("m3", "new name")]) == 1
        assert [c.title for c in await h.rows(Community)] == ["Study Group 2027"]
    finally:
        await h.close()


async def test_a_large_batch_is_written_in_chunks_in_order_once(db_url: str) -> None:
    """More rows than one INSERT takes (bot.ingest.CHUNK), replays mixed in: every row once, in the
    order of the events, and the count of rows added right, on both backends."""
    from bot.ingest import CHUNK
    from bot.storage import db
    from tests.harness import Harness

    await db.upgrade_async(db_url)
    h = await Harness.create(db_url)
    try:
        chat = h.session.chat
        n = CHUNK + 7
        events = [chat.say(f"m{i % 50}", f"message {i}") for i in range(n)]
        assert await h.app.ingest_batch(events[:120]) == 120
        assert await h.app.ingest_batch(events) == n - 120
        assert await h.app.ingest_batch(events) == 0
        logged = [a.source_id for a in sorted(await h.rows(Activity), key=lambda a: a.id)]
        assert logged == [e.source_id for e in events]
    finally:
        await h.close()


async def test_an_error_while_building_rows_rolls_the_batch_back(db_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Building a row fails after the batch's members were written: the caller sees the original
    error, nothing of the batch stays (members included), and the next batch goes through."""
    import bot.ingest
    from bot.storage import db
    from tests.harness import Harness

    await db.upgrade_async(db_url)
    h = await Harness.create(db_url)
    try:
        chat = h.session.chat
        events = [chat.say(f"m{i % 9}", f"message {i}") for i in range(500)]
        log_row, built = bot.ingest.log_row, []

        def fails_later(*args):  # type: ignore[no-untyped-def]
            built.append(1)
            if len(built) == 110:
                raise ValueError("a malformed event")
            return log_row(*args)

        monkeypatch.setattr(bot.ingest, "log_row", fails_later)
        with pytest.raises(ValueError, match="malformed"):
            await h.app.ingest_batch(events)
        assert await h.count(Activity) == 0 and await h.count(Member) == 0
        monkeypatch.undo()
        assert await h.app.ingest_batch(events) == len(events)
    finally:
        await h.close()


@pytest.mark.parametrize("others", [0, 1000])  # a short do-not-collect list, and one past SMALL_LIST
async def test_a_batch_reads_the_do_not_collect_list_and_the_open_dialogs_at_once(
    db_url: str, others: int
) -> None:
    """ingest.batch_lists: one statement for both lists, on each backend. Bob asked that nothing be
    collected (hidden among others, or not); Alice is in the /newevent dialog; Carol just chats."""
    from datetime import UTC, datetime

    from bot.ingest import CollectFilter, hash_key, user_hash
    from bot.storage import db
    from bot.storage.models import DoNotCollect
    from tests.harness import Harness

    assert others == 0 or others + 1 > CollectFilter.SMALL_LIST  # bob and the others
    await db.upgrade_async(db_url)
    h = await Harness.create(db_url)
    try:
        chat = h.session.chat
        await h("alice: /newevent")
        async with h.app.sessions() as session:
            key = await hash_key(session, h.app.config, create=True)
            assert key is not None
            now = datetime.now(UTC)
            session.add_all(
                DoNotCollect(user_hash=user_hash(key, "memory", user), created_at=now)
                for user in ["u-bob", *(f"someone-{i}" for i in range(others))]
            )
            await session.commit()
        before = await h.count(Activity)
        batch = [chat.say("bob", "not me"), chat.say("carol", "hi"), chat.say("alice", "Lists night")]
        assert await h.app.ingest_batch(batch) == 2  # carol's message, and alice's answer (handled)
        await h.app.relay.drain()
        assert h.adapter.texts("group")[-1].startswith("When does it start?")  # the title was taken
        assert await h.count(Activity) == before + 2
        assert await h.count(Member, Member.user_id == "u-bob") == 0
    finally:
        await h.close()


async def test_a_message_in_a_thread_keeps_its_thread(bot) -> None:
    from dataclasses import replace

    message = replace(bot.session.chat.say("alice", "in a topic"), thread_id="77")
    assert await bot.app.ingest_batch([message]) == 1
    (row,) = await bot.rows(Activity)
    assert row.data["thread"] == "77"
