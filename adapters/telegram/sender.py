"""Outbound: one OutMessage becomes one Bot API call (two for a poll with mentions); failures become
the port's errors. No rate limiting and no retries here: both are the relay's job.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from telegram import Bot, InputFile, ReplyParameters
from telegram import error as tg
from telegram.constants import FileSizeLimit

from adapters.telegram.errors import Redactor, is_already_done, to_delivery_error
from adapters.telegram.outbound import (
    MAX_CAPTION,
    MAX_TOAST,
    Directory,
    chat_param,
    command_menus,
    fit,
    message_id_param,
    poll_kwargs,
    text_kwargs,
)
from adapters.telegram.translate import PLATFORM
from bot.domain.messages import OutMessage, SentRef, Target
from bot.ports import CommandSpecView, PermanentError

logger = logging.getLogger(__name__)


PHOTO_TYPES = ("image/png", "image/jpeg")
MAX_PHOTO_BYTES = int(FileSizeLimit.PHOTOSIZE_UPLOAD)  # 10 MB: larger images go as documents


def is_photo(mime_type: str, size: int) -> bool:
    return mime_type in PHOTO_TYPES and size <= MAX_PHOTO_BYTES


class Sender:
    """Executes the core's messages with the adapter's Bot."""

    def __init__(
        self, bot: Callable[[], Bot], directory: Directory, redact: Redactor, cache_size: int = 2048
    ) -> None:
        self._bot = bot
        self.directory = directory
        self.redact = redact
        self._sent: OrderedDict[str, SentRef] = OrderedDict()
        self._cache_size = cache_size

    async def send(self, message: OutMessage, *, idempotency_key: str) -> SentRef:
        """Send, edit or stop a poll; a key already sent by this process returns the first answer."""
        cached = self._sent.get(idempotency_key)
        if cached is not None:
            logger.info("telegram: %s was already sent as message %s", idempotency_key, cached.message_id)
            return cached
        bot = self._bot()
        try:
            ref = await self._deliver(bot, message)
        except tg.TelegramError as exc:
            if not is_already_done(exc):
                raise to_delivery_error(exc, message.target, self.redact) from None
            ref = SentRef(message.edit_message_id or "", poll_id=message.close_poll_id)
        self._sent[idempotency_key] = ref
        while len(self._sent) > self._cache_size:
            self._sent.popitem(last=False)
        return ref

    async def _deliver(self, bot: Bot, message: OutMessage) -> SentRef:
        chat = chat_param(message.target.chat_id)
        if message.close_poll_id is not None:
            if not message.edit_message_id:
                raise PermanentError("telegram: stopping a poll needs the poll's message id")
            await bot.stop_poll(chat, message_id_param(message.edit_message_id))
            return SentRef(message.edit_message_id, poll_id=message.close_poll_id)
        if message.edit_message_id is not None:
            await bot.edit_message_text(
                chat_id=chat,
                message_id=message_id_param(message.edit_message_id),
                **text_kwargs(message, self.directory),
            )
            return SentRef(message.edit_message_id)
        if message.poll is not None:
            return await self._send_poll(bot, chat, message)
        if message.attachment is not None:
            if is_photo(message.attachment.mime_type, len(message.attachment.content)):
                return await self._send_photo(bot, chat, message)
            return await self._send_document(bot, chat, message)
        sent = await bot.send_message(chat, **text_kwargs(message, self.directory))
        return SentRef(str(sent.message_id))

    async def _send_poll(self, bot: Bot, chat: int | str, message: OutMessage) -> SentRef:
        """The poll, then the text (mentions of who is asked) as a reply to it.

        The reply is best effort: once the poll is out, a retry would post a second poll.
        """
        sent = await bot.send_poll(chat, **poll_kwargs(message))
        ref = SentRef(str(sent.message_id), poll_id=sent.poll.id if sent.poll else None)
        if message.text.strip():
            reply = ReplyParameters(sent.message_id, allow_sending_without_reply=True)
            try:
                await bot.send_message(chat, reply_parameters=reply, **text_kwargs(message, self.directory))
            except tg.TelegramError as exc:
                logger.warning(
                    "telegram: poll %s is out but its mentions failed: %s", ref.poll_id, self.redact(exc)
                )
        return ref

    def _caption(self, message: OutMessage) -> dict[str, Any]:
        if not message.text.strip():
            return {}
        shaped = text_kwargs(message, self.directory, limit=MAX_CAPTION)
        return {
            "caption": shaped["text"],
            "caption_entities": shaped["entities"],
            "reply_markup": shaped["reply_markup"],
        }

    @staticmethod
    def _file(message: OutMessage) -> InputFile:
        attachment = message.attachment
        assert attachment is not None
        upload = InputFile(attachment.content, filename=attachment.filename)
        upload.mimetype = attachment.mime_type
        return upload

    async def _send_document(self, bot: Bot, chat: int | str, message: OutMessage) -> SentRef:
        sent = await bot.send_document(chat, self._file(message), **self._caption(message))
        return SentRef(str(sent.message_id))

    async def _send_photo(self, bot: Bot, chat: int | str, message: OutMessage) -> SentRef:
        """A chart shows inline as a photo; one Telegram will not take as a photo goes as a file.

        A refused photo (400) was not posted, so sending the document after it cannot post twice."""
        try:
            sent = await bot.send_photo(chat, self._file(message), **self._caption(message))
        except tg.BadRequest as exc:
            logger.info("telegram: photo refused (%s); sending it as a file", self.redact(exc.message))
            return await self._send_document(bot, chat, message)
        return SentRef(str(sent.message_id))

    async def answer(self, interaction_id: str, text: str) -> None:
        """answerCallbackQuery: the toast for the member who pressed (empty text: just stop the spinner)."""
        try:
            await self._bot().answer_callback_query(
                interaction_id, text=fit(text, MAX_TOAST, what="toast") if text else None
            )
        except tg.BadRequest as exc:
            if "query is too old" in exc.message.lower() or "query id is invalid" in exc.message.lower():
                logger.info("telegram: button answer came too late (%s)", interaction_id)
                return
            raise PermanentError(self.redact(exc.message)) from None
        except tg.TelegramError as exc:
            raise to_delivery_error(exc, Target(PLATFORM, ""), self.redact) from None

    async def sync_commands(self, commands: Sequence[CommandSpecView]) -> None:
        """setMyCommands for members (default scope) and group admins, in English and Chinese."""
        bot = self._bot()
        for scope, language, menu in command_menus(commands):
            try:
                await bot.set_my_commands(menu, scope=scope, language_code=language)
            except tg.TelegramError as exc:  # the menu is a convenience: never stop start-up for it
                logger.warning(
                    "telegram: setMyCommands (%s, %s) failed: %s", scope.type, language, self.redact(exc)
                )
