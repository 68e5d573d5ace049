"""Retention: kept text expires, privacy messages leave the outbox, a removed community is purged; on a fake clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import MetaData, func, select

from bot.config import Config, ConfigError, from_dict
from bot.domain.events import BotRoleChanged, ChatRef, UserRef
from bot.features.privacy import purge
from bot.storage.models import Activity, BotRemoval, Community, Delivery, Member
from tests.harness import Harness

KEEP = ("communities", "do_not_collect", "installation_secrets", "alembic_version",
        "change_counters")  # a count of member changes (SQLite, migration 0006): nobody's data  # fmt: skip


@pytest.fixture
async def kept(tmp_path):  # type: ignore[no-untyped-def]
    harness = await Harness.create(str(tmp_path / "bot.db"), keep_text=True)
    yield harness
    await harness.close()


async def run_purge(bot: Harness) -> dict[str, int]:
    return await purge(bot.app, bot.app.config, bot.clock.now())


async def texts(bot: Harness) -> list[str | None]:
    return [a.text for a in await bot.rows(Activity, Activity.kind == "message")]


async def test_kept_text_expires_after_the_retention_period(kept) -> None:
    await kept("bob: an old message", "alice: /remind 2h")
    await kept(":advance 20d", "carol: a newer message")
    assert await run_purge(kept) == {"texts_erased": 0, "replies_deleted": 0, "communities_purged": 0}
    await kept(":advance 11d")  # the first message is now 31 days old, the second 11
    assert await run_purge(kept) == {"texts_erased": 2, "replies_deleted": 1, "communities_purged": 0}
    assert await texts(kept) == [None, "a newer message"]
    assert [a.data["chars"] for a in await kept.rows(Activity, Activity.kind == "message")] == [
        14,
        15,
    ]  # counts stay
    assert await kept.count(Activity, Activity.text.is_not(None)) == 1  # alice's /remind arguments went too
    assert await kept.count(Delivery, Delivery.kind == "message") == 0  # the reply that quoted her
    assert await run_purge(kept) == {"texts_erased": 0, "replies_deleted": 0, "communities_purged": 0}


async def test_with_a_shorter_retention(tmp_path) -> None:
    bot = await Harness.create(str(tmp_path / "b.db"), keep_text=True, text_retention_days=2)
    try:
        await bot("bob: hi", ":advance 1d")
        assert (await run_purge(bot))["texts_erased"] == 0
        await bot(":advance 1d1m")
        assert (await run_purge(bot))["texts_erased"] == 1 and await texts(bot) == [None]
    finally:
        await bot.close()


async def test_text_of_a_community_that_stops_keeping_it_goes_at_the_next_purge(kept) -> None:
    await kept("alice: hi", "bob: something personal", "alice: /settings keep_text=off", "bob: not kept")
    assert await texts(kept) == ["hi", "something personal", None]
    assert (await run_purge(kept))["texts_erased"] == 3  # two messages and the /settings arguments
    assert await kept.count(Activity, Activity.text.is_not(None)) == 0


async def test_planned_deliveries_stay_so_nothing_is_sent_twice(kept) -> None:
    await kept("alice: /newevent Rust night 2026-12-05 19:00", "bob: [Going]", ":advance 40d")
    planned = await kept.count(Delivery, Delivery.kind != "message")
    await run_purge(kept)
    assert await kept.count(Delivery, Delivery.kind != "message") == planned > 0
    assert await kept(":advance 1d") == []


async def test_privacy_messages_leave_the_outbox_at_the_next_purge(kept) -> None:
    await kept("bob: hi", "bob@dm: /privacy", "bob@dm: /privacy export")
    rows = await kept.rows(Delivery, Delivery.kind.like("privacy%"))
    assert [(d.kind, d.status, d.payload) for d in rows] == [
        ("privacy_notice", "sent", {}),
        ("privacy_export", "sent", {}),
    ]
    assert (await run_purge(kept))["replies_deleted"] == 2
    assert await kept.count(Delivery, Delivery.kind.like("privacy%")) == 0


# --- the bot removed from a group ------------------------------------------------------------------


def role_event(bot: Harness, n: int, *, present: bool, who: str = "alice") -> BotRoleChanged:
    chat = bot.session.chat
    return BotRoleChanged(
        source_id=f"role-{n}", chat=ChatRef(chat.platform, chat.chat_id, False, chat.title),
        user=UserRef(f"u-{who}", who, who), occurred_at=bot.clock.now(), present=present, is_admin=False,
    )  # fmt: skip


async def everything_but(bot: Harness, keep: tuple[str, ...] = KEEP) -> dict[str, int]:
    """Row counts of every table in the database (reflected), but the ones named."""
    async with bot.app.sessions() as session:
        meta = MetaData()
        await session.run_sync(lambda s: meta.reflect(s.connection()))
        counts = {}
        for table in meta.sorted_tables:
            if table.name not in keep:
                counts[table.name] = int(await session.scalar(select(func.count()).select_from(table)) or 0)
        return {name: n for name, n in counts.items() if n}


async def test_a_removed_communitys_data_is_purged_after_the_grace_period(kept) -> None:
    await kept("alice: /newevent Rust night 2026-12-05 19:00", "bob: [Going]", "bob@dm: /start", "bob: hi")
    await kept.app.handle(role_event(kept, 1, present=False))
    (removal,) = await kept.rows(BotRemoval)
    assert removal.removed_at == kept.clock.now()
    await kept(":advance 10d")
    await kept.app.handle(role_event(kept, 2, present=False))  # told twice: the first time counts
    await kept(":advance 19d")
    assert (await run_purge(kept))["communities_purged"] == 0
    await kept(":advance 1d1m")
    assert (await run_purge(kept))["communities_purged"] == 1
    assert await kept.count(Community) == 0
    assert await everything_but(kept) == {}  # nothing of the community is left in any table


async def test_adding_the_bot_back_cancels_the_purge(kept) -> None:
    await kept("alice: hi")
    await kept.app.handle(role_event(kept, 1, present=False))
    await kept(":advance 5d")
    await kept.app.handle(role_event(kept, 2, present=True))
    assert await kept.count(BotRemoval) == 0
    await kept(":advance 60d")
    assert (await run_purge(kept))["communities_purged"] == 0 and await kept.count(Member) == 1


async def test_removal_by_someone_on_the_do_not_collect_list_still_counts(kept) -> None:
    await kept("alice: hi", "bob: hi", "bob@dm: /privacy forget confirm")
    await kept.app.handle(role_event(kept, 1, present=False, who="bob"))
    assert await kept.count(BotRemoval) == 1 and await kept.count(Member, Member.user_id == "u-bob") == 0
    assert await kept.count(Activity, Activity.kind == "bot_role") == 0  # and nothing about bob was logged


async def test_the_log_records_the_bots_role_changes(kept) -> None:
    await kept("alice: hi")
    await kept.app.handle(role_event(kept, 1, present=False))
    (row,) = await kept.rows(Activity, Activity.kind == "bot_role")
    assert row.data == {"present": False, "admin": False}


# --- the daily job and the configuration -----------------------------------------------------------


async def test_the_service_runs_the_purge_daily(tmp_path) -> None:
    from adapters.memory import MemoryAdapter
    from bot.bootstrap import build_app
    from bot.clock import SystemClock
    from bot.runner import Service

    app = await build_app(
        Config(database_url=str(tmp_path / "r.db")), adapters={"memory": MemoryAdapter()}, clock=SystemClock()
    )
    service = Service(app)
    await service.start()
    try:
        job = service.scheduler.get_job("privacy_purge")
        assert job.misfire_grace_time is None and job.coalesce is True and job.max_instances == 1
        assert job.trigger.interval == timedelta(days=1)
        assert job.next_run_time - job.trigger.start_date <= timedelta(minutes=2)  # soon after each start too
        assert await service.purge() == {"texts_erased": 0, "replies_deleted": 0, "communities_purged": 0}
    finally:
        await service.stop()


async def test_a_failing_purge_is_logged_and_the_service_goes_on(tmp_path, caplog, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from adapters.memory import MemoryAdapter
    from bot import runner
    from bot.bootstrap import build_app

    async def broken(*args: object) -> dict[str, int]:
        raise ConnectionError("database went away")

    monkeypatch.setattr(runner, "purge", broken)
    app = await build_app(Config(database_url=str(tmp_path / "r.db")), adapters={"memory": MemoryAdapter()})
    assert await runner.Service(app).purge() is None
    assert "privacy purge failed" in caplog.text
    await app.close()


def test_privacy_settings_are_read_and_checked() -> None:
    data = {"privacy": {"text_retention_days": 7, "removed_grace_days": 14, "hash_key": "from-file"}}
    cfg = from_dict(data, env={})
    assert (cfg.text_retention_days, cfg.removed_grace_days, cfg.privacy_hash_key) == (7, 14, "from-file")
    assert from_dict(data, env={"GATHERBOT_PRIVACY_KEY": "from-env"}).privacy_hash_key == "from-env"
    assert "from-file" not in repr(cfg) and "from-file" not in str(cfg)
    assert Config().text_retention_days == 30 and Config().removed_grace_days == 30
    for key, value in (("text_retention_days", 0), ("removed_grace_days", "30"), ("hash_key", 5)):
        with pytest.raises(ConfigError, match=rf"^privacy\.{key}: ") as err:
            from_dict({"privacy": {key: value}}, env={})
        assert "SECRET" not in str(err.value)
