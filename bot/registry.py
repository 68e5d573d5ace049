"""One explicit registry of commands; it also feeds the platforms' command menus."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot import i18n
from bot.ports import CommandSpecView

if TYPE_CHECKING:
    from bot.context import Ctx

Handler = Callable[["Ctx", str], Awaitable[None]]
ButtonHandler = Callable[["Ctx", list[str]], Awaitable[None]]
EventHandler = Callable[["Ctx"], Awaitable[None]]
# A native poll vote for a poll of some kind: (ctx, poll, member, option ids; empty = retracted).
PollHandler = Callable[["Ctx", Any, Any, tuple[int, ...]], Awaitable[None]]
ROLES = ("member", "organizer", "admin")
# The order people see in /help and the platforms' menus: most used first.
MENU_ORDER = (
    "help", "start", "events", "event", "myevents", "foryou", "remind", "feedback", "ask", "submit", "tasks",
    "writeup", "points", "leaderboard", "questions", "answered", "best", "ics", "lang", "timezone",
    "privacy", "cancel", "newevent", "editevent", "cancelevent", "task", "prize", "submissions", "score", "winners", "speaker",
    "writeups", "results", "segments", "suggest", "report", "settings", "organizer",
)  # fmt: skip


@dataclass(frozen=True)
class CommandSpec:
    """A command: its name, who may use it, where, and how it is written."""

    name: str
    handler: Handler
    usage: str
    example: str
    role: str = "member"
    scope: str = "any"  # any | group | private
    needs_community: bool = True

    @property
    def help_key(self) -> str:
        return f"help.{self.name}"

    def view(self) -> CommandSpecView:
        """What adapters need to publish the command."""
        return CommandSpecView(
            name=self.name,
            help_en=i18n.t("en", self.help_key),
            help_zh=i18n.t("zh", self.help_key),
            organizer_only=self.role != "member",
            usage=self.usage,
        )


class Registry:
    """Name -> CommandSpec; a clash fails at start-up."""

    def __init__(self) -> None:
        self._commands: dict[str, CommandSpec] = {}
        self.buttons: dict[str, ButtonHandler] = {}
        self.conversations: dict[str, EventHandler] = {}
        self.poll_vote: EventHandler | None = None
        self.poll_kinds: dict[str, PollHandler] = {}
        self.listeners: dict[type, list[EventHandler]] = {}

    def listen(self, event_type: type, handler: EventHandler) -> None:
        """Also run handler for every inbound event of this type (e.g. VoiceJoined)."""
        self.listeners.setdefault(event_type, []).append(handler)

    def button(self, prefix: str, handler: ButtonHandler) -> None:
        """Route button data ``prefix:...`` to handler (which gets the ':'-split parts)."""
        if prefix in self.buttons:
            raise ValueError(f"button prefix {prefix} registered twice")
        self.buttons[prefix] = handler

    def poll_kind(self, kind: str, handler: PollHandler) -> None:
        """Route native votes in polls of this kind (``polls.kind``) to handler."""
        if kind in self.poll_kinds:
            raise ValueError(f"poll kind {kind} registered twice")
        self.poll_kinds[kind] = handler

    def conversation(self, kind: str, handler: EventHandler) -> None:
        """Route plain messages of a member with an open dialog of this kind to handler."""
        if kind in self.conversations:
            raise ValueError(f"conversation {kind} registered twice")
        self.conversations[kind] = handler

    def add(self, spec: CommandSpec) -> None:
        if spec.name in self._commands:
            raise ValueError(f"command /{spec.name} registered twice")
        if spec.role not in ROLES:
            raise ValueError(f"/{spec.name}: unknown role {spec.role}")
        if spec.scope not in ("any", "group", "private"):
            raise ValueError(f"/{spec.name}: unknown scope {spec.scope}")
        i18n.t("en", spec.help_key)  # every command has help text, or start-up fails
        self._commands[spec.name] = spec

    def get(self, name: str) -> CommandSpec | None:
        return self._commands.get(name.lower())

    def __iter__(self) -> Iterator[CommandSpec]:
        """Commands in menu order (MENU_ORDER first, then the rest by name)."""
        rank = {name: i for i, name in enumerate(MENU_ORDER)}
        return iter(sorted(self._commands.values(), key=lambda s: (rank.get(s.name, len(rank)), s.name)))

    def __len__(self) -> int:
        return len(self._commands)

    def views(self) -> list[CommandSpecView]:
        """All commands as adapters see them."""
        return [spec.view() for spec in self]
