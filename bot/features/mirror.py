"""Mirroring events into a platform's native events (Discord Scheduled Events), where it has them.

One outbox row per event, re-armed on every change; the native event's id is the row's
platform_message_id, so later changes update it. A failure there never touches our event.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import i18n
from bot.delivery import outbox
from bot.delivery.render import OutboxRow, RenderCtx, Renderer, register
from bot.domain.messages import EventMirror, OutMessage, Target
from bot.features.common import event_tags, kind_label
from bot.storage.models import Community, Event

i18n.register(
    {
        "mirror.description": {
            "en": "{kind}{tags} · gatherbot #{id} — answer in the chat to get reminders",
            "zh": "{kind}{tags} · gatherbot #{id} — 在群里报名即可收到提醒",
        },
    }
)


async def mirror_event(session: AsyncSession, event: Event, community: Community, now: datetime) -> None:
    """Queue a create/update of the event's native twin (a no-op on platforms without one)."""
    await outbox.rearm(
        session, key=f"mirror:{event.id}", platform=community.platform, kind="event_mirror", due_at=now,
        now=now, community_id=community.id, event_id=event.id,
    )  # fmt: skip


async def render_mirror(rc: RenderCtx, row: OutboxRow) -> OutMessage | None:
    if not rc.capabilities.scheduled_events:
        return None
    event = await rc.session.get(Event, row.event_id)
    community = await rc.session.get(Community, row.community_id)
    if event is None or community is None:
        return None
    if event.status == "cancelled" and row.platform_message_id is None:
        return None  # never mirrored: nothing to cancel
    tags = await event_tags(rc.session, event.id)
    lang = community.locale
    description = i18n.t(
        lang, "mirror.description", kind=kind_label(event.kind, lang), id=event.id,
        tags=(" · " + " ".join("#" + t for t in tags)) if tags else "",
    )  # fmt: skip
    mirror = EventMirror(
        event_id=event.id,
        title=event.title,
        description=description,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        place=event.place,
        cancelled=event.status == "cancelled",
        external_id=row.platform_message_id,
    )
    return OutMessage(Target(community.platform, community.chat_id, False, "group"), "", mirror=mirror)


register("event_mirror", Renderer(render_mirror, read_only=True))
