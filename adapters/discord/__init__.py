"""The Discord adapter (discord.py 2.x); loaded by bot.bootstrap.load_adapter("discord", ...)."""

from __future__ import annotations

from typing import Any

from adapters.discord.adapter import DiscordAdapter
from adapters.discord.settings import DiscordSettings
from bot.config import Config

__all__ = ["DiscordAdapter", "DiscordSettings", "create"]


def create(config: Config, **kwargs: Any) -> DiscordAdapter:
    """Build the adapter from config.discord (a missing or bad value raises StartupError).

    kwargs go to DiscordAdapter: ``client`` (a discord.Client, or a fake in tests) and ``now``
    (a clock for dispatches that carry no time).
    """
    settings = DiscordSettings.from_table(
        config.discord, poll_duration=config.poll_duration, max_title=config.max_title
    )
    return DiscordAdapter(settings, max_occurrences=config.max_occurrences, **kwargs)
