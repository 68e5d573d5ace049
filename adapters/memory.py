"""The in-memory adapter: records a transcript; the scripted chat drives it like a group of people.

Tests use both directly; the console adapter prints what this one records.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.clock import Clock
from bot.domain.events import (
    ButtonPressed,
    ChatRef,
    CommandInvoked,
    DomainEvent,
    MemberJoined,
    MemberLeft,
    MessageReceived,
    PollVoteCast,
    ReactionAdded,
    UserRef,
    VoiceJoined,
)
from bot.domain.messages import OutMessage, SentRef
from bot.ports import Capabilities, CommandSpecView, DeliveryError, EventSink


@dataclass
class Record:
    """One message as the chat shows it now (edits update it)."""

    message_id: str
    message: OutMessage
    key: str
    edits: int = 0
    poll_id: str | None = None
    closed: bool = False


@dataclass
class MemoryAdapter:
    """A chat platform in memory; ``failures`` are raised by the next sends, in order."""

    platform: str = "memory"
    capabilities: Capabilities = field(default_factory=lambda: Capabilities(idempotent_send=True))
    records: list[Record] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    answers: list[tuple[str, str]] = field(default_factory=list)
    failures: list[DeliveryError] = field(default_factory=list)
    commands: list[CommandSpecView] = field(default_factory=list)
    send_calls: int = 0
    mirrors: dict[str, Any] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _by_key: dict[str, SentRef] = field(default_factory=dict)
    sink: EventSink | None = None

    async def start(self, sink: EventSink) -> None:
        self.sink = sink

    async def stop(self) -> None:
        self.sink = None

    async def sync_commands(self, commands: Sequence[CommandSpecView]) -> None:
        self.commands = list(commands)

    async def answer(self, interaction_id: str, text: str) -> None:
        self.answers.append((interaction_id, text))
        if text:
            self.log.append(f"bot -> {interaction_id.split('#')[0]} (only you): {text}")

    async def send(self, message: OutMessage, *, idempotency_key: str) -> SentRef:
        self.send_calls += 1
        if self.failures:
            raise self.failures.pop(0)
        if self.capabilities.idempotent_send and idempotency_key in self._by_key:
            return self._by_key[idempotency_key]
        ref = self._apply(message, idempotency_key)
        self._by_key[idempotency_key] = ref
        return ref

    def _apply(self, message: OutMessage, key: str) -> SentRef:
        if message.mirror is not None:
            return self._mirror(message)
        if message.edit_message_id is not None or message.close_poll_id is not None:
            record = self.find(message.edit_message_id or "")
            if record is None:
                raise DeliveryError(f"no message {message.edit_message_id}")
            if message.close_poll_id is not None:
                record.closed = True
                self.log.append(
                    f"bot -> {message.target.display} (poll closed): {record.message.poll.question if record.message.poll else ''}"
                )
                return SentRef(record.message_id)
            record.message = replace(record.message, text=message.text, buttons=message.buttons)
            record.edits += 1
            self.log.append(self.render(record.message, edited=True))
            return SentRef(record.message_id)
        message_id = str(next(self._ids))
        poll_id = f"poll-{message_id}" if message.poll is not None else None
        record = Record(message_id, message, key, poll_id=poll_id)
        self.records.append(record)
        self.log.append(self.render(message))
        return SentRef(message_id, poll_id=poll_id)

    def _mirror(self, message: OutMessage) -> SentRef:
        mirror = message.mirror
        assert mirror is not None
        native = mirror.external_id or f"native-{next(self._ids)}"
        action = "cancelled" if mirror.cancelled else ("updated" if mirror.external_id else "created")
        self.mirrors[native] = mirror
        self.log.append(f"bot -> {message.target.display} (native event {action}): {mirror.title}")
        return SentRef(native)

    @staticmethod
    def render(message: OutMessage, edited: bool = False) -> str:
        """The transcript form: 'bot -> group: TEXT', then the buttons on the next line."""
        head = f"bot -> {message.target.display or message.target.chat_id}{' (edited)' if edited else ''}: "
        lines = [head + message.text]
        if message.attachment is not None:
            lines.append(f"[file {message.attachment.filename}, {len(message.attachment.content)} bytes]")
        if message.poll is not None:
            lines.append(
                f"[poll] {message.poll.question}: " + " ".join(f"({o})" for o in message.poll.options)
            )
        for row in message.buttons:
            lines.append(" ".join(f"[{b.label} ↗]" if b.url else f"[{b.label}]" for b in row))
        return "\n".join(lines)

    def find(self, message_id: str) -> Record | None:
        """The record of a sent message."""
        return next((r for r in self.records if r.message_id == message_id), None)

    def texts(self, display: str | None = None) -> list[str]:
        """Current texts of sent messages, optionally only those to one chat display name."""
        return [
            r.message.text for r in self.records if display is None or r.message.target.display == display
        ]


@dataclass
class ScriptedChat:
    """A group of people talking to the bot, in memory: turns lines like 'alice: /events' into events.

    The first person to speak is the group's admin, as whoever created the group would be.
    """

    adapter: MemoryAdapter
    clock: Clock
    chat_id: str = "group-1"
    title: str = "Study Group"
    admins: set[str] = field(default_factory=set)
    _seq: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def platform(self) -> str:
        return self.adapter.platform

    def user(self, name: str) -> UserRef:
        """The person called name (the first one seen becomes admin)."""
        if not self.admins:
            self.admins.add(name)
        return UserRef(user_id=f"u-{name}", display_name=name, username=name, is_admin=name in self.admins)

    def _base(self, name: str, private: bool) -> dict:
        n = next(self._seq)
        chat = (
            ChatRef(self.platform, f"dm-{name}", True, name)
            if private
            else ChatRef(self.platform, self.chat_id, False, self.title)
        )
        return {
            "source_id": f"{self.chat_id}:{n}",
            "chat": chat,
            "user": self.user(name),
            "occurred_at": self.now(),
        }

    def now(self) -> datetime:
        return self.clock.now()

    def say(self, name: str, text: str, *, private: bool = False) -> DomainEvent:
        """A message or, when it starts with '/', a command."""
        base = self._base(name, private)
        text = text.strip()
        if text.startswith("/") and len(text) > 1:
            head, _, args = text[1:].partition(" ")
            command = head.split("@", 1)[0]
            return CommandInvoked(**base, name=command.lower(), args=args, message_id=base["source_id"])
        return MessageReceived(**base, message_id=base["source_id"], text=text)

    def press(self, name: str, label: str) -> DomainEvent:
        """Press the button with this label on the newest message that has one."""
        for record in reversed(self.adapter.records):
            if record.closed:
                continue
            for row in record.message.buttons:
                for button in row:
                    if button.url is None and button.label.strip().lower() == label.strip().lower():
                        base = self._base(name, record.message.target.is_private)
                        interaction = f"{name}#{base['source_id']}"
                        return ButtonPressed(
                            **base, data=button.data, message_id=record.message_id, interaction_id=interaction
                        )
            if record.poll_id is not None and record.message.poll is not None:
                options = [o.lower() for o in record.message.poll.options]
                if label.strip().lower() in options:
                    base = self._base(name, False)
                    return PollVoteCast(
                        **base, poll_id=record.poll_id, option_ids=(options.index(label.strip().lower()),)
                    )
        raise LookupError(f"no button [{label}] on any message")

    def react(self, name: str, message_id: str, emoji: str = "👍") -> DomainEvent:
        return ReactionAdded(**self._base(name, False), message_id=message_id, emoji=emoji)

    def voice_join(self, name: str, channel_id: str) -> DomainEvent:
        return VoiceJoined(**self._base(name, False), channel_id=channel_id)

    def join(self, name: str) -> DomainEvent:
        return MemberJoined(**self._base(name, False))

    def leave(self, name: str) -> DomainEvent:
        return MemberLeft(**self._base(name, False))
