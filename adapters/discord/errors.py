"""discord.py errors mapped to the port's delivery errors, and the token kept out of every message."""

from __future__ import annotations

import discord

from bot.ports import DeliveryError, PermanentError, RetryAfter, TransientError, Unreachable

# JSON error codes (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json)
CANNOT_DM = 50007  # the user has DMs from server members off, or blocked the bot
UNKNOWN_USER = 10013
UNKNOWN_INTERACTION = 10062
UNKNOWN_WEBHOOK = 10015
UNKNOWN_EVENT = 10070
POLL_EXPIRED = 520001
EVENT_FINISHED = 180000
ALREADY_DONE = (POLL_EXPIRED, EVENT_FINISHED)
DEFAULT_RETRY = 5.0


class Redactor:
    """Replaces the bot token in any text with '<token>'."""

    def __init__(self, token: str) -> None:
        self._needles = [n for n in (token, token.rsplit(".", 1)[-1]) if len(n) >= 8]

    def __call__(self, text: object) -> str:
        out = str(text)
        for needle in self._needles:
            out = out.replace(needle, "<token>")
        return out


def is_already_done(exc: BaseException) -> bool:
    """Ending a poll that ended, cancelling an event that finished: the wanted state is there."""
    return isinstance(exc, discord.HTTPException) and exc.code in ALREADY_DONE


def is_gone(exc: BaseException) -> bool:
    """A 404: the message, event or interaction no longer exists."""
    return isinstance(exc, discord.NotFound)


def _retry_after(exc: discord.HTTPException) -> float:
    headers = getattr(exc.response, "headers", None) or {}
    try:
        return float(headers.get("Retry-After") or DEFAULT_RETRY)
    except (TypeError, ValueError):
        return DEFAULT_RETRY


def to_delivery_error(
    exc: BaseException, *, private: bool = False, scope: str | None = None, redact: Redactor | None = None
) -> DeliveryError:
    """The port's error for a failed call; private: the target is a member's DMs."""
    redact = redact or Redactor("")
    text = redact(f"discord: {type(exc).__name__}: {exc}")
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, discord.RateLimited):  # discord.py waited as long as we let it
        return RetryAfter(exc.retry_after, scope_chat_id=scope)
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429:
            return RetryAfter(_retry_after(exc), scope_chat_id=scope)
        if exc.status >= 500:
            return TransientError(text)
        if exc.status == 401:  # the token was reset: every call fails until it is fixed; keep the message
            return TransientError("discord: the token was rejected (401)")
        if private and (exc.code in (CANNOT_DM, UNKNOWN_USER) or exc.status in (403, 404)):
            return Unreachable(text)
        return PermanentError(text)  # 403 missing permissions, 404 unknown channel, 400 bad form body
    if isinstance(exc, TypeError | ValueError):  # discord.py refused the arguments: retrying cannot help
        return PermanentError(text)
    return TransientError(text)  # timeouts, connection errors, anything else: try again later
