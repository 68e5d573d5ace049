"""`gatherbot import csv --kind members|attendance|ratings`: validated line by line, written all or nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
CHAT = "-1001234567890"


def invoke(db: Path, kind: str, path: Path) -> tuple[int, str]:
    args = [
        "import",
        "csv",
        str(path),
        "--kind",
        kind,
        "--platform",
        "telegram",
        "--chat",
        CHAT,
        "--db",
        str(db),
    ]
    result = CliRunner().invoke(main, args)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def query(db: Path, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_members_join_through_the_live_path(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "c.db"
    code, out = invoke(db, "members", FIXTURES / "members.csv")
    assert code == 0, out
    assert "read 3 rows; added: members joined=3" in out
    assert query(db, "select user_id, display_name from members order by user_id") == [
        ("101", "Alice Liu"), ("102", "Bob Chen"), ("108", "Hui Zhang"),
    ]  # fmt: skip
    assert query(db, "select platform, chat_id from communities") == [("telegram", CHAT)]
    assert query(db, "select count(*) from activity_log where kind = 'join'") == [(3,)]
    assert "members joined=0" in invoke(db, "members", FIXTURES / "members.csv")[1]


def test_attendance_and_ratings_make_events_check_ins_and_votes_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "c.db"
    code, out = invoke(db, "attendance", FIXTURES / "attendance.csv")
    assert code == 0, out
    assert "read 5 rows; added: events=2, check-ins=4, no-shows=1, ratings=0" in out
    events = query(db, "select title, kind, starts_at from events order by starts_at")
    assert [(t, k) for t, k, _ in events] == [("Rust async night", "sharing"), ("读书会：DDIA", "discussion")]
    assert events[0][2].startswith("2025-01-15 19:30")  # in the configured timezone (default: UTC)
    assert query(db, "select tag from event_tags order by tag") == [("async",), ("books",), ("rust",)]
    assert query(db, "select count(*) from attendance") == [(4,)]
    assert query(db, "select count(*) from rsvps where status = 'going'") == [(5,)]  # Bob came not: a no-show
    code, out = invoke(db, "ratings", FIXTURES / "ratings.csv")
    assert code == 0, out
    assert "read 3 rows; added: events=1, check-ins=0, no-shows=0, ratings=3" in out  # one new event: Go talk
    assert query(db, "select score, comment from poll_votes order by id") == [
        (5, "Great examples"), (4, None), (3, "more Q&A please"),
    ]  # fmt: skip
    for kind in ("attendance", "ratings"):  # a second import adds nothing
        assert "events=0, check-ins=0, no-shows=0, ratings=0" in invoke(db, kind, FIXTURES / f"{kind}.csv")[1]
    assert query(db, "select count(*) from events") == [(3,)]
    assert CliRunner().invoke(main, ["analytics", "run", "--db", str(db)]).exit_code == 0


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("attendance", "member,event\n101,x\n", "line 1: missing column(s) time for --kind attendance"),
        ("ratings", "member,event,time,rating\n101,A,2025-01-01 10:00,5\n101,A,2025-01-01 10:00,6\n",
         "line 3: rating '6' is not a whole number from 1 to 5"),
        ("attendance", "member,event,time\n101,A,2025-01-01 10:00\n102,A,last tuesday\n",
         "line 3: invalid time 'last tuesday'"),
        ("members", "member,name\n101,A\nalice,B\n", "line 3: member 'alice' is not a platform user id"),
        ("attendance", "member,event,time,attended\n101,A,2025-01-01 10:00,maybe\n",
         "line 2: attended 'maybe' is not yes or no"),
        ("ratings", "member,event,time,rating\n101,,2025-01-01 10:00,4\n", "line 2: 'event' is empty"),
    ],
)  # fmt: skip
def test_a_bad_line_stops_the_import_and_writes_nothing(tmp_path, kind, text, expected) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "c.db"
    assert invoke(db, "attendance", FIXTURES / "attendance.csv")[0] == 0
    before = [
        query(db, f"select count(*) from {t}") for t in ("members", "events", "attendance", "poll_votes")
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    code, out = invoke(db, kind, bad)
    assert code != 0 and expected in out and "nothing was imported" in out
    assert [
        query(db, f"select count(*) from {t}") for t in ("members", "events", "attendance", "poll_votes")
    ] == before
