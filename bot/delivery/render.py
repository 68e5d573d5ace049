"""Renderers turn an outbox row into a message at send time, from the current state.

Rendering late means an edited event, a changed language or a cancelled RSVP is
reflected in what goes out, and a row whose purpose has gone renders to None (skipped).
Features register one Renderer per delivery kind.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from bot.domain.messages import OutMessage, SentRef
from bot.ports import Capabilities
from bot.storage.models import Delivery


@dataclass
class RenderCtx:
    """What a renderer may use."""

    session: AsyncSession
    config: Config
    now: datetime
    capabilities: Capabilities


RenderFn = Callable[[RenderCtx, Delivery], Awaitable[OutMessage | None]]
AfterFn = Callable[[RenderCtx, Delivery, SentRef], Awaitable[None]]
FallbackFn = Callable[[RenderCtx, Delivery], Awaitable[None]]


@dataclass(frozen=True)
class Renderer:
    """How one kind of delivery is rendered, and what happens once it is sent."""

    render: RenderFn
    after_sent: AfterFn | None = None
    on_unreachable: FallbackFn | None = None


RENDERERS: dict[str, Renderer] = {}


def register(kind: str, renderer: Renderer) -> None:
    """Register the renderer of a delivery kind (once)."""
    if kind in RENDERERS:
        raise ValueError(f"renderer for {kind} registered twice")
    RENDERERS[kind] = renderer


async def _render_message(rc: RenderCtx, row: Delivery) -> OutMessage | None:
    return OutMessage.from_json(row.payload["message"])


register("message", Renderer(_render_message))
