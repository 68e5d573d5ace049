"""Core benchmarks: ingestion, relay and command latency, each printed next to its baseline.

Usage: python -m bench.core [--events N] [--deliveries N] [--log-rows N]
Prints one JSON object per line: {"bench": ..., "figure": ..., "unit": ..., "baseline": ..., ...}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from adapters.memory import MemoryAdapter, ScriptedChat
from bot.bootstrap import build_app
from bot.clock import SimulatedClock
from bot.config import Config
from bot.delivery import outbox
from bot.domain.messages import OutMessage, SentRef, Target
from bot.ingest import log_values
from bot.ports import Capabilities

START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def emit(**fields: object) -> None:
    print(json.dumps(fields, ensure_ascii=False), flush=True)


async def bench_ingest(tmp: Path, n: int) -> None:
    """Domain events/s through App.ingest_batch vs sqlite3.executemany of the same rows."""
    adapter = MemoryAdapter()
    app = await build_app(
        Config(database_url=str(tmp / "ingest.db")), adapters={"memory": adapter}, clock=SimulatedClock(START)
    )
    chat = ScriptedChat(adapter, app.clock)
    events = [chat.say(f"m{i % 500}", f"message {i}") for i in range(n)]
    began = time.perf_counter()
    for i in range(0, n, 1000):
        await app.ingest_batch(events[i : i + 1000])
    ours = n / (time.perf_counter() - began)
    rows = [log_values(e, None, None) for e in events]
    await app.close()
    conn = sqlite3.connect(tmp / "raw.db")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(
        "CREATE TABLE log (id INTEGER PRIMARY KEY, platform TEXT, source_id TEXT, kind TEXT, occurred_at TEXT,"
        " message_id TEXT, data TEXT, UNIQUE(platform, source_id))"
    )
    values = [
        (
            r["platform"],
            r["source_id"],
            r["kind"],
            r["occurred_at"].isoformat(),
            r.get("message_id"),
            json.dumps(r["data"]),
        )
        for r in rows
    ]
    began = time.perf_counter()
    for i in range(0, n, 1000):
        conn.executemany(
            "INSERT OR IGNORE INTO log (platform, source_id, kind, occurred_at, message_id, data) VALUES (?,?,?,?,?,?)",
            values[i : i + 1000],
        )
        conn.commit()
    raw = n / (time.perf_counter() - began)
    conn.close()
    emit(bench="ingest_sqlite", figure=round(ours), unit="events/s", baseline=round(raw),
         baseline_name="sqlite3.executemany", ratio=round(ours / raw, 3), events=n)  # fmt: skip


class CountingAdapter(MemoryAdapter):
    """Records nothing but a count (so the bench measures the core, not the transcript)."""

    async def send(self, message: OutMessage, *, idempotency_key: str) -> SentRef:
        self.send_calls += 1
        return SentRef(str(self.send_calls))


async def seed_outbox(app, n: int, platform: str, chats: int) -> None:  # type: ignore[no-untyped-def]
    now = app.clock.now()
    async with app.sessions() as s:
        for i in range(n):
            message = OutMessage(Target(platform, f"user-{i % chats}", True, "x"), f"reminder {i}")
            await outbox.enqueue(
                s, key=f"b:{i}", platform=platform, kind="message", due_at=now, now=now,
                payload={"message": message.to_json()},
            )  # fmt: skip
        await s.commit()


async def bench_relay(tmp: Path, n: int) -> None:
    """Deliveries/s of core overhead with no rate limit, and the sustained rate under Telegram's limits."""
    adapter = CountingAdapter(platform="bench", capabilities=Capabilities())
    app = await build_app(
        Config(database_url=str(tmp / "relay.db")), adapters={"bench": adapter}, clock=SimulatedClock(START)
    )
    await seed_outbox(app, n, "bench", n)
    began = time.perf_counter()
    while adapter.send_calls < n:
        await app.relay.tick()
    elapsed = time.perf_counter() - began
    await app.close()
    emit(bench="relay_no_limit", figure=round(n / elapsed), unit="deliveries/s", deliveries=n,
         baseline=30, baseline_name="Telegram's global limit (msgs/s)")  # fmt: skip

    tg = CountingAdapter(platform="telegram", capabilities=Capabilities())
    clock = SimulatedClock(START)
    app = await build_app(Config(database_url=str(tmp / "tg.db")), adapters={"telegram": tg}, clock=clock)
    await seed_outbox(app, 3000, "telegram", 3000)
    for _ in range(60):  # 60 s of simulated time, one tick a second
        await app.relay.drain()
        clock.advance(timedelta(seconds=1))
    limit = app.config.rate_limit("telegram")
    assert limit is not None
    async with app.sessions() as s:
        dupes = await s.scalar(text("SELECT COUNT(*) - COUNT(DISTINCT dedupe_key) FROM deliveries"))
    await app.close()
    rate = tg.send_calls / 60
    emit(bench="relay_telegram_limits", figure=round(rate, 2), unit="msgs/s over 60 s simulated",
         baseline=limit.global_per_second, baseline_name="configured global limit",
         ratio=round(rate / limit.global_per_second, 3), duplicates=dupes)  # fmt: skip


