"""Core benchmarks: ingestion, relay and command latency, each printed next to its baseline.

Usage: python -m bench.core [--only NAME] [--events N] [--batch N] [--repeat N] [--postgres URL]
                           [--reminders N] [--log-rows N] [--samples N]
(--postgres, or GATHERBOT_BENCH_POSTGRES_URL: a server where the bench may create and drop databases)
Prints one JSON object per line: {"bench": ..., "figure": ..., "unit": ..., "baseline": ..., ...}.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, text

from adapters.memory import MemoryAdapter, ScriptedChat
from analytics.topics import extract_topics
from bench import baselines, workload
from bot.app import App
from bot.bootstrap import build_app
from bot.clock import SimulatedClock
from bot.config import Config
from bot.domain.events import DomainEvent
from bot.domain.messages import OutMessage, SentRef
from bot.ports import Capabilities
from bot.runner import CHECKPOINT_EVERY, settle_after_start
from bot.storage.db import checkpoint

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


async def _ingest(app: App, events: list[DomainEvent], batch: int, follow) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """(wall seconds, CPU seconds) of our batches; after each one, follow() runs its baseline batch."""
    wall = cpu = 0.0
    for i in range(0, len(events), batch):
        began, began_cpu = time.perf_counter(), time.process_time()
        await app.ingest_batch(events[i : i + batch])
        wall += time.perf_counter() - began
        cpu += time.process_time() - began_cpu
        await follow()
    return wall, cpu


async def bench_ingest(tmp: Path, n: int, batch: int, postgres: str | None, repeat: int) -> None:
    """Domain events/s through App.ingest_batch vs the same rows by executemany (SQLite) and COPY (PostgreSQL).

    Each batch of ours is followed at once by the same rows through the baseline (bench/baselines.py),
    so both meet the machine in the same state; repeat runs on fresh databases, medians printed with
    the spread of the ratios. cpu_ratio compares our process CPU time with the baseline's wall time
    (the baseline is one thread that never waits), a figure other processes on the machine move less.
    """
    # Once per process, the first Chinese message with a Chinese term in it loads jieba's dictionary
    # (about 0.5 s): a start-up cost, not throughput, so it is paid before the clock starts.
    extract_topics("预热：机器学习")
    sqlite_runs, pg_runs = [], []
    copied = 0  # log rows the baseline wrote in the last run (the same rows as ours)
    for r in range(repeat):
        clock = SimulatedClock(START)
        events = ingest_events(n, clock)
        run = tmp / f"ingest{r}"
        run.mkdir()
        app = await build_app(Config(database_url=str(run / "ours.db")), adapters={}, clock=clock)
        follower = await baselines.SqliteFollower.create(run / "ours.db", run / "raw.db")

        try:
            wall, cpu = await _ingest(app, events, batch, follower.follow_async)
        finally:
            await app.close()
            follower.close()
        copied = follower.rows
        sqlite_runs.append(
            (n / wall, follower.rows / follower.seconds, follower.seconds / wall, follower.seconds / cpu)
        )
        if postgres is not None:
            async with (
                baselines.pg_database(postgres) as ours_url,
                baselines.pg_database(postgres) as copy_url,
            ):
                clock = SimulatedClock(START)
                app = await build_app(Config(database_url=ours_url), adapters={}, clock=clock, migrate=False)
                pg = baselines.PgFollower(ours_url, copy_url)
                await pg.open()
                try:
                    wall, cpu = await _ingest(app, events, batch, pg.follow)
                finally:
                    await app.close()
                    await pg.close()
            pg_runs.append((n / wall, pg.rows / pg.seconds, pg.seconds / wall, pg.seconds / cpu))
    for name, runs, baseline_name, target in (
        ("ingest_sqlite", sqlite_runs, "sqlite3.executemany of the same rows, same schema (rows/s)", 0.5),
        ("ingest_postgres", pg_runs, "COPY of the same rows, same schema (rows/s)", 0.3),
    ):
        if not runs:
            continue
        ratios = sorted(r for _, _, r, _ in runs)
        emit(bench=name, figure=round(statistics.median(f for f, _, _, _ in runs)), unit="events/s",
             baseline=round(statistics.median(b for _, b, _, _ in runs)), baseline_name=baseline_name,
             ratio=round(statistics.median(ratios), 3), ratios=[round(r, 3) for r in ratios],
             cpu_ratio=round(statistics.median(c for _, _, _, c in runs), 3), events=n, batch=batch,
             runs=len(runs), rows=copied, target=target)  # fmt: skip


async def bench_member_cache(tmp: Path, n: int, batch: int, repeat: int) -> None:
    """The SQLite member cache (bot.storage.bulk.MemberCache) against the same path without it.

    Two Apps in this process, each on its own database, take the same events batch by batch,
    alternating which goes first, so both meet the machine in the same state; the other one's cache
    is switched off. The first run of a process is left out of the medians (it warms up caches of
    the code itself, unevenly between the two).
    """
    extract_topics("预热：机器学习")
    runs: list[tuple[float, float]] = []
    for r in range(repeat + 1):
        apps, events = [], []
        for cached in (True, False):
            clock = SimulatedClock(START)
            events.append(ingest_events(n, clock))
            app = await build_app(
                Config(database_url=str(tmp / f"cache{r}-{cached}.db")), adapters={}, clock=clock
            )
            if not cached:
                app.members.usable = False
            apps.append(app)
        wall = [0.0, 0.0]
        try:
            for start in range(0, n, batch):
                for i in (0, 1) if start // batch % 2 == 0 else (1, 0):
                    began = time.perf_counter()
                    await apps[i].ingest_batch(events[i][start : start + batch])
                    wall[i] += time.perf_counter() - began
        finally:
            for app in apps:
                await app.close()
        written = []
        for cached in (True, False):  # both wrote the same (the tests compare the rows themselves)
            with closing(sqlite3.connect(tmp / f"cache{r}-{cached}.db")) as conn:
                written.append(conn.execute("SELECT (SELECT count(*) FROM activity_log), (SELECT count(*)"
                                            " FROM members)").fetchone())  # fmt: skip
        if written[0] != written[1]:
            raise RuntimeError(f"with and without the cache, different rows: {written}")
        if r:
            runs.append((n / wall[0], n / wall[1]))
    ratios = sorted(a / b for a, b in runs)
    emit(bench="ingest_sqlite_member_cache", figure=round(statistics.median(a for a, _ in runs)), unit="events/s",
         baseline=round(statistics.median(b for _, b in runs)), baseline_name="the same path, member cache off",
         ratio=round(statistics.median(ratios), 3), ratios=[round(x, 3) for x in ratios], events=n, batch=batch,
         runs=len(runs), rows=written[0][0], members=written[0][1])  # fmt: skip


@dataclass
class CountingAdapter(MemoryAdapter):
    """Keeps only the idempotency keys it was given (so the bench measures the core, not a transcript)."""

    keys: list[str] = field(default_factory=list)

    async def send(self, message: OutMessage, *, idempotency_key: str) -> SentRef:
        self.send_calls += 1
        self.keys.append(idempotency_key)
        return SentRef(str(self.send_calls))


async def build_reminder_world(
    url: str, platform: str, communities: int, members: int, events: int
) -> tuple[Config, list[tuple[int, int]]]:
    """Communities whose members can all be messaged privately, each going to every event of theirs.

    Rows go in with executemany (this is set-up, not what is measured). Returns the config and the
    (community, event) ids to plan.
    """
    from bot.storage.db import make_engine, upgrade_async
    from bot.storage.models import Community, Event, Member, Rsvp

    await upgrade_async(url)
    engine = make_engine(url)
    plan: list[tuple[int, int]] = []
    async with engine.begin() as conn:
        for c in range(communities):
            community = {"platform": platform, "chat_id": f"group-{c}", "title": f"Group {c}",
                         "timezone": "Asia/Shanghai", "locale": "en", "keep_text": False, "settings": {},
                         "created_at": START}  # fmt: skip
            cid = (
                await conn.execute(Community.__table__.insert().returning(Community.id), community)
            ).scalar_one()
            await conn.execute(
                Member.__table__.insert(),
                [{"community_id": cid, "user_id": f"u{c}-{m}", "display_name": f"m{m}", "role": "member",
                  "analytics_opt_out": False, "reminders_opt_out": False, "can_dm": True, "is_member": True,
                  "created_at": START} for m in range(members)],
            )  # fmt: skip
            member_ids = list(await conn.scalars(select(Member.id).where(Member.community_id == cid)))
            for e in range(events):
                starts = START + timedelta(days=2, minutes=5 * e)
                event = {"community_id": cid, "title": f"Talk {c}.{e}", "kind": "talk", "starts_at": starts,
                         "ends_at": starts + timedelta(hours=1), "status": "scheduled", "created_at": START,
                         "updated_at": START}  # fmt: skip
                eid = (await conn.execute(Event.__table__.insert().returning(Event.id), event)).scalar_one()
                await conn.execute(
                    Rsvp.__table__.insert(),
                    [{"event_id": eid, "member_id": m, "status": "going", "created_at": START, "updated_at": START}
                     for m in member_ids],
                )  # fmt: skip
                plan.append((cid, eid))
    await engine.dispose()
    return Config(database_url=url), plan


async def plan_reminders(app, plan: list[tuple[int, int]]) -> int:  # type: ignore[no-untyped-def]
    """Plan every event through the planner (what /newevent and RSVPs call); return rows planned."""
    from bot.features.planner import replan_event
    from bot.storage.models import Community, Event

    async with app.sessions() as s:
        for cid, eid in plan:
            community, event = await s.get(Community, cid), await s.get(Event, eid)
            await replan_event(s, event, community, app.config, app.clock.now())
            await s.commit()
        return int(await s.scalar(text("SELECT COUNT(*) FROM deliveries WHERE kind = 'reminder'")) or 0)


async def relay_reminders(url: str, adapter: CountingAdapter, config: Config) -> dict[str, object]:
    """Relay every due reminder of a planned world; time it and count what reached the adapter."""
    clock = SimulatedClock(START + timedelta(days=2) - timedelta(minutes=1))  # all due, none started
    app = await build_app(
        replace(config, database_url=url), adapters={adapter.platform: adapter}, clock=clock
    )
    async with app.sessions() as s:
        due = int(await s.scalar(text("SELECT COUNT(*) FROM deliveries WHERE kind = 'reminder'")) or 0)
    settle_after_start()  # as `gatherbot run` does once its adapters are up
    began, cpu = time.perf_counter(), time.process_time()
    while adapter.send_calls < due:
        if not await app.relay.tick():
            break
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    async with app.sessions() as s:
        sent = int(await s.scalar(text("SELECT COUNT(*) FROM deliveries WHERE status = 'sent'")) or 0)
    await app.close()
    gc.unfreeze()
    return {"rate": due / elapsed, "cpu_rate": due / cpu, "due": due, "sent": sent, "sends": adapter.send_calls,
            "duplicates": adapter.send_calls - len(set(adapter.keys))}  # fmt: skip


def raw_relay_floor(url: str, n: int, batch: int) -> float:
    """The storage floor in the same run: sqlite3 claiming batches and marking each row sent in its own
    commit, with nothing rendered or sent (the window-of-one design without Python layers on top)."""
    conn = sqlite3.connect(url, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("UPDATE deliveries SET status = 'pending', attempts = 0 WHERE kind = 'reminder'")
    began, done = time.perf_counter(), 0
    while done < n:
        conn.execute("BEGIN IMMEDIATE")
        ids = [r[0] for r in conn.execute(
            "SELECT id FROM deliveries WHERE status = 'pending' AND kind = 'reminder'"
            " ORDER BY due_at, id LIMIT ?", (batch,))]  # fmt: skip
        conn.executemany("UPDATE deliveries SET status = 'sending', attempts = attempts + 1 WHERE id = ?",
                         [(i,) for i in ids])  # fmt: skip
        conn.execute("COMMIT")
        for i in ids:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE deliveries SET status = 'sent' WHERE id = ? AND status = 'sending'", (i,))
            conn.execute("COMMIT")
        done += len(ids)
    rate = n / (time.perf_counter() - began)
    conn.close()
    return rate


class RealTimeFrom:
    """Wall-clock time that starts at a given moment (so the benchmark's planned rows are due)."""

    def __init__(self, start: datetime) -> None:
        self._start, self._began = start, time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._began)


