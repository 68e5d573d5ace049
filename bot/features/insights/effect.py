"""One event's effect as a plain data object: the analytics_event_effects row of a run, with the small-group
rules already applied, plus the distribution of its satisfaction ratings.

Every report (chat text, chart, Markdown) renders this object, so they show the same numbers and hide the
same ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.insights.common import MIN_GROUP
from bot.storage.models import Event, Member, Poll, PollVote
from bot.storage.results import AnalyticsRun, EventEffect

SCORES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class EventFigures:
    """What a report may show about one event.

    Counts of people who answered or came are shown as they are (as the announcement shows them); rates,
    satisfaction and lift are None when fewer than MIN_GROUP came, and satisfaction also when fewer than
    MIN_GROUP rated it."""

    id: int
    title: str
    starts_at: datetime
    rating: str  # excellent | good | fair | poor | upcoming
    going: int
    attended: int
    active_members: int
    participation_rate: float | None
    active_rate: float | None
    interaction_rate: float | None
    satisfaction_mean: float | None
    response_rate: float | None
    few_votes: bool  # rated, but by fewer than MIN_GROUP members: satisfaction is not shown
    predicted: float | None
    low: float | None
    high: float | None
    lift: float | None
    distribution: tuple[int, ...] | None = None  # how many rated 1..5; None under MIN_GROUP ratings

    @property
    def upcoming(self) -> bool:
        return self.rating == "upcoming"

    @property
    def small(self) -> bool:
        """Fewer than MIN_GROUP came: rates, satisfaction and lift are hidden."""
        return not self.upcoming and self.attended < MIN_GROUP


def figures_of(event: Event, eff: EventEffect, distribution: tuple[int, ...] | None = None) -> EventFigures:
    """The effect row with the small-group rules applied."""
    small = eff.rating != "upcoming" and eff.attended < MIN_GROUP
    voters = round((eff.response_rate or 0) * eff.attended)
    rated = not small and eff.satisfaction_mean is not None
    shown = rated and voters >= MIN_GROUP
    if small or distribution is None or sum(distribution) < MIN_GROUP:
        distribution = None
    return EventFigures(
        id=event.id,
        title=event.title,
        starts_at=event.starts_at,
        rating=eff.rating,
        going=eff.going,
        attended=eff.attended,
        active_members=eff.active_members,
        participation_rate=None if small else eff.participation_rate,
        active_rate=None if small else eff.active_rate,
        interaction_rate=None if small else eff.interaction_rate,
        satisfaction_mean=eff.satisfaction_mean if shown else None,
        response_rate=eff.response_rate if shown else None,
        few_votes=rated and not shown,
        predicted=eff.predicted_turnout,
        low=eff.turnout_low,
        high=eff.turnout_high,
        lift=None if small else eff.lift,
        distribution=distribution,
    )


async def rating_counts(session: AsyncSession, run: AnalyticsRun, event: Event) -> tuple[int, ...]:
    """How many members rated the event 1, 2, 3, 4 and 5 in its satisfaction poll, counted as the run
    counted them: votes cast before the run's window end, by members who did not opt out of analytics."""
    rows = await session.execute(
        select(PollVote.score, func.count())
        .join(Poll, Poll.id == PollVote.poll_id)
        .join(Member, Member.id == PollVote.member_id)
        .where(
            Poll.event_id == event.id,
            Poll.kind == "satisfaction",
            PollVote.voted_at < run.window_end,
            Member.community_id == event.community_id,
            Member.analytics_opt_out.is_(False),
        )
        .group_by(PollVote.score)
    )
    counts = {int(score): int(n) for score, n in rows.all()}
    return tuple(counts.get(s, 0) for s in SCORES)


async def compute_event(session: AsyncSession, run: AnalyticsRun, event: Event) -> EventFigures | None:
    """The event's figures in the run, or None when the run has no row for it."""
    eff = await session.scalar(
        select(EventEffect).where(EventEffect.run_id == run.id, EventEffect.event_id == event.id)
    )
    if eff is None:
        return None
    return figures_of(event, eff, await rating_counts(session, run, event))
