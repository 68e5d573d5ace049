"""How the relay batches its work: rendering a batch at once, groups of sends recorded together,
concurrent sends, and what a crash repeats. SQLite and (with GATHERBOT_TEST_POSTGRES_URL) PostgreSQL."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import event

from adapters.memory import MemoryAdapter
from bot.delivery import outbox
from bot.delivery.relay import Relay
from bot.delivery.render import RENDERERS
from bot.domain.messages import OutMessage, SentRef, Target
from bot.ports import Capabilities
from bot.storage import db
from bot.storage.models import Delivery
from tests.harness import Harness


async def harness(db_url: str, **kw: object) -> Harness:
    await db.upgrade_async(db_url)
    return await Harness.create(db_url, **kw)  # type: ignore[arg-type]


async def enqueue(h: Harness, chats: list[str], per_chat: int) -> list[str]:
    """per_chat messages to each private chat, queued chat by chat; returns the keys in queue order."""
    now, keys = h.clock.now(), []
    async with h.app.sessions() as s:
        for chat in chats:
            for i in range(per_chat):
                key = f"t:{chat}:{i}"
                message = OutMessage(Target(h.adapter.platform, chat, True, chat), f"{chat} {i}")
                await outbox.enqueue(
                    s, key=key, platform=h.adapter.platform, kind="message", due_at=now, now=now,
                    payload={"message": message.to_json()},
                )  # fmt: skip
                keys.append(key)
        await s.commit()
    return keys


async def statuses(h: Harness) -> Counter[str]:
    return Counter(r.status for r in await h.rows(Delivery))


async def crash_while_recording(h: Harness) -> None:
    """The relay sends a group, then dies before its outcomes are committed."""

    async def die(*_args: object) -> int:
        raise SystemExit("killed between the sends and their commit")

    h.app.relay._record = die  # type: ignore[method-assign]
    with pytest.raises(SystemExit):
        await h.app.relay.tick()


async def restart_after_lease(h: Harness) -> Relay:
    h.clock.advance(timedelta(seconds=h.app.config.lease_seconds + 1))
    return Relay(h.app.sessions, h.app.adapters, h.clock, h.app.config)


async def test_with_max_in_flight_a_crash_repeats_at_most_that_many(db_url) -> None:  # type: ignore[no-untyped-def]
    """Non-idempotent platform, max_in_flight=4: one crash repeats the one group, and nothing is lost."""
    h = await harness(db_url, platform="memory", capabilities=Capabilities(), max_in_flight=4)
    try:
        keys = await enqueue(h, [f"u{i}" for i in range(10)], 1)
        await crash_while_recording(h)
        assert h.adapter.send_calls == 4  # the first group went out, the rest never left
        assert (await statuses(h))["sending"] == 10
        relay = await restart_after_lease(h)
        await relay.drain()
        shown = Counter(r.key.split("#")[0] for r in h.adapter.records)
        assert set(shown) == set(keys), "a delivery was lost"
        assert sum(n - 1 for n in shown.values()) == 4  # the window: the group in flight, no more
        assert await statuses(h) == Counter({"sent": 10})
    finally:
        await h.close()


async def test_default_window_is_one_message(db_url) -> None:  # type: ignore[no-untyped-def]
    h = await harness(db_url, platform="memory", capabilities=Capabilities())
    try:
        await enqueue(h, [f"u{i}" for i in range(10)], 1)
        await crash_while_recording(h)
        assert h.adapter.send_calls == 1
        await (await restart_after_lease(h)).drain()
        shown = Counter(r.key.split("#")[0] for r in h.adapter.records)
        assert len(shown) == 10 and sum(n - 1 for n in shown.values()) == 1
    finally:
        await h.close()


async def test_idempotent_platform_records_the_batch_at_once_and_shows_nothing_twice(db_url) -> None:  # type: ignore[no-untyped-def]
    h = await harness(db_url)  # the memory adapter drops a repeated idempotency key
    try:
        await enqueue(h, [f"u{i}" for i in range(12)], 1)
        await crash_while_recording(h)
        assert h.adapter.send_calls == 12  # one group: the whole batch
        await (await restart_after_lease(h)).drain()
        assert h.adapter.send_calls == 24  # all sent again after the crash, with the same keys...
        assert len(h.adapter.records) == 12  # ...so the platform shows each once
        assert await statuses(h) == Counter({"sent": 12})
    finally:
        await h.close()


class SlowAdapter(MemoryAdapter):
    """Each send takes a seeded random time; records how many were in flight at once."""

    def __init__(self) -> None:
        super().__init__(capabilities=Capabilities())
        self.rng = random.Random(7)
        self.in_flight = self.most_in_flight = 0

    async def send(self, message: OutMessage, *, idempotency_key: str) -> SentRef:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.rng.uniform(0, 0.004))
            return await super().send(message, idempotency_key=idempotency_key)
        finally:
            self.in_flight -= 1


async def test_concurrent_sends_stay_within_max_in_flight_and_keep_each_chats_order(db_url) -> None:  # type: ignore[no-untyped-def]
    await db.upgrade_async(db_url)
    h = await Harness.create(db_url, max_in_flight=5)
    adapter = SlowAdapter()
    h.app.adapters["memory"] = adapter
    h.app.relay = Relay(h.app.sessions, h.app.adapters, h.clock, h.app.config)
    try:
        chats = [f"u{i}" for i in range(8)]
        await enqueue(h, chats, 6)
        assert await h.app.relay.drain() == 48
        assert 1 < adapter.most_in_flight <= 5
        for chat in chats:
            assert adapter.texts(chat) == [f"{chat} {i}" for i in range(6)]
        assert await statuses(h) == Counter({"sent": 48})
    finally:
        await h.close()


async def test_a_failing_after_sent_step_leaves_the_message_sent(db_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    h = await harness(db_url)

    async def broken(*_args: object) -> None:
        raise RuntimeError("bug in an after-send step")

    monkeypatch.setitem(RENDERERS, "message", replace(RENDERERS["message"], after_sent=broken))
    try:
        await enqueue(h, ["u1", "u2", "u3"], 1)
        assert await h.app.relay.drain() == 3
        assert await statuses(h) == Counter({"sent": 3})  # not re-sent after the lease: it went out
        h.clock.advance(timedelta(seconds=h.app.config.lease_seconds + 1))
        assert await h.app.relay.drain() == 0 and h.adapter.send_calls == 3
    finally:
        await h.close()


class ClockEatingAdapter(MemoryAdapter):
    """Each send takes longer than a lease (on the simulated clock)."""

    def __init__(self, clock, seconds: float) -> None:  # type: ignore[no-untyped-def]
        super().__init__(capabilities=Capabilities())
        self.clock, self.seconds = clock, seconds

    async def send(self, message: OutMessage, *, idempotency_key: str) -> SentRef:
        self.clock.advance(timedelta(seconds=self.seconds))
        return await super().send(message, idempotency_key=idempotency_key)


async def test_a_row_whose_lease_ran_out_before_its_turn_is_handed_back_not_sent(db_url) -> None:  # type: ignore[no-untyped-def]
    """Sending it then could race another relay that took it over: it goes back to pending instead."""
    h = await harness(db_url)
    adapter = ClockEatingAdapter(h.clock, h.app.config.lease_seconds + 1)
    h.app.adapters["memory"] = adapter
    relay = Relay(h.app.sessions, h.app.adapters, h.clock, h.app.config)
    try:
        await enqueue(h, ["u1", "u2", "u3"], 1)
        assert await relay.tick() == 1  # the first send used up the batch's lease
        rows = {r.dedupe_key: r for r in await h.rows(Delivery)}
        assert rows["t:u1:0"].status == "sent"
        assert {rows[k].status for k in ("t:u2:0", "t:u3:0")} == {"pending"}
        assert {rows[k].attempts for k in ("t:u2:0", "t:u3:0")} == {0}  # handing back is not an attempt
        await relay.drain()
        assert [r.message.text for r in adapter.records] == ["u1 0", "u2 0", "u3 0"]  # each once, in order
    finally:
        await h.close()


async def test_a_batch_of_reminders_is_rendered_with_a_few_queries_not_a_few_per_row(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bot = await Harness.create(str(tmp_path / "q.db"))
    try:
        names = [f"m{i}" for i in range(40)]
        await bot("alice: /newevent Talk 2026-12-02 20:00")
        await bot(*[f"{n}: [Going]" for n in names], *[f"{n}@dm: /start" for n in names])
        await bot.app.relay.drain()
        bot.clock.advance(timedelta(hours=11))  # the 24 h reminders fall due
        statements: list[str] = []

        def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
            statements.append(statement)

        event.listen(bot.app.engine.sync_engine, "before_cursor_execute", count)
        try:
            assert await bot.app.relay.tick() == 40
        finally:
            event.remove(bot.app.engine.sync_engine, "before_cursor_execute", count)
        assert len(bot.adapter.texts()) >= 40
        assert len(statements) <= 15, statements  # not 3 or 4 queries for each of the 40 rows
    finally:
        await bot.close()


async def test_read_only_renderers_write_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Kinds marked read_only are rendered without a savepoint: they must not write (checked for every
    such kind, through a story that makes each of them go out)."""
    bot = await Harness.create(
        str(tmp_path / "ro.db"), capabilities=Capabilities(idempotent_send=True, scheduled_events=True)
    )
    writes: list[tuple[str, str]] = []
    seen: Counter[str] = Counter()
    current: list[str] = []

    def watch(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if current and not statement.lstrip().upper().startswith(("SELECT", "SAVEPOINT", "RELEASE")):
            writes.append((current[0], statement))

    def wrapped(kind: str, render):  # type: ignore[no-untyped-def]
        async def render_and_check(rc, row):  # type: ignore[no-untyped-def]
            current.append(kind)
            try:
                message = await render(rc, row)
            finally:
                current.pop()
            seen[kind] += 1
            pending = rc.session.new | rc.session.dirty | rc.session.deleted
            if pending:
                writes.append((kind, f"ORM changes {pending}"))
            return message

        return render_and_check

    read_only = {kind for kind, r in RENDERERS.items() if r.read_only}
    saved = dict(RENDERERS)
    for kind in read_only:
        RENDERERS[kind] = replace(RENDERERS[kind], render=wrapped(kind, RENDERERS[kind].render))
    event.listen(bot.app.engine.sync_engine, "before_cursor_execute", watch)
    try:
        await bot(
            "alice: /newevent Talk 2026-12-02 20:00 capacity=3",
            "bob: [Going]", "bob@dm: /start", "carol: [Going]", "frank: [Going]",  # frank: no private chat
            "dave: [Going]", "dave@dm: /start",  # waitlisted
            "carol: [Can't go]",  # dave moves up from the waitlist: told privately
            'alice: /editevent 1 when="2026-12-02 21:00"',  # going members are told, privately or in the group
            "bob: /ics 1", "bob@dm: /privacy",
            ":advance 12h", ":advance 1d",  # the 24 h and 1 h reminders, then the check-in post
        )  # fmt: skip
        await bot("bob: [I'm here]", ":advance 2h", ":advance 1d")  # the poll opens, then closes
        assert read_only <= set(seen), f"no story line rendered {sorted(read_only - set(seen))}"
        assert writes == []
    finally:
        event.remove(bot.app.engine.sync_engine, "before_cursor_execute", watch)
        RENDERERS.clear()
        RENDERERS.update(saved)
        await bot.close()


async def test_a_pass_renders_no_more_messages_than_the_rate_limit_lets_go(db_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Telegram lets about 30 a second go: 100 due rows are not all rendered to send 30 of them."""
    h = await harness(db_url, platform="telegram", capabilities=Capabilities())
    renders = 0
    real = RENDERERS["message"].render

    async def counted(rc, row):  # type: ignore[no-untyped-def]
        nonlocal renders
        renders += 1
        return await real(rc, row)

    monkeypatch.setitem(RENDERERS, "message", replace(RENDERERS["message"], render=counted))
    try:
        await enqueue(h, [f"u{i}" for i in range(100)], 1)
        assert await h.app.relay.drain() == 30
        assert renders == 30  # and the pass that found the bucket empty rendered nothing
        h.clock.advance(timedelta(seconds=1))
        assert await h.app.relay.drain() == 30 and renders == 60
    finally:
        await h.close()
