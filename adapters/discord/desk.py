"""Open interactions: acknowledged at once, answered privately, and usable for replies for 15 minutes.

Discord wants an answer within 3 seconds, so every interaction is acknowledged before the core
sees it: slash commands and form submissions with a private "thinking…" notice, buttons silently.
The core's toast then replaces the notice (or removes it when there is none), and the core's
replies to the command are sent as follow-up messages of the interaction, in public, so they
show who asked, and work even where the bot cannot post by itself.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import discord

from adapters.discord.errors import to_delivery_error
from adapters.discord.interactions import THINK
from adapters.discord.outbound import fit

logger = logging.getLogger(__name__)

TOKEN_LIFETIME = 14 * 60.0  # interaction tokens last 15 minutes; keep a margin


@dataclass
class Pending:
    """One acknowledged interaction."""

    interaction: Any  # discord.Interaction
    plan: str
    opened_at: float
    notice_open: bool = False  # the private "thinking…" notice is still showing
    answered: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def user_id(self) -> str:
        return str(self.interaction.user.id)


class InteractionDesk:
    """Interactions by id, until their token expires (bounded)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, size: int = 2000) -> None:
        self._clock = clock
        self._size = size
        self._open: OrderedDict[str, Pending] = OrderedDict()

    def open(self, interaction: Any, plan: str) -> Pending:
        """Remember an interaction just acknowledged with plan (THINK shows a notice)."""
        pending = Pending(interaction, plan, self._clock(), notice_open=plan == THINK)
        self._open[str(interaction.id)] = pending
        while len(self._open) > self._size:
            self._open.popitem(last=False)
        return pending

    def get(self, interaction_id: str) -> Pending | None:
        """A live interaction (None once its token has expired)."""
        pending = self._open.get(interaction_id)
        if pending is not None and self._clock() - pending.opened_at > TOKEN_LIFETIME:
            del self._open[interaction_id]
            return None
        return pending

    async def answer(self, interaction_id: str, text: str) -> None:
        """The core's private notice for the member (empty: just clear the 'thinking…' notice)."""
        pending = self.get(interaction_id)
        if pending is None:
            logger.info("discord: interaction %s answered too late", interaction_id)
            return
        async with pending.lock:
            pending.answered = True
            try:
                await self._notice(pending, fit(text, what="notice") if text.strip() else "")
            except discord.NotFound:
                logger.info("discord: interaction %s is gone", interaction_id)
            except discord.HTTPException as exc:
                raise to_delivery_error(exc) from None

    async def settle(self, interaction_id: str) -> None:
        """After the core handled the interaction: clear a notice it left unanswered (a replay...)."""
        pending = self.get(interaction_id)
        if pending is not None and not pending.answered:
            try:
                await self.answer(interaction_id, "")
            except Exception:  # noqa: BLE001 - cosmetic
                logger.info("discord: could not clear the notice of %s", interaction_id, exc_info=True)

    async def follow_up(self, pending: Pending, **kwargs: Any) -> Any:
        """A public follow-up message (a reply of the core); returns discord's WebhookMessage."""
        async with pending.lock:
            if pending.notice_open:  # otherwise the first follow-up would replace the private notice
                await self._close_notice(pending)
            return await pending.interaction.followup.send(wait=True, **kwargs)

    async def _notice(self, pending: Pending, text: str) -> None:
        if pending.notice_open:
            if text:
                await pending.interaction.edit_original_response(content=text)
                pending.notice_open = False
            else:
                await self._close_notice(pending)
        elif text:
            await pending.interaction.followup.send(text, ephemeral=True)

    @staticmethod
    async def _close_notice(pending: Pending) -> None:
        pending.notice_open = False
        try:
            await pending.interaction.delete_original_response()
        except discord.NotFound:
            pass
