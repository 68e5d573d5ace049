"""DiscordChatExporter JSON (one channel or thread per file).

The community is the server (``ChatRef.chat_id`` = guild id), as in the live adapter, and a
message's ``source_id`` is the live one (``msg:GUILD:CHANNEL:ID``), so a message logged live and
imported later is logged once. Live reactions and joins are keyed by the gateway sequence or the
member's join time, which an export does not carry: imported ones get keys of their own
(``import:react:...``, ``import:join:...``). Roles come without permissions in an export, so
``is_admin`` stays unknown; they are counted in the summary.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.domain.events import ChatRef, DomainEvent, MemberJoined, MessageReceived, ReactionAdded, UserRef
from bot.importers.common import ImportFormatError, Parsed, collect, from_iso, need, reaction_dicts
from bot.importers.jsonstream import BigArray, items, skeleton
from bot.importers.progress import Progress

PLATFORM = "discord"
MAX_SOURCE_ID = 128
USER_TYPES = ("Default", "Reply")
JOIN_TYPES = ("GuildMemberJoin",)


def parse_file(path: str) -> Parsed:
    return collect(DiscordExport(path))


def _snowflake(obj: Any, key: str, where: str) -> str:
    value = need(obj, key, (str, int), where)
    if not str(value).isdigit():
        raise ImportFormatError(f"{where}: {key!r} is not a Discord id ({value!r})")
    return str(value)


def parse_document(doc: Any, name: str = "export.json") -> Parsed:
    """An export already in memory (a dict)."""
    parsed = Parsed()
    messages = doc.get("messages") if isinstance(doc, dict) else None
    reader = ChannelReader.open(doc, name, parsed, len(messages) if isinstance(messages, list) else 0)
    if reader is not None and isinstance(messages, list):
        for i, msg in enumerate(messages):
            for event in reader.message(msg, i, parsed):
                parsed.add(event)
        reader.finish(parsed)
    return parsed


class DiscordExport:
    """A DiscordChatExporter file read as a stream: ``check`` first, then ``events``."""

    def __init__(self, path: str | Path) -> None:
        self.name = str(path)
        self.size = Path(path).stat().st_size
        self._doc: Any = None
        self._count = 0

    def check(self, progress: Progress | None = None) -> None:
        self._doc = skeleton(
            self.name,
            big=lambda prefix: prefix == "messages",
            enough=lambda prefix, doc: (
                isinstance(doc.get("guild"), dict) and isinstance(doc.get("channel"), dict)
            ),
            progress=progress,
        )
        scratch = Parsed(events=None)
        reader = ChannelReader.open(self._doc, self.name, scratch, 0)
        self._count = 0
        for i, msg in enumerate(items(self.name, "messages", progress)):
            self._count += 1
            if reader is not None:
                reader.message(msg, i, scratch)

    def events(self, parsed: Parsed, progress: Progress | None = None) -> Iterator[DomainEvent]:
        if self._doc is None:
            self.check()
        reader = ChannelReader.open(self._doc, self.name, parsed, self._count)
        if reader is None:
            return
        for i, msg in enumerate(items(self.name, "messages", progress)):
            for event in reader.message(msg, i, parsed):
                parsed.add(event)
                yield event
        reader.finish(parsed)


class ChannelReader:
    """Turns one channel's messages into events, checking each one (ImportFormatError names it)."""

    def __init__(self, ref: ChatRef, guild_id: str, channel_id: str, name: str) -> None:
        self.ref, self.guild_id, self.channel_id, self.name = ref, guild_id, channel_id, name
        self.roles: set[str] = set()

    @classmethod
    def open(cls, doc: Any, name: str, parsed: Parsed, count: int) -> ChannelReader | None:
        """A reader for a server channel; None (messages counted as skipped) for direct messages."""
        if not isinstance(doc, dict) or not {"guild", "channel", "messages"} <= doc.keys():
            raise ImportFormatError(
                f"{name}: not a DiscordChatExporter JSON export (expected 'guild', 'channel' and 'messages')"
            )
        guild = need(doc, "guild", dict, name)
        channel = need(doc, "channel", dict, name)
        if not isinstance(doc["messages"], list | BigArray):
            raise ImportFormatError(
                f"{name}: 'messages' has the wrong type ({type(doc['messages']).__name__})"
            )
        guild_id = _snowflake(guild, "id", f"{name}: guild")
        if guild_id == "0" or channel.get("type") in ("DirectTextChat", "DirectGroupTextChat"):
            parsed.skip("direct-message exports (only servers are communities)", count)
            return None
        channel_id = _snowflake(channel, "id", f"{name}: channel")
        return cls(
            ChatRef(PLATFORM, guild_id, False, str(guild.get("name") or "")), guild_id, channel_id, name
        )

    def finish(self, parsed: Parsed) -> None:
        parsed.counts["roles"] += len(self.roles)

    def message(self, msg: Any, i: int, parsed: Parsed) -> list[DomainEvent]:
        ref, guild_id, channel_id = self.ref, self.guild_id, self.channel_id
        where = f"{self.name}: message #{i + 1}"
        msg_id = _snowflake(msg, "id", where)
        where = f"{where} (id {msg_id})"
        when = from_iso(msg.get("timestamp"), where)
        author = need(msg, "author", dict, where)
        mtype = msg.get("type", "Default")
        if author.get("isBot"):
            parsed.skip("messages by bots")
            return []
        user = _user(author, where)
        self.roles.update(
            str(r.get("id") or r.get("name")) for r in author.get("roles") or [] if isinstance(r, dict)
        )
        if mtype in JOIN_TYPES:
            return [MemberJoined(source_id=f"import:join:{guild_id}:{msg_id}", chat=ref, user=user,
                                 occurred_at=when)]  # fmt: skip
        if mtype not in USER_TYPES:
            parsed.skip(f"system messages: {mtype}")
            return []
        content = msg.get("content") or ""
        if not isinstance(content, str):
            raise ImportFormatError(f"{where}: 'content' is not text")
        attachments = msg.get("attachments") or []
        if not isinstance(attachments, list):
            raise ImportFormatError(f"{where}: 'attachments' is not a list")
        if "poll" in msg:
            parsed.counts["polls"] += 1
        reference = msg.get("reference") or {}
        reply = reference.get("messageId") if mtype == "Reply" and isinstance(reference, dict) else None
        events: list[DomainEvent] = [
            MessageReceived(
                source_id=f"msg:{guild_id}:{channel_id}:{msg_id}",  # as adapters/discord/translate.py
                chat=ref,
                user=user,
                occurred_at=when,
                message_id=msg_id,
                text=content,
                reply_to_message_id=str(reply) if reply else None,
                thread_id=channel_id,
                attachments=len(attachments),
            )
        ]
        events += _reactions(parsed, ref, msg, msg_id, when, where)
        return events


