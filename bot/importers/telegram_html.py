"""Telegram Desktop's HTML export: ``messages.html``, ``messages2.html``, ... (the default format).

The pages show names, not ids. So:

- **Members are keyed by their display name**: ``name:`` and the first 20 hex digits of the SHA-256
  of the name (Unicode NFC, spaces collapsed). The key is stable (the same name gives the same key
  in every import) and can never be a real Telegram id, which is a number. Two people with the same
  name become one member; a member who renamed themselves becomes two; a "Deleted Account" is
  skipped (every deleted account has that name). The do-not-collect list, which holds keyed hashes
  of user *ids*, cannot recognise anyone here. Prefer the JSON export when you can.
- **The group is keyed by its title** the same way, unless ``--chat`` gives its Bot API id
  (``-100...``): then the history joins the community the bot already serves, and messages it
  logged live are recognised (by message id) and not imported twice.

Message ids are real, so source ids are the JSON importer's (``import:<chat>:<message>``): importing
the JSON and the HTML export of one chat (with ``--chat``) logs each message once.

Read from the markup Telegram Desktop writes (``export_output_html.cpp``): each message is a
``div.message.default`` (``.joined`` when it continues the previous author's messages, without a
``from_name``), its date in the ``title`` of ``div.date`` ("14.03.2025 10:05:00 UTC+03:00"; older
versions leave out the zone: taken as UTC), replies as ``#go_to_message<id>`` links, reactions in
``.reactions`` (emoji, the recent reactors' names as tooltips, a count when there are more), polls
in ``.media_poll``; service messages (``div.message.service``) carry English sentences ("X joined
group by link from Y", "X invited A, B and C", "X removed Y", "X pinned this message", "X created
topic «T»"). Each page is parsed incrementally with html.parser, so memory stays bounded.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from bot.domain.events import (
    ChatRef,
    DomainEvent,
    MemberJoined,
    MemberLeft,
    MessageReceived,
    ReactionAdded,
    UserRef,
)
from bot.importers.common import ImportFormatError, Parsed
from bot.importers.progress import Progress

PLATFORM = "telegram"
NAME_PREFIX = "name:"
DELETED = "Deleted Account"
CHUNK = 256 * 1024  # bytes fed to the parser at a time
PAGE = re.compile(r"messages(\d*)\.html")
VOID = frozenset(
    {"br", "img", "meta", "link", "hr", "input", "source", "wbr", "area", "base", "col", "embed"}
)
DATE = re.compile(r"(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2}):(\d{2})(?: UTC(?:([+-])(\d{2}):?(\d{2}))?)?")
BR = object()  # a typed line break (<br>) among a text's pieces
INDENT = re.compile(r"\n[ \t]*")  # a line break of the page's own layout, and the indentation after it
VIA = re.compile(r"\s+via @\w+$")
NO_ZONE = "dates without a time zone (older Telegram Desktop), taken as UTC"
BY_NAME = "members keyed by display name (the HTML export has no user ids)"
GROUP_BY_TITLE = "groups keyed by title (pass --chat to use the group's id)"
SERVICE_TIMES = "joins and leaves dated by the message before them (the HTML export gives them no time)"


def name_key(name: str) -> str:
    """The stable key of a name: never a number, so never a real Telegram id."""
    normal = " ".join(unicodedata.normalize("NFC", name).split())
    return NAME_PREFIX + hashlib.sha256(normal.encode()).hexdigest()[:20]


# --- the page parser: markup in, message records out --------------------------------------------


@dataclass
class Reaction:
    emoji: str = ""
    custom: str | None = None  # the custom emoji's file, when the reaction is one
    paid: bool = False
    names: list[str] = field(default_factory=list)  # recent reactors with a name
    pictures: int = 0  # recent reactors shown (with or without a name)
    count: str = ""  # the count, shown when there are more reactors than pictures


@dataclass
class Record:
    """One message as the page shows it."""

    line: int
    id: int
    service: bool
    joined: bool = False
    author: str | None = None
    date: str | None = None
    reply_to: int | None = None
    text: str = ""
    media: bool = False
    poll: bool = False
    reactions: list[Reaction] = field(default_factory=list)


class _Frame:
    __slots__ = ("tag", "role", "buffer")

    def __init__(self, tag: str, role: str, capture: bool = False) -> None:
        self.tag = tag
        self.role = role
        self.buffer: list[Any] | None = [] if capture else None  # text pieces, and BR


class PageParser(HTMLParser):
    """Turns one exported page into Records (taken from ``records`` as they are completed)."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.records: list[Record] = []
        self.title: str | None = None
        self.history = False
        self._stack: list[_Frame] = []
        self._record: Record | None = None
        self._reaction: Reaction | None = None
        self._reactor_named = False
        self._header = False

    # structure

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag in VOID:
            self._void(tag, attributes)
            return
        role, capture = self._role(tag, attributes)
        self._stack.append(_Frame(tag, role, capture))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag in VOID:
            self._void(tag, attributes)
        else:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not any(f.tag == tag for f in self._stack):
            return  # a stray end tag: nothing to close
        while self._stack:
            frame = self._stack.pop()
            self._close(frame)
            if frame.tag == tag:
                break

    def handle_data(self, data: str) -> None:
        self._append(data)

    def _append(self, piece: object) -> None:
        for frame in reversed(self._stack):
            if frame.buffer is not None:
                frame.buffer.append(piece)
                return

    def _void(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == "br":
            self._append(BR)
        elif tag == "img" and self._reaction is not None and "userpic" in attributes.get("class", "").split():
            self._reaction.pictures += 1  # a picture without a name

    def _inside(self, role: str) -> bool:
        return any(f.role == role for f in self._stack)

    def _role(self, tag: str, attributes: dict[str, str]) -> tuple[str, bool]:
        classes = set(attributes.get("class", "").split())
        record = self._record
        if record is None:
            if tag == "div" and "message" in classes and attributes.get("id", "").startswith("message"):
                self._record = self._open(classes, attributes["id"])
                return "message", False
            if "page_header" in classes:
                self._header = True
                return "header", False
            if self._header and self.title is None and "text" in classes and self._inside("header"):
                return "title", True
            if "history" in classes:
                self.history = True
            return "", False
        if record.service:
            if "body" in classes and "details" in classes and not self._inside("service"):
                return "service", True
            return "", False
        if self._reaction is not None:
            return self._reaction_role(tag, classes, attributes)
        if "forwarded" in classes and "body" in classes:
            return "forwarded", False
        if "from_name" in classes and record.author is None and not self._inside("forwarded"):
            return "author", True
        if (
            "date" in classes
            and "details" in classes
            and record.date is None
            and not self._inside("forwarded")
        ):
            record.date = attributes.get("title") or None
            return "date", False
        if "reply_to" in classes:
            return "reply", False
        if tag == "a" and self._inside("reply") and "go_to_message" in attributes.get("href", ""):
            digits = attributes["href"].rsplit("go_to_message", 1)[1]
            if digits.isdigit():
                record.reply_to = int(digits)
            return "", False
        if "reactions" in classes:
            return "reactions", False
        if "reaction" in classes and self._inside("reactions"):
            self._reaction = Reaction(paid="paid" in classes)
            record.reactions.append(self._reaction)
            return "reaction", False
        if "media_wrap" in classes:
            record.media = True
        if "media_poll" in classes:
            record.poll = True
        if "text" in classes and not self._inside("text") and not self._inside("reply"):
            return "text", True
        return "", False

    def _reaction_role(self, tag: str, classes: set[str], attributes: dict[str, str]) -> tuple[str, bool]:
        reaction = self._reaction
        assert reaction is not None
        if "emoji" in classes:
            return "emoji", True
        if tag == "a" and self._inside("emoji"):
            href = attributes.get("href", "")
            reaction.custom = Path(href).stem if href else "?"
            return "", False
        if "count" in classes:
            return "count", True
        if "userpic" in classes and self._inside("userpics"):
            reaction.pictures += 1
            self._reactor_named = False
            self._take_tooltip(attributes)
            return "userpic", False
        if "userpics" in classes:
            return "userpics", False
        if self._inside("userpic"):
            self._take_tooltip(attributes)
        return "", False

    def _take_tooltip(self, attributes: dict[str, str]) -> None:
        name = attributes.get("title", "").strip()
        if name and not self._reactor_named and self._reaction is not None:
            self._reaction.names.append(name)
            self._reactor_named = True

    def _open(self, classes: set[str], element_id: str) -> Record:
        number = element_id[len("message") :]
        line = self.getpos()[0]
        try:
            message_id = int(number)
        except ValueError:
            raise ImportFormatError(f"{self.page}, line {line}: bad message id {element_id!r}") from None
        if "service" in classes:
            return Record(line, message_id, service=True)
        if "default" in classes:
            return Record(line, message_id, service=False, joined="joined" in classes)
        raise ImportFormatError(
            f"{self.page}, line {line}: unknown kind of message {' '.join(sorted(classes))!r}"
        )

    def _close(self, frame: _Frame) -> None:
        record = self._record
        text = "".join("\n" if p is BR else p for p in frame.buffer) if frame.buffer is not None else ""
        if frame.role == "message" and record is not None:
            self.records.append(record)
            self._record = None
        elif frame.role == "title":
            self.title = " ".join(text.split())
        elif frame.role == "header":
            self._header = False
        elif record is None:
            return
        elif frame.role == "author":
            record.author = VIA.sub("", " ".join(text.split()))
        elif frame.role in ("text", "service"):
            record.text = _layout(frame.buffer or [])
        elif frame.role == "reaction":
            self._reaction = None
        elif frame.role == "emoji" and self._reaction is not None:
            self._reaction.emoji = text.strip()
        elif frame.role == "count" and self._reaction is not None:
            self._reaction.count = text.strip()

    def finish(self) -> None:
        """After the last chunk: the page must have been a whole chat page."""
        self.close()
        line = self.getpos()[0]
        if self._record is not None:
            raise ImportFormatError(
                f"{self.page}: the page ends inside message {self._record.id} (line {self._record.line}):"
                " truncated?"
            )
        if not self.history:
            raise ImportFormatError(
                f"{self.page}: not a Telegram Desktop chat page (no message history found, {line} lines read)"
            )


def _layout(pieces: list[Any]) -> str:
    """The text as typed: the page's line breaks and indentation removed (typed newlines are <br>)."""
    return "".join("\n" if piece is BR else INDENT.sub("", piece) for piece in pieces).strip(" \t")


# --- reading pages -------------------------------------------------------------------------------


def pages_of(folder: Path) -> list[Path]:
    """messages.html, messages2.html, ... of a chat folder, in order; a missing page is an error."""
    numbered = {}
    for path in folder.iterdir():
        match = PAGE.fullmatch(path.name)
        if match and path.is_file():
            numbered[int(match.group(1) or 1)] = path
    if not numbered:
        raise ImportFormatError(f"{folder}: no messages.html (not a Telegram Desktop HTML chat export)")
    for n in range(1, max(numbered) + 1):
        if n not in numbered:
            name = "messages.html" if n == 1 else f"messages{n}.html"
            raise ImportFormatError(
                f"{folder}: {name} is missing (the export has pages up to messages{max(numbered)}.html)"
            )
    return [numbered[n] for n in sorted(numbered)]


def records(page: Path, progress: Progress | None) -> Iterator[tuple[PageParser, Record]]:
    """The records of one page, parsed a chunk at a time."""
    parser = PageParser(str(page))
    decoder = codecs.getincrementaldecoder("utf-8")()
    consumed = 0
    with open(page, "rb") as fh:
        while True:
            chunk = fh.read(CHUNK)
            if progress is not None:
                progress.read(len(chunk))
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                raise ImportFormatError(f"{page}: not UTF-8 text at byte {consumed + exc.start}") from None
            consumed += len(chunk)
            if consumed == len(chunk) and text.startswith("\ufeff"):
                text = text[1:]
            parser.feed(text)
            while parser.records:
                yield parser, parser.records.pop(0)
            if not chunk:
                break
    parser.finish()
    while parser.records:
        yield parser, parser.records.pop(0)


# --- records to events ---------------------------------------------------------------------------

TOPIC = "topic_created"
SERVICE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (action, re.compile(pattern))
    for action, pattern in (
        ("join_group_by_link", r"(?P<actor>.+?) joined group by link from (?P<other>.+)"),
        ("join_group_by_request", r"(?P<actor>.+?) joined group by request"),
        ("invite_to_group_call", r"(?P<actor>.+?) invited (?P<people>.+) to the voice chat"),
        ("invite_members", r"(?P<actor>.+?) invited (?P<people>.+)"),
        ("delete_group_photo", r"(?P<actor>.+?) removed group photo"),
        ("remove_members", r"(?P<actor>.+?) removed (?P<people>.+)"),
        ("pin_message", r"(?P<actor>.+?) pinned .*"),
        ("topic_created", r"(?P<actor>.+?) created topic «(?P<other>.*)»"),
        ("topic_edit", r"(?P<actor>.+?) changed topic .*"),
        ("edit_group_title", r"(?P<actor>.+?) changed group title to .*"),
        ("edit_group_photo", r"(?P<actor>.+?) changed group photo"),
        ("create_group", r"(?P<actor>.+?) created group .*"),
        ("migrate", r"(?P<actor>.+?) converted .*"),
        ("group_call", r"(?P<actor>.+?) (?:started|scheduled a) voice chat.*"),
        ("unsupported", r"This message is not supported .*"),
    )
)


