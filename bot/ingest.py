"""Writing the activity log: one row per inbound event, keyed by the platform's id."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from analytics.topics import extract_topics
from bot.config import Config
from bot.domain.events import (
    BotRoleChanged,
    ButtonPressed,
    ChatMigrated,
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
from bot.storage import bulk, repo
from bot.storage.models import Community, Conversation, DoNotCollect, InstallationSecret, Member

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
    ChatMigrated: "chat_migrated",
}
# Events that only need logging (no handler), so they can be written in bulk.
# (VoiceJoined is not: joining an event's voice channel checks the member in.)
PASSIVE = (MessageReceived, ReactionAdded, ReactionRemoved, MemberJoined, MemberLeft, VoiceLeft)
_MEMBERSHIP = (MemberJoined, MemberLeft)
CHUNK = 5000  # log rows per INSERT statement
# Commands still handled for a user on the do-not-collect list (in private, and logged nowhere),
# so that they can see where they stand and undo it.
UNCOLLECTED_COMMANDS = ("privacy",)
KEY_NAME = "do_not_collect"
# The columns' lengths (platforms keep names far shorter; PostgreSQL would refuse longer ones).
MAX_NAME, MAX_USERNAME = 256, 64
MAX_LOGGED_TEXT = 4096  # the longest message Telegram allows (Discord: 4000)
# Removed from what members type: NUL and other control characters (PostgreSQL refuses NUL in text;
# terminals and logs misread the rest) and the bidi embedding/override/isolate controls, which would let
# a title reorder the bot's own words around it when echoed. Newlines and tabs stay.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str) -> str:
    """Text without control characters (but newline and tab) or bidi overrides."""
    return _UNSAFE.sub("", text)


def sanitize(event: DomainEvent) -> DomainEvent:
    """The event with unsafe characters removed from everything a person typed or named."""
    user, chat = event.user, event.chat
    name, username = user.display_name, user.username or ""
    typed = (
        event.text
        if isinstance(event, MessageReceived)
        else event.name + event.args
        if isinstance(event, CommandInvoked)
        else event.data
        if isinstance(event, ButtonPressed)
        else ""
    )
    if (
        len(name) <= MAX_NAME
        and len(username) <= MAX_USERNAME
        and len(chat.title) <= MAX_NAME
        and not _UNSAFE.search(name + username + chat.title + typed)
    ):
        return event  # the usual case, in one search
    if _UNSAFE.search(name + username) or len(name) > MAX_NAME or len(username) > MAX_USERNAME:
        user = replace(
            user,
            display_name=clean_text(name)[:MAX_NAME],
            username=user.username and clean_text(user.username)[:MAX_USERNAME],
        )
    if _UNSAFE.search(chat.title) or len(chat.title) > MAX_NAME:
        chat = replace(chat, title=clean_text(chat.title)[:MAX_NAME])
    fields: dict[str, Any] = {}
    if isinstance(event, MessageReceived) and _UNSAFE.search(event.text):
        fields["text"] = clean_text(event.text)
    elif isinstance(event, CommandInvoked) and _UNSAFE.search(event.name + event.args):
        fields.update(name=clean_text(event.name), args=clean_text(event.args))
    elif isinstance(event, ButtonPressed) and _UNSAFE.search(event.data):
        fields["data"] = clean_text(event.data)
    if user is event.user and chat is event.chat and not fields:
        return event
    return replace(event, user=user, chat=chat, **fields)


def user_hash(key: bytes, platform: str, user_id: str) -> str:
    """The keyed hash that stands for a platform user on the do-not-collect list."""
    return hmac.new(key, f"{platform}\x00{user_id}".encode(), hashlib.sha256).hexdigest()


async def hash_key(session: AsyncSession, config: Config, *, create: bool = False) -> bytes | None:
    """The do-not-collect key: configured, else generated once and kept in the database (None: not yet)."""
    if config.privacy_hash_key:
        return config.privacy_hash_key.encode()
    stmt = select(InstallationSecret.value).where(InstallationSecret.name == KEY_NAME)
    value = await session.scalar(stmt)
    if value is None and create:
        await session.execute(
            repo.dialect_insert(session, InstallationSecret)
            .values(name=KEY_NAME, value=secrets.token_hex(32), created_at=datetime.now(UTC))
            .on_conflict_do_nothing()
        )
        value = await session.scalar(stmt)
    return bytes.fromhex(value) if value else None


class CollectFilter:
    """Tells which users asked that nothing be collected about them (the key is read once, then kept)."""

    SMALL_LIST = 1000  # up to this many entries, the list is read whole instead of asked about each user
    _LISTED = f"SELECT user_hash FROM {DoNotCollect.__tablename__} LIMIT {SMALL_LIST + 1}"

    def __init__(self, config: Config) -> None:
        self.config = config
        self._key: bytes | None = None

    async def blocked(
        self, session: AsyncSession, users: Iterable[tuple[str, str]], listed: list[str] | None = None
    ) -> set[tuple[str, str]]:
        """The (platform, user id) pairs among users that are on the do-not-collect list.

        listed: the list's first SMALL_LIST + 1 entries, when the caller read them already."""
        if listed is None:  # driver SQL on the session's connection: this runs for every event
            conn = await session.connection()
            listed = list((await conn.exec_driver_sql(self._LISTED)).scalars())
        if not listed:  # the usual case: nobody to look for, no key to read, nothing to hash
            return set()
        users = set(users)
        if self._key is None:
            self._key = await hash_key(session, self.config)
            if self._key is None:  # no key, so nobody could have been listed with it
                return set()
        hashes = {user_hash(self._key, platform, user_id): (platform, user_id) for platform, user_id in users}
        if len(listed) <= self.SMALL_LIST:
            return {hashes[h] for h in listed if h in hashes}
        found = await session.scalars(
            select(DoNotCollect.user_hash).where(DoNotCollect.user_hash.in_(hashes))
        )
        return {hashes[h] for h in found}


