"""What reaches Discord's HTTP API: the adapter on the real discord.py client, with only HTTP faked.

discord.py validates arguments and builds the request bodies itself, so these tests catch a
keyword discord.py would refuse (e.g. a channel on an external event) and show the JSON sent.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from unittest.mock import AsyncMock

import discord
import pytest

from adapters.discord import DiscordAdapter, create
from adapters.discord.client import build
from adapters.discord.sender import nonce
from bot.config import Config
from bot.domain.messages import Attachment, Button, EventMirror, OutMessage, PollSpec, Target
from tests.discord.fakes import ANNOUNCE, BOB, GUILD, STAGE, TOKEN, VOICE, fixture

GROUP = Target("discord", GUILD, False, "group")
SERVER = fixture("guild_create")["d"]
BOT_USER = SERVER["members"][1]["user"]


class Wire:
    """The requests discord.py made, by HTTP method name."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def of(self, name: str) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
        return [(args, kwargs) for method, args, kwargs in self.calls if method == name]

    def fake(self, name: str, answer: Any) -> AsyncMock:
        async def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, args, kwargs))
            return answer(*args, **kwargs) if callable(answer) else answer

        return AsyncMock(side_effect=call)


def message_json(channel_id: Any, message_id: str = "1577400000000000001") -> dict[str, Any]:
    return {
        "id": message_id, "channel_id": str(channel_id), "type": 0, "content": "", "author": BOT_USER,
        "attachments": [], "embeds": [], "mentions": [], "mention_roles": [], "pinned": False,
        "mention_everyone": False, "tts": False, "timestamp": "2026-12-01T01:00:00+00:00",
        "edited_timestamp": None, "flags": 0, "components": [],
    }  # fmt: skip


def event_json(*_: Any, **payload: Any) -> dict[str, Any]:
    base = copy.deepcopy(SERVER["guild_scheduled_events"][0])
    base.update(id="1577500000000000001", status=1)
    if payload.get("channel_id"):
        base.update(entity_type=2, channel_id=str(payload["channel_id"]), entity_metadata=None)
    return base


@pytest.fixture
async def wired() -> AsyncIterator[tuple[DiscordAdapter, Wire]]:
    adapter = create(Config(discord={"token": TOKEN}))
    client = build(adapter.settings, adapter)
    adapter.client = client
    await client._async_setup_hook()  # what login() does before any request
    state = client._connection
    state.user = discord.ClientUser(state=state, data=BOT_USER)
    state._add_guild(discord.Guild(data=SERVER, state=state))
    wire = Wire()
    answers = {
        "send_message": lambda channel_id, **_: message_json(channel_id),
        "edit_message": lambda channel_id, *_, **__: message_json(channel_id),
        "end_poll": lambda channel_id, *_: message_json(channel_id),
        "create_guild_scheduled_event": event_json,
        "edit_scheduled_event": event_json,
        "get_scheduled_event": event_json,
    }
    for name, answer in answers.items():
        setattr(state.http, name, wire.fake(name, answer))
    try:
        yield adapter, wire
    finally:
        await client.close()


async def test_a_post_with_buttons_a_link_pings_and_a_poll(wired: tuple[DiscordAdapter, Wire]) -> None:
    adapter, wire = wired
    adapter.knowledge.remember_name(BOB, "bob", "bob")
    buttons = (
        (
            Button("Going", "rsvp:1:going"),
            Button("🔔 Remind me privately", "dm", url="https://discord.com/users/1"),
        ),
    )
    message = OutMessage(
        GROUP, "@bob: rate it", buttons, mentions=(BOB,), poll=PollSpec("How was it?", ("1", "2"))
    )
    ref = await adapter.send(message, idempotency_key="poll:1#0")
    (((channel_id,), kwargs),) = wire.of("send_message")
    body = kwargs["params"].payload
    assert channel_id == int(ANNOUNCE)  # the server's system channel
    assert body["content"] == f"<@{BOB}>: rate it"
    assert body["allowed_mentions"] == {"users": [int(BOB)], "parse": []}
    assert body["nonce"] == nonce("poll:1#0") and body["enforce_nonce"] is True
    (row,) = body["components"]
    assert [(b["type"], b["style"], b.get("custom_id"), b.get("url")) for b in row["components"]] == [
        (2, 2, "rsvp:1:going", None),
        (2, 5, None, "https://discord.com/users/1"),
    ]
    assert body["poll"]["duration"] == 25 and body["poll"]["allow_multiselect"] is False
    assert [a["poll_media"]["text"] for a in body["poll"]["answers"]] == ["1", "2"]
    assert ref.message_id == ref.poll_id == "1577400000000000001"


async def test_a_file_an_edit_and_ending_a_poll(wired: tuple[DiscordAdapter, Wire]) -> None:
    adapter, wire = wired
    ics = Attachment("event-1.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    ref = await adapter.send(OutMessage(GROUP, "📎 calendar", attachment=ics), idempotency_key="f#0")
    ((_, kwargs),) = wire.of("send_message")
    (file,) = kwargs["params"].files
    assert file.filename == "event-1.ics"
    await adapter.send(OutMessage(GROUP, "edited", edit_message_id=ref.message_id), idempotency_key="e#0")
    ((args, kwargs),) = wire.of("edit_message")
    assert args[:2] == (int(ANNOUNCE), int(ref.message_id))
    assert kwargs["params"].payload["content"] == "edited" and kwargs["params"].payload["components"] == []
    closing = OutMessage(GROUP, "", edit_message_id=ref.message_id, close_poll_id=ref.message_id)
    await adapter.send(closing, idempotency_key="c#0")
    assert wire.of("end_poll") == [((int(ANNOUNCE), int(ref.message_id)), {})]


def mirror(**changes: Any) -> EventMirror:
    values: dict[str, Any] = {
        "event_id": 7, "title": "Rust night", "description": "discussion · gatherbot #7",
        "starts_at": datetime(2026, 12, 5, 11, tzinfo=UTC), "ends_at": datetime(2026, 12, 5, 12, tzinfo=UTC),
        "place": "https://meet.example/rust",
    }  # fmt: skip
    return EventMirror(**{**values, **changes})


async def test_scheduled_events_as_discord_receives_them(wired: tuple[DiscordAdapter, Wire]) -> None:
    adapter, wire = wired
    ref = await adapter.send(OutMessage(GROUP, "", mirror=mirror()), idempotency_key="m#0")
    ((_, created),) = wire.of("create_guild_scheduled_event")
    assert created == {
        "name": "Rust night", "description": "discussion · gatherbot #7",
        "scheduled_start_time": "2026-12-05T11:00:00+00:00", "scheduled_end_time": "2026-12-05T12:00:00+00:00",
        "privacy_level": 2, "entity_type": 3, "entity_metadata": {"location": "https://meet.example/rust"},
        "reason": None,
    }  # fmt: skip
    moved = mirror(place=f"<#{STAGE}> Talks", external_id=ref.message_id)
    await adapter.send(OutMessage(GROUP, "", mirror=moved), idempotency_key="m#1")
    ((_, edited),) = wire.of("edit_scheduled_event")
    assert (edited["entity_type"], edited["channel_id"], edited["entity_metadata"]) == (1, int(STAGE), None)
    voice = await adapter.send(
        OutMessage(GROUP, "", mirror=mirror(place=f"<#{VOICE}>")), idempotency_key="m#2"
    )
    assert wire.of("create_guild_scheduled_event")[1][1]["channel_id"] == int(VOICE) and voice.message_id
