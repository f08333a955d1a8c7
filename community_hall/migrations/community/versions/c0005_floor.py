"""Hall floor: service windows, queue numbers and their daily counters.

Revision ID: c0005
Revises: c0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "c0005"
down_revision = "c0004"
branch_labels = None
depends_on = None


def upgrade():
    tz = sa.DateTime(timezone=True)
    op.create_table(
        "service_windows",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("prefix", sa.String(2), nullable=False, unique=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("serves", sa.String(200), nullable=False),
        sa.Column("post_id", sa.Integer, sa.ForeignKey("posts.id", ondelete="SET NULL")),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_table(
        "queue_numbers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token", sa.String(32), nullable=False, unique=True),
        sa.Column("day", sa.String(8), nullable=False),
        sa.Column("issued_window_id", sa.Integer, sa.ForeignKey("service_windows.id"), nullable=False),
        sa.Column("window_id", sa.Integer, sa.ForeignKey("service_windows.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("priority", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("issued_at", tz, nullable=False),
        sa.Column("called_at", tz),
        sa.Column("call_count", sa.Integer, nullable=False),
        sa.Column("served_at", tz),
        sa.Column("finished_at", tz),
        sa.Column("staff_user_id", sa.Integer),
        sa.Column("staff_name", sa.String(100), nullable=False),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="SET NULL")),
        sa.UniqueConstraint("day", "issued_window_id", "seq", name="uq_queue_numbers_day_window_seq"),
    )
    op.create_index("ix_queue_numbers_waiting", "queue_numbers", ["day", "window_id", "status", "issued_at"])
    op.create_table(
        "queue_counters",
        sa.Column("day", sa.String(8), primary_key=True),
        sa.Column("window_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last", sa.Integer, nullable=False),
    )


def downgrade():
    op.drop_table("queue_counters")
    op.drop_index("ix_queue_numbers_waiting", "queue_numbers")
    op.drop_table("queue_numbers")
    op.drop_table("service_windows")