@dataclass
class SlowAdapter(CountingAdapter):
    """A platform round trip of `rtt` seconds per send."""

    rtt: float = 0.05

    async def send(self, message: OutMessage, *, idempotency_key: str) -> SentRef:
        await asyncio.sleep(self.rtt)
        return await super().send(message, idempotency_key=idempotency_key)


async def telegram_real_time(tmp: Path, max_in_flight: int, rtt: float, seconds: float) -> dict[str, float]:
    """Telegram's limits in real time with a platform round trip, driven like `gatherbot run` drives
    the relay (a pass every tick_seconds, draining up to 5 rounds)."""
    url = str(tmp / f"tg-rt-{max_in_flight}.db")
    config, plan = await build_reminder_world(url, "telegram", 1, 1500, 2)
    adapter = SlowAdapter(platform="telegram", capabilities=Capabilities(), rtt=rtt)
    clock = SimulatedClock(START)
    app = await build_app(
        replace(config, max_in_flight=max_in_flight), adapters={"telegram": adapter}, clock=clock
    )
    await plan_reminders(app, plan)
    await app.close()
    live = RealTimeFrom(START + timedelta(days=2) - timedelta(minutes=1))
    app = await build_app(
        replace(config, max_in_flight=max_in_flight), adapters={"telegram": adapter}, clock=live
    )
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        tick = time.monotonic()
        await app.relay.drain(max_rounds=5)
        await asyncio.sleep(max(0.0, config.tick_seconds - (time.monotonic() - tick)))
    rate = adapter.send_calls / (time.monotonic() - began)
    await app.close()
    return {"rate": rate, "duplicates": adapter.send_calls - len(set(adapter.keys))}


