"""Pure functions: a Telegram ``Update`` in, platform-free domain events out.

No I/O and no clock of their own: the caller passes ``now`` for updates that carry no date
(callback queries, poll answers). ``source_id`` is ``u{update_id}`` (Telegram's unique,
redelivered-as-is id), with ``:N`` appended when one update yields several events.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from telegram import (
    CallbackQuery,
    Chat,
    ChatMember,
    ChatMemberRestricted,
    Message,
    MessageEntity,
    MessageReactionUpdated,
    PollAnswer,
    ReactionType,
    ReactionTypeCustomEmoji,
    ReactionTypeEmoji,
    Update,
    User,
)

from bot.domain.events import (
    BotRoleChanged,
    ButtonPressed,
    ChatMigrated,
    ChatRef,
    CommandInvoked,
    DomainEvent,
    MemberJoined,
    MemberLeft,
    MessageReceived,
    PollVoteCast,
    ReactionAdded,
    ReactionRemoved,
    UserRef,
)

logger = logging.getLogger(__name__)

PLATFORM = "telegram"

# Every update type translate() turns into events (plus my_chat_member, which the adapter logs).
# message_reaction_count is not asked for: it carries totals of anonymous reactions, with no member
# to credit, and a made-up member would put a fake person into every per-member statistic.
ALLOWED_UPDATES: tuple[str, ...] = (
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.POLL_ANSWER,
    Update.MESSAGE_REACTION,
    Update.CHAT_MEMBER,
    Update.MY_CHAT_MEMBER,
)

# Accounts Telegram itself writes as: channel posts forwarded into a linked group (777000),
# anonymous group admins (GroupAnonymousBot) and channels posting in a group (Channel_Bot).
SERVICE_USER_IDS = frozenset({777000, 1087968824, 136817688})

_IN_CHAT = (ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER)
_ADMIN = (ChatMember.OWNER, ChatMember.ADMINISTRATOR)


def translate(
    update: Update, *, bot_username: str | None = None, now: datetime | None = None
) -> list[DomainEvent]:
    """The domain events one update means (often none: service messages, other bots' commands...)."""
    received = now or datetime.now(UTC)
    base = f"u{update.update_id}"
    events: list[DomainEvent]
    if update.message is not None:
        events = _message(update.message, base, bot_username)
    elif update.edited_message is not None:
        events = _edited(update.edited_message, f"{base}:edit")
    elif update.callback_query is not None:
        events = _callback(update.callback_query, base, received)
    elif update.poll_answer is not None:
        events = _poll_answer(update.poll_answer, base, received)
    elif update.message_reaction is not None:
        events = _reaction(update.message_reaction, base)
    elif update.chat_member is not None:
        events = _chat_member(update, base)
    elif update.my_chat_member is not None:
        events = _bot_role(update, base)
    else:  # message_reaction_count, types we never ask for
        events = []
    if len(events) > 1:
        events = [replace(e, source_id=f"{e.source_id}:{i}") for i, e in enumerate(events, 1)]
    return events


def translate_payload(
    payload: dict[str, Any], *, bot_username: str | None = None, now: datetime | None = None
) -> list[DomainEvent]:
    """translate() for a raw Bot API update (a parsed JSON object)."""
    return translate(Update.de_json(payload, None), bot_username=bot_username, now=now)


def bot_membership(update: Update) -> tuple[str, str, str, str] | None:
    """For a my_chat_member update: (chat id, chat title, old status, new status) of the bot itself."""
    change = update.my_chat_member
    if change is None:
        return None
    title = change.chat.effective_name or ""
    return str(change.chat.id), title, change.old_chat_member.status, change.new_chat_member.status


def chat_ref(chat: Chat) -> ChatRef:
    """The domain view of a Telegram chat."""
    return ChatRef(PLATFORM, str(chat.id), chat.type == Chat.PRIVATE, chat.effective_name or "")


def user_ref(user: User, *, is_admin: bool | None = None) -> UserRef:
    """The domain view of a Telegram user (is_admin is filled by the adapter for group events)."""
    return UserRef(
        user_id=str(user.id),
        display_name=user.full_name or user.username or str(user.id),
        username=user.username,
        is_admin=is_admin,
        language_code=user.language_code,
        is_bot=user.is_bot,
    )


def _author(message: Message) -> User | None:
    """The member who wrote a message; None for channel forwards, anonymous admins and service accounts."""
    user = message.from_user
    if user is None or user.id in SERVICE_USER_IDS or message.sender_chat is not None:
        return None
    if message.is_automatic_forward or message.chat.type == Chat.CHANNEL:
        return None
    return user


def _has_content(message: Message) -> bool:
    """Something a member wrote or sent, as opposed to a service message (joins, pins, topic edits...)."""
    return bool(message.text or message.caption or message.effective_attachment)


def _reply_to(message: Message) -> str | None:
    reply = message.reply_to_message
    if reply is None:
        return None
    if message.is_topic_message and reply.message_id == message.message_thread_id:
        return None  # in a forum topic every message "replies" to the topic's opening message
    return str(reply.message_id)


def _thread(message: Message) -> str | None:
    """The forum topic; in ordinary groups message_thread_id is a reply chain, which _reply_to covers."""
    if message.is_topic_message and message.message_thread_id is not None:
        return str(message.message_thread_id)
    return None


def _received(message: Message, source_id: str, author: User, when: datetime) -> MessageReceived:
    return MessageReceived(
        source_id=source_id,
        chat=chat_ref(message.chat),
        user=user_ref(author),
        occurred_at=when,
        message_id=str(message.message_id),
        text=message.text or message.caption or "",
        reply_to_message_id=_reply_to(message),
        thread_id=_thread(message),
        attachments=1 if message.effective_attachment else 0,
    )


def parse_command(message: Message, bot_username: str | None) -> tuple[str, str] | None:
    """(name, args) of a '/name@bot args' message; ('', '') when it is addressed to another bot."""
    text, entities = message.text, message.entities
    if not text or not entities:
        return None
    first = entities[0]
    if first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return None
    token = message.parse_entity(first)
    name, _, addressee = token[1:].partition("@")
    if addressee and bot_username and addressee.lower() != bot_username.lower():
        return "", ""
    return name.lower(), text[len(token) :].strip()


def _migrated(message: Message) -> list[DomainEvent]:
    """A group upgraded to a supergroup: said in the old chat (migrate_to) and the new one (migrate_from)."""
    if message.migrate_to_chat_id is not None:
        old, new = str(message.chat.id), str(message.migrate_to_chat_id)
    else:
        old, new = str(message.migrate_from_chat_id), str(message.chat.id)
    user = message.from_user
    if user is None:
        return []
    chat = ChatRef(PLATFORM, old, False, message.chat.effective_name or "")
    return [
        ChatMigrated(
            source_id=f"migrate:{old}:{new}",
            chat=chat,
            user=user_ref(user),
            occurred_at=message.date,
            new_chat_id=new,
        )  # fmt: skip
    ]


def _message(message: Message, source_id: str, bot_username: str | None) -> list[DomainEvent]:
    if message.migrate_to_chat_id is not None or message.migrate_from_chat_id is not None:
        return _migrated(message)
    author = _author(message)
    if author is None or not _has_content(message):
        return []
    command = parse_command(message, bot_username)
    if command is None:
        return [_received(message, source_id, author, message.date)]
    name, args = command
    if not name:
        return []  # /something@another_bot: not ours
    return [
        CommandInvoked(
            source_id=source_id,
            chat=chat_ref(message.chat),
            user=user_ref(author),
            occurred_at=message.date,
            name=name,
            args=args,
            message_id=str(message.message_id),
        )
    ]


def _edited(message: Message, source_id: str) -> list[DomainEvent]:
    """An edit is logged as a message of its own (never re-run as a command)."""
    author = _author(message)
    if author is None or not _has_content(message):
        return []
    return [_received(message, source_id, author, message.edit_date or message.date)]


def _callback(query: CallbackQuery, source_id: str, now: datetime) -> list[DomainEvent]:
    message = query.message
    if query.data is None or message is None:
        return []  # a game, or a button on an inline-mode message (no chat): nothing of ours
    return [
        ButtonPressed(
            source_id=source_id,
            chat=chat_ref(message.chat),
            user=user_ref(query.from_user),
            occurred_at=now,
            data=query.data,
            message_id=str(message.message_id),
            interaction_id=query.id,
        )
    ]


def _poll_answer(answer: PollAnswer, source_id: str, now: datetime) -> list[DomainEvent]:
    user = answer.user
    if user is None:
        return []  # an anonymous admin voting as the chat: nobody to count
    # Telegram says nothing about the chat; the core finds the poll (and its group) by poll_id.
    chat = ChatRef(PLATFORM, str(user.id), True, user.full_name)
    return [
        PollVoteCast(
            source_id=source_id,
            chat=chat,
            user=user_ref(user),
            occurred_at=now,
            poll_id=answer.poll_id,
            option_ids=tuple(answer.option_ids),
        )
    ]


def reaction_key(reaction: ReactionType) -> str:
    """An emoji as text; custom emoji as 'custom:ID', paid reactions as 'paid'."""
    if isinstance(reaction, ReactionTypeEmoji):
        return reaction.emoji
    if isinstance(reaction, ReactionTypeCustomEmoji):
        return f"custom:{reaction.custom_emoji_id}"
    return str(reaction.type)


def _reaction(update: MessageReactionUpdated, source_id: str) -> list[DomainEvent]:
    if update.user is None:
        return []  # reacted as a chat (anonymous admin or channel): no member to credit
    old = [reaction_key(r) for r in update.old_reaction]
    new = [reaction_key(r) for r in update.new_reaction]
    common: dict[str, Any] = {
        "source_id": source_id,
        "chat": chat_ref(update.chat),
        "user": user_ref(update.user),
        "occurred_at": update.date,
        "message_id": str(update.message_id),
    }
    removed: list[DomainEvent] = [ReactionRemoved(**common, emoji=e) for e in old if e not in new]
    added: list[DomainEvent] = [ReactionAdded(**common, emoji=e) for e in new if e not in old]
    return removed + added


def _is_in_chat(member: ChatMember) -> bool:
    if isinstance(member, ChatMemberRestricted):
        return member.is_member
    return member.status in _IN_CHAT


def _bot_role(update: Update, source_id: str) -> list[DomainEvent]:
    """The bot itself was added, removed, promoted or demoted in a group (by change.from_user)."""
    change = update.my_chat_member
    assert change is not None
    if change.chat.type == Chat.PRIVATE:
        return []  # a member blocked or unblocked the bot: the relay learns it from 403s
    new = change.new_chat_member
    event = BotRoleChanged(
        source_id=source_id,
        chat=chat_ref(change.chat),
        user=user_ref(change.from_user),
        occurred_at=change.date,
        present=_is_in_chat(new),
        is_admin=new.status in _ADMIN,
    )
    return [event]


def _chat_member(update: Update, source_id: str) -> list[DomainEvent]:
    change = update.chat_member
    assert change is not None
    was_in, is_in = _is_in_chat(change.old_chat_member), _is_in_chat(change.new_chat_member)
    if was_in == is_in:
        return []  # promoted, restricted, ...: the adapter refreshes its admin list
    member = change.new_chat_member
    user = user_ref(member.user, is_admin=member.status in _ADMIN)
    event_type = MemberJoined if is_in else MemberLeft
    return [event_type(source_id=source_id, chat=chat_ref(change.chat), user=user, occurred_at=change.date)]
