"""The Telegram adapter (python-telegram-bot v22); loaded by bot.bootstrap.load_adapter("telegram", ...)."""

from __future__ import annotations

from typing import Any

from adapters.telegram.adapter import TelegramAdapter
from adapters.telegram.settings import TelegramSettings
from bot.config import Config

__all__ = ["TelegramAdapter", "TelegramSettings", "create"]


def create(config: Config, **kwargs: Any) -> TelegramAdapter:
    """Build the adapter from config.telegram (a missing or bad value raises StartupError).

    kwargs go to TelegramAdapter: ``request`` / ``get_updates_request`` (a telegram.request.BaseRequest,
    e.g. a fake in tests) and ``now`` (a clock for updates that carry no date).
    """
    return TelegramAdapter(TelegramSettings.from_table(config.telegram), **kwargs)
