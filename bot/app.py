"""The core application: log every inbound event once, route it to a feature, queue the answers."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import i18n
from bot.clock import Clock
from bot.config import Config
from bot.context import Ctx, UsageError
from bot.delivery.relay import Relay
from bot.domain.events import (
    BotRoleChanged,
    ButtonPressed,
    CommandInvoked,
    DomainEvent,
    MemberJoined,
    MemberLeft,
    MessageReceived,
    PollVoteCast,
)
from bot.features.planner import replan_member
from bot.ingest import (
    PASSIVE,
    UNCOLLECTED_COMMANDS,
    CollectFilter,
    batch_lists,
    ingest_passive,
    log_values,
    sanitize,
)
from bot.ports import ChatAdapter
from bot.registry import Registry
from bot.storage import bulk, repo
from bot.storage.models import Community, Conversation, Member

logger = logging.getLogger(__name__)


class App:
    """Wires the store, the registry and the adapters together."""

    def __init__(
        self,
        config: Config,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        registry: Registry,
        adapters: Mapping[str, ChatAdapter],
    ) -> None:
        self.config = config
        self.sessions = sessions
        self.clock = clock
        self.registry = registry
        self.adapters = dict(adapters)
        self.relay = Relay(sessions, self.adapters, clock, config)
        self.collect = CollectFilter(config)
        self.members = bulk.MemberCache()  # member rows kept between ingested batches (SQLite)
        self.engine: Any = None

    async def close(self) -> None:
        """Release the database."""
        if self.engine is not None:
            await self.engine.dispose()

    async def handle(self, event: DomainEvent) -> bool:
        """Handle one inbound event; False when it was a redelivery (already handled)."""
        if event.user.is_bot:
            return False
        event = sanitize(event)
        async with self.sessions() as session:
            if await self.collect.blocked(session, [(event.platform, event.user.user_id)]):
                toasts = await self._uncollected(session, event)
                await session.commit()
                await self._answer(event, toasts)
                return False
            ctx = await self._context(session, event)
            log_id = await repo.append_activity(session, **log_values(event, ctx.community, ctx.member))
            if log_id is None:
                await session.rollback()
                return False
            await self._dispatch(ctx)
            await session.commit()
        await self._answer(event, ctx.toasts)
        return True

    async def ingest_batch(self, events: Sequence[DomainEvent]) -> int:
        """Log a batch of events; passive ones (messages, reactions, joins) in one transaction.

        Events that need a handler, and messages of members in the middle of a dialog, go
        through handle() one by one. Returns how many log rows were added (redeliveries add none).
        """
        passive: list[DomainEvent] = []
        handled = False  # any event that needs a handler
        cleaned: dict[int, DomainEvent] = {}  # id of a sanitized copy -> the event it was made from
        for event in events:
            if not isinstance(event, PASSIVE):
                handled = True
            elif not event.user.is_bot:
                clean = sanitize(event)
                if clean is not event:
                    cleaned[id(clean)] = event
                passive.append(clean)
        members = self.members.batch()
        async with self.sessions() as session:
            listed, in_dialog = await batch_lists(session) if passive else ([], set())
            users = ((e.chat.platform, e.user.user_id) for e in passive)  # read only if anyone is listed
            blocked = await self.collect.blocked(session, users, listed)
            if blocked:
                passive = [e for e in passive if (e.platform, e.user.user_id) not in blocked]
            added, deferred = await ingest_passive(
                session, passive, self.config, self.clock.now(), in_dialog, members
            )
            await session.commit()
        members.commit()
        if not deferred and not handled:
            return added  # the usual batch: everything was logged above
        later = {id(cleaned.get(id(e), e)) for e in deferred}  # the events as given
        for event in events:  # in their original order
            if not isinstance(event, PASSIVE) or id(event) in later:
                added += int(await self.handle(event))
        return added

    async def _uncollected(self, session: AsyncSession, event: DomainEvent) -> list[str]:
        """A user on the do-not-collect list: log nothing and make no member row.

        Only commands in private (answered as /privacy, so they can see where they stand and undo it)
        and the bot's own removal from a group (not about them) are handled. Returns the toasts.
        """
        now = self.clock.now()
        if isinstance(event, BotRoleChanged) and not event.chat.is_private:
            community = await repo.community_for_chat(session, event.chat, self.config, now)
            lang = community.locale
        elif isinstance(event, CommandInvoked) and event.chat.is_private:
            if event.name.lower() not in UNCOLLECTED_COMMANDS:  # any command: tell them where they stand
                event = replace(event, name=UNCOLLECTED_COMMANDS[0], args="")
            community = None
            lang = i18n.normalize_lang(event.user.language_code) or self.config.language
        else:
            return []
        ctx = Ctx(session, self.config, self.clock, event, community, None, lang, now, self.registry)
        await self._dispatch(ctx)
        return ctx.toasts

    async def _context(self, session: AsyncSession, event: DomainEvent) -> Ctx:
        now = self.clock.now()
        community: Community | None = None
        member: Member | None = None
        if event.chat.is_private:
            memberships = await repo.members_of_user(session, event.platform, event.user.user_id)
            if isinstance(event, MessageReceived | CommandInvoked):  # they wrote to us: we may write back
                opened = [m for m, _ in memberships if not m.can_dm]
                for m, _ in memberships:
                    m.can_dm = True
            if memberships:
                member, community = memberships[0]
                member.last_seen_at = now
        else:
            community = await repo.community_for_chat(session, event.chat, self.config, now)
            member = await repo.member_for_user(session, community, event.user, now)
        lang = (member.language if member else None) or (
            community.locale
            if community
            else i18n.normalize_lang(event.user.language_code) or self.config.language
        )
        ctx = Ctx(session, self.config, self.clock, event, community, member, lang, now, self.registry)
        if event.chat.is_private and isinstance(event, MessageReceived | CommandInvoked):
            ctx.dm_opened = opened
        return ctx

    async def _dispatch(self, ctx: Ctx) -> None:
        """Run the feature inside a savepoint: on bad input or a bug, undo it but keep the log row."""
        try:
            async with ctx.session.begin_nested():
                for member in ctx.dm_opened:  # reminders can now come privately: re-plan them
                    await replan_member(ctx.session, member, self.config, ctx.now)
                await self._route(ctx)
        except UsageError as exc:
            await self._reload(ctx)
            await ctx.send(exc.message)
        except Exception:  # noqa: BLE001 - one failing handler must not stop the bot
            logger.exception("handler failed for %s %s", type(ctx.event).__name__, ctx.event.source_id)
            await self._reload(ctx)
            ctx.toasts.clear()
            await ctx.reply("error.internal")

    @staticmethod
    async def _reload(ctx: Ctx) -> None:
        """After a savepoint rollback, re-read what it expired (async code cannot lazy-load)."""
        for obj in (ctx.community, ctx.member):
            if obj is not None:
                await ctx.session.refresh(obj)

    async def _route(self, ctx: Ctx) -> None:
        event = ctx.event
        if isinstance(event, CommandInvoked):
            await self._command(ctx, event)
        elif isinstance(event, ButtonPressed):
            prefix, *parts = event.data.split(":")
            handler = self.registry.buttons.get(prefix)
            if handler is not None and ctx.member is not None:
                await handler(ctx, parts)
        elif isinstance(event, PollVoteCast):
            if self.registry.poll_vote is not None:
                await self.registry.poll_vote(ctx)
        elif isinstance(event, MessageReceived):
            await self._conversation(ctx)
        elif isinstance(event, MemberJoined | MemberLeft) and ctx.member is not None:
            ctx.member.is_member = isinstance(event, MemberJoined)
        for listener in self.registry.listeners.get(type(event), ()):
            await listener(ctx)

    async def _command(self, ctx: Ctx, event: CommandInvoked) -> None:
        spec = self.registry.get(event.name)
        if spec is None:
            await ctx.reply("error.unknown_command", name=event.name[:32])
            return
        if spec.scope == "group" and event.chat.is_private:
            await ctx.reply("error.group_only", name=spec.name)
            return
        if spec.needs_community and ctx.community is None:
            await ctx.reply("error.needs_group")
            return
        if spec.role == "organizer" and not ctx.is_organizer:
            await ctx.reply("error.organizers_only", name=spec.name)
            return
        if spec.role == "admin" and not ctx.is_admin:
            await ctx.reply("error.admins_only", name=spec.name)
            return
        await spec.handler(ctx, event.args.strip())

    async def _conversation(self, ctx: Ctx) -> None:
        if ctx.member is None:
            return
        convo = await ctx.session.scalar(
            select(Conversation).where(
                Conversation.member_id == ctx.member.id, Conversation.chat_id == ctx.event.chat.chat_id
            )
        )
        if convo is None:
            return
        if convo.expires_at <= ctx.now:
            await ctx.session.delete(convo)
            return
        handler = self.registry.conversations.get(convo.kind)
        if handler is not None:
            await handler(ctx)

    async def _answer(self, event: DomainEvent, toasts: list[str]) -> None:
        interaction = getattr(event, "interaction_id", None)
        adapter = self.adapters.get(event.platform)
        if not interaction or adapter is None:
            return
        try:
            await adapter.answer(interaction, "\n".join(toasts))
        except Exception:  # noqa: BLE001 - an unanswered button is cosmetic
            logger.warning("could not answer interaction on %s", event.platform, exc_info=True)
