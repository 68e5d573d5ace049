"""Telegram Desktop's JSON export (result.json): one chat, or a whole account with many chats.

Ids are the ones the live adapter sees: a supergroup exported as ``"id": N`` is the Bot API chat
``-100N`` (a basic group: ``-N``), and ``"from_id": "user123"`` is user ``123``.

Source ids: live Telegram events are keyed by the *update* id (``u<update_id>``), which an export
does not carry, so imported events get keys of their own (``import:<chat>:<message>`` ...). A
message that live logging already has is recognised instead by its (community, message id):
``overlap`` drops it before it is logged. Reactions cannot be matched that way (a live reaction
row says who reacted to which message but an export names only the *recent* reactors), so a
reaction logged live and imported later is counted twice.

The file is read as a stream (``bot.importers.jsonstream``), twice: ``check`` validates every
message and learns the names of members (invitations name people, not ids), then ``events`` yields
the events. Memory stays bounded whatever the size of the export.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
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
    collect,
    from_iso,
    from_unix,
    need,
    reaction_dicts,
)
from bot.importers.jsonstream import BigArray, items, skeleton
from bot.importers.progress import Progress
from bot.storage.models import Activity, Community

PLATFORM = "telegram"
SUPERGROUPS = ("private_supergroup", "public_supergroup")
GROUP_TYPES = (*SUPERGROUPS, "private_group")
# Accounts Telegram itself writes as (as in the live adapter): channel forwards, anonymous admins.
SERVICE_USER_IDS = frozenset({"777000", "1087968824", "136817688"})
ATTACHMENT_KEYS = frozenset(("photo", "file", "media_type", "sticker_emoji", "location_information",
                   "contact_information", "poll", "game_information", "invoice_information"))  # fmt: skip
JOIN_ACTIONS = ("invite_members", "join_group_by_link", "join_group_by_request")
LEAVE_ACTIONS = ("remove_members",)
TOPIC_CREATED = "topic_created"
# Where the messages are: one chat's export, or the chats of a whole-account export.
MESSAGE_ARRAYS = ("messages", "chats.list.item.messages", "left_chats.list.item.messages")


def parse_file(path: str) -> Parsed:
    """Every chat of an export, with its events; the whole file is checked before anything is returned."""
    return collect(JsonExport(path))


def parse_document(doc: Any, name: str = "result.json") -> Parsed:
    """The same for an export already in memory (a dict)."""
    parsed = Parsed()
    for i, chat in enumerate(_chat_list(doc, name)):
        where = f"{name}: chat #{i + 1}"
        messages = need(chat, "messages", list, where)
        reader = ChatReader.open(chat, where, parsed, len(messages))
        if reader is None:
            continue
        for msg in messages:
            reader.learn(msg)
        for n, msg in enumerate(messages):
            for event in reader.message(msg, n, parsed):
                parsed.add(event)
    return parsed


def _chat_list(doc: Any, name: str) -> list[Any]:
    if not isinstance(doc, dict):
        raise ImportFormatError(f"{name}: not a Telegram export (expected a JSON object)")
    if "messages" in doc:
        return [doc]
    if isinstance(doc.get("chats"), dict) and isinstance(doc["chats"].get("list"), list):
        chats = list(doc["chats"]["list"])
        left = doc.get("left_chats")
        if isinstance(left, dict) and isinstance(left.get("list"), list):
            chats += left["list"]
        return chats
    raise ImportFormatError(
        f"{name}: not a Telegram Desktop JSON export (no 'messages' and no 'chats.list');"
        " export with Format: JSON"
    )


def chat_id(kind: str, raw: int) -> str:
    """The Bot API id of an exported chat."""
    return f"-100{raw}" if kind in SUPERGROUPS else f"-{raw}"


@dataclass
class _Chat:
    """One chat of a streamed export: where its messages are, and what the first pass learnt."""

    meta: dict[str, Any]
    where: str
    array: str  # the prefix of its messages array
    count: int | None  # its messages (None: all the rest of the array, in a one-chat export)
    names: dict[str, str] = field(default_factory=dict)


class JsonExport:
    """A result.json read as a stream: ``check`` first, then ``events`` (see bot.importers.common.Source)."""

    def __init__(self, path: str | Path) -> None:
        self.name = str(path)
        self.size = Path(path).stat().st_size
        self._chats: list[_Chat] | None = None

    def _plan(self, progress: Progress | None) -> list[_Chat]:
        doc = skeleton(
            self.name,
            big=lambda prefix: prefix in MESSAGE_ARRAYS,
            enough=lambda prefix, doc: prefix == "messages" and "type" in doc and "id" in doc,
            progress=progress,
        )
        chats = []
        for i, chat in enumerate(_chat_list(doc, self.name)):
            where = f"{self.name}: chat #{i + 1}"
            messages = need(chat, "messages", BigArray, where)
            chats.append(_Chat(chat, where, messages.prefix, messages.count))
        return chats

    def _messages(self, chats: list[_Chat], progress: Progress | None) -> Iterator[tuple[_Chat, int, Any]]:
        """(chat, index, message) for every message, in document order, one array at a time."""
        for array in MESSAGE_ARRAYS:
            mine = [c for c in chats if c.array == array]
            if not mine:
                continue
            stream = items(self.name, array, progress)
            for chat in mine:
                n = 0
                while chat.count is None or n < chat.count:
                    msg = next(stream, _END)
                    if msg is _END:
                        break
                    yield chat, n, msg
                    n += 1
                chat.count = n
            for _ in stream:  # read to the end, so a syntax error after the last message is still found
                pass

    def check(self, progress: Progress | None = None) -> None:
        """Validate every message of every group and learn members' names; writes nothing."""
        self._chats = chats = self._plan(progress)
        scratch = Parsed(events=None)
        readers = {id(c): ChatReader.open(c.meta, c.where, scratch, 0) for c in chats}
        for reader in readers.values():
            if reader is not None:
                reader.build = False  # check everything, make nothing
        for chat, n, msg in self._messages(chats, progress):
            reader = readers[id(chat)]
            if reader is not None:
                reader.learn(msg)
                reader.message(msg, n, scratch)
        for chat in chats:
            reader = readers[id(chat)]
            chat.names = reader.names if reader is not None else {}

    def events(self, parsed: Parsed, progress: Progress | None = None) -> Iterator[DomainEvent]:
        if self._chats is None:
            self.check()
        assert self._chats is not None
        chats = self._chats
        readers: dict[int, ChatReader | None] = {}
        for chat in chats:
            reader = ChatReader.open(chat.meta, chat.where, parsed, chat.count or 0)
            if reader is not None:
                reader.names = chat.names
            readers[id(chat)] = reader
        for chat, n, msg in self._messages(chats, progress):
            reader = readers[id(chat)]
            if reader is None:
                continue
            for event in reader.message(msg, n, parsed):
                parsed.add(event)
                yield event


