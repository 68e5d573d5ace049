"""Shaping an OutMessage for the Bot API: length limits, inline keyboards, mentions.

Mentions are sent as ``text_mention`` entities on plain text (no parse_mode), so nothing in
the text can ever be read as markup: there is nothing to escape and nothing to get wrong.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageEntity,
    User,
)
from telegram.constants import (
    BotCommandLimit,
    CallbackQueryLimit,
    InlineKeyboardButtonLimit,
    MessageLimit,
    PollLimit,
)

from bot.domain.messages import Button, OutMessage
from bot.ports import CommandSpecView, PermanentError

logger = logging.getLogger(__name__)

MAX_TEXT = int(MessageLimit.MAX_TEXT_LENGTH)  # 4096
MAX_CAPTION = int(MessageLimit.CAPTION_LENGTH)  # 1024
MAX_TOAST = int(CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH)  # 200
MAX_CALLBACK_DATA = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)  # 64 bytes
MAX_QUESTION = int(PollLimit.MAX_QUESTION_LENGTH)  # 300
MAX_OPTION = int(PollLimit.MAX_OPTION_LENGTH)  # 100
MIN_OPTIONS, MAX_OPTIONS = 2, int(PollLimit.MAX_OPTION_NUMBER)  # the Bot API: 2-12 options
MAX_DESCRIPTION = int(BotCommandLimit.MAX_DESCRIPTION)  # 256
MAX_COMMANDS = int(BotCommandLimit.MAX_COMMAND_NUMBER)  # 100
ELLIPSIS = "…"
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: most emoji count 2)."""
    return len(text.encode("utf-16-le")) // 2


def fit(text: str, limit: int, *, what: str = "text") -> str:
    """text cut to at most limit UTF-16 units, ending in an ellipsis when cut (and logged)."""
    if utf16_len(text) <= limit:
        return text
    cut = text[:limit]
    while utf16_len(cut) > limit - 1:
        cut = cut[:-1]
    logger.warning("telegram: %s of %d characters cut to the %d Telegram allows", what, len(text), limit)
    return cut + ELLIPSIS


def chat_param(chat_id: str) -> int | str:
    """A chat id as the Bot API wants it: a number, or an @channelusername."""
    return int(chat_id) if re.fullmatch(r"-?\d+", chat_id) else chat_id


def message_id_param(message_id: str) -> int:
    if not message_id.isdigit():
        raise PermanentError(f"not a Telegram message id: {message_id!r}")
    return int(message_id)


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    """An inline keyboard; callback data over Telegram's 64 bytes is refused (it would be rejected anyway)."""
    if not rows:
        return None
    for row in rows:
        for button in row:
            if button.url is not None:
                continue
            size = len(button.data.encode("utf-8"))
            if not 1 <= size <= MAX_CALLBACK_DATA:
                raise PermanentError(
                    f"button {button.label!r}: callback data is {size} bytes, Telegram allows 1-{MAX_CALLBACK_DATA}"
                )
    return InlineKeyboardMarkup([[_button(b) for b in row] for row in rows if row])


def _button(button: Button) -> InlineKeyboardButton:
    if button.url is not None:
        return InlineKeyboardButton(button.label, url=button.url)
    return InlineKeyboardButton(button.label, callback_data=button.data)


@dataclass(frozen=True)
class KnownUser:
    """How a user is called, as last seen in an update."""

    display_name: str
    username: str | None


class Directory:
    """The names of users the adapter has seen, so mentions by id can become clickable (bounded LRU)."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._users: OrderedDict[str, KnownUser] = OrderedDict()

    def remember(self, user_id: str, display_name: str, username: str | None) -> None:
        self._users[user_id] = KnownUser(display_name, username)
        self._users.move_to_end(user_id)
        while len(self._users) > self._size:
            self._users.popitem(last=False)

    def get(self, user_id: str) -> KnownUser | None:
        return self._users.get(user_id)


def mention_entities(text: str, user_ids: Sequence[str], directory: Directory) -> list[MessageEntity]:
    """text_mention entities for mentioned users who have no @username, where their name is in the text.

    A user with a username is mentioned by '@name' in the text, which Telegram links by itself.
    A user never seen since start-up stays plain text (the core names them anyway).
    """
    entities: list[MessageEntity] = []
    taken: list[range] = []
    for user_id in dict.fromkeys(user_ids):
        known = directory.get(user_id)
        if known is None or not user_id.isdigit() or not known.display_name:
            continue
        if known.username and f"@{known.username}".lower() in text.lower():
            continue
        for match in re.finditer(rf"(?<!\w){re.escape(known.display_name)}(?!\w)", text):
            span = range(match.start(), match.end())
            if any(span.start < t.stop and t.start < span.stop for t in taken):
                continue
            taken.append(span)
            user = User(int(user_id), known.display_name, is_bot=False)
            offset, length = utf16_len(text[: match.start()]), utf16_len(match.group())
            entities.append(MessageEntity(MessageEntity.TEXT_MENTION, offset, length, user=user))
            break
    return sorted(entities, key=lambda e: e.offset)


def text_kwargs(message: OutMessage, directory: Directory, *, limit: int = MAX_TEXT) -> dict[str, Any]:
    """text, entities and reply_markup for sendMessage / editMessageText."""
    text = fit(message.text, limit)
    if not text.strip():
        raise PermanentError("Telegram cannot send an empty message")
    entities = mention_entities(text, message.mentions, directory)
    return {"text": text, "entities": entities or None, "reply_markup": keyboard(message.buttons)}


def poll_kwargs(message: OutMessage) -> dict[str, Any]:
    """question and options for sendPoll (a non-anonymous, single-choice poll)."""
    assert message.poll is not None
    options = message.poll.options
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise PermanentError(f"a Telegram poll has {MIN_OPTIONS}-{MAX_OPTIONS} options, not {len(options)}")
    return {
        "question": fit(message.poll.question, MAX_QUESTION, what="poll question"),
        "options": [fit(o, MAX_OPTION, what="poll option") for o in options],
        "is_anonymous": False,
        "allows_multiple_answers": False,
    }


def command_menus(
    views: Sequence[CommandSpecView],
) -> list[tuple[BotCommandScope, str | None, list[BotCommand]]]:
    """(scope, language_code, commands) for every setMyCommands call: members see members' commands,
    group administrators see all of them; English is the default language, Chinese for 'zh' clients.
    """
    valid = [v for v in views if _COMMAND.match(v.name)]
    for view in views:
        if view not in valid:
            logger.warning("telegram: /%s cannot be a Telegram command (a-z, 0-9, _; 32 at most)", view.name)
    members = [v for v in valid if not v.organizer_only]
    menus: list[tuple[BotCommandScope, str | None, list[BotCommand]]] = []
    for scope, subset in (
        (BotCommandScopeDefault(), members),
        (BotCommandScopeAllChatAdministrators(), valid),
    ):
        for lang in ("en", "zh"):
            commands = [BotCommand(v.name, _description(v, lang)) for v in subset[:MAX_COMMANDS]]
            menus.append((scope, None if lang == "en" else lang, commands))
    return menus


def _description(view: CommandSpecView, lang: str) -> str:
    text = (view.help_zh if lang == "zh" else view.help_en) or view.help_en or view.name
    return fit(text.strip(), MAX_DESCRIPTION, what=f"/{view.name} description")
