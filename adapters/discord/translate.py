"""Pure functions: a Discord gateway dispatch (its ``t`` and ``d``) in, platform-free domain events out.

No I/O: what only the client cache knows (a server's name and roles, where a member's voice was,
which of our events a Scheduled Event mirrors) comes in through ``Lookups``.

``source_id`` is built from Discord's snowflakes, which a replayed dispatch repeats as they were.
Dispatches without an id of their own (reactions, votes, voice, leaves) add ``origin``: the
gateway sequence number within the session, which a RESUME replays unchanged but which differs
for a genuine second reaction (a natural key alone would drop a vote taken back and cast again).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from adapters.discord.refs import (
    PLATFORM,
    GuildInfo,
    Lookups,
    bare_user,
    chat_ref,
    emoji_key,
    is_admin_by_roles,
    parse_time,
    snowflake_time,
    source,
    user_ref,
    where,
)
from bot.domain.events import (
    ButtonPressed,
    DomainEvent,
    MemberJoined,
    MemberLeft,
    MessageReceived,
    PollVoteCast,
    ReactionAdded,
    ReactionRemoved,
    UserRef,
    VoiceJoined,
    VoiceLeft,
)

__all__ = ["INBOUND", "PLATFORM", "GuildInfo", "Lookups", "translate"]

USER_MESSAGE_TYPES = (0, 19)  # DEFAULT and REPLY; the rest are system messages (joins, pins, boosts...)


@dataclass(frozen=True)
class _Env:
    lookups: Lookups
    origin: str | None
    now: datetime


INBOUND = (
    "MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_REACTION_ADD", "MESSAGE_REACTION_REMOVE",
    "GUILD_MEMBER_ADD", "GUILD_MEMBER_REMOVE", "VOICE_STATE_UPDATE", "MESSAGE_POLL_VOTE_ADD",
    "MESSAGE_POLL_VOTE_REMOVE", "GUILD_SCHEDULED_EVENT_USER_ADD",
)  # fmt: skip


def translate(
    event_type: str,
    data: Mapping[str, Any],
    *,
    lookups: Lookups | None = None,
    origin: str | None = None,
    now: datetime | None = None,
) -> list[DomainEvent]:
    """The domain events one gateway dispatch means (often none)."""
    handler = _HANDLERS.get(event_type)
    if handler is None:
        return []
    return handler(data, _Env(lookups or Lookups(), origin, now or datetime.now(UTC)))


def _member_user(data: Mapping[str, Any], env: _Env, guild_id: str | None) -> UserRef:
    """The actor of a payload with user_id and (in a server) a member object."""
    member = data.get("member")
    if member and member.get("user"):
        admin = is_admin_by_roles(
            env.lookups.guild(str(guild_id)) if guild_id else None,
            str(guild_id),
            str(member["user"]["id"]),
            [str(r) for r in member.get("roles", [])],
        )
        return user_ref(member["user"], member, is_admin=admin)
    return bare_user(str(data["user_id"]))


def _is_self(lookups: Lookups, user_id: object) -> bool:
    return lookups.bot_user_id is not None and str(user_id) == lookups.bot_user_id


# --- messages ------------------------------------------------------------------------------


def _author(data: Mapping[str, Any], env: _Env) -> UserRef | None:
    """The member who wrote a message; None for system messages, webhooks and the bot itself."""
    author = data.get("author")
    if author is None or data.get("webhook_id") or data.get("type", 0) not in USER_MESSAGE_TYPES:
        return None
    if _is_self(env.lookups, author.get("id")):
        return None
    guild_id = data.get("guild_id")
    member = data.get("member")
    admin = None
    if guild_id and member is not None:
        roles = [str(r) for r in member.get("roles", [])]
        admin = is_admin_by_roles(env.lookups.guild(str(guild_id)), str(guild_id), str(author["id"]), roles)
    return user_ref(author, member, is_admin=admin)


def _message(data: Mapping[str, Any], env: _Env, source_id: str, when: datetime) -> list[DomainEvent]:
    author = _author(data, env)
    if author is None:
        return []
    guild_id = data.get("guild_id")
    reference = data.get("message_reference") or {}
    reply_to = reference.get("message_id") if data.get("type") == 19 else None
    return [
        MessageReceived(
            source_id=source_id,
            chat=chat_ref(guild_id, author, env.lookups),
            user=author,
            occurred_at=when,
            message_id=str(data["id"]),
            text=data.get("content") or "",  # empty without the message content intent
            reply_to_message_id=str(reply_to) if reply_to else None,
            thread_id=str(data["channel_id"]) if guild_id else None,  # a server's channel is its topic
            attachments=len(data.get("attachments") or []),
        )
    ]


def _message_create(data: Mapping[str, Any], env: _Env) -> list[DomainEvent]:
    when = parse_time(data.get("timestamp"), snowflake_time(data["id"]))
    return _message(data, env, source(f"msg:{where(data)}:{data['id']}"), when)


def _message_update(data: Mapping[str, Any], env: _Env) -> list[DomainEvent]:
    """An edit (not an embed unfurling) is logged as a message of its own, never re-run as a command."""
    edited = data.get("edited_timestamp")
    if not edited or "author" not in data:
        return []
    when = parse_time(edited, env.now)
    stamp = int(when.timestamp() * 1000)
    return _message(data, env, source(f"edit:{where(data)}:{data['id']}:{stamp}"), when)


# --- reactions, members, voice -------------------------------------------------------------


def _reaction(data: Mapping[str, Any], env: _Env, added: bool) -> list[DomainEvent]:
    if _is_self(env.lookups, data.get("user_id")):
        return []
    guild_id = data.get("guild_id")
    user = _member_user(data, env, guild_id)
    emoji = emoji_key(data.get("emoji") or {})
    action = "add" if added else "remove"
    common: dict[str, Any] = {
        "source_id": source(f"react:{data['message_id']}:{user.user_id}:{emoji[:40]}:{action}", env.origin),
        "chat": chat_ref(guild_id, user, env.lookups),
        "user": user,
        "occurred_at": env.now,  # reaction dispatches carry no time
        "message_id": str(data["message_id"]),
        "emoji": emoji,
    }
    return [ReactionAdded(**common) if added else ReactionRemoved(**common)]


def _member_add(data: Mapping[str, Any], env: _Env) -> list[DomainEvent]:
    user_data = data["user"]
    if _is_self(env.lookups, user_data.get("id")):
        return []
    guild_id = str(data["guild_id"])
    user = user_ref(user_data, data)
    when = parse_time(data.get("joined_at"), env.now)
    key = source(f"join:{guild_id}:{user.user_id}:{int(when.timestamp() * 1000)}")
    return [
        MemberJoined(source_id=key, chat=chat_ref(guild_id, user, env.lookups), user=user, occurred_at=when)
    ]


def _member_remove(data: Mapping[str, Any], env: _Env) -> list[DomainEvent]:
    guild_id = str(data["guild_id"])
    user = user_ref(data["user"])
    if _is_self(env.lookups, user.user_id):
        return []
    key = source(f"leave:{guild_id}:{user.user_id}", env.origin)
    return [
        MemberLeft(source_id=key, chat=chat_ref(guild_id, user, env.lookups), user=user, occurred_at=env.now)
    ]


def _voice_state(data: Mapping[str, Any], env: _Env) -> list[DomainEvent]:
    """Leaving and/or joining a voice or stage channel; mute, deafen and video changes are not events."""
    guild_id = data.get("guild_id")
    if guild_id is None or _is_self(env.lookups, data.get("user_id")):
        return []
    guild_id = str(guild_id)
    user = _member_user(data, env, guild_id)
    before = env.lookups.voice_channel(guild_id, user.user_id)
    after = str(data["channel_id"]) if data.get("channel_id") else None
    if before == after:
        return []
    chat = chat_ref(guild_id, user, env.lookups)
    events: list[DomainEvent] = []
    if before is not None:
        key = source(f"voice:{guild_id}:{user.user_id}:{before}:leave", env.origin)
        events.append(VoiceLeft(source_id=key, chat=chat, user=user, occurred_at=env.now, channel_id=before))
    if after is not None:
        key = source(f"voice:{guild_id}:{user.user_id}:{after}:join", env.origin)
        events.append(VoiceJoined(source_id=key, chat=chat, user=user, occurred_at=env.now, channel_id=after))
    return events


# --- native polls and Scheduled Events -----------------------------------------------------


def _poll_vote(data: Mapping[str, Any], env: _Env, added: bool) -> list[DomainEvent]:
    """A vote on a native poll; poll_id is the poll message's id (what SentRef.poll_id said).

    Discord numbers answers from 1; the core's option ids count from 0. Our polls are single
    choice, so taking a vote back retracts the member's vote (empty option_ids).
    """
    if _is_self(env.lookups, data.get("user_id")):
        return []
    user = bare_user(str(data["user_id"]))
    answer = int(data["answer_id"])
    action = "add" if added else "remove"
    return [
        PollVoteCast(
            source_id=source(f"vote:{data['message_id']}:{user.user_id}:{answer}:{action}", env.origin),
            chat=chat_ref(data.get("guild_id"), user, env.lookups),
            user=user,
            occurred_at=env.now,
            poll_id=str(data["message_id"]),
            option_ids=(answer - 1,) if added else (),
        )
    ]


def _interested(data: Mapping[str, Any], env: _Env) -> list[DomainEvent]:
    """'Interested' on a mirrored Scheduled Event is a soft RSVP (maybe) to our event."""
    external = str(data["guild_scheduled_event_id"])
    event_id = env.lookups.event_id(external)
    if event_id is None or _is_self(env.lookups, data.get("user_id")):
        return []
    user = bare_user(str(data["user_id"]))
    return [
        ButtonPressed(
            source_id=source(f"interested:{external}:{user.user_id}", env.origin),
            chat=chat_ref(str(data["guild_id"]), user, env.lookups),
            user=user,
            occurred_at=env.now,
            data=f"rsvp:{event_id}:interested",  # a soft maybe: the core never lets it override an answer
        )
    ]


_HANDLERS: dict[str, Callable[[Mapping[str, Any], _Env], list[DomainEvent]]] = {
    "MESSAGE_CREATE": _message_create,
    "MESSAGE_UPDATE": _message_update,
    "MESSAGE_REACTION_ADD": lambda d, env: _reaction(d, env, True),
    "MESSAGE_REACTION_REMOVE": lambda d, env: _reaction(d, env, False),
    "GUILD_MEMBER_ADD": _member_add,
    "GUILD_MEMBER_REMOVE": _member_remove,
    "VOICE_STATE_UPDATE": _voice_state,
    "MESSAGE_POLL_VOTE_ADD": lambda d, env: _poll_vote(d, env, True),
    "MESSAGE_POLL_VOTE_REMOVE": lambda d, env: _poll_vote(d, env, False),
    "GUILD_SCHEDULED_EVENT_USER_ADD": _interested,
}
