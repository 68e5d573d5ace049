"""The real core through the Discord adapter: what each flow does on (fake) Discord."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import discord
from sqlalchemy import select

from bot.storage.models import Activity, Attendance, Community, Delivery, Event, Member, Poll, PollVote, Rsvp
from tests.discord.conftest import Flow
from tests.discord.fakes import ALICE, BOB, BOT, CAROL, GUILD, VOICE, http_error

RSVP_IDS = ["rsvp:1:going", "rsvp:1:maybe", "rsvp:1:no"]


def options(**values: Any) -> dict[str, Any]:
    """/newevent's options as Discord sends them."""
    return {
        "name": "newevent",
        "options": [{"name": k, "type": 4 if k == "capacity" else 3, "value": v} for k, v in values.items()],
    }


def custom_ids(view: discord.ui.View) -> list[str | None]:
    return [getattr(item, "custom_id", None) for item in view.children]


async def new_event(
    flow: Flow, title: str = "Rust night", when: str = "2026-12-05 19:00", **more: Any
) -> Any:
    interaction = await flow.interact(
        "interaction_newevent_options", data=options(title=title, when=when, **more)
    )
    await flow.deliver()
    return interaction


async def rows(flow: Flow, model: Any, *where: Any) -> list[Any]:
    async with flow.app.sessions() as s:
        return list(await s.scalars(select(model).where(*where)))


async def test_newevent_with_options_defers_answers_privately_and_posts_in_the_server(flow: Flow) -> None:
    interaction = await flow.interact("interaction_newevent_options")
    interaction.response.defer.assert_awaited_once_with(ephemeral=True, thinking=True)
    interaction.delete_original_response.assert_awaited_once()  # no private notice: "thinking…" goes
    await flow.deliver()
    (reply,) = interaction.followup.send.await_args_list  # the reply follows the command, in public
    assert reply.kwargs["content"].startswith("✅ Created #1 Python爬虫挑战赛: Sat 5 Dec 2026 19:00")
    assert reply.kwargs.get("ephemeral") is None
    (announcement,) = flow.client.guild.announce.sent  # the system channel: where group posts go
    assert announcement["content"].startswith("📅 Python爬虫挑战赛 (#1)\n🕖 Sat 5 Dec 2026 19:00–21:00")
    assert custom_ids(announcement["view"]) == [*RSVP_IDS, None]
    link = announcement["view"].children[3]
    assert link.url == f"https://discord.com/users/{BOT}" and link.style is discord.ButtonStyle.link
    assert announcement["allowed_mentions"].users == [] and announcement["allowed_mentions"].everyone is False


async def test_newevent_without_a_time_opens_a_form_and_the_submission_creates_the_event(flow: Flow) -> None:
    opened = await flow.interact("interaction_newevent_partial")
    (call,) = opened.response.send_modal.await_args_list
    modal: discord.ui.Modal = call.args[0]
    assert (
        modal.custom_id == "cmd:newevent" and modal.title == "新建活动"
    )  # the member's Discord is in Chinese
    labels: dict[str, Any] = {item.component.custom_id: item for item in modal.children}  # type: ignore[attr-defined]
    fields = {key: label.component for key, label in labels.items()}
    assert (fields["title"].default, fields["place"].default, fields["extra"].default) == (
        "Rust night", f"<#{VOICE}>", "type=discussion",
    )  # fmt: skip
    assert labels["title"].text == "标题" and fields["when"].required
    opened.response.defer.assert_not_awaited()
    assert flow.seen == []  # nothing for the core until the form is sent
    submitted = await flow.interact("interaction_modal_submit")
    submitted.response.defer.assert_awaited_once_with(ephemeral=True, thinking=True)
    await flow.deliver()
    (event,) = await rows(flow, Event)
    assert (event.title, event.place, event.capacity) == ("Rust night", f"<#{VOICE}>", 12)
    (created,) = flow.client.guild.created  # held in the voice channel named as the place
    assert (
        created["entity_type"] is discord.EntityType.voice and created["channel"] is flow.client.guild.voice
    )
    assert "location" not in created


async def test_rsvp_button_is_acknowledged_answered_privately_and_edits_the_live_counts(flow: Flow) -> None:
    await new_event(flow)
    press = await flow.interact("interaction_button")
    press.response.defer.assert_awaited_once_with()  # a silent acknowledgement: no "thinking…"
    press.followup.send.assert_awaited_once_with(
        "You're going to Rust night. I'll remind you before it starts.", ephemeral=True
    )
    await flow.deliver()
    (edit,) = flow.client.guild.announce.edits
    assert edit["message_id"] == flow.client.guild.announce.sent[0]["id"]
    assert edit["content"].endswith("👥 Going 1 · Maybe 0") and custom_ids(edit["view"])[:3] == RSVP_IDS
    again = await flow.interact("interaction_button")
    again.followup.send.assert_awaited_once_with("No change: you already answered that.", ephemeral=True)


