"""Telegram Desktop's JSON export (result.json): one chat, or a whole account with many chats.

Ids are the ones the live adapter sees: a supergroup exported as ``"id": N`` is the Bot API chat
``-100N`` (a basic group: ``-N``), and ``"from_id": "user123"`` is user ``123``.

Source ids: live Telegram events are keyed by the *update* id (``u<update_id>``), which an export
does not carry, so imported events get keys of their own (``import:<chat>:<message>`` ...). A
message that live logging already has is recognised instead by its (community, message id):
``overlap`` drops it before it is logged. Reactions cannot be matched that way (a live reaction
row says who reacted to which message but an export names only the *recent* reactors), so a
reaction logged live and imported later is counted twice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.app import App
from bot.domain.events import (
    ChatRef,
    DomainEvent,
    MemberJoined,
    MemberLeft,
    MessageReceived,
    ReactionAdded,
    UserRef,
)
from bot.importers.common import (
    ImportFormatError,
    Parsed,
    from_iso,
    from_unix,
    need,
    reaction_dicts,
    read_json,
)
from bot.storage.models import Activity, Community

PLATFORM = "telegram"
SUPERGROUPS = ("private_supergroup", "public_supergroup")
GROUP_TYPES = (*SUPERGROUPS, "private_group")
# Accounts Telegram itself writes as (as in the live adapter): channel forwards, anonymous admins.
SERVICE_USER_IDS = frozenset({"777000", "1087968824", "136817688"})
ATTACHMENT_KEYS = ("photo", "file", "media_type", "sticker_emoji", "location_information",
                   "contact_information", "poll", "game_information", "invoice_information")  # fmt: skip
JOIN_ACTIONS = ("invite_members", "join_group_by_link", "join_group_by_request")
LEAVE_ACTIONS = ("remove_members",)


def parse_file(path: str) -> Parsed:
    """Every chat of an export; the whole file is checked before anything is returned."""
    return parse_document(read_json(path), str(path))


def parse_document(doc: Any, name: str = "result.json") -> Parsed:
    if not isinstance(doc, dict):
        raise ImportFormatError(f"{name}: not a Telegram export (expected a JSON object)")
    if "messages" in doc:
        chats = [doc]
    elif isinstance(doc.get("chats"), dict) and isinstance(doc["chats"].get("list"), list):
        chats = list(doc["chats"]["list"])
        left = doc.get("left_chats")
        if isinstance(left, dict) and isinstance(left.get("list"), list):
            chats += left["list"]
    else:
        raise ImportFormatError(
            f"{name}: not a Telegram Desktop JSON export (no 'messages' and no 'chats.list');"
            " export with Format: JSON"
        )
    parsed = Parsed()
    for i, chat in enumerate(chats):
        parsed.extend(parse_chat(chat, f"{name}: chat #{i + 1}"))
    return parsed


def chat_id(kind: str, raw: int) -> str:
    """The Bot API id of an exported chat."""
    return f"-100{raw}" if kind in SUPERGROUPS else f"-{raw}"


def parse_chat(chat: Any, where: str) -> Parsed:
    parsed = Parsed()
    kind = need(chat, "type", str, where)
    messages = need(chat, "messages", list, where)
    title = chat.get("name") or ""
    where = f"{where} ({title!r})" if title else where
    if kind not in GROUP_TYPES:
        parsed.skip(f"{kind} chats (only groups are communities)", len(messages))
        return parsed
    raw = need(chat, "id", int, where)
    ref = ChatRef(PLATFORM, chat_id(kind, raw), False, title)
    names = _names(messages)
    for i, msg in enumerate(messages):
        here = f"{where}, message #{i + 1}"
        if not isinstance(msg, dict):
            raise ImportFormatError(f"{here}: expected an object")
        here = f"{here} (id {msg.get('id')})"
        msg_id = need(msg, "id", int, here)
        when = _when(msg, here)
        mtype = msg.get("type")
        if mtype == "message":
            _message(parsed, ref, msg, msg_id, when, here)
        elif mtype == "service":
            _service(parsed, ref, msg, msg_id, when, names)
        else:
            raise ImportFormatError(f"{here}: unknown message type {mtype!r}")
    return parsed


def _when(msg: dict[str, Any], where: str) -> Any:
    if "date_unixtime" in msg:
        return from_unix(msg["date_unixtime"], where)
    return from_iso(msg.get("date"), where)  # older exports: local time without a zone, taken as UTC


def _user_id(from_id: Any) -> str | None:
    """'user123' -> '123'; None for channels and chats posting in the group."""
    if isinstance(from_id, str) and from_id.startswith("user") and from_id[4:].isdigit():
        return from_id[4:]
    return None


def _names(messages: list[Any]) -> dict[str, str]:
    """Display name -> user id, from authors and actors, to resolve names in join/leave lists."""
    names: dict[str, str] = {}
    for msg in messages:
        if isinstance(msg, dict):
            for name_key, id_key in (("from", "from_id"), ("actor", "actor_id")):
                uid = _user_id(msg.get(id_key))
                if uid and isinstance(msg.get(name_key), str):
                    names.setdefault(msg[name_key], uid)
    return names


def plain_text(text: Any, where: str) -> str:
    """The export's text: a string, or a list of strings and entities ({"type", "text"})."""
    if isinstance(text, str):
        return text
    if not isinstance(text, list):
        raise ImportFormatError(f"{where}: 'text' has the wrong type ({type(text).__name__})")
    parts = []
    for part in text:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, dict) and isinstance(part.get("text"), str):
            parts.append(part["text"])
        else:
            raise ImportFormatError(f"{where}: bad text entity {part!r:.60}")
    return "".join(parts)


