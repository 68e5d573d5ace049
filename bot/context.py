"""The context a feature handler receives: the unit of work, who is speaking, and how to answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot import i18n
from bot.clock import Clock
from bot.config import Config
from bot.delivery import outbox
from bot.domain.events import DomainEvent
from bot.domain.messages import Button, OutMessage, Target
from bot.storage.models import Community, Member


class UsageError(Exception):
    """Bad input from a member: the message is already localized; nothing is saved."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Ctx:
    """One inbound event being handled, inside one database transaction."""

    session: AsyncSession
    config: Config
    clock: Clock
    event: DomainEvent
    community: Community | None
    member: Member | None
    lang: str
    now: datetime
    registry: Any = None
    toasts: list[str] = field(default_factory=list)
    dm_opened: list[Member] = field(default_factory=list)  # memberships this private message made reachable
    _replies: int = 0

    @property
    def tz(self) -> ZoneInfo:
        """The zone to read and show times in: the member's, else the community's."""
        name = (self.member.timezone if self.member else None) or (
            self.community.timezone if self.community else self.config.timezone
        )
        return ZoneInfo(name)

    @property
    def is_organizer(self) -> bool:
        return self.member is not None and self.member.role in ("organizer", "admin")

    @property
    def is_admin(self) -> bool:
        return self.member is not None and self.member.role == "admin"

    def t(self, key: str, **params: Any) -> str:
        """Text in the speaker's language."""
        return i18n.t(self.lang, key, **params)

    def here(self) -> Target:
        """The chat the event came from."""
        chat = self.event.chat
        display = f"{self.event.user.display_name}@dm" if chat.is_private else "group"
        return Target(chat.platform, chat.chat_id, chat.is_private, display)

    def group(self) -> Target:
        """The community's group chat."""
        assert self.community is not None
        return Target(self.community.platform, self.community.chat_id, False, "group")

    async def send(
        self,
        text: str,
        *,
        target: Target | None = None,
        buttons: tuple[tuple[Button, ...], ...] = (),
        **extra: Any,
    ) -> None:
        """Queue a message (to this chat unless target is given) through the outbox."""
        target = target or self.here()
        self._replies += 1
        key = f"reply:{self.event.platform}:{self.event.source_id}:{self._replies}"
        message = OutMessage(target=target, text=text, buttons=buttons)
        await outbox.enqueue(
            self.session,
            key=key,
            platform=target.platform,
            kind="message",
            due_at=self.now,
            now=self.now,
            community_id=self.community.id if self.community else None,
            payload={"message": message.to_json()},
            **extra,
        )

    async def reply(self, key: str, **params: Any) -> None:
        """Answer in this chat with a catalog text."""
        await self.send(self.t(key, **params))

    def toast(self, text: str) -> None:
        """A short private notice for the member who pressed a button (not durable)."""
        self.toasts.append(text)
