"""The Discord adapter: discord.py's client inside gatherbot's own event loop.

Inbound, every gateway dispatch is read as Discord sent it (``on_socket_raw_receive``), queued in
arrival order and turned into domain events by pure functions (translate.py); interactions come
through ``on_interaction``, are acknowledged at once (desk.py), then translated the same way.
The core's sink is called by one task at a time, in order. Outbound, send() executes one
OutMessage (sender.py); slash commands are published from the registry (commands.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import discord

from adapters.discord import client as clients
from adapters.discord.commands import command_payloads, newevent_modal, suggestions, tag_suggestions
from adapters.discord.desk import InteractionDesk
from adapters.discord.errors import Redactor
from adapters.discord.interactions import (
    MODAL,
    NONE,
    SUGGEST,
    THINK,
    UPDATE,
    first_response,
    focused,
    interaction_events,
    interaction_payload,
    modal_prefill,
    options_of,
)
from adapters.discord.policies import with_name
from adapters.discord.sender import Sender
from adapters.discord.settings import DiscordSettings
from adapters.discord.state import Knowledge
from adapters.discord.translate import INBOUND, PLATFORM, GuildInfo, Lookups, translate
from bot import i18n
from bot.domain.events import DomainEvent
from bot.domain.messages import OutMessage, SentRef
from bot.ports import Capabilities, CommandSpecView, EventSink

logger = logging.getLogger(__name__)

LEARNED = ("READY", "GUILD_CREATE", "GUILD_SCHEDULED_EVENT_CREATE", "GUILD_SCHEDULED_EVENT_UPDATE",
           "GUILD_SCHEDULED_EVENT_DELETE")  # fmt: skip


class DiscordAdapter:
    """ChatAdapter for Discord (discord.py 2.x)."""

    platform = PLATFORM

    def __init__(
        self,
        settings: DiscordSettings,
        *,
        client: Any = None,
        now: Callable[[], datetime] | None = None,
        max_occurrences: int = 52,
    ) -> None:
        self.settings = settings
        # dm_link (the bot's profile, where members start a private chat) is added once logged in.
        self.capabilities = Capabilities(
            native_polls=True, edit_messages=True, files=True, dm=True, max_text=2000, scheduled_events=True
        )
        self._now = now or (lambda: datetime.now(UTC))
        self._max_occurrences = max_occurrences
        self.redact = Redactor(settings.token)
        self.knowledge = Knowledge()
        self.desk = InteractionDesk()
        self.client: Any = client
        self.sender = Sender(lambda: self.client, settings, self.knowledge, self.desk, self.redact)
        self._sink: EventSink | None = None
        self._queue: asyncio.Queue[tuple[dict[str, Any], str | None]] = asyncio.Queue()
        self._lock = asyncio.Lock()
        self._ready = asyncio.Event()
        self._nonce = secrets.token_hex(3)  # makes gateway origins unique across processes
        self._sessions = 0
        self._tasks: list[asyncio.Task[Any]] = []

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self, sink: EventSink) -> None:
        """Log in, connect to the gateway, and wait (up to ready_timeout) for the first READY."""
        if self._sink is not None:
            raise RuntimeError("the Discord adapter is already started")
        self._sink = sink
        if self.client is None:
            self.client = clients.build(self.settings, self)
        self._tasks = [asyncio.create_task(self._consume(), name="discord-inbound")]
        runner = asyncio.create_task(self.client.start(self.settings.token), name="discord-gateway")
        self._tasks.append(runner)
        await clients.wait_connected(runner, self._ready, self.settings, self.redact, self.stop)
        clients.log_intents(self.settings)

    async def stop(self) -> None:
        """Close the gateway, finish the dispatches already received, stop the inbound task."""
        client, tasks = self.client, self._tasks
        self._tasks = []
        if client is not None and not client.is_closed():
            await client.close()
        try:
            await asyncio.wait_for(self._queue.join(), timeout=5)
        except TimeoutError:
            logger.warning("discord: %d gateway events left unhandled at stop", self._queue.qsize())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._sink = None

    def mark_ready(self) -> None:
        self._ready.set()
        user = getattr(self.client, "user", None)
        if user is not None:
            self.capabilities = replace(self.capabilities, dm_link=f"https://discord.com/users/{user.id}")
        logger.info("discord: connected as %s to %d servers", user, len(getattr(self.client, "guilds", [])))

    # --- inbound: gateway dispatches -------------------------------------------------------

    def tap(self, raw: str | bytes | dict[str, Any]) -> None:
        """Queue one raw gateway message if it is a dispatch we read (called in arrival order)."""
        try:
            payload = raw if isinstance(raw, dict) else json.loads(raw)
        except ValueError:
            return
        if not isinstance(payload, dict) or payload.get("op") != 0:
            return
        kind = payload.get("t")
        if kind == "READY":
            self._sessions += 1
        if kind in INBOUND or kind in LEARNED:
            seq = payload.get("s")
            origin = f"{self._nonce}{self._sessions}.{seq}" if seq is not None else None
            self._queue.put_nowait((payload, origin))

    async def _consume(self) -> None:
        while True:
            payload, origin = await self._queue.get()
            try:
                await self.handle_dispatch(payload, origin=origin)
            except Exception:  # noqa: BLE001 - one bad dispatch must not stop the adapter
                logger.exception("discord: handling %s failed", payload.get("t"))
            finally:
                self._queue.task_done()

    async def handle_dispatch(self, payload: dict[str, Any], *, origin: str | None = None) -> None:
        """Translate one dispatch, learn from it, and hand its events to the core in order."""
        kind, data = str(payload.get("t")), payload.get("d") or {}
        events = translate(kind, data, lookups=self.lookups(), origin=origin, now=self._now())
        self.knowledge.learn(kind, data)
        for event in events:
            await self._emit(event)

    def lookups(self) -> Lookups:
        user = getattr(self.client, "user", None)
        return Lookups(
            bot_user_id=str(user.id) if user is not None else None,
            guild=self._guild_info,
            voice_channel=self.knowledge.voice_channel,
            event_id=self.knowledge.our_event_id,
        )

    def _guild_info(self, guild_id: str) -> GuildInfo | None:
        guild = self.client.get_guild(int(guild_id)) if self.client is not None else None
        if guild is None:
            return None
        roles = {str(r.id): int(r.permissions.value) for r in guild.roles}
        owner = str(guild.owner_id) if guild.owner_id else None
        return GuildInfo(name=guild.name or "", owner_id=owner, roles=roles)

    async def _emit(self, event: DomainEvent) -> None:
        event = with_name(event, self.sender.names)
        user = event.user
        self.knowledge.remember_name(user.user_id, user.display_name, user.username)
        async with self._lock:
            if self._sink is not None:
                await self._sink(event)

    # --- inbound: interactions -------------------------------------------------------------

    async def handle_interaction(self, interaction: Any) -> None:
        """Acknowledge within Discord's 3 seconds, then hand the interaction to the core."""
        payload = interaction_payload(interaction)
        plan = first_response(payload)
        try:
            if await self._acknowledge(interaction, payload, plan):
                return
        except discord.HTTPException as exc:  # too late (over 3 s) or already answered elsewhere
            logger.warning(
                "discord: could not acknowledge interaction %s: %s", interaction.id, self.redact(exc)
            )
            return
        self.desk.open(interaction, plan)
        try:
            for event in interaction_events(payload, lookups=self.lookups()):
                await self._emit(event)
        finally:
            await self.desk.settle(str(interaction.id))

    async def _acknowledge(self, interaction: Any, payload: dict[str, Any], plan: str) -> bool:
        """The first response; True when that was all (a form opened, suggestions given)."""
        lang = i18n.normalize_lang(payload.get("locale")) or "en"
        if plan == MODAL:
            prefill = modal_prefill(options_of(payload.get("data") or {}))
            await interaction.response.send_modal(
                newevent_modal(prefill, lang, max_title=self.settings.max_title)
            )
            return True
        if plan == SUGGEST:
            typing = focused(payload.get("data") or {})
            known = self.knowledge.known_events(str(payload.get("guild_id")))
            if typing is None:
                choices = []
            elif typing[0] == "tags":
                choices = tag_suggestions(known, typing[1])
            else:
                choices = suggestions(known, typing[1])
            await interaction.response.autocomplete(choices)
            return True
        if plan == THINK:
            await interaction.response.defer(ephemeral=True, thinking=True)
        elif plan == UPDATE:
            await interaction.response.defer()
        return plan == NONE

    # --- the port --------------------------------------------------------------------------

    async def send(self, message: OutMessage, *, idempotency_key: str) -> SentRef:
        """Send, edit, end a poll or mirror an event (see sender.py)."""
        return await self.sender.send(message, idempotency_key=idempotency_key)

    async def answer(self, interaction_id: str, text: str) -> None:
        """The private notice for the member who used a command or pressed a button."""
        await self.desk.answer(interaction_id, text)

    async def sync_commands(self, commands: Sequence[CommandSpecView]) -> None:
        """Publish the slash commands (to guild_ids only when configured: instant, for development)."""
        payload = command_payloads(
            commands, max_title=self.settings.max_title, max_occurrences=self._max_occurrences
        )
        await clients.publish_commands(self.client, payload, self.settings.guild_ids, self.redact)
