"""Rules the adapter applies between Discord and the core; the last two cover gaps of the core (README)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from adapters.discord.state import Lru
from bot.domain.events import CommandInvoked, DomainEvent, MessageReceived

Names = Callable[[str], tuple[str | None, str | None] | None]


def with_name(event: DomainEvent, names: Names) -> DomainEvent:
    """Fill in the name of a user a payload named only by id (votes, reaction removals...)."""
    if event.user.display_name:
        return event
    display, username = names(event.user.user_id) or (None, None)
    if not display:
        return event
    return replace(event, user=replace(event.user, display_name=display, username=username))


def opt_in(event: DomainEvent, greeted: Lru[str, bool]) -> list[DomainEvent]:
    """A member's first private words (in this process) also count as /start.

    Writing to the bot is how a Discord member opts in to private reminders; the core sets
    can_dm for any private message but re-plans the member's reminders only on /start, so
    without this a member who answered events before writing would get no reminder at all.
    """
    if not event.chat.is_private or event.user.user_id in greeted:
        return []
    if isinstance(event, CommandInvoked) and event.name == "start":
        greeted[event.user.user_id] = True
        return []
    if not isinstance(event, MessageReceived):
        return []
    greeted[event.user.user_id] = True
    start = CommandInvoked(
        source_id=f"{event.source_id}:start", chat=event.chat, user=event.user, occurred_at=event.occurred_at,
        name="start",
    )  # fmt: skip
    return [start]
