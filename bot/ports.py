"""The chat port: what every adapter implements, and the errors it reports."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.domain.events import DomainEvent
from bot.domain.messages import OutMessage, SentRef


@dataclass(frozen=True)
class Capabilities:
    """What a platform can do; the core adapts its output to it."""

    native_polls: bool = False
    edit_messages: bool = True
    files: bool = True
    dm: bool = True
    max_text: int = 4096
    idempotent_send: bool = False  # the adapter drops a repeated idempotency key
    scheduled_events: bool = False  # the platform has native events to mirror ours into (Discord)
    dm_link: str | None = None  # a link that opens a private chat with the bot (Telegram deep link)


@dataclass(frozen=True)
class CommandSpecView:
    """A command as adapters see it when syncing platform menus."""

    name: str
    help_en: str
    help_zh: str
    organizer_only: bool
    usage: str


class DeliveryError(Exception):
    """Base of errors an adapter raises from send/edit."""


class RetryAfter(DeliveryError):
    """The platform asked us to wait (HTTP 429)."""

    def __init__(self, seconds: float, scope_chat_id: str | None = None) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds
        self.scope_chat_id = scope_chat_id


class TransientError(DeliveryError):
    """A timeout or a 5xx: try again later."""


class PermanentError(DeliveryError):
    """The message can never be delivered (chat gone, bot kicked, too long)."""


class Unreachable(PermanentError):
    """A member cannot be messaged privately (never started the bot, or blocked it)."""


EventSink = Callable[[DomainEvent], Awaitable[None]]


class ChatAdapter(Protocol):
    """One platform's connection."""

    platform: str
    capabilities: Capabilities

    async def start(self, sink: EventSink) -> None:
        """Connect and start feeding domain events to sink."""

    async def stop(self) -> None:
        """Disconnect."""

    async def send(self, message: OutMessage, *, idempotency_key: str) -> SentRef:
        """Send (or edit, or close a poll, per the message's fields); raise a DeliveryError on failure."""

    async def answer(self, interaction_id: str, text: str) -> None:
        """Acknowledge a button press or slash command with a short, private notice."""

    async def sync_commands(self, commands: Sequence[CommandSpecView]) -> None:
        """Publish the command menu."""
