"""Results tables written by the analytics job and read by chat commands (one set of rows per run).

Every row that names a member or an event cascades on its deletion, so deleting a member's data
also deletes what analytics derived about them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, Id
from bot.storage.types import UTCDateTime


class AnalyticsRun(Base):
    """One analytics run over one community: its window, parameters and summary metrics."""

    __tablename__ = "analytics_runs"
    __table_args__ = (Index("ix_analytics_runs_community_finished", "community_id", "finished_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="ok")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    seed: Mapped[int] = mapped_column(Integer)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SegmentProfile(Base):
    """A segment found by a run: its readable name, size and mean of each feature."""

    __tablename__ = "analytics_segments"
    __table_args__ = (UniqueConstraint("run_id", "segment"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analytics_runs.id", ondelete="CASCADE"), index=True)
    segment: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class MemberSegment(Base):
    """Which segment a member was put in by a run."""

    __tablename__ = "analytics_member_segments"

    run_id: Mapped[int] = mapped_column(ForeignKey("analytics_runs.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    segment: Mapped[int] = mapped_column(Integer)


class EventEffect(Base):
    """How an event went: participation, interaction, satisfaction, rating, predicted turnout, lift."""

    __tablename__ = "analytics_event_effects"

    run_id: Mapped[int] = mapped_column(ForeignKey("analytics_runs.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    going: Mapped[int] = mapped_column(Integer)
    attended: Mapped[int] = mapped_column(Integer)
    active_members: Mapped[int] = mapped_column(Integer)
    participation_rate: Mapped[float | None] = mapped_column(Float, nullable=True)
    active_rate: Mapped[float | None] = mapped_column(Float, nullable=True)
    interaction_rate: Mapped[float | None] = mapped_column(Float, nullable=True)
    satisfaction_mean: Mapped[float | None] = mapped_column(Float, nullable=True)
    response_rate: Mapped[float | None] = mapped_column(Float, nullable=True)
    rating: Mapped[str] = mapped_column(String(16))
    predicted_turnout: Mapped[float | None] = mapped_column(Float, nullable=True)
    turnout_low: Mapped[float | None] = mapped_column(Float, nullable=True)
    turnout_high: Mapped[float | None] = mapped_column(Float, nullable=True)
    lift: Mapped[float | None] = mapped_column(Float, nullable=True)


class Recommendation(Base):
    """An event suggested to a member (upcoming, or a past session's replay), with a short reason."""

    __tablename__ = "analytics_recommendations"
    __table_args__ = (Index("ix_analytics_recommendations_run_member", "run_id", "member_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analytics_runs.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # upcoming | replay
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(String(200))


class TopicTrend(Base):
    """Demand for a topic in one week: messages on it, events, RSVPs and attendance."""

    __tablename__ = "analytics_topic_trends"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analytics_runs.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(String(64))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    messages: Mapped[int] = mapped_column(Integer, default=0)
    events: Mapped[int] = mapped_column(Integer, default=0)
    rsvps: Mapped[int] = mapped_column(Integer, default=0)
    attended: Mapped[int] = mapped_column(Integer, default=0)