def _people(listed: str) -> list[str]:
    """'A, B and C' -> [A, B, C] (as Telegram Desktop writes lists; names with ', ' or ' and ' split)."""
    head, sep, last = listed.rpartition(" and ")
    return [*head.split(", "), last] if sep else [listed]


def _date(value: str | None, where: str, parsed: Parsed) -> datetime:
    match = DATE.fullmatch(value.strip()) if value else None
    if match is None:
        raise ImportFormatError(f"{where}: invalid date {value!r}" if value else f"{where}: no date")
    day, month, year, hour, minute, second, sign, zh, zm = match.groups()
    zone = UTC
    if sign:
        offset = timedelta(hours=int(zh), minutes=int(zm))
        zone = timezone(-offset if sign == "-" else offset)
    elif " UTC" not in value:  # type: ignore[operator]
        parsed.notes[NO_ZONE] += 1
    try:
        local = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=zone)
    except ValueError:
        raise ImportFormatError(f"{where}: invalid date {value!r}") from None
    return local.astimezone(UTC)


class HtmlChat:
    """One chat's pages (a Source: ``check``, then ``events``)."""

    def __init__(self, folder: str | Path, chat_id: str | None = None, title: str | None = None) -> None:
        self.folder = Path(folder)
        self.pages = pages_of(self.folder)
        self.name = str(self.folder)
        self.size = sum(p.stat().st_size for p in self.pages)
        self.chat_id = chat_id
        self.title = title

    def check(self, progress: Progress | None = None) -> None:
        for _ in self._events(Parsed(events=None), progress):
            pass

    def events(self, parsed: Parsed, progress: Progress | None = None) -> Iterator[DomainEvent]:
        for event in self._events(parsed, progress):
            parsed.add(event)
            yield event

    def _events(self, parsed: Parsed, progress: Progress | None) -> Iterator[DomainEvent]:
        reader: ChatReader | None = None
        for page in self.pages:
            for parser, record in records(page, progress):
                if reader is None:
                    title = self.title or parser.title or self.folder.name
                    if self.chat_id is None:
                        parsed.notes[GROUP_BY_TITLE] += 1
                    reader = ChatReader(ChatRef(PLATFORM, self.chat_id or name_key(title), False, title))
                yield from reader.record(record, f"{page}, line {record.line}, message {record.id}", parsed)
        if reader is not None:
            yield from reader.finish(self.name)
            parsed.notes[BY_NAME] += len(reader.people)


