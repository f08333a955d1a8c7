"""Home visits (上门服务) and the housebound flag on profiles.

Revision ID: c0007
Revises: c0006
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "c0007"
down_revision = "c0006"
branch_labels = None
depends_on = None


def upgrade():
    tz = sa.DateTime(timezone=True)
    with op.batch_alter_table("profiles") as batch:
        # The server default fills existing rows; the application always writes the value itself.
        batch.add_column(sa.Column("housebound", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_table(
        "home_visits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False,
                  unique=True),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("planned_day", sa.Date),
        sa.Column("building", sa.String(50), nullable=False),
        sa.Column("grid", sa.String(50), nullable=False),
        sa.Column("assignee_user_id", sa.Integer),
        sa.Column("assignee_name", sa.String(100), nullable=False),
        sa.Column("assigned_at", tz),
        sa.Column("assigned_by_user_id", sa.Integer),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("outcome_note", sa.Text, nullable=False),
        sa.Column("visited_at", tz),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_at", tz, nullable=False),
    )
    op.create_index("ix_home_visits_day", "home_visits", ["planned_day", "assignee_user_id"])


def downgrade():
    op.drop_index("ix_home_visits_day", "home_visits")
    op.drop_table("home_visits")
    with op.batch_alter_table("profiles") as batch:
        batch.drop_column("housebound")
