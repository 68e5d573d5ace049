"""Outbound messages: what the core asks an adapter to send."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Button:
    """An inline button; ``data`` comes back in ButtonPressed (kept within 64 bytes)."""

    label: str
    data: str
    url: str | None = None  # set: a link button (opens url) instead of a callback


@dataclass(frozen=True)
class Target:
    """Where a message goes: a group chat, or a member's private chat."""

    platform: str
    chat_id: str
    is_private: bool = False
    display: str = ""  # a human name for transcripts ("group", "alice@dm")


@dataclass(frozen=True)
class Attachment:
    """A file to send."""

    filename: str
    content: bytes
    mime_type: str


@dataclass(frozen=True)
class PollSpec:
    """A native poll; options are short labels."""

    question: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class EventMirror:
    """One of our events as a platform-native event (Discord Scheduled Events); cancelled ends it."""

    event_id: int
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    place: str | None = None
    cancelled: bool = False
    external_id: str | None = None  # set: update that native event instead of creating one


@dataclass(frozen=True)
class OutMessage:
    """A message the bot sends or edits."""

    target: Target
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    mentions: tuple[str, ...] = ()  # platform user ids mentioned in text
    attachment: Attachment | None = None
    poll: PollSpec | None = None
    edit_message_id: str | None = None  # set: edit that message instead of sending
    close_poll_id: str | None = None  # set: stop that native poll
    mirror: EventMirror | None = None  # set: create/update a native event; SentRef.message_id is its id
    # Work too slow to do while the relay holds the database (drawing a chart): the relay calls it in a
    # worker thread after the claim commits, just before sending, and sends what it returns instead.
    # Adapters never see it; it is not stored.
    finish: Callable[[], OutMessage] | None = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        """Serialize for the outbox (attachments are not stored, they are rendered at send time)."""
        return {
            "target": vars(self.target),
            "text": self.text,
            "buttons": [[vars(b) for b in row] for row in self.buttons],
            "mentions": list(self.mentions),
            "edit_message_id": self.edit_message_id,
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> OutMessage:
        """Inverse of to_json."""
        return OutMessage(
            target=Target(**data["target"]),
            text=data["text"],
            buttons=tuple(tuple(Button(**b) for b in row) for row in data.get("buttons", [])),
            mentions=tuple(data.get("mentions", [])),
            edit_message_id=data.get("edit_message_id"),
        )


@dataclass(frozen=True)
class SentRef:
    """What the platform answered to a send."""

    message_id: str
    poll_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