async def test_checkin_button_records_attendance(flow: Flow) -> None:
    await new_event(flow, when="2026-12-01 20:00")
    await flow.advance(timedelta(hours=11))  # 20:00: the check-in post
    post = flow.client.guild.announce.sent[-1]
    assert post["content"].startswith("▶️ #1 Rust night")
    assert custom_ids(post["view"]) == ["checkin:1"]
    press = await flow.interact("interaction_button", data={"custom_id": "checkin:1"})
    press.followup.send.assert_awaited_once_with("✅ Checked in to Rust night. Enjoy!", ephemeral=True)
    assert [(a.member_id, a.source) for a in await rows(flow, Attendance)] == [(2, "button")]


async def test_native_poll_is_sent_voted_on_and_ended(flow: Flow) -> None:
    await new_event(flow, when="2026-12-01 20:00")
    await flow.interact("interaction_button")  # bob: going
    await flow.interact("interaction_select", data={"custom_id": "rsvp:1", "values": ["going"]})  # carol
    await flow.gateway("message_create_dm")  # bob wrote privately: the names are known to the adapter
    await flow.advance(timedelta(hours=12, minutes=15))  # the event ends 21:00; the poll opens 21:10
    sent = flow.client.guild.announce.sent[-1]
    poll: discord.Poll = sent["poll"]
    assert poll.question == "How was #1 Rust night? Rate it 1 (poor) to 5 (great)."
    assert [a.text for a in poll.answers] == ["1", "2", "3", "4", "5"]
    assert poll.duration == timedelta(hours=25) and poll.multiple is False
    assert sent["content"] == f"<@{BOB}> <@{CAROL}>:"  # '@bob Carol Li:' as pings
    assert [u.id for u in sent["allowed_mentions"].users] == [int(BOB), int(CAROL)]
    (stored,) = await rows(flow, Poll)
    assert stored.platform_poll_id == stored.message_id == str(sent["id"])

    await flow.gateway("poll_vote_add", message_id=str(sent["id"]))  # carol: answer 4
    assert [(v.member_id, v.score) for v in await rows(flow, PollVote)] == [(3, 4)]
    await flow.advance(timedelta(days=1))
    assert flow.client.guild.announce.ended == [sent["id"]]


async def test_organizer_commands_are_refused_to_members(flow: Flow) -> None:
    await flow.interact("interaction_command_args")  # bob's first words: he is a member
    refused = await flow.interact("interaction_newevent_member")
    await flow.deliver()
    (reply,) = refused.followup.send.await_args_list
    assert "organizers" in reply.kwargs["content"]
    assert await rows(flow, Event) == [] and flow.client.guild.created == []
    roles = {m.user_id: m.role for m in await rows(flow, Member)}
    assert roles == {BOB: "member"}


async def test_joining_the_events_voice_channel_checks_in(flow: Flow) -> None:
    await new_event(flow, when="2026-12-01 20:00", voice=VOICE)
    flow.clock.advance(timedelta(hours=10, minutes=50))  # 19:50: check-in is open
    await flow.gateway("voice_join")
    await flow.gateway("voice_mute")  # not a second join
    assert [(a.member_id, a.source) for a in await rows(flow, Attendance)] == [(2, "voice")]
    (created,) = flow.client.guild.created
    assert created["entity_type"] is discord.EntityType.voice


async def test_interested_in_the_scheduled_event_is_a_soft_rsvp_that_never_downgrades(flow: Flow) -> None:
    await new_event(flow)
    external = str(next(iter(flow.client.guild.events)))
    await flow.gateway("scheduled_event_user_add", guild_scheduled_event_id=external)  # carol
    await flow.interact("interaction_button")  # bob: going (with the button)
    await flow.gateway("scheduled_event_user_add", guild_scheduled_event_id=external, user_id=BOB)
    answers = {r.member_id: r.status for r in await rows(flow, Rsvp)}
    assert answers == {2: "maybe", 3: "going"}  # carol (2) maybe; bob stays going


