"""The service loop: adapters feed events in, the relay (kicked, and on APScheduler ticks) sends answers out."""

from __future__ import annotations

import asyncio
import gc
from datetime import UTC, datetime

from sqlalchemy import select

from adapters.memory import MemoryAdapter, ScriptedChat
from bot.bootstrap import StartupError, build_app, load_adapter
from bot.clock import SystemClock
from bot.config import Config
from bot.runner import Service


async def wait_for(predicate, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


async def test_service_answers_and_ticks(tmp_path) -> None:  # type: ignore[no-untyped-def]
    adapter = MemoryAdapter()
    config = Config(database_url=str(tmp_path / "run.db"), tick_seconds=0.05)
    app = await build_app(config, adapters={"memory": adapter}, clock=SystemClock())
    service = Service(app)
    await service.start()
    try:
        assert adapter.sink is not None
        assert [c.name for c in adapter.commands][:3] == ["help", "start", "events"]
        chat = ScriptedChat(adapter, SystemClock())
        await adapter.sink(chat.say("alice", "/events"))
        await wait_for(lambda: len(adapter.records) == 1)
        assert adapter.records[0].message.text.startswith("No upcoming events")
        ticks = service.ticks
        await wait_for(lambda: service.ticks >= ticks + 2)  # the periodic tick keeps running
        job = service.scheduler.get_job("relay")
        assert job.misfire_grace_time is None and job.coalesce is True and job.max_instances == 1
        checkpoint = service.scheduler.get_job(
            "wal_checkpoint"
        )  # SQLite: the WAL is copied off the update path
        assert checkpoint is not None and checkpoint.coalesce is True and checkpoint.max_instances == 1
        assert gc.get_freeze_count() > 0  # start-up's objects are out of the collector's way
        nightly = service.scheduler.get_job("analytics-nightly")
        assert nightly is not None and nightly.coalesce is True and nightly.max_instances == 1
        assert str(nightly.trigger).startswith("cron[") and "hour='3'" in str(nightly.trigger)
    finally:
        await service.stop()
    assert adapter.sink is None
    assert gc.get_freeze_count() == 0


async def test_a_failing_tick_does_not_stop_the_service(tmp_path) -> None:  # type: ignore[no-untyped-def]
    adapter = MemoryAdapter()
    app = await build_app(Config(database_url=str(tmp_path / "r.db")), adapters={"memory": adapter})
    service = Service(app)
    calls = 0

    async def broken(max_rounds: int = 1000) -> int:
        nonlocal calls
        calls += 1
        raise ConnectionError("database went away")

    app.relay.drain = broken  # type: ignore[method-assign]
    await service.tick()
    await service.tick()
    assert calls == 2 and service.ticks == 2
    await app.close()


async def test_a_broken_event_is_logged_not_raised(tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    adapter = MemoryAdapter()
    app = await build_app(Config(database_url=str(tmp_path / "r.db")), adapters={"memory": adapter})
    service = Service(app)
    chat = ScriptedChat(adapter, SystemClock())
    event = chat.say("alice", "hello")
    object.__setattr__(event, "occurred_at", datetime(2026, 1, 1))  # naive: the store refuses it
    await service.on_event(event)
    assert "could not handle MessageReceived" in caplog.text
    await service.on_event(chat.say("alice", "/events"))  # the next one still works
    assert (await app.relay.drain()) == 1
    await app.close()


def test_unknown_adapter_is_a_clear_startup_error() -> None:
    try:
        load_adapter("nonexistent", Config())
    except StartupError as exc:
        assert "nonexistent" in str(exc)
    else:
        raise AssertionError("expected StartupError")


async def test_nightly_analytics_runs_in_a_child_process(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = await build_app(Config(database_url=str(tmp_path / "n.db")), adapters={"memory": MemoryAdapter()})
    service = Service(app)
    assert await service.nightly_analytics() == 0  # no community yet: nothing to do, but it ran
    await app.close()


def test_the_running_bot_does_not_load_pandas() -> None:
    import subprocess
    import sys

    code = (
        "import asyncio, sys, tempfile, os\n"
        "from adapters.memory import MemoryAdapter\n"
        "from bot.bootstrap import build_app\n"
        "from bot.config import Config\n"
        "from bot.runner import Service\n"
        "async def main():\n"
        "    d = tempfile.mkdtemp()\n"
        "    app = await build_app(Config(database_url=os.path.join(d, 'x.db')), adapters={'memory': MemoryAdapter()})\n"
        "    s = Service(app)\n"
        "    await s.start()\n"
        "    await s.stop()\n"
        "asyncio.run(main())\n"
        "print('pandas' in sys.modules, 'sklearn' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "False False"


async def test_a_database_hiccup_during_a_tick_loses_nothing(tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    """The connection drops in the middle of a tick: the tick is logged, the next one delivers."""
    from sqlalchemy.exc import OperationalError

    adapter = MemoryAdapter()
    app = await build_app(Config(database_url=str(tmp_path / "h.db")), adapters={"memory": adapter})
    chat = ScriptedChat(adapter, SystemClock())
    await app.handle(chat.say("alice", "/events"))  # one reply waiting in the outbox
    service = Service(app)
    real = app.relay._sessions
    calls = 0

    def flaky():  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OperationalError("SELECT 1", {}, ConnectionResetError("server closed the connection"))
        return real()

    app.relay._sessions = flaky  # type: ignore[assignment]
    await service.tick()
    assert adapter.records == [] and "relay tick failed" in caplog.text and service.ticks == 1
    await service.tick()  # the heartbeat goes on, and nothing was lost
    assert service.ticks == 2 and len(adapter.records) == 1
    await app.close()


async def test_the_scheduler_keeps_ticking_through_database_errors_and_then_delivers(
    tmp_path, caplog
) -> None:  # type: ignore[no-untyped-def]
    """The real APScheduler job: the first passes hit a dropped connection, the heartbeat goes on,
    and the waiting reply goes out once the database is back."""
    from sqlalchemy.exc import OperationalError

    adapter = MemoryAdapter()
    config = Config(database_url=str(tmp_path / "beat.db"), tick_seconds=0.05)
    app = await build_app(config, adapters={"memory": adapter}, clock=SystemClock())
    await app.handle(ScriptedChat(adapter, SystemClock()).say("alice", "/events"))  # a reply waits
    real, failures = app.relay._sessions, 0

    def flaky():  # type: ignore[no-untyped-def]
        nonlocal failures
        if failures < 3:
            failures += 1
            raise OperationalError("BEGIN", {}, ConnectionResetError("server closed the connection"))
        return real()

    app.relay._sessions = flaky  # type: ignore[assignment]
    service = Service(app)
    await service.start()
    try:
        await wait_for(lambda: len(adapter.records) == 1)
        assert failures == 3 and service.ticks >= 4  # three failed passes, then the one that delivered
        assert caplog.text.count("relay tick failed") == 3
        ticks = service.ticks
        await wait_for(lambda: service.ticks >= ticks + 2)  # and it keeps beating
    finally:
        await service.stop()


async def test_a_database_error_after_the_send_repeats_it_at_most_once_and_loses_nothing(
    tmp_path, caplog
) -> None:  # type: ignore[no-untyped-def]
    """The send went out but recording it failed: the row is still ours ('sending'); after its lease
    it goes again with the same idempotency key, which an idempotent platform drops."""
    from datetime import timedelta

    from sqlalchemy.exc import OperationalError

    from bot.clock import SimulatedClock
    from bot.storage.models import Delivery

    adapter = MemoryAdapter()  # idempotent, like the console
    clock = SimulatedClock(datetime(2026, 12, 1, 1, 0, tzinfo=UTC))
    app = await build_app(
        Config(database_url=str(tmp_path / "rec.db")), adapters={"memory": adapter}, clock=clock
    )
    await app.handle(ScriptedChat(adapter, clock).say("alice", "/events"))
    real_record = app.relay._record

    async def drop(group):  # type: ignore[no-untyped-def]
        raise OperationalError("COMMIT", {}, ConnectionResetError("server closed the connection"))

    app.relay._record = drop  # type: ignore[method-assign]
    service = Service(app)
    await service.tick()
    assert adapter.send_calls == 1 and "relay tick failed" in caplog.text
    app.relay._record = real_record  # type: ignore[method-assign]
    await service.tick()
    assert adapter.send_calls == 1  # its lease still holds: nobody sends it again yet
    clock.advance(timedelta(seconds=app.config.lease_seconds + 1))
    await service.tick()
    assert adapter.send_calls == 2 and len(adapter.records) == 1  # retried with the same key, shown once
    async with app.sessions() as s:
        (row,) = (await s.scalars(select(Delivery))).all()
    assert row.status == "sent"
    await app.close()