_END = object()


class ChatReader:
    """Turns one group's messages into events, checking each one (ImportFormatError names it)."""

    def __init__(self, ref: ChatRef, where: str) -> None:
        self.ref = ref
        self.where = where
        self.names: dict[str, str] = {}  # display name -> user id, for invitations that name people
        self.topics: set[int] = set()  # ids of the messages that opened forum topics
        self.thread_of: dict[int, int] = {}  # message id -> its topic, for messages in a topic
        self.build = True  # False: only check the messages (the first pass)
        self.people: dict[tuple[str, str | None], UserRef] = {}  # (user id, name) -> UserRef

    @classmethod
    def open(cls, chat: Any, where: str, parsed: Parsed, count: int) -> ChatReader | None:
        """A reader for a group; None (and the messages counted as skipped) for any other chat."""
        kind = need(chat, "type", str, where)
        title = chat.get("name") or ""
        where = f"{where} ({title!r})" if title else where
        if kind not in GROUP_TYPES:
            parsed.skip(f"{kind} chats (only groups are communities)", count)
            return None
        raw = need(chat, "id", int, where)
        return cls(ChatRef(PLATFORM, chat_id(kind, raw), False, title), where)

    def learn(self, msg: Any) -> None:
        """Remember the names of a message's author and actor (the first id seen for a name)."""
        if isinstance(msg, dict):
            for name_key, id_key in (("from", "from_id"), ("actor", "actor_id")):
                name = msg.get(name_key)
                if isinstance(name, str) and name not in self.names:
                    uid = _user_id(msg.get(id_key))
                    if uid:
                        self.names[name] = uid

    def message(self, msg: Any, i: int, parsed: Parsed) -> list[DomainEvent]:
        """The events of one message (the i-th of the chat).

        The checks below say what is wrong with an empty location (": missing 'id'"); the message's
        place is put in front only when one fails, instead of being formatted for every message.
        """
        if not isinstance(msg, dict):
            raise ImportFormatError(f"{self.where}, message #{i + 1}: expected an object")
        try:
            msg_id = need(msg, "id", int, "")
            when = _when(msg, "")
            mtype = msg.get("type")
            if mtype == "message":
                return self._message(parsed, msg, msg_id, when)
            if mtype == "service":
                return self._service(parsed, msg, msg_id, when)
            raise ImportFormatError(f": unknown message type {mtype!r}")
        except ImportFormatError as error:
            raise ImportFormatError(f"{self.where}, message #{i + 1} (id {msg.get('id')}){error}") from None

    def _thread(self, msg: dict[str, Any], msg_id: int, reply: int | None) -> tuple[int | None, int | None]:
        """(thread, reply): in a forum topic every message "replies" to the topic's first message."""
        thread = msg.get("message_thread_id")  # some exports carry it
        if not isinstance(thread, int):
            thread = None
            if reply is not None:
                thread = reply if reply in self.topics else self.thread_of.get(reply)
        if thread is not None:
            self.thread_of[msg_id] = thread
            if reply == thread:
                reply = None  # as live: a message in a topic is not a reply to the topic
        return thread, reply

    def _message(self, parsed: Parsed, msg: dict[str, Any], msg_id: int, when: Any) -> list[DomainEvent]:
        # Its errors name no place: message() puts the message's place in front of them.
        text = plain_text(msg.get("text", ""), "")
        attachments = 0 if msg.keys().isdisjoint(ATTACHMENT_KEYS) else 1
        if "poll" in msg:
            parsed.counts["polls"] += 1
        reply = msg.get("reply_to_message_id")
        if reply is not None and not isinstance(reply, int):
            raise ImportFormatError(": 'reply_to_message_id' is not a number")
        thread, reply = self._thread(msg, msg_id, reply)
        reactions = reaction_dicts(msg, "")
        user = _author(parsed, msg, self.people)
        if user is None:
            return []
        if not text and not attachments:
            parsed.skip("empty messages")
            return []
        if text.startswith("/"):
            parsed.skip("bot commands (never re-run)")
            return []
        if not self.build:
            return []
        events: list[DomainEvent] = [
            MessageReceived(
                source_id=f"import:{self.ref.chat_id}:{msg_id}",
                chat=self.ref,
                user=user,
                occurred_at=when,
                message_id=str(msg_id),
                text=text,
                reply_to_message_id=str(reply) if reply is not None else None,
                thread_id=str(thread) if thread is not None else None,
                attachments=attachments,
            )
        ]
        for reaction in reactions:
            emoji = _emoji(reaction)
            recent = reaction.get("recent") or []
            count = reaction.get("count", len(recent))
            known = 0
            for reactor in recent:
                uid = _user_id(reactor.get("from_id")) if isinstance(reactor, dict) else None
                if uid is None:
                    continue
                known += 1
                events.append(
                    ReactionAdded(
                        source_id=f"import:{self.ref.chat_id}:{msg_id}:react:{uid}:{emoji[:40]}",
                        chat=self.ref,
                        user=_person(self.people, uid, reactor.get("from")),
                        occurred_at=when,  # the reactor's date is local time without a zone: use the message's
                        message_id=str(msg_id),
                        emoji=emoji,
                    )
                )
            if isinstance(count, int) and count > known:
                parsed.skip("reactions without a named reactor", count - known)
        return events

    def _service(self, parsed: Parsed, msg: dict[str, Any], msg_id: int, when: Any) -> list[DomainEvent]:
        action = msg.get("action")
        if action == TOPIC_CREATED:
            self.topics.add(msg_id)
            parsed.counts["topics"] += 1
            return []
        if action not in JOIN_ACTIONS + LEAVE_ACTIONS:
            parsed.skip(f"service messages: {action}")
            return []
        if not self.build:
            return []
        event_type = MemberJoined if action in JOIN_ACTIONS else MemberLeft
        actor_id = _user_id(msg.get("actor_id"))
        actor = msg.get("actor") if isinstance(msg.get("actor"), str) else None
        people = msg.get("members") if action in ("invite_members", "remove_members") else None
        if not isinstance(people, list):  # joined by link or request: the actor is the one who joined
            targets = [(actor_id, actor)] if actor_id else []
        else:
            targets = [
                ((actor_id if p == actor else self.names.get(p)) if isinstance(p, str) else None, p)
                for p in people
            ]
        events: list[DomainEvent] = []
        for n, (uid, name) in enumerate(targets):
            if uid is None:
                parsed.skip(f"{action}: members known by name only")
                continue
            suffix = f":{n}" if len(targets) > 1 else ""
            events.append(
                event_type(
                    source_id=f"import:{self.ref.chat_id}:{msg_id}{suffix}",
                    chat=self.ref,
                    user=UserRef(user_id=uid, display_name=name or uid),
                    occurred_at=when,
                )
            )
        return events


