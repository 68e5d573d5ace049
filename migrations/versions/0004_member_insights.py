"""member insights: the most active hour (personal reminder timing), recommendation opt-out

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch_op:
        batch_op.add_column(sa.Column("active_hour", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("recommend_opt_out", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("members") as batch_op:
        batch_op.drop_column("recommend_opt_out")
        batch_op.drop_column("active_hour")