def _author(parsed: Parsed, msg: dict[str, Any]) -> UserRef | None:
    uid = _user_id(msg.get("from_id"))
    if uid is None:
        parsed.skip("messages posted as a channel or anonymous admin")
        return None
    if uid in SERVICE_USER_IDS:
        parsed.skip("messages from Telegram service accounts")
        return None
    name = msg.get("from") if isinstance(msg.get("from"), str) else None
    return UserRef(user_id=uid, display_name=name or uid)


def _message(parsed: Parsed, ref: ChatRef, msg: dict[str, Any], msg_id: int, when: Any, where: str) -> None:
    text = plain_text(msg.get("text", ""), where)
    attachments = 1 if any(k in msg for k in ATTACHMENT_KEYS) else 0
    if "poll" in msg:
        parsed.counts["polls"] += 1
    user = _author(parsed, msg)
    if user is None:
        return
    if not text and not attachments:
        parsed.skip("empty messages")
        return
    if text.startswith("/"):
        parsed.skip("bot commands (never re-run)")
        return
    reply = msg.get("reply_to_message_id")
    if reply is not None and not isinstance(reply, int):
        raise ImportFormatError(f"{where}: 'reply_to_message_id' is not a number")
    thread = msg.get("message_thread_id")  # forum topics (newer exports)
    if thread is not None and reply == thread:
        reply = None  # in a topic every message "replies" to the opening message, as live
    parsed.add(
        MessageReceived(
            source_id=f"import:{ref.chat_id}:{msg_id}",
            chat=ref,
            user=user,
            occurred_at=when,
            message_id=str(msg_id),
            text=text,
            reply_to_message_id=str(reply) if reply is not None else None,
            thread_id=str(thread) if isinstance(thread, int) else None,
            attachments=attachments,
        )
    )
    _reactions(parsed, ref, msg, msg_id, when, where)


def _reactions(parsed: Parsed, ref: ChatRef, msg: dict[str, Any], msg_id: int, when: Any, where: str) -> None:
    for reaction in reaction_dicts(msg, where):
        emoji = _emoji(reaction)
        recent = reaction.get("recent") or []
        count = reaction.get("count", len(recent))
        known = 0
        for reactor in recent:
            uid = _user_id(reactor.get("from_id")) if isinstance(reactor, dict) else None
            if uid is None:
                continue
            known += 1
            name = reactor.get("from") if isinstance(reactor.get("from"), str) else None
            parsed.add(
                ReactionAdded(
                    source_id=f"import:{ref.chat_id}:{msg_id}:react:{uid}:{emoji[:40]}",
                    chat=ref,
                    user=UserRef(user_id=uid, display_name=name or uid),
                    occurred_at=when,  # the reactor's date is local time without a zone: use the message's
                    message_id=str(msg_id),
                    emoji=emoji,
                )
            )
        if isinstance(count, int) and count > known:
            parsed.skip("reactions without a named reactor", count - known)


def _emoji(reaction: dict[str, Any]) -> str:
    kind = reaction.get("type")
    if kind == "emoji" or (kind is None and "emoji" in reaction):
        return str(reaction.get("emoji") or "?")
    if kind == "custom_emoji":
        return f"custom:{reaction.get('document_id') or '?'}"
    return str(kind or "?")


def _service(
    parsed: Parsed, ref: ChatRef, msg: dict[str, Any], msg_id: int, when: Any, names: dict[str, str]
) -> None:
    action = msg.get("action")
    if action not in JOIN_ACTIONS + LEAVE_ACTIONS:
        parsed.skip(f"service messages: {action}")
        return
    event_type = MemberJoined if action in JOIN_ACTIONS else MemberLeft
    actor_id = _user_id(msg.get("actor_id"))
    actor = msg.get("actor") if isinstance(msg.get("actor"), str) else None
    people = msg.get("members") if action in ("invite_members", "remove_members") else None
    if not isinstance(people, list):  # joined by link or request: the actor is the one who joined
        targets = [(actor_id, actor)] if actor_id else []
    else:
        targets = [
            ((actor_id if p == actor else names.get(p)) if isinstance(p, str) else None, p) for p in people
        ]
    for n, (uid, name) in enumerate(targets):
        if uid is None:
            parsed.skip(f"{action}: members known by name only")
            continue
        suffix = f":{n}" if len(targets) > 1 else ""
        parsed.add(
            event_type(
                source_id=f"import:{ref.chat_id}:{msg_id}{suffix}",
                chat=ref,
                user=UserRef(user_id=uid, display_name=name or uid),
                occurred_at=when,
            )
        )


async def overlap(app: App, events: list[DomainEvent]) -> list[DomainEvent]:
    """The events without the messages live logging already has (same community and message id)."""
    by_chat: dict[str, set[str]] = {}
    for e in events:
        if isinstance(e, MessageReceived):
            by_chat.setdefault(e.chat.chat_id, set()).add(e.message_id)
    if not by_chat:
        return events
    logged: set[tuple[str, str]] = set()
    async with app.sessions() as session:
        for chat, ids in by_chat.items():
            rows = await session.execute(
                select(Activity.message_id)
                .join(Community, Community.id == Activity.community_id)
                .where(
                    Community.platform == PLATFORM,
                    Community.chat_id == chat,
                    Activity.platform == PLATFORM,
                    Activity.kind == "message",
                    Activity.message_id.in_(ids),
                    Activity.source_id.not_like("import:%"),
                )
            )
            logged.update((chat, m) for (m,) in rows.all())
    if not logged:
        return events
    return [
        e for e in events
        if not (isinstance(e, MessageReceived) and (e.chat.chat_id, e.message_id) in logged)
    ]  # fmt: skip
