"""The outbox relay: exactly-once effect, crash recovery, rate limits, retry-after and failures.

Tests on the `tg` fixture run on SQLite and, with GATHERBOT_TEST_POSTGRES_URL, on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.delivery import outbox
from bot.delivery.relay import Relay
from bot.domain.messages import OutMessage, Target
from bot.ports import Capabilities, PermanentError, RetryAfter, TransientError, Unreachable
from bot.storage import db
from bot.storage.models import Activity, Delivery, Member
from tests.harness import Harness


async def enqueue_messages(h: Harness, n: int, *, private: bool = False, chat: str = "group-1") -> None:
    now = h.clock.now()
    async with h.app.sessions() as s:
        for i in range(n):
            target = Target(
                h.adapter.platform, f"user-{i}" if private else chat, private, f"t{i}" if private else "group"
            )
            message = OutMessage(target, f"message {i}")
            await outbox.enqueue(
                s, key=f"test:{chat}:{i}", platform=h.adapter.platform, kind="message", due_at=now, now=now,
                payload={"message": message.to_json()},
            )  # fmt: skip
        await s.commit()


async def statuses(h: Harness) -> dict[str, int]:
    out: dict[str, int] = {}
    for row in await h.rows(Delivery):
        out[row.status] = out.get(row.status, 0) + 1
    return out


@pytest.fixture
async def tg(db_url):  # type: ignore[no-untyped-def]
    """A bot whose platform is 'telegram', so Telegram's default limits apply; sends are not idempotent.
    On SQLite and on PostgreSQL."""
    await db.upgrade_async(db_url)
    h = await Harness.create(db_url, platform="telegram", capabilities=Capabilities())
    yield h
    await h.close()


async def test_same_update_twice_is_logged_and_answered_once(bot) -> None:
    event = bot.session.chat.say("alice", "/events")
    assert await bot.app.handle(event) is True
    assert await bot.app.handle(event) is False
    await bot.app.relay.drain()
    assert await bot.count(Activity) == 1
    assert len(bot.adapter.records) == 1


async def test_relay_run_twice_sends_once(tg) -> None:
    await enqueue_messages(tg, 1)
    assert await tg.app.relay.tick() == 1
    assert await tg.app.relay.tick() == 0
    assert tg.adapter.send_calls == 1
    assert await statuses(tg) == {"sent": 1}


async def test_crash_after_claim_before_send_is_retried_after_lease(tg) -> None:
    await enqueue_messages(tg, 1)
    claimed = await tg.app.relay._claim_batch()  # the process dies right after this
    assert len(claimed) == 1 and (await tg.rows(Delivery))[0].status == "sending"
    restarted = Relay(tg.app.sessions, tg.app.adapters, tg.clock, tg.app.config)
    assert await restarted.tick() == 0  # the lease still holds: nobody else takes it
    tg.clock.advance(timedelta(seconds=tg.app.config.lease_seconds + 1))
    assert await restarted.tick() == 1
    assert tg.adapter.send_calls == 1 and len(tg.adapter.records) == 1
    assert await statuses(tg) == {"sent": 1}


async def crash_after_send(h: Harness) -> None:
    """Send one delivery, then die before recording it as sent."""
    relay = h.app.relay

    async def die(*_args: object) -> None:
        raise SystemExit("killed between send and mark")

    relay._record = die  # type: ignore[method-assign]
    with pytest.raises(SystemExit):
        await relay.tick()


async def test_crash_between_send_and_mark_is_not_sent_twice_with_idempotent_adapter(bot) -> None:
    await enqueue_messages(bot, 1, chat="group-1")
    await crash_after_send(bot)
    assert (await bot.rows(Delivery))[0].status == "sending"
    restarted = Relay(bot.app.sessions, bot.app.adapters, bot.clock, bot.app.config)
    bot.clock.advance(timedelta(seconds=bot.app.config.lease_seconds + 1))
    await restarted.tick()
    assert bot.adapter.send_calls == 2  # retried with the same idempotency key...
    assert len(bot.adapter.records) == 1  # ...so the chat shows it once
    assert await statuses(bot) == {"sent": 1}


async def test_crash_between_send_and_mark_window_without_idempotency(tg) -> None:
    """The documented at-least-once window: nothing lost, and at most one repeat."""
    await enqueue_messages(tg, 1)
    await crash_after_send(tg)
    restarted = Relay(tg.app.sessions, tg.app.adapters, tg.clock, tg.app.config)
    tg.clock.advance(timedelta(seconds=tg.app.config.lease_seconds + 1))
    await restarted.tick()
    await restarted.tick()
    assert len(tg.adapter.records) == 2
    assert await statuses(tg) == {"sent": 1}


async def test_group_rate_limit_is_respected_and_order_kept(tg) -> None:
    await enqueue_messages(tg, 30)
    sent_per_second = []
    for _ in range(120):
        sent_per_second.append(await tg.app.relay.drain())
        tg.clock.advance(timedelta(seconds=1))
    assert sum(sent_per_second) == 30
    burst = 3
    for start in range(len(sent_per_second) - 60):
        assert sum(sent_per_second[start : start + 60]) <= 20 + burst  # Telegram: 20 a minute per group
    assert max(sent_per_second) <= 1  # and about one a second per chat
    assert [r.message.text for r in tg.adapter.records] == [f"message {i}" for i in range(30)]


async def test_global_rate_limit_over_many_private_chats(tg) -> None:
    await enqueue_messages(tg, 100, private=True)
    first_second = await tg.app.relay.drain()
    assert first_second == 30  # Telegram: about 30 a second overall
    tg.clock.advance(timedelta(seconds=1))
    assert await tg.app.relay.drain() == 30
    for _ in range(5):
        tg.clock.advance(timedelta(seconds=1))
        await tg.app.relay.drain()
    assert len(tg.adapter.records) == 100


async def test_retry_after_pauses_the_chat_and_does_not_count_as_attempt(tg) -> None:
    await enqueue_messages(tg, 2)
    tg.adapter.failures.append(RetryAfter(10, scope_chat_id="group-1"))
    assert await tg.app.relay.drain() == 0
    row = (await tg.rows(Delivery, Delivery.dedupe_key == "test:group-1:0"))[0]
    assert row.status == "pending" and row.attempts == 0 and row.due_at <= tg.clock.now()
    for _ in range(9):
        tg.clock.advance(timedelta(seconds=1))
        assert await tg.app.relay.drain() == 0
    tg.clock.advance(timedelta(seconds=1))
    await tg.app.relay.drain()
    tg.clock.advance(timedelta(seconds=3))
    await tg.app.relay.drain()
    assert [r.message.text for r in tg.adapter.records] == ["message 0", "message 1"]


async def test_transient_errors_back_off_then_give_up_with_reason(tg) -> None:
    await enqueue_messages(tg, 1)
    tg.adapter.failures.extend(TransientError("HTTP 502") for _ in range(50))
    delays = []
    for _ in range(tg.app.config.max_attempts):
        await tg.app.relay.drain()
        row = (await tg.rows(Delivery))[0]
        if row.status != "pending":
            break
        delays.append((row.due_at - tg.clock.now()).total_seconds())
        tg.clock.set(row.due_at)
    assert delays[:4] == [5, 10, 20, 40]
    row = (await tg.rows(Delivery))[0]
    assert row.status == "failed" and "HTTP 502" in (row.last_error or "")
    assert tg.adapter.send_calls == tg.app.config.max_attempts


async def test_permanent_error_fails_at_once_and_the_relay_goes_on(tg) -> None:
    await enqueue_messages(tg, 2, private=True)
    tg.adapter.failures.append(PermanentError("chat not found"))
    await tg.app.relay.drain()
    rows = {r.dedupe_key: r for r in await tg.rows(Delivery)}
    assert rows["test:group-1:0"].status == "failed" and rows["test:group-1:0"].last_error == "chat not found"
    assert rows["test:group-1:1"].status == "sent"


async def test_broken_row_is_failed_not_fatal(tg) -> None:
    await enqueue_messages(tg, 2, private=True)
    async with tg.app.sessions() as s:
        row = await s.scalar(select(Delivery).where(Delivery.dedupe_key == "test:group-1:0"))
        row.payload = {"garbage": True}
        await s.commit()
    await tg.app.relay.drain()
    rows = {r.dedupe_key: r for r in await tg.rows(Delivery)}
    assert rows["test:group-1:0"].status == "failed" and rows["test:group-1:0"].last_error == "render error"
    assert rows["test:group-1:1"].status == "sent"


async def test_unreachable_member_falls_back_to_a_group_mention(bot) -> None:
    await bot("alice: /newevent Talk 2026-12-02 20:00", "bob: [Going]", "bob@dm: /start")
    bot.adapter.failures.append(Unreachable("bot was blocked by the user"))
    out = await bot(":advance 11h")  # the 24h reminder to bob fails privately: he blocked the bot
    assert "bot -> group: @bob: ⏰ #1 Talk starts in 1d (Wed 2 Dec 2026 20:00)." in out
    out = await bot(":advance 1d")  # from now on he is mentioned in the group
    assert "bot -> group: @bob: ⏰ #1 Talk starts in 1h (Wed 2 Dec 2026 20:00)." in out
    bob = (await bot.rows(Member, Member.username == "bob"))[0]
    assert bob.can_dm is False
    failed = await bot.rows(Delivery, Delivery.status == "failed")
    assert [d.kind for d in failed] == ["reminder"] and "unreachable" in (failed[0].last_error or "")


async def test_a_late_outcome_from_a_relay_that_lost_its_lease_is_ignored(tg) -> None:
    await enqueue_messages(tg, 1)
    slow = tg.app.relay
    (first,) = await slow._claim_batch()
    tg.clock.advance(timedelta(seconds=tg.app.config.lease_seconds + 1))
    other = Relay(tg.app.sessions, tg.app.adapters, tg.clock, tg.app.config)
    (second,) = await other._claim_batch()
    assert second[0].attempts == 2
    assert await slow._settle(first[0], status="failed", last_error="too late") is False
    row = (await tg.rows(Delivery))[0]
    assert row.status == "sending" and row.attempts == 2 and row.last_error is None


async def test_a_5xx_burst_backs_every_row_off_without_spinning_and_loses_nothing(tg) -> None:
    """Ten messages meet a burst of 502s: each is tried once per pass and waits, none is failed or lost."""
    await enqueue_messages(tg, 10, private=True)
    tg.adapter.failures.extend(TransientError("HTTP 502 Bad Gateway") for _ in range(25))
    assert await tg.app.relay.drain() == 0
    assert tg.adapter.send_calls == 10  # one try each: the pass ends instead of retrying at once
    rows = await tg.rows(Delivery)
    assert {r.status for r in rows} == {"pending"} and all(r.due_at > tg.clock.now() for r in rows)
    for _ in range(12):  # the burst ends while they back off (5 s, 10 s, 20 s ...)
        tg.clock.advance(timedelta(seconds=20))
        await tg.app.relay.drain()
    assert sorted(r.message.text for r in tg.adapter.records) == sorted(f"message {i}" for i in range(10))
    assert await statuses(tg) == {"sent": 10}
    assert tg.adapter.send_calls == 10 + 25  # every failure was one send, and each message went once


async def test_a_timeout_is_retried_later_whether_or_not_the_adapter_named_it(tg, caplog) -> None:  # type: ignore[no-untyped-def]
    await enqueue_messages(tg, 2, private=True)
    tg.adapter.failures.extend([TransientError("timed out"), TimeoutError()])  # mapped, and raw
    assert await tg.app.relay.drain() == 0
    rows = await tg.rows(Delivery)
    assert [(r.status, r.attempts) for r in rows] == [("pending", 1), ("pending", 1)]
    assert "adapter error on delivery" in caplog.text  # the unmapped one is logged with its traceback
    tg.clock.advance(timedelta(seconds=6))
    assert await tg.app.relay.drain() == 2
    assert await statuses(tg) == {"sent": 2}


async def test_chat_not_found_and_bot_blocked_fail_with_their_reason_and_the_rest_goes_on(tg) -> None:
    await enqueue_messages(tg, 3, private=True)
    tg.adapter.failures.extend(
        [PermanentError("Bad Request: chat not found"), Unreachable("Forbidden: bot was blocked")]
    )
    assert await tg.app.relay.drain() == 1
    rows = {r.dedupe_key: r for r in await tg.rows(Delivery)}
    assert (rows["test:group-1:0"].status, rows["test:group-1:0"].last_error) == (
        "failed",
        "Bad Request: chat not found",
    )
    assert (rows["test:group-1:1"].status, rows["test:group-1:1"].last_error) == (
        "failed",
        "unreachable: Forbidden: bot was blocked",
    )
    assert rows["test:group-1:2"].status == "sent"
    tg.clock.advance(timedelta(hours=2))
    assert await tg.app.relay.drain() == 0 and tg.adapter.send_calls == 3  # failed rows are not retried
