"""What every importer shares: the format error, the counts, the summary, and feeding the App."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select

from bot.app import App
from bot.domain.events import DomainEvent, MemberJoined, MemberLeft, MessageReceived, ReactionAdded
from bot.importers.progress import Progress
from bot.storage.models import Community, Conversation, Member

BATCH = 5000  # events per transaction: large enough to amortize a commit, short enough not to block the bot
KIND_NAMES: dict[type[DomainEvent], str] = {
    MessageReceived: "messages",
    ReactionAdded: "reactions",
    MemberJoined: "joins",
    MemberLeft: "leaves",
}
MAIN_KINDS = ("messages", "reactions", "joins", "leaves", "polls", "topics")

IN_DIALOG = "messages of members in an open dialog (import again later)"
Overlap = Callable[[App, Sequence[DomainEvent]], Awaitable[list[DomainEvent]]]


class ImportFormatError(ValueError):
    """The file is not what the importer expects; the message names where (nothing was written)."""


@dataclass
class Parsed:
    """What a parser found: counts per kind, what it skipped and why, and notes on how it read things.

    ``events`` keeps the events themselves (for small files and tests); a streaming import passes
    ``events=None`` and only counts.
    """

    events: list[DomainEvent] | None = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)
    total: int = 0

    def add(self, event: DomainEvent) -> None:
        self.total += 1
        self.counts[KIND_NAMES[type(event)]] += 1
        if self.events is not None:
            self.events.append(event)

    def skip(self, reason: str, n: int = 1) -> None:
        if n:
            self.skipped[reason] += n

    def extend(self, other: Parsed) -> None:
        if self.events is not None and other.events is not None:
            self.events.extend(other.events)
        self.total += other.total
        self.counts.update(other.counts)
        self.skipped.update(other.skipped)
        self.notes.update(other.notes)


@dataclass
class Result:
    """The outcome of an import: parsed counts, rows added, and rows already logged (or not collected)."""

    parsed: Parsed
    added: int = 0

    @property
    def not_added(self) -> int:
        return self.parsed.total - self.added - self.parsed.skipped[IN_DIALOG]

    def summary(self) -> str:
        p = self.parsed
        extra = sorted(set(p.counts) - set(MAIN_KINDS))
        kinds = ", ".join(f"{k}={p.counts[k]}" for k in (*MAIN_KINDS, *extra))
        lines = [
            f"parsed: {kinds}",
            f"added to the activity log: {self.added} rows; "
            f"already logged or not collected (do-not-collect list, bots): {self.not_added}",
        ]
        if p.skipped:
            lines.append("skipped: " + "; ".join(f"{r}: {n}" for r, n in sorted(p.skipped.items())))
        else:
            lines.append("skipped: none")
        if p.notes:
            lines.append("notes: " + "; ".join(f"{r}: {n}" for r, n in sorted(p.notes.items())))
        return "\n".join(lines)


class Source(Protocol):
    """One export to import (a file, or a folder of HTML pages), read in two passes.

    ``check`` reads everything and raises ImportFormatError at the first problem, writing nothing;
    ``events`` then reads it again and yields the events, counting into ``parsed`` as it goes.
    Both read in bounded memory, whatever the size of the export.
    """

    name: str
    size: int  # bytes to read in one pass (for the progress bar)

    def check(self, progress: Progress | None = None) -> None: ...

    def events(self, parsed: Parsed, progress: Progress | None = None) -> Iterator[DomainEvent]: ...


def collect(source: Source) -> Parsed:
    """Check a source, then read all its events into a Parsed (for small exports and tests)."""
    source.check()
    parsed = Parsed()
    for _ in source.events(parsed):
        pass
    return parsed


def json_error(path: str | Path) -> ImportFormatError | None:
    """The exact position of a syntax error (line, column), by reading the file with json; None if valid."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            json.load(fh)
    except json.JSONDecodeError as exc:
        return ImportFormatError(
            f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno} (char {exc.pos}): {exc.msg}"
            + (" (the file ends early: truncated?)" if _truncated(exc, path) else "")
        )
    except UnicodeDecodeError as exc:
        return ImportFormatError(f"{path}: not UTF-8 text at byte {exc.start}")
    return None


