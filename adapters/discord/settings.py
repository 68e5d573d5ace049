"""The [discord] config table, validated; a bad value stops start-up with a message naming the key."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot.bootstrap import StartupError

_SNOWFLAKE = re.compile(r"^\d{15,21}$")
# A bot token is three base64url parts: the bot's id, a timestamp and an HMAC.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")
MAX_POLL_HOURS = 768  # Discord's longest poll: 32 days


@dataclass(frozen=True)
class DiscordSettings:
    """What the Discord adapter reads from config.discord (token via GATHERBOT_DISCORD_TOKEN)."""

    token: str
    message_content_intent: bool = False
    members_intent: bool = False
    guild_ids: tuple[int, ...] = ()
    shard: bool = False
    channels: dict[str, str] = field(default_factory=dict)  # guild id -> channel the bot posts in
    ready_timeout: float = 30.0
    max_ratelimit_wait: float = 30.0  # discord.py waits out shorter 429s itself (30 is its minimum)
    poll_hours: int = 25  # native poll length; the core closes the poll itself before that
    max_title: int = 120

    def __repr__(self) -> str:  # never show the token
        return (
            f"DiscordSettings(message_content_intent={self.message_content_intent}, "
            f"members_intent={self.members_intent}, guild_ids={self.guild_ids}, shard={self.shard})"
        )

    @classmethod
    def from_table(
        cls, table: dict[str, Any], *, poll_duration: timedelta | None = None, max_title: int = 120
    ) -> DiscordSettings:
        """Validate the [discord] table; poll_duration (the core's) sets how long native polls stay open."""
        token = table.get("token") or ""
        if not isinstance(token, str) or not token.strip():
            raise StartupError(
                "discord: no bot token. Create an application at https://discord.com/developers/applications, "
                "add a bot, and set GATHERBOT_DISCORD_TOKEN (or [discord] token in config.toml)"
            )
        token = token.strip()
        if not _TOKEN.match(token):
            raise StartupError(
                "discord.token: does not look like a bot token (expected three parts with dots)"
            )
        unknown = set(table) - KNOWN_KEYS
        if unknown:
            raise StartupError(
                f"discord.{sorted(unknown)[0]}: unknown key (known: {', '.join(sorted(KNOWN_KEYS))})"
            )
        return cls(
            token=token,
            message_content_intent=_flag(table, "message_content_intent"),
            members_intent=_flag(table, "members_intent"),
            guild_ids=tuple(int(g) for g in _snowflakes(table, "guild_ids")),
            shard=_flag(table, "shard"),
            channels=_channels(table),
            ready_timeout=_number(table, "ready_timeout", 30.0),
            poll_hours=_poll_hours(poll_duration),
            max_title=max_title,
        )


KNOWN_KEYS = {
    "token", "message_content_intent", "members_intent", "guild_ids", "shard", "channels", "ready_timeout",
}  # fmt: skip


def _poll_hours(duration: timedelta | None) -> int:
    """Whole hours covering the core's poll duration, plus one so the core's own close comes first."""
    if duration is None:
        return 25
    hours = -(-int(duration.total_seconds()) // 3600) + 1
    return max(1, min(MAX_POLL_HOURS, hours))


def _flag(table: dict[str, Any], key: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise StartupError(f"discord.{key}: expected true or false, got {type(value).__name__}")
    return value


def _number(table: dict[str, Any], key: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise StartupError(f"discord.{key}: expected a number of seconds greater than 0, got {value!r}")
    return float(value)


def _snowflake(key: str, value: Any) -> str:
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not _SNOWFLAKE.match(text):
        raise StartupError(f"discord.{key}: expected Discord ids (numbers with 15-21 digits), got {value!r}")
    return text


def _snowflakes(table: dict[str, Any], key: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list):
        raise StartupError(f"discord.{key}: expected a list of server ids, got {type(value).__name__}")
    return [_snowflake(key, v) for v in value]


def _channels(table: dict[str, Any]) -> dict[str, str]:
    value = table.get("channels", {})
    if not isinstance(value, dict):
        raise StartupError('discord.channels: expected a table like { "<server id>" = "<channel id>" }')
    return {_snowflake("channels", k): _snowflake(f"channels.{k}", v) for k, v in value.items()}
