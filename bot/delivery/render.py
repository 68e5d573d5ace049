"""Renderers turn an outbox row into a message at send time, from the current state.

Rendering late means an edited event, a changed language or a cancelled RSVP is
reflected in what goes out, and a row whose purpose has gone renders to None (skipped).
Features register one Renderer per delivery kind.

The relay renders a whole batch in one transaction: it loads the batch's events, communities and
members up front (so ``session.get`` finds them without a query), calls each kind's ``prefetch`` once
with that kind's rows, and renders read-only kinds without a savepoint. ``RenderCtx.memo`` lives for
one batch; a renderer may cache there what the other rows of the batch will ask for again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import instance_state

from bot.config import Config
from bot.domain.messages import OutMessage, SentRef
from bot.ports import Capabilities
from bot.storage.models import Delivery

T = TypeVar("T")


@dataclass(slots=True)
class OutboxRow:
    """A deliveries row as the relay read it: plain attributes, not an ORM object (cheaper to load and
    read in bulk). Renderers get one; ``after_sent`` and ``on_unreachable`` get the ORM ``Delivery``."""

    id: int
    dedupe_key: str
    platform: str
    community_id: int | None
    event_id: int | None
    member_id: int | None
    kind: str
    payload: dict[str, Any]
    due_at: datetime
    status: str
    attempts: int
    generation: int
    lease_until: datetime | None
    last_error: str | None
    sent_at: datetime | None
    platform_message_id: str | None
    created_at: datetime


@dataclass
class RenderCtx:
    """What a renderer may use."""

    session: AsyncSession
    config: Config
    now: datetime
    capabilities: Capabilities
    memo: dict[Any, Any] = field(default_factory=dict)  # shared by the rows of one batch

    async def get(self, model: type[T], ident: int | None) -> T | None:
        """``session.get`` that answers from the identity map without a trip through the async layer
        (the relay prefetched the batch's events, communities and members)."""
        if ident is None:
            return None
        found = self.session.identity_map.get((model, (ident,), None))  # our models: no inheritance
        if found is not None and not instance_state(found).expired_attributes:
            return found  # type: ignore[no-any-return]
        return await self.session.get(model, ident)


RenderFn = Callable[[RenderCtx, OutboxRow], Awaitable[OutMessage | None]]
AfterFn = Callable[[RenderCtx, Delivery, SentRef], Awaitable[None]]
FallbackFn = Callable[[RenderCtx, Delivery], Awaitable[None]]
PrefetchFn = Callable[[RenderCtx, Sequence[OutboxRow]], Awaitable[None]]


@dataclass(frozen=True)
class Renderer:
    """How one kind of delivery is rendered, and what happens once it is sent.

    ``read_only``: render only reads the database, so the relay need not wrap it in a savepoint to
    undo it when the chat turns out to be rate limited. Leave it False if render writes anything.
    ``prefetch``: called once per batch with the batch's rows of this kind, before any of them is
    rendered; it may load in bulk what render would otherwise query row by row (into ``rc.memo``).
    """

    render: RenderFn
    after_sent: AfterFn | None = None
    on_unreachable: FallbackFn | None = None
    read_only: bool = False
    prefetch: PrefetchFn | None = None


RENDERERS: dict[str, Renderer] = {}


def register(kind: str, renderer: Renderer) -> None:
    """Register the renderer of a delivery kind (once)."""
    if kind in RENDERERS:
        raise ValueError(f"renderer for {kind} registered twice")
    RENDERERS[kind] = renderer


async def _render_message(rc: RenderCtx, row: OutboxRow) -> OutMessage | None:
    return OutMessage.from_json(row.payload["message"])


register("message", Renderer(_render_message, read_only=True))
