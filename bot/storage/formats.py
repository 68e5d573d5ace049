"""Tables of the activity formats: code challenges, Q&A of sharing sessions, discussion write-ups.

Each row is a fact of its own (a task, a submission, a question, a write-up, a vote), written once by a
command and never summed into a counter: points are computed from these rows and the check-ins
(``bot.features.formats.points``). Rows about a member cascade on the member's deletion; references to
who marked or scored something are set to NULL instead.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, Id
from bot.storage.types import UTCDateTime


class EventFormat(Base):
    """Per-event settings of a format: the Q&A speaker, when a challenge's results went out, the write-up
    deadline, the order of the write-ups in the vote."""

    __tablename__ = "event_formats"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    speaker_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), nullable=True
    )
    results_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    writeup_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # None: the default
    vote_writeups: Mapped[list[int] | None] = mapped_column(JSON, nullable=True)  # write-up ids, option order


class ChallengeTask(Base):
    """A task of a code challenge, numbered 1, 2, … within its event."""

    __tablename__ = "challenge_tasks"
    __table_args__ = (UniqueConstraint("event_id", "number"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChallengePrize(Base):
    """What the winner of a place gets (text set by an organizer)."""

    __tablename__ = "challenge_prizes"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    place: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(String(200))


class Submission(Base):
    """A member's solution to one task (a link or text); submitting again replaces it."""

    __tablename__ = "challenge_submissions"
    __table_args__ = (UniqueConstraint("task_id", "member_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("challenge_tasks.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    content: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChallengeScore(Base):
    """An organizer's score of a member in a challenge (scoring again replaces it)."""

    __tablename__ = "challenge_scores"
    __table_args__ = (UniqueConstraint("event_id", "member_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    points: Mapped[int] = mapped_column(Integer)
    scored_by: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), nullable=True
    )
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChallengeWinner(Base):
    """A winner of a challenge and their place, fixed when the results are announced."""

    __tablename__ = "challenge_winners"
    __table_args__ = (UniqueConstraint("event_id", "member_id"), UniqueConstraint("event_id", "place"))

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    place: Mapped[int] = mapped_column(Integer)
    announced_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Question(Base):
    """A question to the speaker of a sharing session or lecture, numbered 1, 2, … within its event."""

    __tablename__ = "qa_questions"
    __table_args__ = (UniqueConstraint("event_id", "number"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16))  # command | reply
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_by: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), nullable=True
    )  # a member credited with the answer (None: the speaker answered, or nobody yet)
    best: Mapped[bool] = mapped_column(Boolean, default=False)


class Writeup(Base):
    """A member's write-up (a link) after a discussion; submitting again replaces the link."""

    __tablename__ = "writeups"
    __table_args__ = (UniqueConstraint("event_id", "member_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    link: Mapped[str] = mapped_column(String(500))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WriteupVote(Base):
    """One member's vote for the best write-up of a discussion: one per member and event."""

    __tablename__ = "writeup_votes"
    __table_args__ = (UniqueConstraint("event_id", "member_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    writeup_id: Mapped[int] = mapped_column(ForeignKey("writeups.id", ondelete="CASCADE"), index=True)
    voted_at: Mapped[datetime] = mapped_column(UTCDateTime)
