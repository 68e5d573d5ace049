"""Inbound domain events: what happened on a platform, in platform-free terms.

Adapters turn platform updates into these with pure functions. Every event carries
``source_id``, the platform's own id for the update, which is unique per platform and
makes a redelivered update a no-op in the activity log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ChatRef:
    """Where something happened: a group chat or a private chat with the bot."""

    platform: str
    chat_id: str
    is_private: bool = False
    title: str = ""


@dataclass(frozen=True)
class UserRef:
    """Who did it, as the platform knows them."""

    user_id: str
    display_name: str
    username: str | None = None
    is_admin: bool | None = None  # None: the adapter does not know
    language_code: str | None = None
    is_bot: bool = False


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Common fields of every inbound event."""

    source_id: str
    chat: ChatRef
    user: UserRef
    occurred_at: datetime

    @property
    def platform(self) -> str:
        return self.chat.platform


@dataclass(frozen=True, kw_only=True)
class MessageReceived(DomainEvent):
    """A member wrote a message."""

    message_id: str
    text: str = ""
    reply_to_message_id: str | None = None
    thread_id: str | None = None
    attachments: int = 0


@dataclass(frozen=True, kw_only=True)
class CommandInvoked(DomainEvent):
    """A member used a bot command (``/name args``)."""

    name: str
    args: str = ""
    message_id: str | None = None
    interaction_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class ButtonPressed(DomainEvent):
    """A member pressed an inline button the bot sent."""

    data: str
    message_id: str | None = None
    interaction_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class PollVoteCast(DomainEvent):
    """A member voted in a native platform poll (empty options: vote retracted)."""

    poll_id: str
    option_ids: tuple[int, ...] = field(default_factory=tuple)


@dataclass(frozen=True, kw_only=True)
class ReactionAdded(DomainEvent):
    """A member reacted to a message."""

    message_id: str
    emoji: str


@dataclass(frozen=True, kw_only=True)
class ReactionRemoved(DomainEvent):
    """A member took a reaction back."""

    message_id: str
    emoji: str


@dataclass(frozen=True, kw_only=True)
class MemberJoined(DomainEvent):
    """A member joined the group."""


@dataclass(frozen=True, kw_only=True)
class MemberLeft(DomainEvent):
    """A member left (or was removed from) the group."""


@dataclass(frozen=True, kw_only=True)
class VoiceJoined(DomainEvent):
    """A member joined a voice or stage channel."""

    channel_id: str


@dataclass(frozen=True, kw_only=True)
class VoiceLeft(DomainEvent):
    """A member left a voice or stage channel."""

    channel_id: str


@dataclass(frozen=True, kw_only=True)
class BotRoleChanged(DomainEvent):
    """The bot was added to, removed from, promoted or demoted in a group (user: who did it)."""

    present: bool
    is_admin: bool


@dataclass(frozen=True, kw_only=True)
class ChatMigrated(DomainEvent):
    """A group moved to a new chat id (Telegram: a group upgraded to a supergroup); chat is the old one."""

    new_chat_id: str


ALL_EVENT_TYPES: tuple[type[DomainEvent], ...] = (
    MessageReceived,
    CommandInvoked,
    ButtonPressed,
    PollVoteCast,
    ReactionAdded,
    ReactionRemoved,
    MemberJoined,
    MemberLeft,
    VoiceJoined,
    VoiceLeft,
    BotRoleChanged,
    ChatMigrated,
)