def log_values(event: DomainEvent, community: Community | None, member: Member | None) -> dict[str, Any]:
    """The activity-log row for an event (text only where the community keeps text)."""
    community_id, keep_text = (community.id, community.keep_text) if community else (None, False)
    row = log_row(event, community_id, member.id if member else None, bool(keep_text))
    return dict(zip(ROW_COLUMNS, row, strict=True))


ROW_COLUMNS = bulk.LOG_COLUMNS  # the order log_row returns a row's values in


def log_row(
    event: DomainEvent, community_id: int | None, member_id: int | None, keep_text: bool
) -> tuple[Any, ...]:
    """log_values as a tuple in ROW_COLUMNS order: the one place that decides what is logged."""
    data: dict[str, Any] = {"private": True} if event.chat.is_private else {}
    message_id = reply_to = text = None
    if isinstance(event, MessageReceived):
        message_id, reply_to = event.message_id, event.reply_to_message_id
        data["chars"] = len(event.text)
        data["attachments"] = event.attachments
        if event.thread_id is not None:
            data["thread"] = event.thread_id
        # Topic tags are taken now, so analytics has topics even where the text itself is not kept.
        topics = extract_topics(event.text) if event.text else []
        if topics:
            data["topics"] = topics
        if keep_text:
            text = event.text[:MAX_LOGGED_TEXT]
    elif isinstance(event, CommandInvoked):
        message_id = event.message_id
        data["name"] = event.name[:64]
        data["chars"] = len(event.args)
        if keep_text:  # arguments can be free text (a comment), kept only where text is kept
            text = event.args[:1000]
    elif isinstance(event, ButtonPressed):
        message_id = event.message_id
        data["button"] = event.data[:64]
    elif isinstance(event, PollVoteCast):
        data["poll"] = event.poll_id
        data["options"] = list(event.option_ids)
    elif isinstance(event, ReactionAdded | ReactionRemoved):
        message_id = event.message_id
        data["emoji"] = event.emoji
    elif isinstance(event, VoiceJoined | VoiceLeft):
        data["channel"] = event.channel_id
    elif isinstance(event, BotRoleChanged):
        data["present"] = event.present
        data["admin"] = event.is_admin
    elif isinstance(event, ChatMigrated):
        data["new_chat_id"] = event.new_chat_id
    return (event.platform, event.source_id, community_id, member_id, KINDS[type(event)], event.occurred_at,
            message_id, reply_to, text, data)  # fmt: skip