async def bench_relay(tmp: Path, n: int) -> None:
    """Plan n reminders and relay them through a fake adapter: no rate limit, then Telegram's limits."""
    members, events = 1000, 5
    communities = max(1, n // (members * events * 2))  # two reminders each (24 h and 1 h before)
    world = str(tmp / "world.db")
    config, plan = await build_reminder_world(world, "bench", communities, members, events)
    app = await build_app(
        config, adapters={"bench": CountingAdapter(platform="bench")}, clock=SimulatedClock(START)
    )
    began = time.perf_counter()
    planned = await plan_reminders(app, plan)
    planning = planned / (time.perf_counter() - began)
    await app.close()
    emit(bench="plan_reminders", figure=round(planning), unit="reminders planned/s", reminders=planned,
         events=len(plan), going_per_event=members)  # fmt: skip
    variants = (
        ("window 1 (default)", Capabilities(), {}),
        ("idempotent adapter", Capabilities(idempotent_send=True), {}),
        ("max_in_flight=32", Capabilities(), {"max_in_flight": 32}),
    )
    for name, caps, extra in variants:
        url = str(tmp / "relay.db")
        shutil.copy(world, url)
        result = await relay_reminders(
            url, CountingAdapter(platform="bench", capabilities=caps), replace(config, **extra)
        )
        emit(bench="relay_no_limit", variant=name, figure=round(result["rate"]), unit="deliveries/s",  # type: ignore[arg-type]
             per_cpu_second=round(result["cpu_rate"]), reminders=result["due"], sent_rows=result["sent"], sends=result["sends"],
             duplicates=result["duplicates"], target=10_000)  # fmt: skip
    shutil.copy(world, str(tmp / "raw.db"))
    floor = raw_relay_floor(str(tmp / "raw.db"), planned, config.batch_size)
    emit(bench="relay_storage_floor", figure=round(floor), unit="rows/s",
         baseline_name="sqlite3: batch claim + one commit per mark, nothing rendered or sent")  # fmt: skip

    # Telegram's limits: 60 s of simulated time, one relay pass a second.
    url = str(tmp / "tg.db")
    config, plan = await build_reminder_world(url, "telegram", 1, 1500, 2)  # 6,000 reminders to 1,500 chats
    tg = CountingAdapter(platform="telegram", capabilities=Capabilities())
    clock = SimulatedClock(START)
    app = await build_app(config, adapters={"telegram": tg}, clock=clock)
    await plan_reminders(app, plan)
    clock.set(START + timedelta(days=2) - timedelta(minutes=1))
    for _ in range(60):
        await app.relay.drain()
        clock.advance(timedelta(seconds=1))
    limit = app.config.rate_limit("telegram")
    assert limit is not None
    await app.close()
    rate = tg.send_calls / 60
    emit(bench="relay_telegram_limits", figure=round(rate, 2), unit="msgs/s over 60 s simulated",
         baseline=limit.global_per_second, baseline_name="configured global limit",
         ratio=round(rate / limit.global_per_second, 3), duplicates=tg.send_calls - len(set(tg.keys)))  # fmt: skip

    # The same limits in real time, with a 50 ms platform round trip per send.
    for max_in_flight in (1, 4):
        result = await telegram_real_time(tmp, max_in_flight, rtt=0.05, seconds=20)
        emit(bench="relay_telegram_real_time", variant=f"max_in_flight={max_in_flight}",
             figure=round(result["rate"], 2), unit="msgs/s over 20 s real time, 50 ms round trip",
             baseline=limit.global_per_second, baseline_name="configured global limit",
             ratio=round(result["rate"] / limit.global_per_second, 3), duplicates=result["duplicates"])  # fmt: skip


def seed_log(path: str, community_id: int, members: int, rows: int) -> None:
    """Members and log rows written straight into the SQLite file with executemany (set-up only):
    messages, reactions and commands from `members` people over the 90 days before START."""
    conn = sqlite3.connect(path)
    created = (START - timedelta(days=400)).strftime("%Y-%m-%d %H:%M:%S.%f")
    conn.executemany(
        "INSERT OR IGNORE INTO members (community_id, user_id, display_name, role, analytics_opt_out,"
        " reminders_opt_out, can_dm, is_member, created_at) VALUES (?, ?, ?, 'member', 0, 0, 0, 1, ?)",
        [(community_id, f"u-m{m}", f"m{m}", created) for m in range(members)],
    )
    ids = [r[0] for r in conn.execute("SELECT id FROM members WHERE community_id = ?", (community_id,))]
    kinds = ("message", "message", "message", "reaction", "command")
    span = 90 * 24 * 3600
    for start in range(0, rows, 50_000):
        batch = []
        for n in range(start, min(rows, start + 50_000)):
            when = START - timedelta(seconds=span * (rows - n) / rows)
            batch.append(("memory", f"seed:{n}", community_id, ids[n % len(ids)], kinds[n % 5],
                          when.strftime("%Y-%m-%d %H:%M:%S.%f"), f"m{n}", '{"chars": 12}'))  # fmt: skip
        conn.executemany(
            "INSERT INTO activity_log (platform, source_id, community_id, member_id, kind, occurred_at,"
            " message_id, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            batch,
        )
        conn.commit()
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def bench_commands(tmp: Path, log_rows: int, samples: int) -> None:
    """p50/p99 handling time of /newevent, an RSVP press and /events on a database with many log rows.

    Handling time is App.handle: context, the log row, the handler, the commit (the reply waits in
    the outbox). The relay runs between samples, outside the timings.
    """
    adapter = MemoryAdapter()
    clock = SimulatedClock(START)
    path = str(tmp / "cmd.db")
    app = await build_app(Config(database_url=path), adapters={"memory": adapter}, clock=clock)
    chat = ScriptedChat(adapter, clock)
    await app.handle(chat.say("m0", "hello"))  # the community, and m0 as its admin
    await app.close()
    seed_log(path, 1, 2000, log_rows)
    app = await build_app(Config(database_url=path), adapters={"memory": adapter}, clock=clock)
    settle_after_start()  # as `gatherbot run` does once its adapters are up

    async def checkpoints() -> None:  # as `gatherbot run` does in the background
        while True:
            await asyncio.sleep(CHECKPOINT_EVERY.total_seconds())
            await checkpoint(app.engine)

    background = asyncio.create_task(checkpoints())
    wall: dict[str, list[float]] = {"newevent": [], "rsvp": [], "events": []}
    cpu: dict[str, list[float]] = {"newevent": [], "rsvp": [], "events": []}

    async def timed(name: str, event: DomainEvent) -> None:
        began, used = time.perf_counter(), time.process_time()
        await app.handle(event)
        wall[name].append((time.perf_counter() - began) * 1000)
        cpu[name].append((time.process_time() - used) * 1000)

    def busy(ms: float) -> None:  # a fixed amount of pure-Python work, no I/O
        end = time.process_time() + ms / 1000
        while time.process_time() < end:
            pass

    noise: list[float] = []
    warmup = 10  # the first commands after start compile SQLAlchemy's statement caches: reported apart
    for i in range(-warmup, samples):
        if i == 0:
            cold = {name: values[0] for name, values in wall.items()}
            for values in (*wall.values(), *cpu.values(), noise):
                values.clear()
        began = time.perf_counter()
        busy(5.0)
        noise.append((time.perf_counter() - began) * 1000)
        clock.advance(timedelta(seconds=7))
        await timed("newevent", chat.say("m0", f"/newevent Talk {i} 2026-12-20 19:00 capacity=50"))
        await timed("events", chat.say(f"m{i % 50 + 1}", "/events"))
        await app.relay.drain()
        await timed("rsvp", chat.press(f"m{i % 50 + 1}", "Going"))
        await app.relay.drain()
    background.cancel()
    async with app.sessions() as s:
        logged = int(await s.scalar(text("SELECT COUNT(*) FROM activity_log")) or 0)
    await app.close()
    gc.unfreeze()
    for name, values in wall.items():
        emit(bench=f"command_{name}", p50_ms=round(statistics.median(values), 2),
             p99_ms=round(percentile(values, 0.99), 2), max_ms=round(max(values), 2),
             cpu_p50_ms=round(statistics.median(cpu[name]), 2), cpu_p99_ms=round(percentile(cpu[name], 0.99), 2),
             first_after_start_ms=round(cold[name], 2), log_rows=logged, samples=samples,
             warmup=warmup, load_avg=os.getloadavg()[0], baseline=20,
             baseline_name="target p99 (ms)")  # fmt: skip
    emit(bench="machine_noise", p50_ms=round(statistics.median(noise), 2), p99_ms=round(percentile(noise, 0.99), 2),
         max_ms=round(max(noise), 2), samples=samples, load_avg=os.getloadavg()[0],
         baseline_name="5 ms of CPU work timed between the commands: what the machine adds to any latency")  # fmt: skip


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
    parser.add_argument(
        "--only", choices=("ingest", "member_cache", "relay", "commands", "idle"), action="append"
    )
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000, help="events per ingest_batch call")
    parser.add_argument("--postgres", default=os.environ.get("GATHERBOT_BENCH_POSTGRES_URL"))
    parser.add_argument("--repeat", type=int, default=3, help="ingest measurements (each with its baseline)")
    parser.add_argument("--reminders", type=int, default=100_000)
    parser.add_argument("--log-rows", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    only = set(args.only or ("ingest", "relay", "commands", "idle"))
    with tempfile.TemporaryDirectory() as tmp:
        if "ingest" in only:
            await bench_ingest(Path(tmp), args.events, args.batch, args.postgres, args.repeat)
        if "member_cache" in only:
            await bench_member_cache(Path(tmp), args.events, args.batch, args.repeat)
        if "relay" in only:
            await bench_relay(Path(tmp), args.reminders)
        if "commands" in only:
            await bench_commands(Path(tmp), args.log_rows, args.samples)
    if "idle" in only:
        bench_idle()


if __name__ == "__main__":
    asyncio.run(main())
