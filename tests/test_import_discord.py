"""`gatherbot import discord`: DiscordChatExporter JSON, keyed like the live adapter's messages."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.domain.events import MessageReceived
from bot.importers import discord
from bot.importers.common import ImportFormatError

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
EXPORT = FIXTURES / "discord_channel.json"
GUILD, CHANNEL = "111222333444555666", "999888777666555444"


def query(db: Path, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["import", "discord", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_export_counts_and_skips() -> None:
    parsed = discord.parse_file(str(EXPORT))
    assert dict(parsed.counts) == {"messages": 4, "reactions": 4, "joins": 1, "roles": 2}
    assert dict(parsed.skipped) == {
        "messages by bots": 1,
        "system messages: ChannelPinnedMessage": 1,
        "reactions without a named reactor": 2,
    }
    messages = [e for e in parsed.events if isinstance(e, MessageReceived)]
    assert {e.chat.chat_id for e in parsed.events} == {GUILD}  # the server is the community
    first, reply, attachment, _ = messages
    assert (
        first.user.display_name == "Alice A."
        and first.user.username == "alice"
        and first.user.user_id == "201"
    )
    assert reply.reply_to_message_id == "1340000000000000001"
    assert attachment.attachments == 1 and attachment.text == ""
    assert first.occurred_at == datetime(2025, 3, 1, 10, 0, 0, 123000, tzinfo=UTC)
    emojis = sorted((e.user.user_id, e.emoji) for e in parsed.events if hasattr(e, "emoji"))
    assert emojis == [("201", "🎉"), ("202", "custom:5555"), ("202", "👍"), ("203", "👍")]


def test_message_source_ids_match_the_live_adapter() -> None:
    """A message logged live and imported later has the same (platform, source_id): it is logged once."""
    from adapters.discord.translate import translate

    doc = json.loads(EXPORT.read_text(encoding="utf-8"))
    imported = next(e for e in discord.parse_document(doc).events if isinstance(e, MessageReceived))
    msg = doc["messages"][0]
    live = translate(
        "MESSAGE_CREATE",
        {
            "id": msg["id"], "channel_id": CHANNEL, "guild_id": GUILD, "type": 0, "content": msg["content"],
            "timestamp": msg["timestamp"], "author": {"id": "201", "username": "alice"},
            "member": {"nick": "Alice A.", "roles": []}, "attachments": [],
        },
    )[0]  # fmt: skip
    assert isinstance(live, MessageReceived)
    assert (imported.platform, imported.source_id) == (live.platform, live.source_id)
    assert (imported.chat.chat_id, imported.message_id, imported.thread_id) == (
        live.chat.chat_id, live.message_id, live.thread_id,
    )  # fmt: skip
    assert imported.user.display_name == live.user.display_name and imported.occurred_at == live.occurred_at


def test_cli_import_is_idempotent_and_analytics_runs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "d.db"
    code, out = invoke(str(EXPORT), "--db", str(db))
    assert code == 0, out
    assert "added to the activity log: 9 rows" in out and "messages by bots: 1" in out
    kinds = dict(query(db, "select kind, count(*) from activity_log group by kind"))
    assert kinds == {"message": 4, "reaction": 4, "join": 1}
    assert query(db, "select platform, chat_id, title from communities") == [
        ("discord", GUILD, "Python Hangout")
    ]
    assert query(db, "select count(*) from members") == [(4,)]  # alice, bob, carol, dave (no bot)
    code, out = invoke(str(EXPORT), "--db", str(db))
    assert code == 0 and "added to the activity log: 0 rows" in out
    assert query(db, "select count(*) from activity_log") == [(9,)]
    result = CliRunner().invoke(main, ["analytics", "run", "--db", str(db)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: d["messages"][3].update(timestamp="yesterday"),
            "message #4 (id 1340000000000000004): invalid date",
        ),
        (lambda d: d["messages"][1].pop("author"), "message #2 (id 1340000000000000002): missing 'author'"),
        (lambda d: d.pop("guild"), "not a DiscordChatExporter JSON export"),
        (lambda d: d["channel"].update(id="general"), "channel: 'id' is not a Discord id"),
        (lambda d: d["messages"][0].update(reactions="lots"), "'reactions' is not a list"),
        (lambda d: d["messages"][0].update(reactions=["👍"]), "bad reaction"),
    ],
)
def test_malformed_exports_stop_before_writing(tmp_path, mutate, expected) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(EXPORT.read_text(encoding="utf-8"))
    mutate(doc)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ImportFormatError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        discord.parse_file(str(bad))
    db = tmp_path / "x.db"
    code, out = invoke(str(EXPORT), str(bad), "--db", str(db))
    assert code != 0 and expected in out and "nothing was imported" in out
    assert not db.exists()  # validated before the database is even opened


def test_truncated_export_names_the_position(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "cut.json"
    bad.write_text(EXPORT.read_text(encoding="utf-8")[:1500], encoding="utf-8")
    code, out = invoke(str(bad), "--db", str(tmp_path / "x.db"))
    assert code != 0 and "not valid JSON at line" in out and "column" in out
