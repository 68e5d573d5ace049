"""Building blocks of the translation: ids, times, users, chats and what the client cache knows.

A community is a Discord server (guild): ``ChatRef.chat_id`` is the guild id, and a private chat
is the user's id (as on Telegram, so a DM Target names the user).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.domain.events import ChatRef, UserRef

PLATFORM = "discord"
DISCORD_EPOCH_MS = 1420070400000
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
MAX_SOURCE_ID = 128  # the activity log's column


@dataclass(frozen=True)
class GuildInfo:
    """What the client cache knows about a server: its name, owner and role permissions."""

    name: str = ""
    owner_id: str | None = None
    roles: Mapping[str, int] = field(default_factory=dict)  # role id -> permission bits; @everyone = guild id


def _no_guild(_: str) -> GuildInfo | None:
    return None


def _no_voice(_guild: str, _user: str) -> str | None:
    return None


def _no_event(_: str) -> int | None:
    return None


@dataclass(frozen=True)
class Lookups:
    """The adapter's knowledge that a payload does not carry."""

    bot_user_id: str | None = None
    guild: Callable[[str], GuildInfo | None] = _no_guild
    voice_channel: Callable[[str, str], str | None] = _no_voice  # (guild, user) -> channel before this update
    event_id: Callable[[str], int | None] = _no_event  # Scheduled Event id -> our event id


def snowflake_time(snowflake: str | int) -> datetime:
    """When a Discord id was made (every snowflake carries its creation time)."""
    return datetime.fromtimestamp(((int(snowflake) >> 22) + DISCORD_EPOCH_MS) / 1000, UTC)


def parse_time(text: str | None, default: datetime) -> datetime:
    """A Discord ISO 8601 timestamp, always timezone-aware."""
    if not text:
        return default
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def source(natural: str, origin: str | None = None) -> str:
    """A dedupe key: the natural parts, the gateway origin if any, bounded to the log column."""
    key = f"{natural}@{origin}" if origin else natural
    if len(key) <= MAX_SOURCE_ID:
        return key
    digest = hashlib.sha1(key.encode()).hexdigest()[:20]
    return f"{key[: MAX_SOURCE_ID - 21]}#{digest}"


def has_admin_bits(permissions: int) -> bool:
    """Administrator or Manage Server: an admin in gatherbot's terms."""
    return bool(permissions & (ADMINISTRATOR | MANAGE_GUILD))


def is_admin_by_roles(
    guild: GuildInfo | None, guild_id: str, user_id: str, role_ids: list[str]
) -> bool | None:
    """Whether a member's roles make them an admin; None when the server's roles are unknown."""
    if guild is None or not guild.roles:
        return None
    if guild.owner_id == user_id:
        return True
    bits = guild.roles.get(guild_id, 0)
    for role in role_ids:
        bits |= guild.roles.get(role, 0)
    return has_admin_bits(bits)


def user_ref(
    user: Mapping[str, Any],
    member: Mapping[str, Any] | None = None,
    *,
    is_admin: bool | None = None,
    language_code: str | None = None,
) -> UserRef:
    """The domain view of a Discord user: server nickname, else display name, else username."""
    member = member or {}
    username = user.get("username")
    display = member.get("nick") or user.get("global_name") or username or ""
    return UserRef(
        user_id=str(user["id"]),
        display_name=display,
        username=username,
        is_admin=is_admin,
        language_code=language_code,
        is_bot=bool(user.get("bot", False)),
    )


def bare_user(user_id: str) -> UserRef:
    """A user known only by id (the adapter fills in the name from its cache)."""
    return UserRef(user_id=str(user_id), display_name="")


def chat_ref(guild_id: str | None, user: UserRef, lookups: Lookups) -> ChatRef:
    """The server, or the private chat with the user when there is no server."""
    if guild_id is None:
        return ChatRef(PLATFORM, user.user_id, True, user.display_name)
    info = lookups.guild(str(guild_id))
    return ChatRef(PLATFORM, str(guild_id), False, info.name if info else "")


def emoji_key(emoji: Mapping[str, Any]) -> str:
    """A unicode emoji as itself; a server's custom emoji as 'custom:ID'."""
    if emoji.get("id"):
        return f"custom:{emoji['id']}"
    return str(emoji.get("name") or "?")


def where(data: Mapping[str, Any]) -> str:
    """'GUILD:CHANNEL' of a payload ('@me:CHANNEL' in a private chat): replies are routed back there."""
    return f"{data.get('guild_id') or '@me'}:{data.get('channel_id')}"
