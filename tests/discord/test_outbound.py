"""Outbound calls on a fake Discord: sends, edits, polls, files, DMs, mirrors, errors and notices."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import discord
import pytest

from adapters.discord import DiscordAdapter, create
from adapters.discord.errors import to_delivery_error
from adapters.discord.outbound import allowed_mentions, build_view, fit, location, render_mentions
from bot.domain.messages import Attachment, Button, EventMirror, OutMessage, PollSpec, Target
from bot.ports import PermanentError, RetryAfter, TransientError, Unreachable
from tests.discord.conftest import make_config
from tests.discord.fakes import (
    ALICE,
    BOB,
    CAROL,
    GENERAL,
    GUILD,
    STAGE,
    VOICE,
    FakeClient,
    fake_interaction,
    fixture,
    http_error,
)

GROUP = Target("discord", GUILD, False, "group")
DM = Target("discord", BOB, True, "bob@dm")


@pytest.fixture
def client() -> FakeClient:
    return FakeClient()


@pytest.fixture
def adapter(client: FakeClient) -> DiscordAdapter:
    return create(make_config("x.db"), client=client)


async def send(adapter: DiscordAdapter, message: OutMessage, key: str = "k#0") -> Any:
    return await adapter.send(message, idempotency_key=key)


async def test_a_group_post_goes_to_the_system_channel_with_buttons(
    adapter: DiscordAdapter, client: FakeClient
) -> None:
    buttons = ((Button("Going", "rsvp:1:going"), Button("Maybe", "rsvp:1:maybe")),)
    ref = await send(adapter, OutMessage(GROUP, "📅 Rust night", buttons))
    (sent,) = client.guild.announce.sent
    assert ref.message_id == str(sent["id"]) and ref.extra == {"channel_id": str(client.guild.announce.id)}
    view: discord.ui.View = sent["view"]
    assert [b.custom_id for b in view.children] == ["rsvp:1:going", "rsvp:1:maybe"]  # type: ignore[attr-defined]
    assert view.timeout is None and view.is_finished()  # not kept in memory: presses come to on_interaction
    assert await send(adapter, OutMessage(GROUP, "again?")) == ref  # the same key: not sent twice
    assert len(client.guild.announce.sent) == 1


async def test_the_posting_channel_is_configured_or_the_first_one_the_bot_may_write_in(
    client: FakeClient,
) -> None:
    configured = create(make_config("x.db", channels={GUILD: GENERAL}), client=client)
    await send(configured, OutMessage(GROUP, "hi"))
    assert [s["content"] for s in client.guild.general.sent] == ["hi"]
    client.guild.system_channel = None
    client.guild.general.can_send = False
    fallback = create(make_config("x.db"), client=client)
    await send(fallback, OutMessage(GROUP, "hello"))
    assert [s["content"] for s in client.guild.announce.sent] == ["hello"]
    client.guild.announce.can_send = False
    with pytest.raises(PermanentError, match="Send Messages"):
        await send(fallback, OutMessage(GROUP, "nowhere"), "k2#0")


async def test_replies_go_to_the_channel_of_what_they_answer(
    adapter: DiscordAdapter, client: FakeClient
) -> None:
    key = f"reply:discord:msg:{GUILD}:{GENERAL}:123456789012345678:1#0"
    await send(adapter, OutMessage(GROUP, "answer"), key)
    assert [s["content"] for s in client.guild.general.sent] == ["answer"]


async def test_replies_to_a_live_interaction_are_its_follow_ups(adapter: DiscordAdapter) -> None:
    interaction = fake_interaction(fixture("interaction_command_args"))
    adapter.desk.open(interaction, "think")
    key = f"reply:discord:int:{GUILD}:{GENERAL}:{interaction.id}:1#0"
    await send(adapter, OutMessage(GROUP, "Rust night (#1)…"), key)
    interaction.delete_original_response.assert_awaited_once()  # else the reply would replace the notice
    interaction.followup.send.assert_awaited_once()
    assert interaction.followup.send.await_args.kwargs["content"] == "Rust night (#1)…"
    await adapter.answer(str(interaction.id), "")  # the core's empty notice afterwards: nothing to do
    interaction.delete_original_response.assert_awaited_once()


async def test_notices_replace_the_thinking_message_or_follow_privately(adapter: DiscordAdapter) -> None:
    command = fake_interaction(fixture("interaction_command_args"))
    adapter.desk.open(command, "think")
    await adapter.answer(str(command.id), "Only for you")
    command.edit_original_response.assert_awaited_once_with(content="Only for you")
    button = fake_interaction(fixture("interaction_button"))
    adapter.desk.open(button, "update")
    await adapter.answer(str(button.id), "You're going")
    button.followup.send.assert_awaited_once_with("You're going", ephemeral=True)
    await adapter.answer("999", "too late")  # unknown or expired: logged, not raised


async def test_edits_find_the_message_channel_or_assume_the_posting_channel(
    adapter: DiscordAdapter, client: FakeClient
) -> None:
    ref = await send(adapter, OutMessage(GROUP, "v1", ((Button("Going", "rsvp:1:going"),),)), "a#0")
    await send(adapter, OutMessage(GROUP, "v2", edit_message_id=ref.message_id), "a#1")
    (edit,) = client.guild.announce.edits
    assert (edit["message_id"], edit["content"], edit["view"]) == (int(ref.message_id), "v2", None)
    fresh = create(make_config("x.db"), client=client)  # after a restart: forgotten, home channel
    await send(fresh, OutMessage(GROUP, "v3", edit_message_id=ref.message_id), "a#2")
    assert client.guild.announce.edits[-1]["content"] == "v3"


async def test_a_native_poll_with_its_mentions_in_one_message(
    adapter: DiscordAdapter, client: FakeClient
) -> None:
    adapter.knowledge.remember_name(BOB, "bob", "bob")
    adapter.knowledge.remember_name(CAROL, "Carol Li", "carol.li")
    poll = PollSpec("How was #1 Rust night?", ("1", "2", "3", "4", "5"))
    ref = await send(adapter, OutMessage(GROUP, "@bob Carol Li:", mentions=(BOB, CAROL), poll=poll))
    (sent,) = client.guild.announce.sent
    assert ref.poll_id == ref.message_id == str(sent["id"])
    assert sent["content"] == f"<@{BOB}> <@{CAROL}>:"
    assert sent["poll"].question == "How was #1 Rust night?" and len(sent["poll"].answers) == 5
    closing = OutMessage(GROUP, "", edit_message_id=ref.message_id, close_poll_id=ref.poll_id)
    assert (await send(adapter, closing, "close#0")).poll_id == ref.poll_id
    assert client.guild.announce.ended == [sent["id"]]
    client.guild.announce.fail("end_poll", http_error(400, 520001, "Poll expired"))
    await send(adapter, closing, "close#1")  # already over: done, not an error
    with pytest.raises(PermanentError, match="1-10 answers"):
        await send(adapter, OutMessage(GROUP, "", poll=PollSpec("?", tuple("abcdefghijk"))), "p#0")


async def test_a_file_is_attached_with_its_caption(adapter: DiscordAdapter, client: FakeClient) -> None:
    ics = Attachment("event-1.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    await send(adapter, OutMessage(GROUP, "📎 #1 Rust night", attachment=ics))
    (sent,) = client.guild.announce.sent
    file: discord.File = sent["file"]
    assert file.filename == "event-1.ics" and file.fp.read() == ics.content
    assert sent["content"] == "📎 #1 Rust night"


async def test_direct_messages_and_members_who_cannot_be_reached(
    adapter: DiscordAdapter, client: FakeClient
) -> None:
    await send(adapter, OutMessage(DM, "⏰ Reminder"))
    assert [s["content"] for s in client.dms[int(BOB)].sent] == ["⏰ Reminder"]
    client.dms[int(BOB)].fail("send", http_error(403, 50007, "Cannot send messages to this user"))
    with pytest.raises(Unreachable):
        await send(adapter, OutMessage(DM, "⏰ Again"), "k#1")


def test_mentions_become_pings_only_for_the_members_named() -> None:
    names = {BOB: ("bob", "bob"), CAROL: ("Carol Li", "carol.li"), ALICE: (None, "alice_w")}.get
    text = render_mentions("@bob Carol Li and @alice_w, not @everyone (or bobby)", (BOB, CAROL, ALICE), names)
    assert text == f"<@{BOB}> <@{CAROL}> and <@{ALICE}>, not @everyone (or bobby)"
    assert render_mentions("Dave: hi", ("42",), lambda _: None) == "Dave: hi"  # unknown: plain text
    allowed = allowed_mentions((BOB, "not-an-id"))
    assert isinstance(allowed.users, list) and [u.id for u in allowed.users] == [int(BOB)]
    assert not allowed.everyone and not allowed.roles


def test_long_texts_are_cut_without_breaking_a_mention() -> None:
    text = "x" * 1990 + f"<@{BOB}> tail"
    cut = fit(text)
    assert len(cut) <= 2000 and cut.endswith("x…") and "<@" not in cut


def test_buttons_beyond_discords_limits_are_refused() -> None:
    with pytest.raises(PermanentError, match="custom_id"):
        build_view(((Button("x", "y" * 101),),))
    with pytest.raises(PermanentError, match="rows"):
        build_view(tuple((Button(str(i), f"b{i}"),) for i in range(6)))


@pytest.mark.parametrize(
    ("exc", "private", "expected"),
    [
        (discord.RateLimited(40.0), False, RetryAfter),
        (http_error(429, 0, "rate limited", retry_after=7.5), False, RetryAfter),
        (http_error(503, 0, "unavailable"), False, TransientError),
        (http_error(403, 50013, "Missing Permissions"), False, PermanentError),
        (http_error(404, 10003, "Unknown Channel"), False, PermanentError),
        (http_error(403, 50007, "Cannot send messages to this user"), True, Unreachable),
        (http_error(401, 0, "401: Unauthorized"), False, TransientError),
        (TimeoutError(), False, TransientError),
        (ValueError("start_time must be aware"), False, PermanentError),
    ],
)
def test_errors_map_to_the_ports_errors(exc: BaseException, private: bool, expected: type) -> None:
    error = to_delivery_error(exc, private=private, scope=GUILD)
    assert type(error) is expected
    if isinstance(error, RetryAfter):
        assert error.seconds in (40.0, 7.5) and error.scope_chat_id == GUILD
    if expected is PermanentError:
        assert not isinstance(error, Unreachable)


def mirror(**changes: Any) -> EventMirror:
    values: dict[str, Any] = {
        "event_id": 1, "title": "Rust night", "description": "discussion · gatherbot #1",
        "starts_at": datetime(2026, 12, 5, 11, tzinfo=UTC), "ends_at": datetime(2026, 12, 5, 12, tzinfo=UTC),
        "place": "https://meet.example/rust",
    }  # fmt: skip
    return EventMirror(**{**values, **changes})


async def test_scheduled_events_created_updated_in_place_and_cancelled(
    adapter: DiscordAdapter, client: FakeClient
) -> None:
    ref = await send(adapter, OutMessage(GROUP, "", mirror=mirror()), "m#0")
    (created,) = client.guild.created
    assert created == {
        "name": "Rust night", "description": "discussion · gatherbot #1",
        "start_time": datetime(2026, 12, 5, 11, tzinfo=UTC), "end_time": datetime(2026, 12, 5, 12, tzinfo=UTC),
        "privacy_level": discord.PrivacyLevel.guild_only, "entity_type": discord.EntityType.external,
        "location": "https://meet.example/rust",
    }  # fmt: skip
    event = client.guild.events[int(ref.message_id)]
    assert adapter.knowledge.our_event_id(ref.message_id) == 1
    changed = mirror(title="Rust talks", place=f"Stage <#{STAGE}>", external_id=ref.message_id)
    assert (await send(adapter, OutMessage(GROUP, "", mirror=changed), "m#1")).message_id == ref.message_id
    (edit,) = event.edits
    assert edit["entity_type"] is discord.EntityType.stage_instance and edit["channel"] is client.guild.stage
    event.status = discord.EventStatus.active  # it has started: its start is left alone
    await send(adapter, OutMessage(GROUP, "", mirror=mirror(place=None, external_id=ref.message_id)), "m#2")
    assert "start_time" not in event.edits[-1] and event.edits[-1]["location"] == "Discord"
    await send(
        adapter, OutMessage(GROUP, "", mirror=mirror(cancelled=True, external_id=ref.message_id)), "m#3"
    )
    assert event.calls == ["end"]  # an active event is ended, a scheduled one cancelled


async def test_a_scheduled_event_deleted_in_discord_is_made_again(
    adapter: DiscordAdapter, client: FakeClient
) -> None:
    ref = await send(adapter, OutMessage(GROUP, "", mirror=mirror(external_id="1577500000000000999")), "m#0")
    assert ref.message_id != "1577500000000000999" and len(client.guild.created) == 1


async def test_scheduled_event_failures_are_port_errors(adapter: DiscordAdapter, client: FakeClient) -> None:
    client.guild.fail("create_scheduled_event", http_error(403, 50013, "Missing Permissions"))
    with pytest.raises(PermanentError, match="Missing Permissions"):
        await send(adapter, OutMessage(GROUP, "", mirror=mirror()), "m#0")
    client.guild.fail("create_scheduled_event", http_error(500, 0, "Internal Server Error"))
    with pytest.raises(TransientError):
        await send(adapter, OutMessage(GROUP, "", mirror=mirror()), "m#1")
    with pytest.raises(PermanentError, match="not in server"):
        await send(adapter, OutMessage(Target("discord", "815735085465739999"), "", mirror=mirror()), "m#2")


def test_external_locations_name_channels() -> None:
    names = {int(VOICE): "Study Room"}.get
    assert location(f"Room <#{VOICE}>", names) == "Room #Study Room"
    assert location(None, names) == "Discord"
    assert len(location("x" * 300, names)) == 100


def test_markdown_in_our_text_is_shown_as_typed() -> None:
    from adapters.discord.outbound import text_kwargs

    message = OutMessage(
        Target("discord", "1", False, "group"),
        "📅 **Free** [prize](javascript:alert(1)) _now_ for @bob_s\n📍 https://meet.example/a_b",
        mentions=("42",),
    )
    content = text_kwargs(message, lambda uid: ("Bob S", "bob_s"))["content"]
    assert content == (
        "📅 \\*\\*Free\\*\\* \\[prize](javascript:alert(1)) \\_now\\_ for <@42>\n📍 https://meet.example/a_b"
    )
