"""The Telegram adapter: python-telegram-bot's Application inside gatherbot's own event loop.

Inbound, a TypeHandler turns every update into domain events (translate.py), adds what only a
network call can tell (is the user a group admin?) and awaits the core's sink. Outbound, send()
executes one OutMessage as one Bot API call and maps failures to the port's errors. Rate limits
are the relay's job: no PTB rate limiter, no automatic retries here.
"""

from __future__ import annotations

import logging
import traceback
import warnings
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from telegram import Bot, Update
from telegram import error as tg
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest
from telegram.warnings import PTBDeprecationWarning

from adapters.telegram.admins import AdminCache
from adapters.telegram.errors import Redactor
from adapters.telegram.outbound import Directory, chat_param
from adapters.telegram.sender import Sender
from adapters.telegram.settings import TelegramSettings
from adapters.telegram.translate import ALLOWED_UPDATES, PLATFORM, bot_membership, translate
from bot.bootstrap import StartupError
from bot.domain.events import DomainEvent
from bot.domain.messages import OutMessage, SentRef
from bot.ports import Capabilities, CommandSpecView, EventSink, TransientError

logger = logging.getLogger(__name__)

# PTB and httpx log request URLs, which contain the token, at DEBUG: keep them at WARNING.
LIBRARY_LOGGERS = ("httpx", "httpcore", "telegram")
ADMIN_STATUSES = ("administrator", "creator")

# PTB's own RetryAfter constructor reads the attribute it deprecates; errors.retry_seconds reads it quietly.
warnings.filterwarnings("ignore", message=".*`retry_after`.*", category=PTBDeprecationWarning)


def quiet_library_loggers() -> None:
    """Make sure no library logs a Bot API URL (and so the token)."""
    for name in LIBRARY_LOGGERS:
        library = logging.getLogger(name)
        if library.level < logging.WARNING:
            library.setLevel(logging.WARNING)