class ChatReader:
    """Turns one chat's records into events, in page order.

    Service messages have no time of their own on the page: a join or leave is dated by the message
    before it (or, at the start of a chat, the first message after it).
    """

    def __init__(self, ref: ChatRef) -> None:
        self.ref = ref
        self.previous: str | None = None  # the author a "joined" message continues
        self.last: datetime | None = None  # the time of the latest message read
        self.pending: list[tuple[type[DomainEvent], str, str, str]] = []  # joins and leaves not dated yet
        self.topics: set[int] = set()
        self.thread_of: dict[int, int] = {}
        self.people: dict[str, UserRef] = {}

    def user(self, name: str) -> UserRef:
        user = self.people.get(name)
        if user is None:  # one UserRef per name (they are immutable, so shared)
            user = self.people[name] = UserRef(user_id=name_key(name), display_name=name)
        return user

    def record(self, record: Record, where: str, parsed: Parsed) -> list[DomainEvent]:
        if record.service:
            self.previous = None
            if record.id < 0:  # the date between two days
                return []
            self._service(record, parsed)
            return self._dated() if self.last is not None else []
        return self._message(record, where, parsed)

    def finish(self, where: str) -> list[DomainEvent]:
        """After the last page: joins and leaves still without a time mean the chat has no dated message."""
        if self.pending:
            raise ImportFormatError(f"{where}: service messages but no dated message to date them by")
        return []

    def _dated(self) -> list[DomainEvent]:
        assert self.last is not None
        events: list[DomainEvent] = [
            kind(source_id=source_id, chat=self.ref, user=self.user(name), occurred_at=self.last)
            for kind, name, source_id, _ in self.pending
        ]
        self.pending.clear()
        return events

    def _message(self, record: Record, where: str, parsed: Parsed) -> list[DomainEvent]:
        when = _date(record.date, where, parsed)
        if record.author is not None:
            author = record.author
        elif record.joined and self.previous is not None:
            author = self.previous
        else:
            raise ImportFormatError(f"{where}: no author (a continued message with nothing before it)")
        self.previous = author
        self.last = when
        events = self._dated() if self.pending else []
        reply, thread = record.reply_to, None
        if reply is not None:
            thread = reply if reply in self.topics else self.thread_of.get(reply)
        if thread is not None:
            self.thread_of[record.id] = thread
            if reply == thread:
                reply = None  # as live: a message in a topic is not a reply to the topic
        if record.poll:
            parsed.counts["polls"] += 1
        text = record.text
        if author == DELETED:
            parsed.skip("messages by deleted accounts (their name does not tell them apart)")
            return events
        if not text and not record.media:
            parsed.skip("empty messages")
            return events
        if text.startswith("/"):
            parsed.skip("bot commands (never re-run)")
            return events
        message_id = str(record.id)
        events.append(
            MessageReceived(
                source_id=f"import:{self.ref.chat_id}:{record.id}",
                chat=self.ref,
                user=self.user(author),
                occurred_at=when,
                message_id=message_id,
                text=text,
                reply_to_message_id=str(reply) if reply is not None else None,
                thread_id=str(thread) if thread is not None else None,
                attachments=1 if record.media else 0,
            )
        )
        for reaction in record.reactions:
            emoji = (
                "paid"
                if reaction.paid
                else f"custom:{reaction.custom}"
                if reaction.custom
                else reaction.emoji
            )
            if not emoji:
                raise ImportFormatError(f"{where}: a reaction without an emoji")
            if reaction.count and not reaction.count.isdigit():
                raise ImportFormatError(f"{where}: bad reaction count {reaction.count!r}")
            total = int(reaction.count) if reaction.count else reaction.pictures
            named = [n for n in reaction.names if n != DELETED]
            for name in named:
                user = self.user(name)
                events.append(
                    ReactionAdded(
                        source_id=f"import:{self.ref.chat_id}:{record.id}:react:{user.user_id}:{emoji[:40]}",
                        chat=self.ref,
                        user=user,
                        occurred_at=when,  # an export gives no reaction times: the message's
                        message_id=message_id,
                        emoji=emoji,
                    )
                )
            parsed.skip("reactions without a named reactor", max(total - len(named), 0))
        return events

    def _service(self, record: Record, parsed: Parsed) -> None:
        text = " ".join(record.text.split())
        action, match = next(
            ((action, m) for action, pattern in SERVICE_PATTERNS if (m := pattern.fullmatch(text))),
            ("", None),
        )
        if match is None:
            parsed.skip("service messages: other")
            return
        if action == TOPIC:
            self.topics.add(record.id)
            parsed.counts["topics"] += 1
            return
        if action in ("join_group_by_link", "join_group_by_request"):
            targets, kind = [match["actor"]], MemberJoined
        elif action == "invite_members":
            targets, kind = _people(match["people"]), MemberJoined
        elif action == "remove_members":
            targets, kind = [match["people"]], MemberLeft
        else:
            parsed.skip(f"service messages: {action}")
            return
        parsed.notes[SERVICE_TIMES] += 1
        for n, name in enumerate(targets):
            if name == DELETED:
                parsed.skip(f"{action}: deleted accounts")
                continue
            suffix = f":{n}" if len(targets) > 1 else ""
            self.pending.append((kind, name, f"import:{self.ref.chat_id}:{record.id}{suffix}", action))


