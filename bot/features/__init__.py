"""Features: each module registers its commands, buttons and delivery renderers."""

from __future__ import annotations

from bot.registry import Registry


def build_registry() -> Registry:
    """A registry with every feature installed."""
    from bot.features import (
        admin,
        checkin,
        events,
        formats,
        insights,
        migrate,
        notify,
        polls,
        privacy,
        reminders,
        rsvp,
        wizard,
    )  # fmt: skip

    _ = notify  # registers renderers on import
    registry = Registry()
    for module in (
        events,
        rsvp,
        checkin,
        polls,
        reminders,
        admin,
        migrate,
        wizard,
        privacy,
        insights,
        formats,
    ):
        module.install(registry)
    return registry
