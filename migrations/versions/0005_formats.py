"""formats: challenges, Q&A questions, write-ups and their votes

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "challenge_prizes",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("place", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_challenge_prizes_event_id_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("event_id", "place", name=op.f("pk_challenge_prizes")),
    )
    op.create_table(
        "challenge_scores",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("scored_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("scored_at", bot.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_challenge_scores_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_challenge_scores_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scored_by"],
            ["members.id"],
            name=op.f("fk_challenge_scores_scored_by_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_scores")),
        sa.UniqueConstraint("event_id", "member_id", name=op.f("uq_challenge_scores_event_id_member_id")),
    )
    with op.batch_alter_table("challenge_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_challenge_scores_member_id"), ["member_id"], unique=False)

    op.create_table(
        "challenge_tasks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", bot.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_challenge_tasks_event_id_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_tasks")),
        sa.UniqueConstraint("event_id", "number", name=op.f("uq_challenge_tasks_event_id_number")),
    )
    op.create_table(
        "challenge_winners",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("place", sa.Integer(), nullable=False),
        sa.Column("announced_at", bot.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_challenge_winners_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_challenge_winners_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_winners")),
        sa.UniqueConstraint("event_id", "member_id", name=op.f("uq_challenge_winners_event_id_member_id")),
        sa.UniqueConstraint("event_id", "place", name=op.f("uq_challenge_winners_event_id_place")),
    )
    with op.batch_alter_table("challenge_winners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_challenge_winners_member_id"), ["member_id"], unique=False)

    op.create_table(
        "event_formats",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("speaker_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("results_at", bot.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("writeup_deadline", bot.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("vote_writeups", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_event_formats_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["members.id"],
            name=op.f("fk_event_formats_speaker_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_event_formats")),
    )
    op.create_table(
        "qa_questions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("asked_at", bot.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", bot.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("best", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["answered_by"],
            ["members.id"],
            name=op.f("fk_qa_questions_answered_by_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_qa_questions_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_qa_questions_member_id_members"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_questions")),
        sa.UniqueConstraint("event_id", "number", name=op.f("uq_qa_questions_event_id_number")),
    )
    with op.batch_alter_table("qa_questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qa_questions_member_id"), ["member_id"], unique=False)

    op.create_table(
        "writeups",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("submitted_at", bot.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", bot.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_writeups_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_writeups_member_id_members"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_writeups")),
        sa.UniqueConstraint("event_id", "member_id", name=op.f("uq_writeups_event_id_member_id")),
    )
    with op.batch_alter_table("writeups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_writeups_member_id"), ["member_id"], unique=False)

    op.create_table(
        "challenge_submissions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("task_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("submitted_at", bot.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", bot.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_challenge_submissions_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_challenge_submissions_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["challenge_tasks.id"],
            name=op.f("fk_challenge_submissions_task_id_challenge_tasks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_submissions")),
        sa.UniqueConstraint("task_id", "member_id", name=op.f("uq_challenge_submissions_task_id_member_id")),
    )
    with op.batch_alter_table("challenge_submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_challenge_submissions_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_challenge_submissions_member_id"), ["member_id"], unique=False)

    op.create_table(
        "writeup_votes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("writeup_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("voted_at", bot.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_writeup_votes_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_writeup_votes_member_id_members"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["writeup_id"],
            ["writeups.id"],
            name=op.f("fk_writeup_votes_writeup_id_writeups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_writeup_votes")),
        sa.UniqueConstraint("event_id", "member_id", name=op.f("uq_writeup_votes_event_id_member_id")),
    )
    with op.batch_alter_table("writeup_votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_writeup_votes_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_writeup_votes_writeup_id"), ["writeup_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("writeup_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_writeup_votes_writeup_id"))
        batch_op.drop_index(batch_op.f("ix_writeup_votes_member_id"))

    op.drop_table("writeup_votes")
    with op.batch_alter_table("challenge_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_challenge_submissions_member_id"))
        batch_op.drop_index(batch_op.f("ix_challenge_submissions_event_id"))

    op.drop_table("challenge_submissions")
    with op.batch_alter_table("writeups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_writeups_member_id"))

    op.drop_table("writeups")
    with op.batch_alter_table("qa_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_questions_member_id"))

    op.drop_table("qa_questions")
    op.drop_table("event_formats")
    with op.batch_alter_table("challenge_winners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_challenge_winners_member_id"))

    op.drop_table("challenge_winners")
    op.drop_table("challenge_tasks")
    with op.batch_alter_table("challenge_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_challenge_scores_member_id"))

    op.drop_table("challenge_scores")
    op.drop_table("challenge_prizes")
