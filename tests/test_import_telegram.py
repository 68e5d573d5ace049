"""`gatherbot import telegram`: Telegram Desktop JSON exports go through the live ingestion path."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.importers import telegram
from bot.importers.common import ImportFormatError

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
CHAT = FIXTURES / "telegram_chat.json"
ACCOUNT = FIXTURES / "telegram_account.json"


def run(*args: str) -> str:
    result = CliRunner().invoke(main, ["import", *args])
    assert result.exit_code == 0, result.output
    return result.output


def fail(*args: str) -> str:
    result = CliRunner().invoke(main, ["import", *args])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    return result.output


def query(db: Path, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def rows(db: Path) -> int:
    return query(db, "select count(*) from activity_log")[0][0]


def test_single_chat_counts_and_skips() -> None:
    parsed = telegram.parse_file(str(CHAT))
    assert dict(parsed.counts) == {"messages": 4, "reactions": 2, "joins": 2, "leaves": 1, "polls": 1}
    assert dict(parsed.skipped) == {
        "service messages: pin_message": 1,
        "service messages: edit_group_title": 1,
        "reactions without a named reactor": 1,
        "messages posted as a channel or anonymous admin": 1,
        "bot commands (never re-run)": 1,
        "invite_members: members known by name only": 1,
        "messages from Telegram service accounts": 1,
        "empty messages": 1,
    }
    events = parsed.events
    assert {e.chat.chat_id for e in events} == {"-1001234567890"}  # a supergroup as the Bot API shows it
    assert {e.chat.title for e in events} == {"Rust Study Group"}
    reply = next(e for e in events if getattr(e, "message_id", None) == "3" and hasattr(e, "text"))
    assert reply.text == "I am! Reading https://rust-lang.org/learn tonight"
    assert reply.reply_to_message_id == "2" and reply.user.user_id == "102"
    assert reply.occurred_at == datetime(2025, 3, 1, 10, 15, tzinfo=UTC)  # date_unixtime, not the local date
    joins = [
        (type(e).__name__, e.user.user_id, e.user.display_name)
        for e in events
        if not hasattr(e, "message_id")
    ]
    # Dave was invited by name: his id comes from his own messages; Eve joined by link, then left.
    assert joins == [
        ("MemberJoined", "104", "Dave Zhou"),
        ("MemberJoined", "105", "Eve"),
        ("MemberLeft", "105", "Eve"),
    ]
    reactions = sorted((e.user.user_id, e.emoji) for e in events if hasattr(e, "emoji"))
    assert reactions == [("102", "👍"), ("103", "👍")]


def test_whole_account_export_imports_groups_only() -> None:
    parsed = telegram.parse_file(str(ACCOUNT))
    assert dict(parsed.counts) == {"messages": 3, "reactions": 1, "joins": 1}
    assert dict(parsed.skipped) == {
        "personal_chat chats (only groups are communities)": 3,
        "saved_messages chats (only groups are communities)": 1,
    }
    assert {e.chat.chat_id for e in parsed.events} == {
        "-4455",
        "-10099887766",
    }  # basic group, left supergroup


def test_cli_import_is_idempotent(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "t.db"
    out = run("telegram", str(CHAT), "--db", str(db))
    assert "added to the activity log: 9 rows" in out
    assert "messages=4, reactions=2, joins=2, leaves=1, polls=1" in out
    assert rows(db) == 9
    kinds = dict(query(db, "select kind, count(*) from activity_log group by kind"))
    assert kinds == {"message": 4, "reaction": 2, "join": 2, "leave": 1}
    assert query(db, "select platform, chat_id, title from communities") == [
        ("telegram", "-1001234567890", "Rust Study Group")
    ]
    members = dict(query(db, "select user_id, is_member from members"))
    assert members == {"101": 1, "102": 1, "103": 1, "104": 1, "105": 0}  # Eve left
    assert query(db, "select count(*) from activity_log where text is not null") == [(0,)]  # keep_text off
    data = query(db, "select data from activity_log where message_id = '2' and kind = 'message'")[0][0]
    assert "rust" in json.loads(data)["topics"]  # topics are still taken at ingest
    out = run("telegram", str(CHAT), str(ACCOUNT), "--db", str(db))
    assert "added to the activity log: 5 rows" in out  # only the account export's new rows
    assert rows(db) == 14
    assert "added to the activity log: 0 rows" in run("telegram", str(CHAT), str(ACCOUNT), "--db", str(db))
    assert rows(db) == 14


def test_text_is_kept_only_where_the_community_keeps_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "k.db"
    config = tmp_path / "config.toml"
    config.write_text("[privacy]\nkeep_text = true\n")
    run("telegram", str(CHAT), "--db", str(db), "--config", str(config))
    texts = query(
        db, "select text from activity_log where kind = 'message' and text != '' order by message_id"
    )
    assert ("Hello everyone, anyone into Rust async this week?",) in texts


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (CHAT.read_text(encoding="utf-8")[:3000], "not valid JSON at line 38, column 89"),
        ("[1, 2]", "not a Telegram export"),
        ('{"name": "x"}', "not a Telegram Desktop JSON export"),
        (
            '{"name": "G", "type": "public_supergroup", "id": 5, "messages": [{"id": 1, "type": "message",'
            ' "date_unixtime": "soon", "from": "A", "from_id": "user1", "text": "hi"}]}',
            "message #1 (id 1): invalid date 'soon'",
        ),
        (
            '{"name": "G", "type": "public_supergroup", "id": 5, "messages": [{"id": 1, "type": "message",'
            ' "date_unixtime": "1700000000", "from": "A", "from_id": "user1", "text": 42}]}',
            "'text' has the wrong type",
        ),
        (
            '{"name": "G", "type": "public_supergroup", "id": 5, "messages": [{"id": 7, "type": "message",'
            ' "date_unixtime": "1700000000", "from": "A", "from_id": "user1", "text": "hi",'
            ' "reply_to_message_id": "x"}]}',
            "message #1 (id 7): 'reply_to_message_id' is not a number",
        ),
        (
            '{"name": "G", "type": "public_supergroup", "id": 5, "messages": [{"id": 8, "type": "message",'
            ' "date_unixtime": "1700000000", "from": "A", "from_id": "user1", "text": "hi", "reactions": [3]}]}',
            "message #1 (id 8): bad reaction 3",
        ),
    ],
)
def test_malformed_files_stop_with_a_clear_error_and_write_nothing(tmp_path, content, expected) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "m.db"
    run("telegram", str(CHAT), "--db", str(db))
    bad = tmp_path / "result.json"
    bad.write_text(content, encoding="utf-8")
    before = (
        query(db, "select * from activity_log order by id"),
        query(db, "select * from members order by id"),
    )
    out = fail("telegram", str(CHAT), str(bad), "--db", str(db))  # a good file first: still nothing written
    assert expected in out and "nothing was imported" in out
    assert (
        query(db, "select * from activity_log order by id"),
        query(db, "select * from members order by id"),
    ) == before


def test_a_malformed_file_creates_no_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "result.json"
    bad.write_text('{"messages": [', encoding="utf-8")
    out = fail("telegram", str(bad), "--db", str(tmp_path / "new.db"))
    assert "truncated" in out
    assert not (tmp_path / "new.db").exists()


def test_parse_errors_name_the_chat_and_message() -> None:
    doc = json.loads(ACCOUNT.read_text(encoding="utf-8"))
    doc["chats"]["list"][0]["messages"][2]["reply_to_message_id"] = "two"
    with pytest.raises(ImportFormatError, match=r"chat #1 \('Book Club'\), message #3 \(id 3\)"):
        telegram.parse_document(doc)


async def test_messages_logged_live_are_not_imported_twice(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.bootstrap import build_app
    from bot.clock import SystemClock
    from bot.config import Config
    from bot.domain.events import ChatRef, MessageReceived, UserRef
    from bot.importers.cli import run_import
    from bot.storage.models import Activity

    cfg = Config(database_url=str(tmp_path / "o.db"))
    app = await build_app(cfg, adapters={}, clock=SystemClock())
    live = MessageReceived(  # what the live adapter logged for message 2, keyed by its update id
        source_id="u8812345",
        chat=ChatRef("telegram", "-1001234567890", False, "Rust Study Group"),
        user=UserRef("101", "Alice Liu"),
        occurred_at=datetime(2025, 3, 1, 10, 5, tzinfo=UTC),
        message_id="2",
        text="Hello everyone, anyone into Rust async this week?",
    )
    assert await app.ingest_batch([live]) == 1
    await app.close()
    result = await run_import(cfg, telegram.parse_file(str(CHAT)), telegram.overlap)
    assert result.added == 8  # 9 rows, less the message already logged live
    app = await build_app(cfg, adapters={}, clock=SystemClock())
    async with app.sessions() as session:
        from sqlalchemy import func, select

        count = await session.scalar(
            select(func.count())
            .select_from(Activity)
            .where(Activity.kind == "message", Activity.message_id == "2")
        )
    await app.close()
    assert count == 1


async def test_the_do_not_collect_list_is_honoured(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.bootstrap import build_app
    from bot.clock import SystemClock
    from bot.config import Config
    from bot.importers.cli import run_import
    from bot.ingest import hash_key, user_hash
    from bot.storage.models import DoNotCollect, Member

    cfg = Config(database_url=str(tmp_path / "d.db"))
    app = await build_app(cfg, adapters={}, clock=SystemClock())
    async with app.sessions() as session:
        key = await hash_key(session, cfg, create=True)
        assert key is not None
        session.add(DoNotCollect(user_hash=user_hash(key, "telegram", "102"), created_at=datetime.now(UTC)))
        await session.commit()
    await app.close()
    result = await run_import(cfg, telegram.parse_file(str(CHAT)), telegram.overlap)
    assert result.added == 7  # Bob's message and his reaction are not collected
    app = await build_app(cfg, adapters={}, clock=SystemClock())
    async with app.sessions() as session:
        from sqlalchemy import select

        users = set(await session.scalars(select(Member.user_id)))
    await app.close()
    assert "102" not in users


def test_analytics_runs_after_an_import(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "a.db"
    run("telegram", str(CHAT), str(ACCOUNT), "--db", str(db))
    result = CliRunner().invoke(main, ["analytics", "run", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "analytics run" in result.output


async def test_history_is_never_taken_as_an_answer_in_an_open_dialog(bot) -> None:  # type: ignore[no-untyped-def]
    from bot.importers.common import IN_DIALOG, Parsed, ingest
    from bot.storage.models import Activity, Conversation

    chat = bot.session.chat
    await bot("alice: /newevent")  # alice is in the wizard: her next message is its answer
    assert await bot.count(Conversation) == 1
    before = await bot.count(Activity)
    parsed = Parsed()
    added = await ingest(
        bot.app, [chat.say("alice", "an old message"), chat.say("bob", "old too")], skipped=parsed
    )
    assert added == 1 and parsed.skipped[IN_DIALOG] == 1
    assert await bot.count(Activity) == before + 1
    assert await bot.count(Conversation) == 1  # still waiting for a title: nothing answered it
    await bot.app.relay.drain()
    assert not any("When does it start?" in t for t in bot.adapter.texts("group"))


def test_a_large_export_is_read_as_a_stream(tmp_path: Path) -> None:
    """The first events come before most of the file is read: memory does not grow with the file."""
    from bot.importers.common import Parsed
    from bot.importers.progress import Progress
    from tests.test_import_scale import generate

    export = tmp_path / "result.json"
    generate(export, 20_000)
    size = export.stat().st_size
    source = telegram.JsonExport(export)
    source.check()
    progress = Progress(None, size)
    events = source.events(Parsed(events=None), progress)
    first = next(events)
    assert first.source_id == "import:-1004242424242:1"
    assert 0 < progress.done < size / 4
    assert sum(1 for _ in events) + 1 == 20_000 + 1_600  # messages and joins, and reactions


def test_chat_details_after_the_messages_are_still_found(tmp_path: Path) -> None:
    """Telegram Desktop writes name, type and id first; a file that does not is read all the same."""
    doc = json.loads(CHAT.read_text(encoding="utf-8"))
    reordered = {"messages": doc["messages"], "id": doc["id"], "type": doc["type"], "name": doc["name"]}
    path = tmp_path / "result.json"
    path.write_text(json.dumps(reordered), encoding="utf-8")
    parsed = telegram.parse_file(str(path))
    assert dict(parsed.counts) == {"messages": 4, "reactions": 2, "joins": 2, "leaves": 1, "polls": 1}
    assert {e.chat.chat_id for e in parsed.events or []} == {"-1001234567890"}


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda text: text[: len(text) // 2], "the file ends early at byte"),
        (lambda text: text.replace('"id": 7,', '"id": 7,,', 1), "not valid JSON between line 1 and line"),
    ],
)
def test_errors_in_files_too_large_to_read_twice_still_name_the_place(
    tmp_path, monkeypatch, damage, expected
) -> None:  # type: ignore[no-untyped-def]
    from bot.importers import jsonstream

    monkeypatch.setattr(jsonstream, "EXACT_BELOW", 0)  # as if the file were hundreds of MB
    db = tmp_path / "s.db"
    run("telegram", str(CHAT), "--db", str(db))
    before = query(db, "select * from activity_log order by id")
    bad = tmp_path / "result.json"
    bad.write_text(damage(CHAT.read_text(encoding="utf-8")), encoding="utf-8")
    out = fail("telegram", str(bad), "--db", str(db))
    assert expected in out and "nothing was imported" in out
    assert query(db, "select * from activity_log order by id") == before


def test_a_folder_with_result_json_is_a_json_export(tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "ChatExport_2025-03-02"
    folder.mkdir()
    (folder / "result.json").write_text(CHAT.read_text(encoding="utf-8"), encoding="utf-8")
    assert "added to the activity log: 9 rows" in run("telegram", str(folder), "--db", str(tmp_path / "f.db"))


def test_the_progress_bar_on_a_terminal() -> None:
    import io

    from bot.importers.progress import Progress

    out = io.StringIO()
    progress = Progress(out, 1000, tty=True)
    progress.start("checking")
    progress.read(500)
    progress.finish_line()
    progress.start("importing")
    progress.read(1000)
    progress.batch(messages=900, events=1000, added=990)
    progress.finish_line()
    lines = out.getvalue().split("\n")
    assert lines[0].rsplit("\r", 1)[1].startswith(" checking [############............]  50%")
    assert "importing [########################] 100%  900 messages, 990 rows added" in lines[1]
    assert lines[2] == ""
