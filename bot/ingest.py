"""Writing the activity log: one row per inbound event, keyed by the platform's id."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from bot.domain.events import (
    BotRoleChanged,
    ButtonPressed,
    CommandInvoked,
    DomainEvent,
    MemberJoined,
    MemberLeft,
    MessageReceived,
    PollVoteCast,
    ReactionAdded,
    ReactionRemoved,
    VoiceJoined,
    VoiceLeft,
)
from bot.storage import repo
from bot.storage.models import Activity, Community, Conversation, Member

KINDS: dict[type[DomainEvent], str] = {
    MessageReceived: "message",
    CommandInvoked: "command",
    ButtonPressed: "button",
    PollVoteCast: "poll_vote",
    ReactionAdded: "reaction",
    ReactionRemoved: "reaction_removed",
    MemberJoined: "join",
    MemberLeft: "leave",
    VoiceJoined: "voice_join",
    VoiceLeft: "voice_leave",
    BotRoleChanged: "bot_role",
}
# Events that only need logging (no handler), so they can be written in bulk.
# (VoiceJoined is not: joining an event's voice channel checks the member in.)
PASSIVE = (MessageReceived, ReactionAdded, ReactionRemoved, MemberJoined, MemberLeft, VoiceLeft)
CHUNK = 500


def log_values(event: DomainEvent, community: Community | None, member: Member | None) -> dict[str, Any]:
    """The activity-log row for an event (text only where the community keeps text)."""
    values: dict[str, Any] = {
        "platform": event.platform,
        "source_id": event.source_id,
        "community_id": community.id if community else None,
        "member_id": member.id if member else None,
        "kind": KINDS[type(event)],
        "occurred_at": event.occurred_at,
        "data": {"private": True} if event.chat.is_private else {},
    }
    keep_text = bool(community and community.keep_text)
    if isinstance(event, MessageReceived):
        values.update(message_id=event.message_id, reply_to=event.reply_to_message_id)
        values["data"] = {**values["data"], "chars": len(event.text), "attachments": event.attachments}
        if keep_text:
            values["text"] = event.text
    elif isinstance(event, CommandInvoked):
        values.update(message_id=event.message_id)
        values["data"] = {**values["data"], "name": event.name[:64], "chars": len(event.args)}
        if keep_text:  # arguments can be free text (a comment), kept only where text is kept
            values["text"] = event.args[:1000]
    elif isinstance(event, ButtonPressed):
        values.update(message_id=event.message_id)
        values["data"] = {**values["data"], "button": event.data[:64]}
    elif isinstance(event, PollVoteCast):
        values["data"] = {**values["data"], "poll": event.poll_id, "options": list(event.option_ids)}
    elif isinstance(event, ReactionAdded | ReactionRemoved):
        values.update(message_id=event.message_id)
        values["data"] = {**values["data"], "emoji": event.emoji}
    elif isinstance(event, VoiceJoined | VoiceLeft):
        values["data"] = {**values["data"], "channel": event.channel_id}
    return values


async def ingest_passive(
    session: AsyncSession, events: Sequence[DomainEvent], config: Config, now: datetime
) -> tuple[int, list[DomainEvent]]:
    """Log passive group events in bulk; return (rows added, events that need a handler after all)."""
    communities: dict[tuple[str, str], Community] = {}
    members: dict[tuple[int, str], Member] = {}
    rows: list[dict[str, Any]] = []
    in_dialog = await _members_in_dialog(session)
    deferred: list[DomainEvent] = []
    for event in events:
        if event.chat.is_private:
            deferred.append(event)
            continue
        key = (event.platform, event.chat.chat_id)
        if key not in communities:
            communities[key] = await repo.community_for_chat(session, event.chat, config, now)
        community = communities[key]
        mkey = (community.id, event.user.user_id)
        if mkey not in members:
            members[mkey] = await repo.member_for_user(session, community, event.user, event.occurred_at)
        member = members[mkey]
        if isinstance(event, MessageReceived) and (member.id, event.chat.chat_id) in in_dialog:
            deferred.append(event)
            continue
        if isinstance(event, MemberJoined | MemberLeft):
            member.is_member = isinstance(event, MemberJoined)
        if member.last_seen_at is None or member.last_seen_at < event.occurred_at:
            member.last_seen_at = event.occurred_at
        rows.append(log_values(event, community, member))
    added = 0
    for start in range(0, len(rows), CHUNK):
        added += await _insert(session, rows[start : start + CHUNK])
    return added, deferred


async def _members_in_dialog(session: AsyncSession) -> set[tuple[int, str]]:
    rows = await session.execute(select(Conversation.member_id, Conversation.chat_id))
    return {(m, c) for m, c in rows.all()}


async def _insert(session: AsyncSession, rows: list[dict[str, Any]]) -> int:
    columns = {c.name for c in Activity.__table__.columns} - {"id"}
    full = [{c: row.get(c) for c in columns} for row in rows]  # executemany needs the same keys in every row
    for row in full:
        row["data"] = row["data"] or {}
    stmt = repo.dialect_insert(session, Activity).on_conflict_do_nothing(
        index_elements=["platform", "source_id"]
    )
    result = await session.execute(stmt.returning(Activity.id), full)
    return len(result.all())