def _user(author: dict[str, Any], where: str) -> UserRef:
    uid = _snowflake(author, "id", f"{where}: author")
    name = author.get("name") or None
    return UserRef(user_id=uid, display_name=author.get("nickname") or name or uid, username=name)


def _emoji(emoji: Any) -> str:
    if not isinstance(emoji, dict):
        return "?"
    if emoji.get("id"):
        return f"custom:{emoji['id']}"
    return str(emoji.get("name") or "?")


def _reactions(
    parsed: Parsed, ref: ChatRef, msg: dict[str, Any], msg_id: str, when: Any, where: str
) -> list[DomainEvent]:
    events: list[DomainEvent] = []
    for reaction in reaction_dicts(msg, where):
        emoji = _emoji(reaction.get("emoji"))
        users = reaction.get("users") or []
        count = reaction.get("count", len(users))
        known = 0
        for u in users:
            if not isinstance(u, dict) or not str(u.get("id", "")).isdigit():
                continue
            known += 1
            if u.get("isBot"):
                parsed.skip("reactions by bots")
                continue
            user = _user(u, where)
            events.append(
                ReactionAdded(
                    source_id=f"import:react:{msg_id}:{user.user_id}:{emoji[:40]}"[:MAX_SOURCE_ID],
                    chat=ref,
                    user=user,
                    occurred_at=when,  # an export gives no reaction times: the message's
                    message_id=msg_id,
                    emoji=emoji,
                )
            )
        if isinstance(count, int) and count > known:
            parsed.skip("reactions without a named reactor", count - known)
    return events
