"""Bot API errors mapped to the port's delivery errors, and the token kept out of every message."""

from __future__ import annotations

import warnings
from datetime import timedelta

from telegram import error as tg

from bot.domain.messages import Target
from bot.ports import DeliveryError, PermanentError, RetryAfter, TransientError, Unreachable

# BadRequest descriptions that mean the wanted state is already there.
ALREADY_DONE = ("message is not modified", "poll has already been closed")
# BadRequest descriptions that, for a private chat, mean "this member cannot be messaged".
NO_PRIVATE_CHAT = ("chat not found", "user not found", "peer_id_invalid")


class Redactor:
    """Replaces the bot token (and its secret half) in any text with '<token>'."""

    def __init__(self, token: str) -> None:
        secret = token.split(":", 1)[1] if ":" in token else token
        self._needles = [n for n in (token, secret) if len(n) >= 8]

    def __call__(self, text: object) -> str:
        out = str(text)
        for needle in self._needles:
            out = out.replace(needle, "<token>")
        return out


def retry_seconds(exc: tg.RetryAfter) -> float:
    """RetryAfter.retry_after in seconds, without PTB's int-vs-timedelta deprecation warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def is_already_done(exc: tg.TelegramError) -> bool:
    """An edit that changes nothing, or stopping a poll that is stopped: success, not failure."""
    return isinstance(exc, tg.BadRequest) and any(s in exc.message.lower() for s in ALREADY_DONE)


def to_delivery_error(exc: tg.TelegramError, target: Target, redact: Redactor) -> DeliveryError:
    """The port's error for a failed send, edit or poll call to target."""
    text = redact(f"telegram: {exc.message}")
    lowered = exc.message.lower()
    if isinstance(exc, tg.RetryAfter):
        return RetryAfter(retry_seconds(exc), scope_chat_id=target.chat_id)
    if isinstance(exc, tg.Forbidden):
        # blocked by the user, never started, deactivated: no private chat; in a group: kicked or muted.
        return Unreachable(text) if target.is_private else PermanentError(text)
    if isinstance(exc, tg.ChatMigrated):
        return PermanentError(f"telegram: the group became a supergroup with id {exc.new_chat_id}")
    if isinstance(exc, tg.BadRequest):
        if target.is_private and any(s in lowered for s in NO_PRIVATE_CHAT):
            return Unreachable(text)
        return PermanentError(text)  # chat not found, message too long, message to edit not found...
    if isinstance(exc, tg.InvalidToken):
        # Every call fails until the token is fixed; the message itself is fine, so keep it for later.
        return TransientError("telegram: the Bot API rejected the token")
    if isinstance(exc, tg.EndPointNotFound):
        return PermanentError(text)
    return TransientError(text)  # TimedOut, NetworkError, Conflict, anything else from the API
