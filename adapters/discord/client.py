"""The discord.py client: intents, the hooks that feed the adapter, start-up and command publishing."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord

from adapters.discord.errors import Redactor
from adapters.discord.settings import DiscordSettings
from bot.bootstrap import StartupError

if TYPE_CHECKING:
    from adapters.discord.adapter import DiscordAdapter

logger = logging.getLogger(__name__)


class _Hooks:
    """Event handlers that pass everything to the adapter."""

    gatherbot: DiscordAdapter

    async def on_socket_raw_receive(self, message: Any) -> None:
        self.gatherbot.tap(message)  # synchronous: dispatches are queued in the order they arrived

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await self.gatherbot.handle_interaction(interaction)

    async def on_ready(self) -> None:
        self.gatherbot.mark_ready()


class GatherbotClient(_Hooks, discord.Client):
    """One gateway connection."""


class ShardedGatherbotClient(_Hooks, discord.AutoShardedClient):
    """As many shards as Discord recommends ([discord] shard = true)."""


def intents(settings: DiscordSettings) -> discord.Intents:
    """What the bot listens to; members and message content are privileged (portal + config)."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = wanted.dm_messages = True
    wanted.guild_reactions = True
    wanted.voice_states = True
    wanted.guild_scheduled_events = True
    wanted.guild_polls = wanted.dm_polls = True
    wanted.members = settings.members_intent
    wanted.message_content = settings.message_content_intent
    return wanted


def build(settings: DiscordSettings, adapter: DiscordAdapter) -> discord.Client:
    cls = ShardedGatherbotClient if settings.shard else GatherbotClient
    client = cls(
        intents=intents(settings),
        enable_debug_events=True,  # on_socket_raw_receive: the dispatches as Discord sent them
        max_ratelimit_timeout=settings.max_ratelimit_wait,
        allowed_mentions=discord.AllowedMentions.none(),  # each message names whom it may ping
        chunk_guilds_at_startup=settings.members_intent,
    )
    client.gatherbot = adapter
    return client


def startup_error(exc: BaseException | None, redact: Redactor) -> StartupError:
    if isinstance(exc, discord.LoginFailure):
        return StartupError(
            "discord: Discord rejected the token; reset it in the developer portal (Bot > Reset Token) "
            "and set GATHERBOT_DISCORD_TOKEN"
        )
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        return StartupError(
            "discord: a privileged intent is asked for but not enabled in the developer portal "
            "(Bot > Privileged Gateway Intents): enable it there, or set discord.members_intent / "
            "discord.message_content_intent = false"
        )
    detail = f"{type(exc).__name__}: {redact(exc)}" if exc is not None else "the connection closed"
    return StartupError(f"discord: cannot connect to Discord: {detail}")


async def wait_connected(
    runner: asyncio.Task[Any],
    ready: asyncio.Event,
    settings: DiscordSettings,
    redact: Redactor,
    abort: Callable[[], Awaitable[None]],
) -> None:
    """Until READY; a bad token or intent stops start-up, a slow gateway only logs a warning."""
    waiter = asyncio.create_task(ready.wait())
    done, _ = await asyncio.wait(
        {runner, waiter}, timeout=settings.ready_timeout, return_when=asyncio.FIRST_COMPLETED
    )
    waiter.cancel()
    if runner in done:
        exc = None if runner.cancelled() else runner.exception()
        await abort()
        raise startup_error(exc, redact) from None
    if waiter not in done:
        logger.warning(
            "discord: not connected after %.0f s; still trying in the background", settings.ready_timeout
        )
    runner.add_done_callback(lambda task: _gateway_ended(task, redact))


def _gateway_ended(task: asyncio.Task[Any], redact: Redactor) -> None:
    if task.cancelled():
        return
    exc = task.exception()
    if exc is not None:
        logger.error("discord: the gateway connection stopped: %s", startup_error(exc, redact))


def log_intents(settings: DiscordSettings) -> None:
    """Say once what works less well without the privileged intents."""
    if not settings.message_content_intent:
        logger.info(
            "discord: the message content intent is off: members' messages are counted without their "
            "text (no topic analytics); every command works as a slash command"
        )
    if not settings.members_intent:
        logger.info("discord: the members intent is off: members joining and leaving are not seen")


async def publish_commands(
    client: Any, payload: list[dict[str, Any]], guild_ids: tuple[int, ...], redact: Redactor
) -> None:
    """bulk_upsert the command menu; a failure is logged, never fatal (the menu is a convenience)."""
    app_id = getattr(client, "application_id", None)
    if app_id is None:
        logger.warning("discord: not logged in; slash commands were not published")
        return
    try:
        if guild_ids:
            for guild_id in guild_ids:
                await client.http.bulk_upsert_guild_commands(app_id, guild_id, payload)
        else:
            await client.http.bulk_upsert_global_commands(app_id, payload)
    except discord.HTTPException as exc:
        logger.warning("discord: publishing the slash commands failed: %s", redact(exc))
        return
    where = f"servers {', '.join(map(str, guild_ids))}" if guild_ids else "all servers"
    logger.info("discord: %d slash commands published to %s", len(payload), where)
