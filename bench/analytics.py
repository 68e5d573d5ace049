"""Benchmark of the analytics pipeline on a large synthetic log: time and peak memory per stage.

    python bench/analytics.py --members 100000 --events 5000000     # the issue's target size
    python bench/analytics.py                                       # small defaults, a few seconds

The log is written with direct bulk inserts (this measures the pipeline, not ingestion), then the
pipeline runs as the nightly job does, in this process so memory is measured: read (SQL
aggregates), each compute stage, write (results tables). One JSON object per stage on stdout;
peak_rss_mib is the process's peak resident memory during that stage.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

# Run as a script, this file's folder comes first on sys.path and its name would shadow the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from analytics.config import AnalyticsConfig  # noqa: E402
from analytics.demo_text import TOPICS  # noqa: E402
from analytics.jobs import read_inputs  # noqa: E402
from analytics.pipeline import compute  # noqa: E402
from analytics.store import write_results  # noqa: E402
from bot.storage import db  # noqa: E402

NOW = datetime(2026, 12, 1, tzinfo=UTC)
DAYS = 90
KINDS = ("lecture", "sharing", "challenge", "discussion", "salon")


class Peak:
    """Samples this process's resident memory every 10 ms; reset() starts a new stage."""

    def __init__(self) -> None:
        self.peak = self.overall = self.now()
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    @staticmethod
    def now() -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * 4096

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self.now())
            self.overall = max(self.overall, self.peak)

    def reset(self) -> int:
        peak, self.peak = max(self.peak, self.now()), self.now()
        return peak


@contextmanager
def stage(name: str, peak: Peak, extra: dict[str, object] | None = None) -> Iterator[None]:
    """Time a block and print its JSON line."""
    peak.reset()
    start = time.perf_counter()
    yield
    line = {
        "stage": name,
        "seconds": round(time.perf_counter() - start, 2),
        "peak_rss_mib": round(peak.reset() / 2**20),
    }
    print(json.dumps({**line, **(extra or {})}), flush=True)


def stamps(seconds: np.ndarray) -> list[str]:
    """Epoch seconds as the text SQLite stores for UTCDateTime columns."""
    arr = (seconds * 1e6).astype("datetime64[us]")
    return [s.replace("T", " ") for s in np.datetime_as_string(arr, unit="us")]


def generate(path: str, members: int, rows: int, seed: int) -> dict[str, int]:
    """Members with skewed activity, `rows` log rows over 90 days, events with answers and votes."""
    rng = np.random.default_rng(seed)
    db.upgrade(path)
    con = sqlite3.connect(path)
    con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
    start = NOW.timestamp() - DAYS * 86400
    created = stamps(np.array([start]))[0]
    con.execute(
        "INSERT INTO communities VALUES (1, 'bench', 'g', 'bench', 'Asia/Shanghai', 'en', 0, '{}', ?)",
        (created,),
    )
    joined = stamps(start + rng.uniform(0, DAYS * 86400 * 0.3, members))
    con.executemany(
        "INSERT INTO members (id, community_id, user_id, display_name, role, analytics_opt_out, reminders_opt_out,"
        " can_dm, is_member, joined_at, created_at) VALUES (?, 1, ?, ?, 'member', 0, 0, 0, 1, ?, ?)",
        ((i + 1, f"u{i}", f"m{i}", joined[i], joined[i]) for i in range(members)),
    )
    weight = rng.pareto(1.2, members) + 0.05
    author = rng.choice(members, size=rows, p=weight / weight.sum()) + 1
    when = np.sort(start + rng.uniform(0, DAYS * 86400, rows))
    local_hour = ((when + 8 * 3600) % 86400) / 3600
    keep = (local_hour > 8) | (rng.random(rows) < 0.2)  # fewer messages at night
    when[~keep] += 10 * 3600
    when = np.minimum(when, NOW.timestamp() - 1)
    kind = np.where(rng.random(rows) < 0.6, "message", "reaction")
    target = np.maximum(0, np.arange(rows) - rng.integers(1, 200, rows))
    reply = (kind == "message") & (rng.random(rows) < 0.2)
    topics = rng.integers(0, len(TOPICS), rows)
    has_topic = rng.random(rows) < 0.5
    ts = stamps(when)
    for lo in range(0, rows, 200_000):
        batch = []
        for i in range(lo, min(rows, lo + 200_000)):
            msg = kind[i] == "message"
            data = f'{{"chars": 40, "topics": ["{TOPICS[topics[i]]}"]}}' if msg and has_topic[i] else "{}"
            batch.append(
                (
                    f"s{i}",
                    int(author[i]),
                    kind[i],
                    ts[i],
                    f"s{i}" if msg else f"s{target[i]}",
                    f"s{target[i]}" if reply[i] else None,
                    data,
                )
            )
        con.executemany(
            "INSERT INTO activity_log (platform, source_id, community_id, member_id, kind, occurred_at,"
            " message_id, reply_to, data) VALUES ('bench', ?, 1, ?, ?, ?, ?, ?, ?)",
            batch,
        )
    counts = events(con, rng, members, weight, start)
    con.commit()
    con.close()
    return {"members": members, "log_rows": rows, **counts}