# --- a whole-account export ----------------------------------------------------------------------


@dataclass
class Entry:
    """A chat as lists/chats.html lists it."""

    name: str = ""
    kind: str = ""  # "group", "private", "bot", "channel", ...
    details: str = ""  # "12 messages", "1 message", "No messages"
    link: str | None = None


class ChatListParser(HTMLParser):
    """The entries of lists/chats.html (a whole-account export's list of chats)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.entries: list[Entry] = []
        self._entry: Entry | None = None
        self._depth = 0
        self._field: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        attributes = {k: v or "" for k, v in attrs}
        classes = set(attributes.get("class", "").split())
        if self._entry is None:
            if "entry" in classes:
                self._entry = Entry(link=attributes.get("href") or None)
                self._depth = 1
            return
        self._depth += 1
        field_name = "kind" if "info" in classes else "name" if "name" in classes else None
        field_name = "details" if "details_entry" in classes else field_name
        if field_name is not None:
            self._field, self._text = field_name, []

    def handle_endtag(self, tag: str) -> None:
        if self._entry is None or tag in VOID:
            return
        if self._field is not None:
            setattr(self._entry, self._field, " ".join("".join(self._text).split()))
            self._field = None
        self._depth -= 1
        if self._depth == 0:
            self.entries.append(self._entry)
            self._entry = None

    def handle_data(self, data: str) -> None:
        if self._field is not None:
            self._text.append(data)


def _message_count(details: str) -> int:
    first = details.split(" ", 1)[0]  # "12 messages", "1 message", "No messages"
    return int(first) if first.isdigit() else 0


def account_chats(root: Path, parsed: Parsed) -> list[HtmlChat]:
    """The groups of a whole-account HTML export (lists/chats.html); other chats are counted as skipped."""
    listing = root / "lists" / "chats.html"
    if not listing.is_file():
        raise ImportFormatError(
            f"{root}: no lists/chats.html (not a Telegram Desktop HTML export of an account)"
        )
    parser = ChatListParser()
    try:
        parser.feed(listing.read_text(encoding="utf-8"))
        parser.close()
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{listing}: not UTF-8 text at byte {exc.start}") from None
    if not parser.entries:
        raise ImportFormatError(f"{listing}: no chats listed (not a Telegram Desktop list of chats)")
    groups = [e for e in parser.entries if e.kind == "group" and e.link]
    titles = [e.name for e in groups]
    chats = []
    for entry in parser.entries:
        count = _message_count(entry.details)
        if entry.kind != "group":
            parsed.skip(f"{entry.kind or 'unknown'} chats (only groups are communities)", count)
        elif not entry.link:
            continue  # a group with no messages exported
        elif titles.count(entry.name) > 1:
            parsed.skip("groups whose title another group has too (export each alone, with --chat)", count)
        else:
            folder = (listing.parent / entry.link.split("#", 1)[0]).resolve().parent
            if not folder.is_dir():
                raise ImportFormatError(
                    f"{listing}: {entry.name!r} links to {entry.link!r}, which is missing"
                )
            chats.append(HtmlChat(folder, title=entry.name))
    return chats


class HtmlAccount:
    """A whole-account HTML export: its groups, each read like a one-chat export (a Source)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.name = str(self.root)
        self.listed = Parsed(events=None)  # the chats skipped, known from the list alone
        self.chats = account_chats(self.root, self.listed)
        self.size = sum(chat.size for chat in self.chats)

    def check(self, progress: Progress | None = None) -> None:
        for chat in self.chats:
            chat.check(progress)

    def events(self, parsed: Parsed, progress: Progress | None = None) -> Iterator[DomainEvent]:
        parsed.skipped.update(self.listed.skipped)
        for chat in self.chats:
            yield from chat.events(parsed, progress)