async def batch_lists(session: AsyncSession) -> tuple[list[str], set[tuple[int, str]]]:
    """What every batch checks, read in one statement: the do-not-collect list (its first
    CollectFilter.SMALL_LIST + 1 entries, for CollectFilter.blocked) and the open dialogs
    ((member id, chat id), for ingest_passive)."""
    conn = await session.connection()  # driver SQL: this runs for every ingested batch
    listed: list[str] = []
    in_dialog: set[tuple[int, str]] = set()
    for user, member_id, chat_id in (await conn.exec_driver_sql(_BATCH_LISTS)).all():
        if user is None:
            in_dialog.add((member_id, chat_id))
        else:
            listed.append(user)
    return listed, in_dialog


_BATCH_LISTS = (
    f"SELECT user_hash, NULL, NULL FROM ({CollectFilter._LISTED}) AS listed"
    f" UNION ALL SELECT NULL, member_id, chat_id FROM {Conversation.__tablename__}"
)


async def ingest_passive(
    session: AsyncSession,
    events: Sequence[DomainEvent],
    config: Config,
    now: datetime,
    in_dialog: set[tuple[int, str]],
    members: bulk.MemberBatch | None = None,
) -> tuple[int, list[DomainEvent]]:
    """Log passive group events in bulk; return (rows added, events that need a handler after all).

    One lookup per community, members resolved and updated in bulk (bulk.member_ids), and the log
    rows written with one multi-row statement per chunk (bulk.insert_log_rows), deduped on
    (platform, source_id) like every other write to the log. in_dialog: the open dialogs (from
    batch_lists); a member's message there is an answer, left to the handler. members: the App's
    member cache, for this transaction (its commit() is the caller's, after the session's).
    """
    group: list[DomainEvent] = []
    deferred: list[DomainEvent] = []
    chats: dict[tuple[str, str], Any] = {}
    seen: dict[tuple[str, str], dict[str, bulk.Seen]] = {}
    for event in events:  # who was seen where, with their latest name, first and latest times
        chat = event.chat
        if chat.is_private:
            deferred.append(event)
            continue
        group.append(event)
        key = (chat.platform, chat.chat_id)
        users = seen.get(key)
        if users is None:
            chats[key] = chat
            users = seen[key] = {}
        uid, when = event.user.user_id, event.occurred_at
        found = users.get(uid)
        if found is None:
            found = users[uid] = bulk.Seen(event.user, when, when)
        else:
            if found.last <= when:
                found.user, found.last = event.user, when
            if when < found.first:
                found.first = when
        if isinstance(event, _MEMBERSHIP):
            found.is_member = isinstance(event, MemberJoined)  # the last one in the batch wins
    targets: dict[tuple[str, str], tuple[int, bool, dict[str, int]]] = {}  # community id, keep text, members
    for key, chat in chats.items():
        community = await bulk.community(session, chat, config, now, members)
        targets[key] = (
            community.id,
            community.keep_text,
            await bulk.member_ids(session, community.id, seen[key], members),
        )
    rows: list[tuple[Any, ...]] = []
    for event in group:
        chat = event.chat
        community_id, keep_text, ids = targets[chat.platform, chat.chat_id]
        member_id = ids[event.user.user_id]
        if in_dialog and isinstance(event, MessageReceived) and (member_id, chat.chat_id) in in_dialog:
            deferred.append(event)
            continue
        rows.append(log_row(event, community_id, member_id, keep_text))
    added = 0
    for start in range(0, len(rows), CHUNK):
        added += await bulk.insert_log_rows(session, rows[start : start + CHUNK])
    return added, deferred
