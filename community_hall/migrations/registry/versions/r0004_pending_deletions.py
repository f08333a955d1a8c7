"""Registry: users.deleting_since, set while an account's deletion is carried out community by community, so a
deletion cut short (a crash, a community unreachable) is finished later by `hall retention-sweep`.

Revision ID: r0004
Revises: r0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "r0004"
down_revision = "r0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("deleting_since", sa.DateTime(timezone=True)))


def downgrade():
    # Not batch: recreating users on SQLite would drop it, and its memberships with it (ON DELETE CASCADE).
    op.drop_column("users", "deleting_since")