def _when(msg: dict[str, Any], where: str) -> Any:
    if "date_unixtime" in msg:
        return from_unix(msg["date_unixtime"], where)
    return from_iso(msg.get("date"), where)  # older exports: local time without a zone, taken as UTC


def _user_id(from_id: Any) -> str | None:
    """'user123' -> '123'; None for channels and chats posting in the group."""
    if isinstance(from_id, str) and from_id.startswith("user") and from_id[4:].isdigit():
        return from_id[4:]
    return None


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


def _author(
    parsed: Parsed, msg: dict[str, Any], people: dict[tuple[str, str | None], UserRef]
) -> UserRef | None:
    uid = _user_id(msg.get("from_id"))
    if uid is None:
        parsed.skip("messages posted as a channel or anonymous admin")
        return None
    if uid in SERVICE_USER_IDS:
        parsed.skip("messages from Telegram service accounts")
        return None
    return _person(people, uid, msg.get("from"))


def _person(people: dict[tuple[str, str | None], UserRef], uid: str, name: Any) -> UserRef:
    """The UserRef of a user id and name, made once per chat (they are immutable, so shared)."""
    if not isinstance(name, str):
        name = None
    user = people.get((uid, name))
    if user is None:
        user = people[(uid, name)] = UserRef(user_id=uid, display_name=name or uid)
    return user


