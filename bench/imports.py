"""Import benchmark: `gatherbot import telegram` of a generated Telegram Desktop JSON export.

Usage: python -m bench.imports [--messages 1000000] [--dir DIR]

The export (bench/workload.py) is generated first. Then the real command runs in a child process,
end to end: start-up and migrations, both passes over the file (check, then import), topics, members,
the log. Its wall time gives messages/s, and the child's peak resident memory is read from the
kernel (getrusage). The baseline is measured in the same run: the rows the import wrote, copied by
plain sqlite3.executemany into a fresh database with the same schema, in the import's batch size
(bench/baselines.py), three times (the median counts). Prints one JSON object per line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import baselines, workload
from bot.importers.common import BATCH

ROOT = Path(__file__).resolve().parents[1]


def emit(**fields: object) -> None:
    print(json.dumps(fields, ensure_ascii=False), flush=True)


def run_import(export: Path, db: Path) -> tuple[float, float, str]:
    """(seconds, peak RSS in MiB, summary) of `gatherbot import telegram` in a child process."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    cmd = [sys.executable, "-m", "bot.cli", "import", "telegram", str(export), "--db", str(db)]
    began = time.perf_counter()
    child = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT
    )
    assert child.stdout is not None
    summary = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - began
    if status != 0:
        raise SystemExit(f"import failed ({status}):\n{summary}")
    return seconds, usage.ru_maxrss / 1024, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--baseline-runs", type=int, default=3)
    parser.add_argument(
        "--dir", default=None, help="where to write the export and databases (default: a temp dir)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        export, db = Path(tmp) / "result.json", Path(tmp) / "import.db"
        began = time.perf_counter()
        counts = workload.telegram_export(export, args.messages)
        emit(bench="import_generate", seconds=round(time.perf_counter() - began, 1), bytes=export.stat().st_size,
             **counts)  # fmt: skip
        seconds, rss, summary = run_import(export, db)
        runs = []
        for r in range(args.baseline_runs):  # the machine is shared: the median of a few baselines
            rows, seconds_raw = baselines.sqlite_executemany(db, Path(tmp) / f"raw{r}.db", BATCH)
            runs.append(seconds_raw)
            (Path(tmp) / f"raw{r}.db").unlink()
        raw = statistics.median(runs)
        messages = counts["messages"]
        emit(bench="import_telegram_json", figure=round(messages / seconds), unit="messages/s",
             seconds=round(seconds, 1), peak_rss_mib=round(rss, 1), file_mib=round(export.stat().st_size / 2**20, 1),
             rows=rows, baseline=round(messages / raw), baseline_rows_per_s=round(rows / raw),
             baseline_name="sqlite3.executemany of the same rows, same schema, same batches (messages/s)",
             baseline_seconds=[round(r, 1) for r in runs], ratio=round(raw / seconds, 3), target=0.3, summary=summary.strip().splitlines()[:2])  # fmt: skip


if __name__ == "__main__":
    main()
