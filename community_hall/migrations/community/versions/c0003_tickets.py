"""Tickets, their timeline, daily number counters and local calendar overrides.

Revision ID: c0003
Revises: c0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "c0003"
down_revision = "c0002"
branch_labels = None
depends_on = None


def upgrade():
    tz = sa.DateTime(timezone=True)
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String(60), nullable=False, unique=True),
        sa.Column("day", sa.String(8), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("service_items.id", ondelete="SET NULL")),
        sa.Column("item_code", sa.String(20), nullable=False),
        sa.Column("item_name", sa.String(100), nullable=False),
        sa.Column("post_id", sa.Integer, sa.ForeignKey("posts.id", ondelete="SET NULL")),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("resident_user_id", sa.Integer),
        sa.Column("resident_name", sa.String(50), nullable=False),
        sa.Column("resident_phone", sa.String(20), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("aged_70", sa.Boolean, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("pregnant", sa.Boolean, nullable=False),
        sa.Column("urgent", sa.Boolean, nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("home_address", sa.String(200), nullable=False),
        sa.Column("proxy_name", sa.String(50), nullable=False),
        sa.Column("proxy_relation", sa.String(50), nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("materials_checked", sa.Text, nullable=False),
        sa.Column("missing_materials", sa.Text, nullable=False),
        sa.Column("handler_user_id", sa.Integer),
        sa.Column("submitted_at", tz, nullable=False),
        sa.Column("accepted_at", tz),
        sa.Column("due_at", tz),
        sa.Column("returned_at", tz),
        sa.Column("paused_workdays", sa.Integer, nullable=False),
        sa.Column("finished_at", tz),
        sa.Column("reply", sa.Text, nullable=False),
        sa.Column("decline_reason", sa.Text, nullable=False),
        sa.Column("visits", sa.Integer, nullable=False),
        sa.Column("idem_key", sa.String(64), unique=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", tz, nullable=False),
        sa.UniqueConstraint("day", "seq", name="uq_tickets_day_seq"),
    )
    op.create_index("ix_tickets_queue", "tickets", ["status", "priority", "due_at"])
    op.create_index("ix_tickets_resident", "tickets", ["resident_user_id", "submitted_at"])
    op.create_index("ix_tickets_submitted", "tickets", ["submitted_at"])
    op.create_table(
        "ticket_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", tz, nullable=False),
        sa.Column("actor_user_id", sa.Integer),
        sa.Column("actor_name", sa.String(100), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=False),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    op.create_index("ix_ticket_events_ticket_id", "ticket_events", ["ticket_id"])
    op.create_table(
        "ticket_counters",
        sa.Column("day", sa.String(8), primary_key=True),
        sa.Column("last", sa.Integer, nullable=False),
    )
    op.create_table(
        "calendar_overrides",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("is_workday", sa.Boolean, nullable=False),
        sa.Column("note", sa.String(100), nullable=False),
    )


def downgrade():
    op.drop_table("calendar_overrides")
    op.drop_table("ticket_counters")
    op.drop_index("ix_ticket_events_ticket_id", "ticket_events")
    op.drop_table("ticket_events")
    op.drop_index("ix_tickets_submitted", "tickets")
    op.drop_index("ix_tickets_resident", "tickets")
    op.drop_index("ix_tickets_queue", "tickets")
    op.drop_table("tickets")