def _emoji(reaction: dict[str, Any]) -> str:
    kind = reaction.get("type")
    if kind == "emoji" or (kind is None and "emoji" in reaction):
        return str(reaction.get("emoji") or "?")
    if kind == "custom_emoji":
        return f"custom:{reaction.get('document_id') or '?'}"
    return str(kind or "?")


OVERLAP_MARGIN = timedelta(days=1)


async def overlap(app: App, events: Sequence[DomainEvent]) -> list[DomainEvent]:
    """The events without the messages live logging already has (same community and message id).

    A message logged live has the time the export gives it, so only log rows of the batch's time
    span (with a day's margin) are looked at: the index on (community, time) keeps this cheap
    however long the log already is.
    """
    spans: dict[str, tuple[datetime, datetime]] = {}
    for e in events:
        if isinstance(e, MessageReceived):
            lo, hi = spans.get(e.chat.chat_id, (e.occurred_at, e.occurred_at))
            spans[e.chat.chat_id] = (min(lo, e.occurred_at), max(hi, e.occurred_at))
    if not spans:
        return list(events)
    logged: set[tuple[str, str]] = set()
    async with app.sessions() as session:
        for chat, (lo, hi) in spans.items():
            community = await session.scalar(
                select(Community.id).where(Community.platform == PLATFORM, Community.chat_id == chat)
            )
            if community is None:
                continue
            rows = await session.execute(
                select(Activity.message_id).where(
                    Activity.community_id == community,
                    Activity.occurred_at >= lo - OVERLAP_MARGIN,
                    Activity.occurred_at <= hi + OVERLAP_MARGIN,
                    Activity.platform == PLATFORM,
                    Activity.kind == "message",
                    Activity.source_id.not_like("import:%"),
                )
            )
            logged.update((chat, m) for (m,) in rows.all())
    if not logged:
        return list(events)
    return [
        e for e in events
        if not (isinstance(e, MessageReceived) and (e.chat.chat_id, e.message_id) in logged)
    ]  # fmt: skip
