"""The architecture rules hold: bot/ and analytics/ never import a platform SDK or the adapters."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept() -> None:
    exe = shutil.which("lint-imports")
    if exe is None:
        pytest.fail("import-linter is a dev dependency: pip install -e '.[dev]'")
    result = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_core_imports_without_chat_sdks() -> None:
    """Loading the whole core (and the console) must not import telegram or discord."""
    code = (
        "import sys, bot.features, bot.bootstrap, bot.runner, bot.cli, adapters.console; "
        "bad = [m for m in ('telegram', 'discord') if m in sys.modules]; "
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
