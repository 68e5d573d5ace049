"""The ingestion and import benchmarks run end to end at a tiny size (the real runs are manual)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def bench(*args: str) -> list[dict]:  # type: ignore[type-arg]
    out = subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, timeout=600, check=False,
                         cwd=ROOT)  # fmt: skip
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_the_import_bench_imports_every_generated_row_and_measures_its_baseline(tmp_path: Path) -> None:
    generated, result = bench("bench.imports", "--messages", "3000", "--dir", str(tmp_path))
    assert generated["bench"] == "import_generate" and generated["messages"] + generated["joins"] == 3000
    assert result["bench"] == "import_telegram_json"
    assert result["rows"] == generated["messages"] + generated["reactions"] + generated["joins"]
    assert result["peak_rss_mib"] > 0 and result["figure"] > 0 and result["baseline"] > 0
    assert f"added to the activity log: {result['rows']} rows" in result["summary"][1]


def test_the_ingest_bench_compares_the_same_rows(tmp_path: Path) -> None:
    (line,) = bench("bench.core", "--only", "ingest", "--events", "2000", "--repeat", "1")
    assert line["bench"] == "ingest_sqlite" and line["events"] == 2000 and line["runs"] == 1
    assert line["rows"] == 2000  # every event became a log row, and the baseline wrote the same rows
    assert line["figure"] > 0 and line["baseline"] > 0 and len(line["ratios"]) == 1


def test_the_member_cache_bench_compares_the_same_path_with_and_without_it() -> None:
    (line,) = bench("bench.core", "--only", "member_cache", "--events", "2000", "--repeat", "1")
    assert line["bench"] == "ingest_sqlite_member_cache" and line["runs"] == 1
    assert line["rows"] == 2000 and 400 < line["members"] <= 500  # both Apps wrote these (the bench checks)
    assert line["figure"] > 0 and line["baseline"] > 0 and len(line["ratios"]) == 1
