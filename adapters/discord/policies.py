"""Rules the adapter applies between Discord and the core."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.domain.events import DomainEvent

Names = Callable[[str], tuple[str | None, str | None] | None]


def with_name(event: DomainEvent, names: Names) -> DomainEvent:
    """Fill in the name of a user a payload named only by id (votes, reaction removals...)."""
    if event.user.display_name:
        return event
    display, username = names(event.user.user_id) or (None, None)
    if not display:
        return event
    return replace(event, user=replace(event.user, display_name=display, username=username))
