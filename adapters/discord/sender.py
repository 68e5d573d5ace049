"""Outbound: one OutMessage becomes one discord.py call; failures become the port's errors.

Where a message goes:
- a member's DMs (Target.is_private: chat_id is the user id);
- a reply to something a member did (the outbox key names its source, which names the channel):
  a follow-up of the interaction while it lives, else a message in that channel;
- any other group post: the server's posting channel ([discord] channels, else the system
  channel, else the first text channel the bot may write in).
Rate limits: discord.py waits out short 429s itself; longer ones become RetryAfter for the relay.
A retried delivery reuses its nonce (enforced), so Discord does not post it twice within minutes.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import discord

from adapters.discord.desk import InteractionDesk, Pending
from adapters.discord.errors import Redactor, is_already_done, to_delivery_error
from adapters.discord.mirrors import Mirrors, guild_of
from adapters.discord.outbound import build_poll, build_view, text_kwargs
from adapters.discord.settings import DiscordSettings
from adapters.discord.state import Knowledge
from bot.domain.messages import OutMessage, SentRef, Target
from bot.ports import DeliveryError, PermanentError

logger = logging.getLogger(__name__)

# Ctx.send keys replies 'reply:<platform>:<source_id>:<n>'; our source ids start 'kind:guild:channel:id'.
REPLY_KEY = re.compile(r"^reply:discord:(msg|edit|int):([^:]+):(\d+):(\d+):")


@dataclass(frozen=True)
class Route:
    """Where the event a reply answers happened."""

    kind: str
    guild: str  # '@me' for a private chat
    channel: int
    source: str  # message or interaction id


def reply_route(key: str) -> Route | None:
    match = REPLY_KEY.match(key)
    if match is None:
        return None
    return Route(match.group(1), match.group(2), int(match.group(3)), match.group(4))


class Sender:
    """Executes the core's messages with the adapter's client."""

    def __init__(
        self,
        client: Callable[[], Any],
        settings: DiscordSettings,
        knowledge: Knowledge,
        desk: InteractionDesk,
        redact: Redactor,
        cache_size: int = 2048,
    ) -> None:
        self._client = client
        self.settings = settings
        self.knowledge = knowledge
        self.desk = desk
        self.redact = redact
        self.mirrors = Mirrors(client, knowledge)
        self._sent: OrderedDict[str, SentRef] = OrderedDict()
        self._cache_size = cache_size
        self._homes: dict[str, int] = {}

    async def send(self, message: OutMessage, *, idempotency_key: str) -> SentRef:
        """Send, edit, end a poll or mirror an event; a key already sent by this process returns the first answer."""
        cached = self._sent.get(idempotency_key)
        if cached is not None:
            return cached
        target = message.target
        try:
            ref = await self._deliver(message, idempotency_key)
        except DeliveryError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes a port error
            if not is_already_done(exc):
                raise to_delivery_error(
                    exc, private=target.is_private, scope=target.chat_id, redact=self.redact
                ) from None
            done = (message.mirror.external_id if message.mirror else None) or message.edit_message_id
            ref = SentRef(done or message.close_poll_id or "", poll_id=message.close_poll_id)
        self._sent[idempotency_key] = ref
        while len(self._sent) > self._cache_size:
            self._sent.popitem(last=False)
        return ref

    async def _deliver(self, message: OutMessage, key: str) -> SentRef:
        if message.mirror is not None:
            return await self.mirrors.apply(message)
        if message.close_poll_id is not None:
            message_id = message.edit_message_id or message.close_poll_id
            channel = await self._channel_of(message_id, message.target)
            await channel.get_partial_message(_id(message_id)).end_poll()
            return SentRef(message_id, poll_id=message.close_poll_id)
        if message.edit_message_id is not None:
            return await self._edit(message)
        return await self._post(message, key)

    async def _post(self, message: OutMessage, key: str) -> SentRef:
        kwargs = text_kwargs(message, self.names)
        if not kwargs["content"].strip():
            if message.poll is None and message.attachment is None:
                raise PermanentError("discord: cannot send an empty message")
            del kwargs["content"]
        if message.poll is not None:
            kwargs["poll"] = build_poll(message.poll, self.settings.poll_hours)
        if message.attachment is not None:
            kwargs["file"] = discord.File(
                io.BytesIO(message.attachment.content), filename=message.attachment.filename
            )
        pending = self._live_interaction(message.target, key)
        if pending is not None:
            sent = await self.desk.follow_up(pending, **kwargs)
        else:  # the nonce makes Discord return the first message if a retry sends it again within minutes
            sent = await (await self._channel(message.target, key)).send(nonce=nonce(key), **kwargs)
        channel_id = str(sent.channel.id)
        self.knowledge.message_channels[str(sent.id)] = channel_id
        poll_id = str(sent.id) if message.poll is not None else None
        return SentRef(str(sent.id), poll_id=poll_id, extra={"channel_id": channel_id})

    async def _edit(self, message: OutMessage) -> SentRef:
        assert message.edit_message_id is not None
        kwargs = text_kwargs(message, self.names)
        kwargs["view"] = build_view(message.buttons)  # None takes the buttons away
        channel = await self._channel_of(message.edit_message_id, message.target)
        await channel.get_partial_message(_id(message.edit_message_id)).edit(**kwargs)
        return SentRef(message.edit_message_id)

    # --- where messages go ------------------------------------------------------------------

    def _live_interaction(self, target: Target, key: str) -> Pending | None:
        """The interaction a reply answers, if its token still lives and it happened in target."""
        route = reply_route(key)
        if route is None or route.kind != "int":
            return None
        pending = self.desk.get(route.source)
        if pending is None:
            return None
        if target.is_private:
            return pending if route.guild == "@me" and pending.user_id == target.chat_id else None
        return pending if route.guild == target.chat_id else None

    async def _channel(self, target: Target, key: str) -> Any:
        if target.is_private:
            return await self._client().create_dm(discord.Object(_id(target.chat_id)))
        route = reply_route(key)
        if route is not None and route.guild == target.chat_id:
            return self._client().get_partial_messageable(route.channel, guild_id=_id(route.guild))
        return self.home_channel(target.chat_id)

    async def _channel_of(self, message_id: str, target: Target) -> Any:
        """The channel of a message we sent (the server's posting channel when forgotten)."""
        known = self.knowledge.message_channels.get(message_id)
        if known is not None:
            return self._client().get_partial_messageable(int(known))
        return await self._channel(target, "")

    def home_channel(self, guild_id: str) -> Any:
        """Where group posts go in a server."""
        client = self._client()
        configured = self.settings.channels.get(guild_id)
        if configured is not None:
            return client.get_partial_messageable(int(configured), guild_id=_id(guild_id))
        guild = guild_of(client, guild_id)
        me = guild.me
        candidates = [guild.system_channel, *sorted(guild.text_channels, key=lambda c: c.position)]
        for channel in candidates:
            if channel is not None and channel.permissions_for(me).send_messages:
                if self._homes.get(guild_id) != channel.id:
                    self._homes[guild_id] = channel.id
                    logger.info(
                        "discord: posting in #%s of %s (set [discord] channels to choose)", channel, guild
                    )
                return channel
        raise PermanentError(
            f"discord: no channel in server {guild_id} the bot may post in; give it Send Messages "
            "or set [discord] channels"
        )

    def names(self, user_id: str) -> tuple[str | None, str | None] | None:
        """(display name, username) of a user, from what the adapter saw or discord.py's cache."""
        known = self.knowledge.names.get(user_id)
        if known is not None:
            return known
        user = self._client().get_user(int(user_id))
        if user is None:
            return None
        return getattr(user, "global_name", None) or user.name, user.name


def nonce(key: str) -> str:
    """Discord's per-message nonce (at most 25 characters), the same for every try of one delivery."""
    return hashlib.sha256(key.encode()).hexdigest()[:25]


def _id(text: str) -> int:
    if not text.isdigit():
        raise PermanentError(f"discord: not a Discord id: {text!r}")
    return int(text)
