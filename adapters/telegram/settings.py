"""The [telegram] config table, validated; a bad value stops start-up with a message naming the key."""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from bot.bootstrap import StartupError

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_BASE_FILE_URL = "https://api.telegram.org/file/bot"
MODES = ("polling", "webhook")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class TelegramSettings:
    """What the Telegram adapter reads from config.telegram (token via GATHERBOT_TELEGRAM_TOKEN)."""

    token: str
    base_url: str = DEFAULT_BASE_URL
    base_file_url: str = DEFAULT_BASE_FILE_URL
    mode: str = "polling"
    poll_interval: float = 0.0
    poll_timeout: int = 10
    webhook_url: str = ""
    webhook_secret: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    admin_cache_minutes: float = 10.0

    def __repr__(self) -> str:  # never show the token or the webhook secret
        return f"TelegramSettings(base_url={self.base_url!r}, mode={self.mode!r})"

    @property
    def webhook_path(self) -> str:
        """The local path the webhook server listens on: the path of webhook_url."""
        return urlparse(self.webhook_url).path.lstrip("/")

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> TelegramSettings:
        """Validate the [telegram] table."""
        token = table.get("token") or ""
        if not isinstance(token, str) or not token.strip():
            raise StartupError(
                "telegram: no bot token. Create a bot with @BotFather and set GATHERBOT_TELEGRAM_TOKEN "
                "(or [telegram] token in config.toml)"
            )
        token = token.strip()
        if not _TOKEN.match(token):
            raise StartupError("telegram.token: does not look like a bot token (expected digits:letters)")
        settings = cls(
            token=token,
            base_url=_text(table, "base_url", DEFAULT_BASE_URL),
            base_file_url=_text(table, "base_file_url", DEFAULT_BASE_FILE_URL),
            mode=_text(table, "mode", "polling"),
            poll_interval=_number(table, "poll_interval", 0.0, minimum=0.0),
            poll_timeout=int(_number(table, "poll_timeout", 10, minimum=0)),
            webhook_url=_text(table, "webhook_url", ""),
            webhook_secret=_text(table, "webhook_secret", ""),
            webhook_listen=_text(table, "webhook_listen", "127.0.0.1"),
            webhook_port=int(_number(table, "webhook_port", 8443, minimum=1)),
            admin_cache_minutes=_number(table, "admin_cache_minutes", 10.0, minimum=0.0),
        )
        settings._check()
        return settings

    def _check(self) -> None:
        for key in ("base_url", "base_file_url"):
            scheme = urlparse(getattr(self, key)).scheme
            if scheme not in ("http", "https"):
                raise StartupError(f"telegram.{key}: expected an http(s) URL, got {getattr(self, key)!r}")
        if self.mode not in MODES:
            raise StartupError(f"telegram.mode: expected one of {', '.join(MODES)}, got {self.mode!r}")
        if self.mode != "webhook":
            return
        if urlparse(self.webhook_url).scheme != "https":
            raise StartupError(
                "telegram.webhook_url: webhook mode needs the public https URL Telegram posts to"
            )
        if not _SECRET.match(self.webhook_secret):
            raise StartupError(
                "telegram.webhook_secret: webhook mode needs a secret of 1-256 letters, digits, _ or - "
                "(Telegram sends it with every update, so nobody else can post fake ones)"
            )
        if self.webhook_port > 65535:
            raise StartupError(f"telegram.webhook_port: not a port number: {self.webhook_port}")
        if importlib.util.find_spec("tornado") is None:
            raise StartupError(
                'telegram.mode = "webhook" needs python-telegram-bot\'s webhook server: '
                "pip install 'python-telegram-bot[webhooks]'"
            )


def _text(table: dict[str, Any], key: str, default: str) -> str:
    value = table.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise StartupError(f"telegram.{key}: expected a string, got {type(value).__name__}")
    return value.strip()


def _number(table: dict[str, Any], key: str, default: float, *, minimum: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StartupError(f"telegram.{key}: expected a number, got {value!r}")
    if value < minimum:
        raise StartupError(f"telegram.{key}: must be at least {minimum:g}, got {value!r}")
    return float(value)
