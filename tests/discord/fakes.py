"""A Discord in memory: a fake client, servers, channels and interactions that record every call.

Pass a FakeClient to the adapter (``create(config, client=fake)``); the adapter then talks to it
instead of the network. Interactions are ``MagicMock(spec=discord.Interaction)`` built from the
recorded INTERACTION_CREATE payloads in fixtures/, with AsyncMock responses.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest.mock import AsyncMock, MagicMock

import discord

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "MTU2NjI0MDM1NTEyMzMzMTA4Mw.GfAkeT.0123456789abcdefghijklmnopqrstuvwxyzABCD"
GUILD, GENERAL, ANNOUNCE = "815735085465731073", "815735085465731074", "815735085465731075"
VOICE, STAGE = "816097473331331076", "816097473331331077"
ROLE_ORG, ROLE_MOD = "816459861196931078", "816459861196931079"
ALICE, BOB, CAROL, BOT = (
    "572935215513731080",
    "716803198156931081",
    "992217976012931082",
    "1566240355123331083",
)
DM_BOB = "1573125724569731084"
POLL_MSG, SCHED, M1 = "1577323384012931102", "1577127342243971112", "1577128348876931092"
EVERYONE_PERMS = (1 << 10) | (1 << 11) | (1 << 6) | (1 << 16) | (1 << 31)


def fixture(name: str) -> dict[str, Any]:
    """A recorded gateway dispatch: {'t', 's', 'op', 'd'}."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def http_error(
    status: int, code: int = 0, message: str = "error", *, retry_after: float | None = None
) -> Any:
    """The discord.py exception for an HTTP answer (Forbidden for 403, NotFound for 404...)."""
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    response = SimpleNamespace(status=status, reason=message, headers=headers)
    cls = {403: discord.Forbidden, 404: discord.NotFound}.get(status, discord.HTTPException)
    if status >= 500:
        cls = discord.DiscordServerError
    return cls(response, {"code": code, "message": message})  # type: ignore[arg-type]


class Failing:
    """Queued failures: the next call of a method raises them, in order."""

    def __init__(self) -> None:
        self.failures: dict[str, list[BaseException]] = {}

    def fail(self, method: str, exc: BaseException) -> None:
        self.failures.setdefault(method, []).append(exc)

    def check(self, method: str) -> None:
        queued = self.failures.get(method)
        if queued:
            raise queued.pop(0)


class FakeMessage:
    def __init__(self, message_id: int, channel: FakeChannel) -> None:
        self.id, self.channel = message_id, channel


class FakePartialMessage:
    def __init__(self, channel: FakeChannel, message_id: int) -> None:
        self.channel, self.id = channel, message_id

    async def edit(self, **kwargs: Any) -> FakeMessage:
        self.channel.check("edit")
        self.channel.edits.append({"message_id": self.id, **kwargs})
        return FakeMessage(self.id, self.channel)

    async def end_poll(self) -> FakeMessage:
        self.channel.check("end_poll")
        self.channel.ended.append(self.id)
        return FakeMessage(self.id, self.channel)


class FakeChannel(Failing):
    """A text, voice, stage or DM channel that records what is sent in it."""

    _ids = itertools.count(1577400000000000000)

    def __init__(self, channel_id: str, name: str = "", position: int = 0, can_send: bool = True) -> None:
        super().__init__()
        self.id, self.name, self.position, self.can_send = int(channel_id), name, position, can_send
        self.sent: list[dict[str, Any]] = []
        self.edits: list[dict[str, Any]] = []
        self.ended: list[int] = []

    def __str__(self) -> str:
        return self.name

    async def send(self, content: str | None = None, **kwargs: Any) -> FakeMessage:
        self.check("send")
        message = FakeMessage(next(self._ids), self)
        self.sent.append({"id": message.id, "content": content, **kwargs})
        return message

    def get_partial_message(self, message_id: int) -> FakePartialMessage:
        return FakePartialMessage(self, message_id)

    def permissions_for(self, _: Any) -> Any:
        return SimpleNamespace(send_messages=self.can_send)


def voice_channel(channel_id: str, name: str, *, stage: bool = False) -> Any:
    """A voice/stage channel as discord.py would give it (isinstance checks pass)."""
    channel = MagicMock(spec=discord.StageChannel if stage else discord.VoiceChannel)
    channel.id, channel.name = int(channel_id), name
    return channel


class FakeScheduledEvent(Failing):
    def __init__(self, event_id: int, fields: dict[str, Any]) -> None:
        super().__init__()
        self.id, self.fields = event_id, dict(fields)
        self.status = discord.EventStatus.scheduled
        self.edits: list[dict[str, Any]] = []
        self.calls: list[str] = []

    async def edit(self, **kwargs: Any) -> FakeScheduledEvent:
        self.check("edit")
        self.edits.append(kwargs)
        self.fields.update(kwargs)
        return self

    async def cancel(self) -> FakeScheduledEvent:
        self.check("cancel")
        self.calls.append("cancel")
        self.status = discord.EventStatus.cancelled
        return self

    async def end(self) -> FakeScheduledEvent:
        self.calls.append("end")
        self.status = discord.EventStatus.completed
        return self


