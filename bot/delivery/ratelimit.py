"""Token buckets per platform, per group and per chat, on an injectable clock."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from bot.config import RateLimit


@dataclass
class Bucket:
    """A token bucket: ``rate`` tokens a second, at most ``burst`` saved up."""

    rate: float
    burst: float
    tokens: float
    updated: float
    paused_until: float = 0.0

    def _refill(self, now: float) -> None:
        if now > self.updated:
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
            self.updated = now

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 if now)."""
        self._refill(now)
        if now < self.paused_until:
            return self.paused_until - now
        if self.tokens >= 1:
            return 0.0
        return (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1


class RateLimiter:
    """Decides whether a message to a chat may go now; honours platform pauses (429)."""

    def __init__(self, limits: Callable[[str], RateLimit | None], monotonic: Callable[[], float]) -> None:
        self._limits = limits
        self._now = monotonic
        self._buckets: dict[tuple[str, str], Bucket] = {}

    def _bucket(self, key: tuple[str, str], rate: float, burst: float) -> Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = Bucket(rate, burst, burst, self._now())
        return bucket

    def _buckets_for(self, platform: str, chat_id: str, is_private: bool) -> list[Bucket]:
        limit = self._limits(platform)
        if limit is None:
            return []
        buckets = [
            self._bucket((platform, "*"), limit.global_per_second, max(1.0, limit.global_per_second)),
            self._bucket((platform, "chat:" + chat_id), limit.chat_per_second, 1.0),
        ]
        if not is_private:
            per_second = limit.group_per_minute / 60.0
            buckets.append(
                self._bucket(
                    (platform, "group:" + chat_id), per_second, max(1.0, min(3.0, limit.group_per_minute))
                )
            )
        return buckets

    def available(self, platform: str) -> float:
        """How many messages the platform's global bucket would let go now (inf: no limit)."""
        limit = self._limits(platform)
        if limit is None:
            return math.inf
        now = self._now()
        bucket = self._bucket((platform, "*"), limit.global_per_second, max(1.0, limit.global_per_second))
        if bucket.wait_time(now) > 0:
            return 0.0
        return math.floor(bucket.tokens)

    def try_acquire(self, platform: str, chat_id: str, is_private: bool) -> float:
        """Take a token from every bucket and return 0, or return how long to wait (taking nothing)."""
        now = self._now()
        buckets = self._buckets_for(platform, chat_id, is_private)
        wait = max((b.wait_time(now) for b in buckets), default=0.0)
        if wait > 0:
            return wait
        for b in buckets:
            b.take(now)
        return 0.0

    def pause(self, platform: str, chat_id: str | None, seconds: float) -> None:
        """Stop sending to a chat (or the whole platform) for ``seconds``: the platform said 429."""
        key = (platform, "*") if chat_id is None else (platform, "chat:" + chat_id)
        limit = self._limits(platform) or RateLimit(1.0, 60.0, 1.0)
        rate = limit.global_per_second if chat_id is None else limit.chat_per_second
        bucket = self._bucket(key, rate, max(1.0, rate) if chat_id is None else 1.0)
        bucket.paused_until = max(bucket.paused_until, self._now() + seconds)