class TelegramAdapter:
    """ChatAdapter for Telegram (python-telegram-bot v22)."""

    platform = PLATFORM
    capabilities = Capabilities(native_polls=True, edit_messages=True, files=True, dm=True, max_text=4096)

    def __init__(
        self,
        settings: TelegramSettings,
        *,
        request: BaseRequest | None = None,
        get_updates_request: BaseRequest | None = None,
        now: Callable[[], datetime] | None = None,
        sent_cache_size: int = 2048,
    ) -> None:
        self.settings = settings
        self._request = request
        self._updates_request = get_updates_request or request
        self._now = now or (lambda: datetime.now(UTC))
        self.redact = Redactor(settings.token)
        self.directory = Directory()
        self.admins = AdminCache(self._fetch_admins, ttl=settings.admin_cache_minutes * 60)
        self.application: Application[Any, Any, Any, Any, Any, Any] | None = None
        self.bot_username: str | None = None
        self._sink: EventSink | None = None
        self._stack: AsyncExitStack | None = None
        self.sender = Sender(self._bot, self.directory, self.redact, sent_cache_size)
        quiet_library_loggers()

    # --- lifecycle -------------------------------------------------------------------------

    def _build(self) -> Application[Any, Any, Any, Any, Any, Any]:
        s = self.settings
        builder = (
            ApplicationBuilder()
            .token(s.token)
            .base_url(s.base_url)
            .base_file_url(s.base_file_url)
            .job_queue(None)  # scheduling is the core's (one scheduler, database-backed)
        )
        if self._request is not None:
            builder = builder.request(self._request)
        if self._updates_request is not None:
            builder = builder.get_updates_request(self._updates_request)
        application = builder.build()
        application.add_handler(TypeHandler(Update, self._on_update))
        application.add_error_handler(self._on_error)
        return application

    async def start(self, sink: EventSink) -> None:
        """Connect (getMe), then receive updates by long polling or webhook until stop()."""
        if self.application is not None:
            raise RuntimeError("the Telegram adapter is already started")
        self._sink = sink
        application = self._build()
        stack = AsyncExitStack()
        try:
            await self._connect(stack, application)
        except BaseException:
            await stack.aclose()
            self._sink = None
            raise
        self.application, self._stack = application, stack
        logger.info("telegram: connected as @%s (%s)", self.bot_username, self.settings.mode)

    async def _connect(
        self, stack: AsyncExitStack, application: Application[Any, Any, Any, Any, Any, Any]
    ) -> None:
        try:
            await stack.enter_async_context(application)  # initialize(): getMe
            self.bot_username = application.bot.username
            if self.bot_username:  # one tap from an announcement to private reminders
                link = f"https://t.me/{self.bot_username}?start=remind"
                self.capabilities = replace(self.capabilities, dm_link=link)
            await application.start()
            stack.push_async_callback(application.stop)
            await self._receive(application)
        except tg.InvalidToken:
            raise StartupError(
                "telegram: the Bot API rejected the token; check GATHERBOT_TELEGRAM_TOKEN (from @BotFather)"
            ) from None
        except tg.TelegramError as exc:
            raise StartupError(
                f"telegram: cannot start with the Bot API at {self.settings.base_url}: {self.redact(exc)}"
            ) from None
        assert application.updater is not None
        stack.push_async_callback(application.updater.stop)

    async def _receive(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Start long polling (deleteWebhook, then getUpdates) or the webhook server (setWebhook)."""
        s, updater = self.settings, application.updater
        assert updater is not None
        if s.mode == "webhook":
            await updater.start_webhook(
                listen=s.webhook_listen,
                port=s.webhook_port,
                url_path=s.webhook_path,
                webhook_url=s.webhook_url,
                secret_token=s.webhook_secret,
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=False,
            )
        else:
            await updater.start_polling(
                poll_interval=s.poll_interval,
                timeout=s.poll_timeout,
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=False,
                error_callback=self._on_polling_error,
            )

    async def stop(self) -> None:
        """Stop receiving, finish the updates already fetched, close the connections."""
        stack, self._stack = self._stack, None
        if stack is not None:
            await stack.aclose()
        self.application, self._sink = None, None

    def _bot(self) -> Bot:
        if self.application is None:
            raise TransientError("telegram: the adapter is not connected yet")
        bot: Bot = self.application.bot
        return bot

    # --- inbound ---------------------------------------------------------------------------

    async def _on_update(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """Translate one update and hand its events to the core, in order."""
        self._note_changes(update)
        events = translate(update, bot_username=self.bot_username, now=self._now())
        if not events and update.callback_query is not None:
            await self.answer(update.callback_query.id, "")  # stop the button's spinner
        for event in events:
            self.directory.remember(event.user.user_id, event.user.display_name, event.user.username)
            event = await self._with_admin(event)
            if self._sink is not None:
                await self._sink(event)

    def _note_changes(self, update: Update) -> None:
        membership = bot_membership(update)
        if membership is not None:
            chat_id, title, old, new = membership
            self.admins.invalidate(chat_id)
            logger.info("telegram: bot membership in %s (%s): %s -> %s", chat_id, title, old, new)
            if new == "member":
                logger.warning(
                    "telegram: make the bot an admin of %s to see reactions and members joining", chat_id
                )
        if update.chat_member is not None:
            self.admins.invalidate(str(update.chat_member.chat.id))
        message = update.message
        if message is not None and message.migrate_to_chat_id is not None:
            logger.info(  # the core moves the community (ChatMigrated); admins are re-read there
                "telegram: group %s became supergroup %s", message.chat.id, message.migrate_to_chat_id
            )
            self.admins.invalidate(str(message.migrate_to_chat_id))

    async def _with_admin(self, event: DomainEvent) -> DomainEvent:
        """Fill UserRef.is_admin for group events from the cached admin list (None if unknown)."""
        if event.chat.is_private or event.user.is_admin is not None or event.user.is_bot:
            return event
        is_admin = await self.admins.is_admin(event.chat.chat_id, event.user.user_id)
        if is_admin is None:
            return event
        return replace(event, user=replace(event.user, is_admin=is_admin))

    async def _fetch_admins(self, chat_id: str) -> frozenset[str]:
        members = await self._bot().get_chat_administrators(chat_param(chat_id))
        return frozenset(str(m.user.id) for m in members if m.status in ADMIN_STATUSES)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        detail = "".join(traceback.format_exception(error)) if error is not None else "unknown error"
        update_id = getattr(update, "update_id", "?")
        logger.error("telegram: handling update %s failed:\n%s", update_id, self.redact(detail))

    def _on_polling_error(self, exc: tg.TelegramError) -> None:
        logger.warning("telegram: getUpdates failed (%s): %s; retrying", type(exc).__name__, self.redact(exc))

    # --- outbound: see sender.py ---------------------------------------------------------

    async def send(self, message: OutMessage, *, idempotency_key: str) -> SentRef:
        """Send, edit or stop a poll; a key already sent by this process returns the first answer."""
        return await self.sender.send(message, idempotency_key=idempotency_key)

    async def answer(self, interaction_id: str, text: str) -> None:
        """answerCallbackQuery: the toast for the member who pressed (empty text: just stop the spinner)."""
        await self.sender.answer(interaction_id, text)

    async def sync_commands(self, commands: Sequence[CommandSpecView]) -> None:
        """setMyCommands for members (default scope) and group admins, in English and Chinese."""
        await self.sender.sync_commands(commands)