def events(
    con: sqlite3.Connection, rng: np.random.Generator, members: int, weight: np.ndarray, start: float
) -> dict[str, int]:
    """About three events a day (more for big communities), each with answers, check-ins and votes."""
    n = max(30, min(400, members // 250))
    starts = np.sort(start + rng.uniform(7 * 86400, (DAYS + 10) * 86400, n))
    starts = (starts // 3600) * 3600
    p = weight / weight.sum()
    rsvps = attendance = votes = 0
    for e in range(n):
        s, end = starts[e], starts[e] + 5400
        st, en, cr = stamps(np.array([s, end, s - 5 * 86400]))
        con.execute(
            "INSERT INTO events (id, community_id, title, kind, starts_at, ends_at, status, created_at,"
            " updated_at) VALUES (?, 1, ?, ?, ?, ?, 'scheduled', ?, ?)",
            (e + 1, f"event {e}", KINDS[e % 5], st, en, cr, cr),
        )
        con.execute("INSERT INTO event_tags VALUES (?, ?)", (e + 1, TOPICS[e % len(TOPICS)]))
        size = int(min(members * 0.8, rng.integers(10, 60) * max(1, members // 5000)))
        who = np.unique(rng.choice(members, size=size, p=p)) + 1
        at = stamps(s - rng.uniform(3600, 5 * 86400, len(who)))
        con.executemany(
            "INSERT INTO rsvps (event_id, member_id, status, created_at, updated_at) VALUES (?, ?, 'going', ?, ?)",
            ((e + 1, int(m), a, a) for m, a in zip(who, at, strict=True)),
        )
        rsvps += len(who)
        if s >= NOW.timestamp():
            continue
        came = who[rng.random(len(who)) < 0.8]
        con.executemany(
            "INSERT INTO attendance (event_id, member_id, checked_in_at, source) VALUES (?, ?, ?, 'button')",
            ((e + 1, int(m), st) for m in came),
        )
        con.execute(
            "INSERT INTO polls (id, event_id, kind, status, opened_at, closes_at) VALUES (?, ?, 'satisfaction',"
            " 'closed', ?, ?)",
            (e + 1, e + 1, en, en),
        )
        voters = came[rng.random(len(came)) < 0.6]
        con.executemany(
            "INSERT INTO poll_votes (poll_id, member_id, score, voted_at) VALUES (?, ?, ?, ?)",
            ((e + 1, int(m), int(rng.integers(2, 6)), en) for m in voters),
        )
        attendance, votes = attendance + len(came), votes + len(voters)
    return {"events": n, "rsvps": rsvps, "attendance": attendance, "votes": votes}


async def pipeline(path: str, cfg: AnalyticsConfig, peak: Peak) -> None:
    """Read, compute stage by stage, write: one JSON line each."""
    with stage("read", peak):
        inputs, previous = await read_inputs(path, None, cfg, NOW)
    marks = {"t": time.perf_counter()}

    def on_stage(name: str) -> None:
        line = {
            "stage": f"compute.{name}",
            "seconds": round(time.perf_counter() - marks["t"], 2),
            "peak_rss_mib": round(peak.reset() / 2**20),
        }
        print(json.dumps(line), flush=True)
        marks["t"] = time.perf_counter()

    peak.reset()
    results = compute(inputs, cfg, previous, on_stage)
    engine = db.make_engine(path)
    with stage("write", peak, {"recommendations": len(results.recommendations)}):
        async with engine.begin() as conn:
            await conn.run_sync(write_results, inputs.window, cfg, results, NOW, NOW)
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--events", type=int, default=100_000, help="activity-log rows")
    parser.add_argument("--db", default=None, help="reuse or keep the database here")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    peak = Peak()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or str(Path(tmp) / "bench.db")
        if not Path(path).exists():
            with stage("generate", peak):
                counts = generate(path, args.members, args.events, args.seed)
            print(json.dumps({"stage": "data", **counts}), flush=True)
        start = time.perf_counter()
        peak.overall = Peak.now()  # the pipeline's own peak, not the generator's
        asyncio.run(pipeline(path, AnalyticsConfig(executor="inline", seed=args.seed), peak))
        print(
            json.dumps(
                {
                    "stage": "total",
                    "seconds": round(time.perf_counter() - start, 2),
                    "peak_rss_mib": round(peak.overall / 2**20),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
