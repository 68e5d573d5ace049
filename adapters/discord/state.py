"""What the adapter remembers between calls, in memory and bounded; all of it can be relearned.

- where each message we sent lives (edits and poll ends need the channel), else the server's
  posting channel is assumed, which is where every group post goes;
- which Scheduled Event mirrors which of our events: learned when we send a mirror, and from
  the ``gatherbot #ID`` line in an event's description whenever the gateway shows it (at start
  every server's events come with GUILD_CREATE), so it survives restarts;
- which voice channel each member is in, to tell a join from a move or a mute;
- names of users seen, so the core's '@name' mentions can become pings.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Generic, TypeVar

from adapters.discord.commands import KnownEvent, tags_in
from adapters.discord.refs import parse_time
from bot.domain.messages import EventMirror

K = TypeVar("K")
V = TypeVar("V")
OUR_EVENT = re.compile(r"gatherbot #(\d+)")
CANCELLED_OR_DONE = (3, 4)  # Scheduled Event status COMPLETED, CANCELED


class Lru(Generic[K, V]):
    """A dict that forgets its oldest entries beyond size."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def __setitem__(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)

    def get(self, key: K) -> V | None:
        return self._items.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)


class Knowledge:
    """The adapter's memory (see the module docstring)."""

    def __init__(self, size: int = 20_000) -> None:
        self.message_channels: Lru[str, str] = Lru(size)  # message id -> channel id
        self.names: Lru[str, tuple[str | None, str | None]] = Lru(size)  # user id -> (display, username)
        self.scheduled: dict[str, int] = {}  # Scheduled Event id -> our event id
        self.events: dict[str, dict[int, KnownEvent]] = {}  # guild -> our id -> event
        self.voice: dict[tuple[str, str], str] = {}  # (guild, user) -> voice channel

    # --- lookups used by the translation ---------------------------------------------------

    def voice_channel(self, guild_id: str, user_id: str) -> str | None:
        return self.voice.get((guild_id, user_id))

    def our_event_id(self, external_id: str) -> int | None:
        return self.scheduled.get(external_id)

    def known_events(self, guild_id: str) -> list[KnownEvent]:
        return list(self.events.get(guild_id, {}).values())

    # --- learning --------------------------------------------------------------------------

    def remember_name(self, user_id: str, display: str, username: str | None) -> None:
        if display or username:
            self.names[user_id] = (display or None, username)

    def mirrored(self, guild_id: str, mirror: EventMirror, external_id: str) -> None:
        """We created or changed the Scheduled Event external_id for mirror."""
        self.scheduled[external_id] = mirror.event_id
        known = KnownEvent(
            mirror.event_id, mirror.title, mirror.starts_at, mirror.cancelled, tags_in(mirror.description)
        )
        self.events.setdefault(guild_id, {})[mirror.event_id] = known

    def learn(self, event_type: str, data: Mapping[str, Any]) -> None:
        """Update from a gateway dispatch (after it was translated: voice needs the old channel)."""
        if event_type == "GUILD_CREATE":
            guild_id = str(data["id"])
            self.voice = {key: channel for key, channel in self.voice.items() if key[0] != guild_id}
            for state in data.get("voice_states") or []:
                self._voice(guild_id, state)
            for event in data.get("guild_scheduled_events") or []:
                self._scheduled_event(event)
        elif event_type == "VOICE_STATE_UPDATE" and data.get("guild_id"):
            self._voice(str(data["guild_id"]), data)
        elif event_type in ("GUILD_SCHEDULED_EVENT_CREATE", "GUILD_SCHEDULED_EVENT_UPDATE"):
            self._scheduled_event(data)
        elif event_type == "GUILD_SCHEDULED_EVENT_DELETE":
            self._forget_event(data)

    def _voice(self, guild_id: str, state: Mapping[str, Any]) -> None:
        key = (guild_id, str(state["user_id"]))
        if state.get("channel_id"):
            self.voice[key] = str(state["channel_id"])
        else:
            self.voice.pop(key, None)

    def _scheduled_event(self, data: Mapping[str, Any]) -> None:
        match = OUR_EVENT.search(str(data.get("description") or ""))
        if match is None:
            return
        event_id, external = int(match.group(1)), str(data["id"])
        self.scheduled[external] = event_id
        start = data.get("scheduled_start_time")
        starts = parse_time(start, datetime.min) if start else None
        cancelled = data.get("status") in CANCELLED_OR_DONE
        description = str(data.get("description") or "")
        known = KnownEvent(event_id, str(data.get("name") or ""), starts, cancelled, tags_in(description))
        self.events.setdefault(str(data["guild_id"]), {})[event_id] = known

    def _forget_event(self, data: Mapping[str, Any]) -> None:
        event_id = self.scheduled.get(str(data["id"]))
        events = self.events.get(str(data.get("guild_id")), {})
        if event_id is not None and event_id in events:
            old = events[event_id]
            events[event_id] = KnownEvent(old.event_id, old.title, old.starts_at, True, old.tags)
