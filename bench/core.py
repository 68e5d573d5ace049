"""Core benchmarks: ingestion, relay and command latency, each printed next to its baseline.

Usage: python -m bench.core [--events N] [--batch N] [--postgres URL] [--deliveries N] [--log-rows N]
(--postgres, or GATHERBOT_BENCH_POSTGRES_URL: a server where the bench may create and drop databases)
Prints one JSON object per line: {"bench": ..., "figure": ..., "unit": ..., "baseline": ..., ...}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from adapters.memory import MemoryAdapter, ScriptedChat
from bench import baselines, workload
from bot.app import App
from bot.bootstrap import build_app
from bot.clock import SimulatedClock
from bot.config import Config
from bot.delivery import outbox
from bot.domain.events import DomainEvent
from bot.domain.messages import OutMessage, SentRef, Target
from bot.ports import Capabilities

START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def emit(**fields: object) -> None:
    print(json.dumps(fields, ensure_ascii=False), flush=True)


def ingest_events(n: int, clock: SimulatedClock) -> list[DomainEvent]:
    """n group events as a busy group sends them: messages (the workload's text mix) and 10% reactions."""
    rng = random.Random(11)
    adapter = MemoryAdapter()
    chat = ScriptedChat(adapter, clock)
    events: list[DomainEvent] = []
    for i in range(n):
        name = f"m{rng.randrange(500)}"
        if i > 10 and rng.random() < 0.1:
            events.append(chat.react(name, events[rng.randrange(i - 10, i)].source_id, "👍"))
        else:
            events.append(chat.say(name, workload.chat_text(rng)))
        if i % 100 == 0:
            clock.advance(timedelta(seconds=30))
    return events


async def _ingest(app: App, events: list[DomainEvent], batch: int) -> float:
    began = time.perf_counter()
    for i in range(0, len(events), batch):
        await app.ingest_batch(events[i : i + batch])
    return time.perf_counter() - began


async def bench_ingest(tmp: Path, n: int, batch: int, postgres: str | None, repeat: int) -> None:
    """Domain events/s through App.ingest_batch vs the same rows by executemany (SQLite) and COPY (PostgreSQL).

    Each measurement of ours is followed by its baseline, repeat times, on fresh databases; the
    medians are printed, and the spread of the ratios (the machine is shared, so single runs vary).
    """
    sqlite_runs, pg_runs = [], []
    copied = 0
    for r in range(repeat):
        clock = SimulatedClock(START)
        events = ingest_events(n, clock)
        run = tmp / f"ingest{r}"
        run.mkdir()
        app = await build_app(Config(database_url=str(run / "ours.db")), adapters={}, clock=clock)
        ours = await _ingest(app, events, batch)
        await app.close()
        rows, raw = await asyncio.to_thread(
            baselines.sqlite_executemany, run / "ours.db", run / "raw.db", batch
        )
        sqlite_runs.append((n / ours, rows / raw, raw / ours))
        copied = rows
        if postgres is not None:
            async with (
                baselines.pg_database(postgres) as ours_url,
                baselines.pg_database(postgres) as copy_url,
            ):
                app = await build_app(Config(database_url=ours_url), adapters={}, clock=clock, migrate=False)
                elapsed = await _ingest(app, events, batch)
                await app.close()
                rows, copy = await baselines.pg_copy(ours_url, copy_url, batch)
            pg_runs.append((n / elapsed, rows / copy, copy / elapsed))
    for name, runs, baseline_name, target in (
        ("ingest_sqlite", sqlite_runs, "sqlite3.executemany of the same rows, same schema (rows/s)", 0.5),
        ("ingest_postgres", pg_runs, "COPY of the same rows, same schema (rows/s)", 0.3),
    ):
        if not runs:
            continue
        ratios = sorted(r for _, _, r in runs)
        emit(bench=name, figure=round(statistics.median(f for f, _, _ in runs)), unit="events/s",
             baseline=round(statistics.median(b for _, b, _ in runs)), baseline_name=baseline_name,
             ratio=round(statistics.median(ratios), 3), ratios=[round(r, 3) for r in ratios], events=n,
             batch=batch, runs=len(runs), rows=copied, target=target)  # fmt: skip


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
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000, help="events per ingest_batch call")
    parser.add_argument("--postgres", default=os.environ.get("GATHERBOT_BENCH_POSTGRES_URL"))
    parser.add_argument("--repeat", type=int, default=3, help="ingest measurements (each with its baseline)")
    parser.add_argument("--only", choices=["ingest", "relay", "commands", "idle"], default=None)
    parser.add_argument("--deliveries", type=int, default=5_000)
    parser.add_argument("--log-rows", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=100)
    args = parser.parse_args()
    wanted = {args.only} if args.only else {"ingest", "relay", "commands", "idle"}
    with tempfile.TemporaryDirectory() as tmp:
        if "ingest" in wanted:
            await bench_ingest(Path(tmp), args.events, args.batch, args.postgres, args.repeat)
        if "relay" in wanted:
            await bench_relay(Path(tmp), args.deliveries)
        if "commands" in wanted:
            await bench_commands(Path(tmp), args.log_rows, args.samples)
    if "idle" in wanted:
        bench_idle()


if __name__ == "__main__":
    asyncio.run(main())
