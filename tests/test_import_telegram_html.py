"""`gatherbot import telegram` of the HTML export: pages of names, no ids; members keyed by name."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.domain.events import MemberJoined, MemberLeft, MessageReceived, ReactionAdded
from bot.importers.common import ImportFormatError, collect
from bot.importers.telegram_html import HtmlAccount, HtmlChat, name_key

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
CHAT = FIXTURES / "telegram_html_chat"  # messages.html and messages2.html of one group
ACCOUNT = FIXTURES / "telegram_html_account"  # a whole account: lists/chats.html and chats/chat_NN/
JSON_CHAT = FIXTURES / "telegram_chat.json"  # the JSON export of a group with the same message ids


def run(*args: str) -> str:
    result = CliRunner().invoke(main, ["import", "telegram", *args])
    assert result.exit_code == 0, result.output
    return result.output


def fail(*args: str) -> str:
    result = CliRunner().invoke(main, ["import", "telegram", *args])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    return result.output


def query(db: Path, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def snapshot(db: Path) -> tuple[list[tuple], ...]:  # type: ignore[type-arg]
    return tuple(
        query(db, f"select * from {t} order by id") for t in ("communities", "members", "activity_log")
    )


def test_a_two_page_chat_counts_and_skips() -> None:
    parsed = collect(HtmlChat(CHAT))
    assert dict(parsed.counts) == {
        "messages": 10,
        "reactions": 3,
        "joins": 4,
        "leaves": 1,
        "polls": 1,
        "topics": 1,
    }
    assert dict(parsed.skipped) == {
        "service messages: create_group": 1,
        "service messages: pin_message": 1,
        "service messages: edit_group_title": 1,
        "bot commands (never re-run)": 1,
        "messages by deleted accounts (their name does not tell them apart)": 1,
        "reactions without a named reactor": 6,  # ❤ 5 shown with 2 names; 🦀 1 and ⭐ 2 with none
    }
    assert parsed.notes["members keyed by display name (the HTML export has no user ids)"] == 6
    assert parsed.notes["groups keyed by title (pass --chat to use the group's id)"] == 1


def test_what_each_message_becomes() -> None:
    events = collect(HtmlChat(CHAT)).events
    assert events is not None
    messages = {e.message_id: e for e in events if isinstance(e, MessageReceived)}
    assert sorted(messages, key=int) == ["2", "3", "4", "6", "11", "12", "13", "16", "17", "18"]
    hello, reply, joined = messages["2"], messages["3"], messages["4"]
    assert hello.user.display_name == "Alice Liu" and hello.user.user_id == name_key("Alice Liu")
    assert hello.occurred_at == datetime(2025, 3, 1, 10, 5, tzinfo=UTC)  # 18:05 at UTC+08:00
    assert (
        reply.text == "I am!\nReading https://rust-lang.org/learn tonight"
        and reply.reply_to_message_id == "2"
    )
    assert joined.user.display_name == "Bob Wang" and joined.text == "<3 & see you there"  # continues Bob's
    assert messages["11"].reply_to_message_id == "3"  # a reply to a message on the page before
    assert messages["6"].attachments == 1 and messages["6"].text == ""  # a poll
    assert messages["12"].attachments == 1 and messages["12"].user.display_name == "Eve"  # a photo, joined
    assert (
        messages["13"].user.display_name == "Frank Ma" and messages["13"].text == "forwarded news about tokio"
    )
    assert (messages["16"].thread_id, messages["16"].reply_to_message_id) == ("15", None)  # opens the topic
    assert (messages["17"].thread_id, messages["17"].reply_to_message_id) == ("15", "16")  # a reply in it
    assert messages["18"].user.display_name == "Bob Wang"  # "Bob Wang via @gif"
    reactions = sorted(
        (e.message_id, e.user.display_name, e.emoji) for e in events if isinstance(e, ReactionAdded)
    )
    assert reactions == [("11", "Alice Liu", "❤"), ("11", "Bob Wang", "❤"), ("3", "Alice Liu", "👍")]
    people = [
        (type(e).__name__, e.user.display_name) for e in events if isinstance(e, MemberJoined | MemberLeft)
    ]
    assert people == [("MemberJoined", "Carol Chen"), ("MemberJoined", "Dave Zhou"), ("MemberJoined", "Eve"),
                      ("MemberJoined", "Frank Ma"), ("MemberLeft", "Eve")]  # fmt: skip
    carol = next(e for e in events if isinstance(e, MemberJoined))
    assert carol.occurred_at == joined.occurred_at  # a service message is dated by the message before it
    assert {e.chat.chat_id for e in events} == {name_key("Rust Study Group")}


def test_name_keys_are_stable_marked_and_never_a_telegram_id() -> None:
    key = name_key("Alice  Liu")
    assert key == name_key("Alice Liu") == name_key(" Alice Liu ")  # spaces do not make another person
    assert key.startswith("name:") and not key.lstrip("-").isdigit() and len(key) <= 64
    assert name_key("Alice Liu") != name_key("Alice Lu")


def test_a_whole_account_export_imports_its_groups() -> None:
    parsed = collect(HtmlAccount(ACCOUNT))
    assert dict(parsed.counts) == {"messages": 4, "joins": 1}
    assert dict(parsed.skipped) == {
        "private chats (only groups are communities)": 12,
        "channel chats (only groups are communities)": 5,
    }
    assert parsed.notes["dates without a time zone (older Telegram Desktop), taken as UTC"] == 1
    assert parsed.events is not None
    titles = {e.chat.title for e in parsed.events}
    assert titles == {"Book Club", "Old Project"}  # "Old Project" is a group the account left
    old = next(e for e in parsed.events if e.chat.title == "Old Project")
    assert old.occurred_at == datetime(2021, 1, 3, 11, 0, tzinfo=UTC)


def test_cli_import_of_a_folder_is_idempotent_and_says_how_members_are_keyed(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    out = run(str(CHAT), "--db", str(db))
    assert "messages=10, reactions=3, joins=4, leaves=1, polls=1, topics=1" in out
    assert "added to the activity log: 18 rows" in out
    assert "members keyed by display name (the HTML export has no user ids): 6" in out
    assert query(db, "select platform, chat_id, title from communities") == [
        ("telegram", name_key("Rust Study Group"), "Rust Study Group")
    ]
    members = dict(query(db, "select display_name, user_id from members"))
    assert members == {
        n: name_key(n) for n in ("Alice Liu", "Bob Wang", "Carol Chen", "Dave Zhou", "Eve", "Frank Ma")
    }
    assert dict(query(db, "select display_name, is_member from members"))["Eve"] == 0  # she left
    threads = query(db, "select json_extract(data, '$.thread') from activity_log where message_id = '17'")
    assert threads == [("15",)]
    before = snapshot(db)
    out = run(
        str(CHAT / "messages2.html"), str(CHAT / "messages.html"), "--db", str(db)
    )  # one chat, twice named
    assert "added to the activity log: 0 rows" in out
    assert snapshot(db)[2] == before[2]


def test_the_account_folder_and_its_export_results_page_both_work(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    assert "added to the activity log: 5 rows" in run(str(ACCOUNT), "--db", str(db))
    assert "added to the activity log: 0 rows" in run(str(ACCOUNT / "export_results.html"), "--db", str(db))
    assert sorted(t for (t,) in query(db, "select title from communities")) == ["Book Club", "Old Project"]


def test_with_chat_the_history_joins_the_community_and_live_messages_are_not_doubled(tmp_path: Path) -> None:
    import asyncio

    from bot.bootstrap import build_app
    from bot.clock import SystemClock
    from bot.config import Config
    from bot.domain.events import ChatRef, UserRef

    db = tmp_path / "c.db"

    async def log_live() -> int:
        app = await build_app(Config(database_url=str(db)), adapters={}, clock=SystemClock())
        live = MessageReceived(  # what the live adapter logged for message 2, keyed by its update id
            source_id="u5550001",
            chat=ChatRef("telegram", "-1001234567890", False, "Rust Study Group"),
            user=UserRef("101", "Alice Liu"),
            occurred_at=datetime(2025, 3, 1, 10, 5, tzinfo=UTC),
            message_id="2",
            text="Hello everyone, anyone into Rust async this week?",
        )
        try:
            return await app.ingest_batch([live])
        finally:
            await app.close()

    assert asyncio.run(log_live()) == 1
    out = run(str(CHAT), "--db", str(db), "--chat", "-1001234567890")
    assert "added to the activity log: 17 rows" in out  # 18, less the message logged live
    assert query(db, "select chat_id from communities") == [("-1001234567890",)]
    assert query(db, "select count(*) from activity_log where kind = 'message' and message_id = '2'") == [
        (1,)
    ]


def test_the_json_and_the_html_export_of_one_chat_log_each_message_once(tmp_path: Path) -> None:
    db = tmp_path / "j.db"
    CliRunner().invoke(main, ["import", "telegram", str(JSON_CHAT), "--db", str(db)])
    json_messages = {m for (m,) in query(db, "select message_id from activity_log where kind = 'message'")}
    run(str(CHAT), "--db", str(db), "--chat", "-1001234567890")
    counts = query(
        db, "select message_id, count(*) from activity_log where kind = 'message' group by message_id"
    )
    assert all(n == 1 for _, n in counts)
    assert json_messages & {m for m, _ in counts} == json_messages


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--chat", "-100123"], "names the group of one HTML chat export"),  # a JSON export has its ids
        (["--chat", "Rust"], "not a Telegram group id"),
    ],
)
def test_chat_is_checked(tmp_path: Path, args: list[str], expected: str) -> None:
    path = JSON_CHAT if "-100123" in args else CHAT
    out = fail(str(path), "--db", str(tmp_path / "x.db"), *args)
    assert expected in out and "nothing was imported" in out
    assert not (tmp_path / "x.db").exists()


def _truncate(folder: Path) -> None:
    page = folder / "messages2.html"
    text = page.read_text(encoding="utf-8")
    page.write_text(text[: text.index('id="message13"') + 200], encoding="utf-8")


def _bad_date(folder: Path) -> None:
    page = folder / "messages2.html"
    page.write_text(page.read_text(encoding="utf-8").replace("02.03.2025 09:30:00", "32.03.2025 09:30:00"))


def _missing_page(folder: Path) -> None:
    (folder / "messages2.html").rename(folder / "messages3.html")


def _not_telegram(folder: Path) -> None:
    (folder / "messages2.html").write_text("<html><body><p>my notes</p></body></html>", encoding="utf-8")


def _not_utf8(folder: Path) -> None:
    page = folder / "messages2.html"
    page.write_bytes(page.read_bytes().replace(b"Me too", b"Me \xff\xfe"))


def _orphan_continuation(folder: Path) -> None:
    page = folder / "messages2.html"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace('class="message default clearfix" id="message11"',
                                 'class="message default clearfix joined" id="message11"')  # fmt: skip
                    .replace('<div class="from_name">\nEve\n       </div>', ""))  # fmt: skip


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (_truncate, "messages2.html: the page ends inside message 13"),
        (_bad_date, "messages2.html, line"),
        (_missing_page, "messages2.html is missing"),
        (_not_telegram, "messages2.html: not a Telegram Desktop chat page"),
        (_not_utf8, "messages2.html: not UTF-8 text at byte"),
        (_orphan_continuation, "message 11: no author"),
    ],
)
def test_a_damaged_export_stops_with_the_place_and_changes_nothing(
    tmp_path: Path, damage, expected: str
) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "d.db"
    run(str(ACCOUNT), "--db", str(db))  # something already imported
    folder = tmp_path / "chat"
    shutil.copytree(CHAT, folder)
    damage(folder)
    before = snapshot(db)
    out = fail(str(ACCOUNT), str(folder), "--db", str(db))  # a good export first: still nothing written
    assert expected in out and "nothing was imported" in out
    if damage is _bad_date:
        assert "invalid date '32.03.2025 09:30:00 UTC+08:00'" in out
    assert snapshot(db) == before


def test_a_page_that_is_not_an_export_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "notes.html"
    page.write_text("<html></html>", encoding="utf-8")
    assert "not a page of a Telegram Desktop chat export" in fail(str(page), "--db", str(tmp_path / "n.db"))
    assert "no Telegram Desktop export here" in fail(str(tmp_path), "--db", str(tmp_path / "n.db"))


def test_parse_errors_are_import_format_errors(tmp_path: Path) -> None:
    folder = tmp_path / "chat"
    shutil.copytree(CHAT, folder)
    _bad_date(folder)
    with pytest.raises(ImportFormatError, match=r"messages2\.html, line \d+, message 13: invalid date"):
        HtmlChat(folder).check()


def test_analytics_runs_after_an_html_import(tmp_path: Path) -> None:
    db = tmp_path / "an.db"
    run(str(CHAT), str(ACCOUNT), "--db", str(db))
    result = CliRunner().invoke(main, ["analytics", "run", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "analytics run" in result.output