async def bench_commands(tmp: Path, log_rows: int, samples: int) -> None:
    """p50/p99 handling time of /newevent, an RSVP press and /events on a database with many log rows."""
    adapter = MemoryAdapter()
    clock = SimulatedClock(START)
    app = await build_app(Config(database_url=str(tmp / "cmd.db")), adapters={"memory": adapter}, clock=clock)
    chat = ScriptedChat(adapter, clock)
    for i in range(0, log_rows, 5000):
        await app.ingest_batch([chat.say(f"m{j % 2000}", "x") for j in range(i, min(log_rows, i + 5000))])
    timings: dict[str, list[float]] = {"newevent": [], "rsvp": [], "events": []}
    for i in range(samples):
        for name, event in (
            ("newevent", chat.say("m0", f"/newevent Talk {i} 2026-12-20 19:00 capacity=50")),
            ("events", chat.say(f"m{i % 50 + 1}", "/events")),
        ):
            began = time.perf_counter()
            await app.handle(event)
            timings[name].append((time.perf_counter() - began) * 1000)
        await app.relay.drain()
        began = time.perf_counter()
        await app.handle(chat.press(f"m{i % 50 + 1}", "Going"))
        timings["rsvp"].append((time.perf_counter() - began) * 1000)
        await app.relay.drain()
    await app.close()
    for name, values in timings.items():
        values.sort()
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        emit(bench=f"command_{name}", p50_ms=round(statistics.median(values), 2), p99_ms=round(p99, 2),
             log_rows=log_rows, samples=samples, baseline=20, baseline_name="target p99 (ms)")  # fmt: skip


IDLE_SCRIPT = """
import asyncio, os, sys, tempfile
from adapters.memory import MemoryAdapter
from bot.bootstrap import build_app
from bot.config import Config
from bot.runner import Service

async def main():
    app = await build_app(Config(database_url=os.path.join(tempfile.mkdtemp(), "idle.db")),
                          adapters={"memory": MemoryAdapter(), "memory2": MemoryAdapter(platform="memory2")})
    service = Service(app)
    await service.start()
    print("ready", flush=True)
    await asyncio.sleep(float(sys.argv[1]))
    await service.stop()

asyncio.run(main())
"""


def bench_idle(seconds: float = 3.0) -> None:
    """Resident memory of a started service (scheduler, relay, two fake adapters) after it settles."""
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-c", IDLE_SCRIPT, str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    proc.stdout.readline()  # "ready"
    time.sleep(seconds / 2)
    with open(f"/proc/{proc.pid}/status", encoding="utf-8") as fh:
        rss_kb = next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
    proc.wait(timeout=60)
    emit(
        bench="idle_rss",
        figure=round(rss_kb / 1024, 1),
        unit="MiB",
        baseline=150,
        baseline_name="target (MiB)",
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--deliveries", type=int, default=5_000)
    parser.add_argument("--log-rows", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        await bench_ingest(Path(tmp), args.events)
        await bench_relay(Path(tmp), args.deliveries)
        await bench_commands(Path(tmp), args.log_rows, args.samples)
    bench_idle()


if __name__ == "__main__":
    asyncio.run(main())