def _truncated(exc: json.JSONDecodeError, path: str | Path) -> bool:
    try:
        size = Path(path).stat().st_size
    except OSError:
        return False
    return exc.pos >= size - 256 or exc.msg.startswith("Unterminated")


def from_unix(value: Any, where: str) -> datetime:
    """A Unix time (number or numeric string) as an aware UTC datetime."""
    try:
        seconds = int(value)
        return datetime.fromtimestamp(seconds, UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise ImportFormatError(f"{where}: invalid date {value!r}") from None


def from_iso(value: Any, where: str) -> datetime:
    """An ISO 8601 time as an aware datetime (naive: taken as UTC)."""
    if not isinstance(value, str):
        raise ImportFormatError(f"{where}: invalid date {value!r}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ImportFormatError(f"{where}: invalid date {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def reaction_dicts(msg: dict[str, Any], where: str) -> list[dict[str, Any]]:
    """A message's 'reactions' list, checked to be a list of objects."""
    reactions = msg.get("reactions") or []
    if not isinstance(reactions, list):
        raise ImportFormatError(f"{where}: 'reactions' is not a list")
    for reaction in reactions:
        if not isinstance(reaction, dict):
            raise ImportFormatError(f"{where}: bad reaction {reaction!r:.60}")
    return reactions


def need(obj: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    """obj[key], which must exist and be of kind; else ImportFormatError naming where."""
    if not isinstance(obj, dict):
        raise ImportFormatError(f"{where}: expected an object, found {type(obj).__name__}")
    if key not in obj:
        raise ImportFormatError(f"{where}: missing {key!r}")
    value = obj[key]
    if not isinstance(value, kind):
        raise ImportFormatError(f"{where}: {key!r} has the wrong type ({type(value).__name__})")
    return value


async def ingest(
    app: App,
    events: Iterable[DomainEvent],
    *,
    progress: Progress | None = None,
    overlap: Overlap | None = None,
    batch: int = BATCH,
    skipped: Parsed | None = None,
) -> int:
    """Feed events to App.ingest_batch in batches (each its own transaction); rows added.

    events may be a generator: it is read one batch at a time, so memory stays bounded.
    overlap, if given, drops events of a batch that live logging already has under another key.
    Re-running after an interruption is safe: what was written is deduped on (platform, source_id).
    Messages of members in the middle of a dialog (the /newevent wizard) are left out (counted in
    skipped): the live path would take an old message as their next answer.
    """
    added = messages = read = held = 0
    in_dialog = await _in_dialog(app)
    stream = iter(events)
    while chunk := _take(stream, batch):
        read += len(chunk)
        messages += sum(isinstance(e, MessageReceived) for e in chunk)
        if in_dialog:
            kept = [e for e in chunk if not _is_answer(e, in_dialog)]
            held += len(chunk) - len(kept)
            chunk = kept
        if overlap is not None:
            chunk = await overlap(app, chunk)
        added += await app.ingest_batch(chunk)
        if progress is not None:
            progress.batch(messages, read, added)
    if skipped is not None:
        skipped.skip(IN_DIALOG, held)
    return added


def _take(stream: Iterator[DomainEvent], n: int) -> list[DomainEvent]:
    return list(islice(stream, n))


async def _in_dialog(app: App) -> set[tuple[str, str, str]]:
    """(platform, chat id, user id) of members in the middle of a dialog."""
    async with app.sessions() as session:
        rows = await session.execute(
            select(Community.platform, Conversation.chat_id, Member.user_id)
            .join(Member, Member.id == Conversation.member_id)
            .join(Community, Community.id == Member.community_id)
        )
        return {(p, c, u) for p, c, u in rows.all()}


def _is_answer(event: DomainEvent, in_dialog: set[tuple[str, str, str]]) -> bool:
    return (
        isinstance(event, MessageReceived)
        and (event.platform, event.chat.chat_id, event.user.user_id) in in_dialog
    )
