"""Our events as Guild Scheduled Events: created, updated in place, cancelled (or ended) with ours.

SentRef.message_id is the Scheduled Event's id; the core keeps it and sends it back as
EventMirror.external_id. One deleted by hand in Discord is created again on the next change.
Failures raise the port's errors through the sender; our own event is never touched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import discord

from adapters.discord.outbound import event_fields, location, place_channel_id
from adapters.discord.state import Knowledge
from bot.domain.messages import EventMirror, OutMessage, SentRef
from bot.ports import PermanentError, TransientError

logger = logging.getLogger(__name__)


class Mirrors:
    """Executes OutMessage.mirror against a server."""

    def __init__(self, client: Callable[[], Any], knowledge: Knowledge) -> None:
        self._client = client
        self.knowledge = knowledge

    async def apply(self, message: OutMessage) -> SentRef:
        mirror = message.mirror
        assert mirror is not None
        guild = guild_of(self._client(), message.target.chat_id)
        existing = await self._existing(guild, mirror.external_id)
        if mirror.cancelled:
            if existing is not None:
                await self._close(existing)
            self.knowledge.mirrored(str(guild.id), mirror, mirror.external_id or "")
            return SentRef(mirror.external_id or "")
        external = await self._create_or_edit(guild, mirror, existing)
        self.knowledge.mirrored(str(guild.id), mirror, external)
        return SentRef(external)

    async def _create_or_edit(self, guild: Any, mirror: EventMirror, existing: Any) -> str:
        fields = event_fields(mirror, self._voice_channel(guild, mirror.place), self._location(guild, mirror))
        if existing is None:
            created = await guild.create_scheduled_event(**fields)
            logger.info("discord: event #%s mirrored as Scheduled Event %s", mirror.event_id, created.id)
            return str(created.id)
        if existing.status is discord.EventStatus.active:
            del fields["start_time"]  # an event that has started keeps its start
        elif existing.status is not discord.EventStatus.scheduled:
            return str(existing.id)  # finished or cancelled there: leave it as it is
        await existing.edit(**fields)
        return str(existing.id)

    @staticmethod
    async def _existing(guild: Any, external_id: str | None) -> Any:
        if not external_id or not external_id.isdigit():
            return None
        found = guild.get_scheduled_event(int(external_id))
        if found is not None:
            return found
        try:
            return await guild.fetch_scheduled_event(int(external_id))
        except discord.NotFound:
            logger.info("discord: Scheduled Event %s was deleted in Discord; making a new one", external_id)
            return None

    @staticmethod
    async def _close(event: Any) -> None:
        if event.status is discord.EventStatus.scheduled:
            await event.cancel()
        elif event.status is discord.EventStatus.active:
            await event.end()

    @staticmethod
    def _voice_channel(guild: Any, place: str | None) -> Any:
        channel_id = place_channel_id(place)
        channel = guild.get_channel(channel_id) if channel_id is not None else None
        return channel if isinstance(channel, discord.VoiceChannel | discord.StageChannel) else None

    @staticmethod
    def _location(guild: Any, mirror: EventMirror) -> str:
        def name(channel_id: int) -> str | None:
            channel = guild.get_channel(channel_id)
            return getattr(channel, "name", None)

        return location(mirror.place, name)


def guild_of(client: Any, chat_id: str) -> Any:
    """The server a community is (TransientError while still connecting, PermanentError if not a member)."""
    if not chat_id.isdigit():
        raise PermanentError(f"discord: not a server id: {chat_id!r}")
    guild = client.get_guild(int(chat_id))
    if guild is not None:
        return guild
    if not client.is_ready():
        raise TransientError("discord: still connecting; the server is not loaded yet")
    raise PermanentError(f"discord: the bot is not in server {chat_id}")