class FakeGuild(Failing):
    """A server: roles, channels, the bot's member, and its Scheduled Events."""

    _ids = itertools.count(1577500000000000000)

    def __init__(self) -> None:
        super().__init__()
        self.id, self.name, self.owner_id = int(GUILD), "Rust Study Group", int(ALICE)
        self.me = SimpleNamespace(id=int(BOT))
        self.roles = [
            SimpleNamespace(id=int(GUILD), permissions=discord.Permissions(EVERYONE_PERMS)),
            SimpleNamespace(id=int(ROLE_ORG), permissions=discord.Permissions(EVERYONE_PERMS | (1 << 33))),
            SimpleNamespace(id=int(ROLE_MOD), permissions=discord.Permissions(EVERYONE_PERMS | (1 << 5))),
        ]
        self.announce = FakeChannel(ANNOUNCE, "announcements", 0)
        self.general = FakeChannel(GENERAL, "general", 1)
        self.system_channel: FakeChannel | None = self.announce
        self.text_channels = [self.general, self.announce]
        self.voice = voice_channel(VOICE, "Study Room")
        self.stage = voice_channel(STAGE, "Talks", stage=True)
        self.channels: dict[int, Any] = {
            c.id: c for c in (self.announce, self.general, self.voice, self.stage)
        }
        self.events: dict[int, FakeScheduledEvent] = {}
        self.created: list[dict[str, Any]] = []
        self.cache_events = True  # False: as if the cache lost them (fetch_scheduled_event is used)

    def get_channel(self, channel_id: int) -> Any:
        return self.channels.get(channel_id)

    async def create_scheduled_event(self, **kwargs: Any) -> FakeScheduledEvent:
        self.check("create_scheduled_event")
        self.created.append(kwargs)
        event = FakeScheduledEvent(next(self._ids), kwargs)
        self.events[event.id] = event
        return event

    def get_scheduled_event(self, event_id: int) -> FakeScheduledEvent | None:
        return self.events.get(event_id) if self.cache_events else None

    async def fetch_scheduled_event(self, event_id: int) -> FakeScheduledEvent:
        if event_id not in self.events:
            raise http_error(404, 10070, "Unknown Guild Scheduled Event")
        return self.events[event_id]


class FakeClient(Failing):
    """What the adapter uses of discord.Client."""

    def __init__(self) -> None:
        super().__init__()
        self.user = SimpleNamespace(id=int(BOT), name="gatherbot", global_name="Gatherbot")
        self.application_id = int(BOT)
        self.guild = FakeGuild()
        self.guilds = [self.guild]
        self.channels: dict[int, FakeChannel] = {c.id: c for c in self.guild.text_channels}
        self.dms: dict[int, FakeChannel] = {}
        self.users: dict[int, Any] = {}
        self.http = SimpleNamespace(
            bulk_upsert_global_commands=AsyncMock(), bulk_upsert_guild_commands=AsyncMock()
        )
        self.on_start: Callable[[], None] | None = None
        self.start_error: BaseException | None = None
        self.tokens: list[str] = []
        self._closed = asyncio.Event()

    def get_guild(self, guild_id: int) -> FakeGuild | None:
        return self.guild if guild_id == self.guild.id else None

    def get_partial_messageable(self, channel_id: int, *, guild_id: int | None = None) -> FakeChannel:
        if channel_id not in self.channels:
            self.channels[channel_id] = FakeChannel(str(channel_id), f"channel-{channel_id}")
        return self.channels[channel_id]

    async def create_dm(self, user: Any) -> FakeChannel:
        self.check("create_dm")
        if user.id not in self.dms:
            self.dms[user.id] = FakeChannel(str(user.id + 1), f"dm-{user.id}")
            self.channels[user.id + 1] = self.dms[user.id]
        return self.dms[user.id]

    def get_user(self, user_id: int) -> Any:
        return self.users.get(user_id)

    def is_ready(self) -> bool:
        return True

    def is_closed(self) -> bool:
        return self._closed.is_set()

    async def start(self, token: str) -> None:
        self.tokens.append(token)
        if self.start_error is not None:
            raise self.start_error
        if self.on_start is not None:
            self.on_start()
        await self._closed.wait()

    async def close(self) -> None:
        self._closed.set()


def fake_interaction(payload: dict[str, Any], client: FakeClient | None = None) -> Any:
    """A discord.Interaction for an INTERACTION_CREATE payload (its 'd'); responses are AsyncMocks."""
    d = payload.get("d", payload)
    raw_user = (d.get("member") or {}).get("user") or d["user"]
    interaction = MagicMock(spec=discord.Interaction)
    interaction.id = int(d["id"])
    interaction.type = discord.InteractionType(d["type"])
    interaction.data = d.get("data")
    interaction.guild_id = int(d["guild_id"]) if d.get("guild_id") else None
    interaction.channel_id = int(d["channel_id"])
    interaction.locale = discord.Locale(d.get("locale", "en-US"))
    interaction.permissions = discord.Permissions(int((d.get("member") or {}).get("permissions") or 0))
    interaction.message = SimpleNamespace(id=int(d["message"]["id"])) if d.get("message") else None
    interaction.user = SimpleNamespace(
        id=int(raw_user["id"]), name=raw_user["username"], global_name=raw_user.get("global_name"),
        bot=raw_user.get("bot", False), nick=(d.get("member") or {}).get("nick"),
    )  # fmt: skip
    interaction.response = MagicMock()
    for method in ("defer", "send_modal", "autocomplete", "send_message"):
        setattr(interaction.response, method, AsyncMock())
    channel = client.get_partial_messageable(int(d["channel_id"])) if client else FakeChannel(d["channel_id"])
    interaction.followup = MagicMock()
    interaction.followup.send = AsyncMock(
        side_effect=lambda *a, **kw: FakeMessage(next(FakeChannel._ids), channel)
    )
    interaction.edit_original_response = AsyncMock()
    interaction.delete_original_response = AsyncMock()
    return interaction
