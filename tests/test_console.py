"""The console adapter driven by a piped script, as a person trying gatherbot would."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources
from pathlib import Path

from click.testing import CliRunner

from bot.cli import main

SCRIPT = resources.files("bot.demo").joinpath("console_demo.txt").read_text(encoding="utf-8")


def run_console(tmp_path: Path, script: str, *extra: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "config.toml"
    config.write_text('[bot]\ntimezone = "Asia/Shanghai"\n', encoding="utf-8")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "console",
            "--config",
            str(config),
            "--db",
            str(tmp_path / "c.db"),
            *extra,
        ],
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def in_order(lines: list[str], expected: list[str]) -> bool:
    """Every expected line appears, in this order."""
    position = 0
    for line in lines:
        if position < len(expected) and line == expected[position]:
            position += 1
    return position == len(expected)


def test_piped_session_covers_the_whole_event_life(tmp_path: Path) -> None:
    result = run_console(tmp_path, SCRIPT, "--simulated-clock", "2026-12-01 09:00")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert in_order(
        lines,
        [
            "bot -> group: 📅 Python爬虫挑战赛 (#1)",
            "bot -> group: ✅ Created #1 Python爬虫挑战赛: Sat 5 Dec 2026 19:00. Announced in the group.",
            "bot -> bob (only you): You're going to Python爬虫挑战赛. I'll remind you before it starts.",
            "bot -> dave (only you): Python爬虫挑战赛 is full: you're #1 on the waitlist. I'll tell you if a spot opens.",
            "bot -> bob@dm: 👋 Hi bob! I'll send your reminders here from now on. /help shows what I can do.",
            "bot -> group: @dave: 🎉 A spot opened up: you're now going to #1 Python爬虫挑战赛 (Sat 5 Dec 2026 19:00).",
            "-- 2026-12-04 19:00 --",
            "bot -> group: @dave: ⏰ #1 Python爬虫挑战赛 starts in 1d (Sat 5 Dec 2026 19:00).",
            "bot -> group: @dave: ⏰ #1 Python爬虫挑战赛 starts in 1h (Sat 5 Dec 2026 19:00).",
            "bot -> bob@dm: ⏰ Reminder: #1 Python爬虫挑战赛 starts in 30m (Sat 5 Dec 2026 19:00).",
            "[I'm here]",
            "bot -> dave (only you): ✅ Checked in to Python爬虫挑战赛. Enjoy!",
            "bot -> group: @bob @dave: ⭐ How was #1 Python爬虫挑战赛? Rate it 1 (poor) to 5 (great).",
            "bot -> bob (only you): Thanks! You rated Python爬虫挑战赛 5/5. Add a comment with /feedback 1 your words",
            "bot -> alice@dm: 📊 Feedback on #1 Python爬虫挑战赛: responses 2, attendees 2, mean 4.5.",
            "• Great tasks, more time next time please",
        ],
    ), result.stdout
    # Bob asked for 30 minutes only: he gets no 24h or 1h reminder; nobody gets one twice.
    reminders = [line for line in lines if "⏰" in line]
    assert len(reminders) == len(set(reminders)) == 3


def test_output_is_deterministic(tmp_path: Path) -> None:
    outputs = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        outputs.append(run_console(tmp_path / name, SCRIPT, "--simulated-clock", "2026-12-01 09:00").stdout)
    assert outputs[0] == outputs[1] and outputs[0]


def test_console_explains_bad_lines(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "this line has no speaker",
            "alice: [Nope]",
            ":advance soon",
            ":teleport",
            ":now",
        ]
    )
    result = run_console(tmp_path, script + "\n", "--simulated-clock", "2026-12-01 09:00")
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "console: write `name: text`, `name@dm: text`, `name: [Button]` or :help",
        "console: no button [Nope] on any message",
        "console: :advance takes a duration, e.g. :advance 2h30m or :advance 1d",
        "console: unknown directive :teleport (try :help)",
        "now: 2026-12-01 09:00 Asia/Shanghai",
    ]


def test_advance_needs_a_simulated_clock(tmp_path: Path) -> None:
    result = run_console(tmp_path, ":advance 1h\n")
    assert result.stdout.strip() == "console: :advance needs --simulated-clock"


def test_bad_simulated_clock_is_a_clear_error(tmp_path: Path) -> None:
    result = run_console(tmp_path, "", "--simulated-clock", "next tuesday")
    assert result.returncode != 0
    assert "YYYY-MM-DD HH:MM" in result.stderr and "Traceback" not in result.stderr


def test_demo_command_runs_on_a_temporary_sqlite_database() -> None:
    result = CliRunner().invoke(main, ["demo", "--story-only"])
    assert result.exit_code == 0, result.output
    assert (
        "bot -> alice@dm: 📊 Feedback on #1 Python爬虫挑战赛: responses 2, attendees 2, mean 4.5."
        in result.output
    )


def test_demo_in_chinese() -> None:
    result = CliRunner().invoke(main, ["demo", "--lang", "zh", "--story-only"])
    assert result.exit_code == 0, result.output
    assert (
        "bot -> alice@dm: 📊 #1 Python爬虫挑战赛 的反馈：回复 2 人，参加者 2 人，平均 4.5 分。"
        in result.output
    )


def test_analytics_commands_load_lazily() -> None:
    """`gatherbot --help` must not import pandas and scikit-learn; `gatherbot analytics` does."""
    code = "import sys; from bot.cli import main; print('pandas' in sys.modules)"
    quick = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert quick.stdout.strip() == "False"
    result = CliRunner().invoke(main, ["analytics", "--help"])
    assert result.exit_code == 0
    assert all(name in result.output for name in ("run", "evaluate", "demo"))
