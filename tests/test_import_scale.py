"""A generated Telegram export of over 10k messages: progress on stderr, batches, a full summary."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from bot.cli import main
from bot.importers import telegram

WORDS = "python rust asyncio meetup talk slides docker kubernetes sql pandas 周末 活动 分享".split()


def generate(path: Path, n: int, *, members: int = 200, chat_id: int = 4242424242) -> None:
    """A supergroup export of n messages (every 10th with a reaction, every 50th a join), written streaming."""
    start = 1_700_000_000
    with path.open("w", encoding="utf-8") as fh:
        fh.write(f'{{"name": "Generated", "type": "private_supergroup", "id": {chat_id}, "messages": [\n')
        for i in range(1, n + 1):
            user = i * 7919 % members + 1
            msg: dict[str, object] = {
                "id": i,
                "type": "message",
                "date": "2023-11-14T22:13:20",
                "date_unixtime": str(start + i * 30),
                "from": f"Member {user}",
                "from_id": f"user{user}",
                "text": " ".join(WORDS[(i + k) % len(WORDS)] for k in range(i % 9 + 1)),
            }
            if i % 10 == 0:
                other = (user % members) + 1
                msg["reactions"] = [
                    {
                        "type": "emoji",
                        "count": 1,
                        "emoji": "👍",
                        "recent": [{"from": "x", "from_id": f"user{other}"}],
                    }
                ]
            if i % 5 == 0:
                msg["reply_to_message_id"] = i - 1
            if i % 50 == 0:
                msg = {
                    "id": i,
                    "type": "service",
                    "date_unixtime": str(start + i * 30),
                    "actor": f"Newcomer {i}",
                    "actor_id": f"user{10_000_000 + i}",
                    "action": "join_group_by_link",
                    "text": "",
                }
            fh.write(("," if i > 1 else "") + json.dumps(msg, ensure_ascii=False) + "\n")
        fh.write("]}\n")


def test_a_large_export_reports_progress_and_imports_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    export, db = tmp_path / "result.json", tmp_path / "big.db"
    generate(export, 10_500)
    result = CliRunner().invoke(main, ["import", "telegram", str(export), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert result.output.count("... ") == 1 and "... 10290 messages" in result.output  # a line per 10k
    # 10,290 messages (every 50th is a join instead), 840 reactions (every 10th that is not a join), 210 joins
    assert "messages=10290, reactions=840, joins=210" in result.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from activity_log").fetchone() == (10290 + 840 + 210,)
        people = {e.user.user_id for e in telegram.parse_file(str(export)).events}
        assert len(people) > 400 and conn.execute("select count(*) from members").fetchone() == (len(people),)
