"""Rosters: A and B holders on posts, shifts, leave, outreach and shift swaps.

Revision ID: c0009
Revises: c0008
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "c0009"
down_revision = "c0008"
branch_labels = None
depends_on = None


def upgrade():
    tz = sa.DateTime(timezone=True)
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("a_holder_id", sa.Integer))
        batch.add_column(sa.Column("b_holder_id", sa.Integer))
    op.create_table(
        "shifts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("start", sa.String(5), nullable=False),
        sa.Column("end", sa.String(5), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("published", sa.Boolean, nullable=False),
        sa.Column("created_at", tz, nullable=False),
    )
    op.create_index("ix_shifts_day_user", "shifts", ["day", "user_id"])
    op.create_table(
        "leave",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("first_day", sa.Date, nullable=False),
        sa.Column("last_day", sa.Date, nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("decided_by", sa.Integer),
        sa.Column("decided_at", tz),
        sa.Column("decision_note", sa.Text, nullable=False),
        sa.Column("created_at", tz, nullable=False),
    )
    op.create_index("ix_leave_user_days", "leave", ["user_id", "first_day", "last_day"])
    op.create_table(
        "outreach",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("starts_at", tz, nullable=False),
        sa.Column("ends_at", tz, nullable=False),
        sa.Column("note", sa.String(200), nullable=False),
        sa.Column("created_at", tz, nullable=False),
    )
    op.create_index("ix_outreach_user_start", "outreach", ["user_id", "starts_at"])
    op.create_table(
        "shift_swaps",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("shift_id", sa.Integer, sa.ForeignKey("shifts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("from_user_id", sa.Integer, nullable=False),
        sa.Column("to_user_id", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("decided_by", sa.Integer),
        sa.Column("decided_at", tz),
        sa.Column("created_at", tz, nullable=False),
    )
    op.create_index("ix_shift_swaps_shift_id", "shift_swaps", ["shift_id"])


def downgrade():
    op.drop_index("ix_shift_swaps_shift_id", "shift_swaps")
    op.drop_table("shift_swaps")
    op.drop_index("ix_outreach_user_start", "outreach")
    op.drop_table("outreach")
    op.drop_index("ix_leave_user_days", "leave")
    op.drop_table("leave")
    op.drop_index("ix_shifts_day_user", "shifts")
    op.drop_table("shifts")
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("b_holder_id")
        batch.drop_column("a_holder_id")
