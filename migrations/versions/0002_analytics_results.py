"""analytics results: runs, segments, member segments, event effects, recommendations, topic trends

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analytics_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("community_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", bot.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", bot.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("window_start", bot.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("window_end", bot.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_analytics_runs_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_runs")),
    )
    with op.batch_alter_table("analytics_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_analytics_runs_community_finished", ["community_id", "finished_at"], unique=False
        )

    op.create_table(
        "analytics_member_segments",
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("segment", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_analytics_member_segments_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["analytics_runs.id"],
            name=op.f("fk_analytics_member_segments_run_id_analytics_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "member_id", name=op.f("pk_analytics_member_segments")),
    )
    with op.batch_alter_table("analytics_member_segments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_member_segments_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "analytics_segments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("segment", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["analytics_runs.id"],
            name=op.f("fk_analytics_segments_run_id_analytics_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_segments")),
        sa.UniqueConstraint("run_id", "segment", name=op.f("uq_analytics_segments_run_id_segment")),
    )
    with op.batch_alter_table("analytics_segments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_analytics_segments_run_id"), ["run_id"], unique=False)

    op.create_table(
        "analytics_topic_trends",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("period_start", bot.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("rsvps", sa.Integer(), nullable=False),
        sa.Column("attended", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["analytics_runs.id"],
            name=op.f("fk_analytics_topic_trends_run_id_analytics_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_topic_trends")),
    )
    with op.batch_alter_table("analytics_topic_trends", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_analytics_topic_trends_run_id"), ["run_id"], unique=False)

    op.create_table(
        "analytics_event_effects",
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("going", sa.Integer(), nullable=False),
        sa.Column("attended", sa.Integer(), nullable=False),
        sa.Column("active_members", sa.Integer(), nullable=False),
        sa.Column("participation_rate", sa.Float(), nullable=True),
        sa.Column("active_rate", sa.Float(), nullable=True),
        sa.Column("interaction_rate", sa.Float(), nullable=True),
        sa.Column("satisfaction_mean", sa.Float(), nullable=True),
        sa.Column("response_rate", sa.Float(), nullable=True),
        sa.Column("rating", sa.String(length=16), nullable=False),
        sa.Column("predicted_turnout", sa.Float(), nullable=True),
        sa.Column("turnout_low", sa.Float(), nullable=True),
        sa.Column("turnout_high", sa.Float(), nullable=True),
        sa.Column("lift", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_analytics_event_effects_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["analytics_runs.id"],
            name=op.f("fk_analytics_event_effects_run_id_analytics_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "event_id", name=op.f("pk_analytics_event_effects")),
    )
    with op.batch_alter_table("analytics_event_effects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_analytics_event_effects_event_id"), ["event_id"], unique=False)

    op.create_table(
        "analytics_recommendations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_analytics_recommendations_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_analytics_recommendations_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["analytics_runs.id"],
            name=op.f("fk_analytics_recommendations_run_id_analytics_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_recommendations")),
    )
    with op.batch_alter_table("analytics_recommendations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_analytics_recommendations_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_analytics_recommendations_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            "ix_analytics_recommendations_run_member", ["run_id", "member_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("analytics_recommendations", schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_recommendations_run_member")
        batch_op.drop_index(batch_op.f("ix_analytics_recommendations_member_id"))
        batch_op.drop_index(batch_op.f("ix_analytics_recommendations_event_id"))

    op.drop_table("analytics_recommendations")
    with op.batch_alter_table("analytics_event_effects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_event_effects_event_id"))

    op.drop_table("analytics_event_effects")
    with op.batch_alter_table("analytics_topic_trends", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_topic_trends_run_id"))

    op.drop_table("analytics_topic_trends")
    with op.batch_alter_table("analytics_segments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_segments_run_id"))

    op.drop_table("analytics_segments")
    with op.batch_alter_table("analytics_member_segments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_member_segments_member_id"))

    op.drop_table("analytics_member_segments")
    with op.batch_alter_table("analytics_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_runs_community_finished")

    op.drop_table("analytics_runs")
