"""The benchmark script runs end to end at a tiny size (the 100k-member / 5M-row run is manual)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_prints_one_json_line_per_stage(tmp_path: Path) -> None:
    cmd = [
        sys.executable,
        str(ROOT / "bench" / "analytics.py"),
        "--members",
        "300",
        "--events",
        "20000",
        "--db",
        str(tmp_path / "bench.db"),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    stages = [line["stage"] for line in lines]
    assert stages[:3] == ["generate", "data", "read"] and stages[-2:] == ["write", "total"]
    assert all(line["seconds"] >= 0 and line["peak_rss_mib"] > 0 for line in lines if "seconds" in line)
    assert lines[1]["log_rows"] == 20000
