"""Activity formats, following the event's type: code challenges (tasks, submissions, scores, winners), the
Q&A of sharing sessions and lectures, write-ups of discussions with a vote, and points over all of it.

Everything goes through the core: commands in the registry, scheduled posts as outbox rows planned with the
event (``planner.add_schedule``) and rendered when due, votes as buttons or the platform's native poll.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from bot.domain.events import MessageReceived
from bot.features.formats import challenge, points, qa, texts, writeups
from bot.features.formats.common import QA_KINDS
from bot.features.planner import add_schedule
from bot.registry import Registry
from bot.storage.models import Community, Event

_ = texts  # registers the strings
PLANNED = (
    "fmt_challenge_open", "fmt_challenge_close", "fmt_qa_open", "fmt_qa_end", "fmt_vote_open", "fmt_vote_close",
)  # fmt: skip


async def plan_rows(
    session: AsyncSession, event: Event, community: Community, config: Config
) -> list[tuple[str, str, datetime, dict]]:
    """The scheduled posts of the event's format (re-planned, moved and cancelled with the event)."""
    if event.kind == "challenge":
        return challenge.schedule(event)
    if event.kind in QA_KINDS:
        return qa.schedule(event)
    if event.kind == "discussion":
        return await writeups.schedule(session, event, config)
    return []


add_schedule(PLANNED, plan_rows)


def install(registry: Registry) -> None:
    for module in (challenge, qa, writeups, points):
        for spec in module.specs():
            registry.add(spec)
    registry.listen(MessageReceived, qa.on_message)
    registry.button("wvote", writeups.on_vote_button)
    registry.poll_kind(writeups.POLL_KIND, writeups.on_native_vote)
