"""The command line turns database problems into one clear line: no traceback, no password."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bot.cli import main


def head() -> str:
    from alembic.script import ScriptDirectory

    from bot.storage.db import alembic_config

    return str(ScriptDirectory.from_config(alembic_config("x.db")).get_current_head())


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["db", "current", "--db", "{tmp}/typo/nothing.db"], "no database file at"),
        (["db", "upgrade", "--db", "postgresql://postgres:SECRETPW@127.0.0.1:1/x"], "database error"),
        (["db", "upgrade", "--db", ":memory:"], "in-memory SQLite database cannot be used"),
        (["console", "--db", ":memory:"], "in-memory SQLite database cannot be used"),
        (["run", "--db", "postgresql://postgres:SECRETPW@127.0.0.1:1/x"], "database error"),
    ],
)
def test_database_errors_are_one_clear_line(tmp_path, args, expected) -> None:  # type: ignore[no-untyped-def]
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = CliRunner().invoke(main, args, input="")
    assert result.exit_code != 0
    assert expected in result.output
    assert "Traceback" not in result.output and "SECRETPW" not in result.output
    assert not (tmp_path / "typo").exists()  # a mistyped path creates nothing


def test_db_commands_round_trip_on_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "new" / "bot.db")
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade", "--db", db]).exit_code == 0
    assert runner.invoke(main, ["db", "current", "--db", db]).output.strip() == head()
    assert "at base" in runner.invoke(main, ["db", "downgrade", "base", "--db", db]).output


def test_purge_command_reports_what_it_erased(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(main, ["purge", "--db", str(tmp_path / "p.db")])
    assert result.exit_code == 0, result.output
    assert "=" in result.output and "Traceback" not in result.output