async def test_scheduled_event_is_updated_and_cancelled_with_ours(flow: Flow) -> None:
    await new_event(flow, place="https://meet.example/rust")
    (scheduled,) = flow.client.guild.events.values()
    assert scheduled.fields["location"] == "https://meet.example/rust"
    await flow.interact("interaction_command_args", data={"name": "editevent", "options": [
        {"name": "args", "type": 3, "value": '1 title="Rust & WebAssembly" place=<#' + VOICE + ">"}]},
        member={**_alice_member()})  # fmt: skip
    await flow.deliver()
    (edit,) = scheduled.edits
    assert edit["name"] == "Rust & WebAssembly" and edit["channel"] is flow.client.guild.voice
    assert edit["entity_type"] is discord.EntityType.voice
    flow.client.guild.cache_events = False  # the cache forgot it: fetched by id
    await flow.interact("interaction_command_args", data={"name": "cancelevent", "options": [
        {"name": "args", "type": 3, "value": "1"}]}, member=_alice_member())  # fmt: skip
    await flow.deliver()
    assert scheduled.calls == ["cancel"] and len(flow.client.guild.created) == 1


async def test_a_scheduled_event_failure_leaves_our_event_intact(flow: Flow) -> None:
    flow.client.guild.fail("create_scheduled_event", http_error(403, 50013, "Missing Permissions"))
    interaction = await new_event(flow)
    assert interaction.followup.send.await_args.kwargs["content"].startswith("✅ Created #1 Rust night")
    (event,) = await rows(flow, Event)
    assert event.status == "scheduled" and event.announce_message_id is not None
    (mirror,) = await rows(flow, Delivery, Delivery.kind == "event_mirror")
    assert mirror.status == "failed" and "Missing Permissions" in (mirror.last_error or "")


async def test_a_blocked_dm_reminder_falls_back_to_a_ping_in_the_server(flow: Flow) -> None:
    await new_event(flow, when="2026-12-01 20:00")
    await flow.interact("interaction_button")  # bob: going
    await flow.gateway("message_create_dm")  # bob wrote to the bot: he may be written to privately
    await flow.deliver()
    (bob,) = await rows(flow, Member, Member.user_id == BOB)
    assert bob.can_dm is True  # the core re-planned his reminders for the private chat
    flow.client.fail("create_dm", http_error(403, 50007, "Cannot send messages to this user"))
    await flow.advance(timedelta(hours=10, minutes=5))  # the 1 h reminder at 19:00
    assert not flow.client.dms.get(int(BOB)) or not flow.client.dms[int(BOB)].sent  # the DM was refused
    fallback = [s["content"] for s in flow.client.guild.announce.sent if "starts in 1h" in s["content"]]
    assert len(fallback) == 1 and fallback[0].startswith(f"<@{BOB}>")
    (bob,) = await rows(flow, Member, Member.user_id == BOB)
    assert bob.can_dm is False


async def test_rate_limits_pause_the_channel_and_never_crash_the_relay(flow: Flow) -> None:
    flow.client.guild.announce.fail("send", discord.RateLimited(45.0))
    await flow.interact(
        "interaction_newevent_options", data=options(title="Rust night", when="2026-12-05 19:00")
    )
    await flow.app.relay.drain()
    async with flow.app.sessions() as s:
        announce = (await s.scalars(select(Delivery).where(Delivery.kind == "announce"))).one()
    assert announce.status == "pending" and announce.attempts == 0  # a 429 is not a failed attempt
    flow.clock.advance(timedelta(seconds=40))
    await flow.app.relay.drain()
    assert flow.client.guild.announce.sent == []  # the channel is still paused
    flow.clock.advance(timedelta(seconds=6))
    await flow.app.relay.drain()
    assert flow.client.guild.announce.sent[0]["content"].startswith("📅 Rust night (#1)")


async def test_a_replayed_dispatch_changes_nothing(flow: Flow) -> None:
    await flow.gateway("message_create_guild")
    payload = await flow.gateway("reaction_add")
    flow.adapter.tap(payload)  # the same dispatch again, as a RESUME replays it
    await flow.adapter._queue.join()
    async with flow.app.sessions() as s:
        kinds = [row.kind for row in await s.scalars(select(Activity))]
    assert kinds == ["message", "reaction"]


def _alice_member() -> dict[str, Any]:
    return {
        "user": {"id": ALICE, "username": "alice_w", "global_name": "Alice Wang"},
        "roles": [],
        "permissions": str((1 << 5) | (1 << 33)),
        "nick": None,
    }


async def test_the_server_is_the_community(flow: Flow) -> None:
    await new_event(flow)
    (community,) = await rows(flow, Community)
    assert (community.platform, community.chat_id) == ("discord", GUILD)


async def test_a_member_who_wrote_privately_gets_reminders_in_dms(flow: Flow) -> None:
    await new_event(flow, when="2026-12-01 20:00")
    await flow.interact("interaction_button")  # bob: going
    await flow.gateway("message_create_dm")
    await flow.advance(timedelta(hours=10, minutes=5))
    (reminder,) = [s for s in flow.client.dms[int(BOB)].sent if "Reminder" in s["content"]]
    assert reminder["content"].startswith("⏰ Reminder: #1 Rust night starts in 1h")
