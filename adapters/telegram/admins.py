"""Who administers each group: getChatAdministrators, cached, refreshed on member changes and on a timer."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

FetchAdmins = Callable[[str], Awaitable[frozenset[str]]]


@dataclass
class _Entry:
    expires: float
    admins: frozenset[str] | None  # None: the last fetch failed


class AdminCache:
    """Admin user ids per chat; an answer of None means 'unknown' (the fetch failed)."""

    def __init__(
        self,
        fetch: FetchAdmins,
        *,
        ttl: float = 600.0,
        failure_ttl: float = 60.0,
        timeout: float = 10.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._ttl, self._failure_ttl, self._timeout = ttl, failure_ttl, timeout
        self._now = monotonic
        self._entries: dict[str, _Entry] = {}
        self.fetches = 0

    async def is_admin(self, chat_id: str, user_id: str) -> bool | None:
        """Whether user_id administers chat_id (None: could not find out)."""
        admins = await self.admins(chat_id)
        return None if admins is None else user_id in admins

    async def admins(self, chat_id: str) -> frozenset[str] | None:
        entry = self._entries.get(chat_id)
        if entry is not None and entry.expires > self._now():
            return entry.admins
        self.fetches += 1
        try:
            admins: frozenset[str] | None = await asyncio.wait_for(self._fetch(chat_id), self._timeout)
            expires = self._now() + self._ttl
        except Exception as exc:  # noqa: BLE001 - unknown is a fine answer; retry a little later
            logger.warning("telegram: could not list the admins of chat %s: %s", chat_id, type(exc).__name__)
            admins, expires = None, self._now() + self._failure_ttl
        self._entries[chat_id] = _Entry(expires, admins)
        return admins

    def invalidate(self, chat_id: str) -> None:
        """Forget a chat's admins (someone was promoted, demoted, joined or left)."""
        self._entries.pop(chat_id, None)
