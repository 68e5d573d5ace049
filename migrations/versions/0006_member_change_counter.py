"""member change counter (SQLite only): what lets the batch path keep member rows between batches

Every UPDATE or DELETE of a member row, by any connection or process, adds one to
change_counters.n (name 'members'), through two triggers. bot.storage.bulk.MemberCache uses a
cached member row only while the counter still shows the value it was taken at. Not on
PostgreSQL: there, one counter row updated by every transaction that touches a member would
serialize concurrent writers (and could deadlock them); the batch path reads its members there.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Kept in step with bot.storage.bulk (COUNTER_TABLE, MEMBER_TRIGGERS); a test checks both.
TABLE = "change_counters"
TRIGGERS = {"members_update_counted": "UPDATE", "members_delete_counted": "DELETE"}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.create_table(
        TABLE,
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    op.execute(f"INSERT INTO {TABLE} (name, n) VALUES ('members', 0)")
    for name, action in TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {name} AFTER {action} ON members"
            f" BEGIN UPDATE {TABLE} SET n = n + 1 WHERE name = 'members'; END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table(TABLE)
