"""Native event mirroring (where a platform has it) and voice-channel check-in."""

from __future__ import annotations

import pytest

from bot.ports import Capabilities
from bot.storage.models import Attendance, Delivery
from tests.harness import Harness


@pytest.fixture
async def native(tmp_path):  # type: ignore[no-untyped-def]
    caps = Capabilities(native_polls=True, scheduled_events=True, idempotent_send=True)
    h = await Harness.create(str(tmp_path / "m.db"), capabilities=caps)
    yield h
    await h.close()


async def test_events_are_mirrored_created_updated_cancelled(native) -> None:
    out = await native("alice: /newevent Voice AMA 2026-12-03 20:00 type=sharing #ai place=<#4242>")
    assert "bot -> group (native event created): Voice AMA" in out
    mirror = next(iter(native.adapter.mirrors.values()))
    assert mirror.description.startswith("tech sharing · #ai · gatherbot #1")
    out = await native("alice: /editevent 1 title=AMA")
    assert "bot -> group (native event updated): AMA" in out
    out = await native("alice: /cancelevent 1")
    assert "bot -> group (native event cancelled): AMA" in out
    assert len(native.adapter.mirrors) == 1  # one native event, updated in place


async def test_platforms_without_native_events_skip_the_mirror(bot) -> None:
    await bot("alice: /newevent Plain 2026-12-03 20:00")
    rows = await bot.rows(Delivery, Delivery.kind == "event_mirror")
    assert [r.status for r in rows] == ["skipped"]


async def test_joining_the_events_voice_channel_checks_in(bot) -> None:
    await bot("alice: /newevent Voice AMA 2026-12-01 20:00 place=<#4242>")
    chat = bot.session.chat
    await bot.app.handle(chat.voice_join("bob", "4242"))  # 11 hours early: not yet
    assert await bot.count(Attendance) == 0
    await bot(":advance 10h50m")  # 19:50, within the 15 minutes before the start
    await bot.app.handle(chat.voice_join("bob", "4242"))
    await bot.app.handle(chat.voice_join("carol", "9999"))  # another channel
    assert [(a.member_id, a.source) for a in await bot.rows(Attendance)] == [(2, "voice")]


async def test_the_group_is_told_once_when_the_bot_is_not_an_admin(bot) -> None:
    from bot.domain.events import BotRoleChanged

    chat = bot.session.chat
    base = chat._base("alice", False)
    await bot.app.handle(BotRoleChanged(**base, present=True, is_admin=False))
    await bot.app.handle(BotRoleChanged(**base, present=True, is_admin=False))  # a redelivery
    await bot.app.relay.drain()
    texts = bot.adapter.texts("group")
    assert len(texts) == 1 and texts[0].startswith("ℹ️ Thanks for adding me! I'm not an admin here")
    await bot.app.handle(BotRoleChanged(**chat._base("alice", False), present=True, is_admin=True))
    await bot.app.relay.drain()
    assert bot.adapter.texts("group")[-1].startswith("✅ I'm an admin now")


async def test_announcements_offer_private_reminders_where_the_platform_links_to_them(tmp_path) -> None:  # type: ignore[no-untyped-def]
    caps = Capabilities(dm_link="https://t.me/study_bot?start=remind", idempotent_send=True)
    h = await Harness.create(str(tmp_path / "l.db"), capabilities=caps)
    out = await h("alice: /newevent Talk 2026-12-03 20:00")
    assert "[Going] [Maybe] [Can't go]" in out and "[🔔 Remind me privately ↗]" in out
    assert h.adapter.records[0].message.buttons[1][0].url == "https://t.me/study_bot?start=remind"
    out = await h("bob: [Going]")  # the link row stays on the edited announcement
    assert "[🔔 Remind me privately ↗]" in out
    await h.close()


async def test_interest_in_a_native_event_is_a_soft_maybe_that_never_overrides(bot) -> None:
    from dataclasses import replace

    from bot.storage.models import Rsvp

    await bot("alice: /newevent Talk 2026-12-03 20:00", "bob: [Going]")
    chat = bot.session.chat
    press = chat.press("carol", "Maybe")
    await bot.app.handle(replace(press, data="rsvp:1:interested", interaction_id=None))  # carol: soft maybe
    await bot.app.handle(replace(chat.press("bob", "Maybe"), data="rsvp:1:interested", interaction_id=None))
    answers = {r.member_id: r.status for r in await bot.rows(Rsvp)}
    assert answers == {2: "going", 3: "maybe"}  # bob (2) keeps his seat
