"""First-inquiry routing: inquiries, hops of matters between handlers, staff notifications.

Revision ID: c0012
Revises: c0011
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "c0012"
down_revision = "c0011"
branch_labels = None
depends_on = None


def upgrade():
    tz = sa.DateTime(timezone=True)
    op.create_table(
        "inquiries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("resident_name", sa.String(50), nullable=False),
        sa.Column("contact_phone", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("service_items.id", ondelete="SET NULL")),
        sa.Column("post_id", sa.Integer, sa.ForeignKey("posts.id", ondelete="SET NULL")),
        sa.Column("topic", sa.String(100), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("owner_user_id", sa.Integer, nullable=False),
        sa.Column("handler_user_id", sa.Integer, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="SET NULL")),
        sa.Column("created_at", tz, nullable=False),
        sa.Column("answer_due_at", tz, nullable=False),
        sa.Column("answered_at", tz),
        sa.Column("answered_by", sa.Integer),
    )
    op.create_index("ix_inquiries_owner_status", "inquiries", ["owner_user_id", "status"])
    op.create_index("ix_inquiries_handler_status", "inquiries", ["handler_user_id", "status"])
    op.create_table(
        "routing_hops",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("inquiry_id", sa.Integer, sa.ForeignKey("inquiries.id", ondelete="CASCADE")),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE")),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("from_user_id", sa.Integer),
        sa.Column("to_user_id", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("routed_user_id", sa.Integer),
        sa.Column("routed_reason", sa.String(20), nullable=False),
        sa.Column("created_at", tz, nullable=False),
        sa.Column("ack_due_at", tz),
        sa.Column("acknowledged_at", tz),
        sa.Column("escalated_at", tz),
    )
    op.create_index("ix_routing_hops_inquiry_id", "routing_hops", ["inquiry_id"])
    op.create_index("ix_routing_hops_ticket_id", "routing_hops", ["ticket_id"])
    op.create_index("ix_routing_hops_to_ack", "routing_hops", ["to_user_id", "acknowledged_at"])
    op.create_table(
        "staff_notifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("inquiry_id", sa.Integer, sa.ForeignKey("inquiries.id", ondelete="CASCADE")),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE")),
        sa.Column("created_at", tz, nullable=False),
        sa.Column("read_at", tz),
    )
    op.create_index("ix_staff_notifications_user_read", "staff_notifications", ["user_id", "read_at"])


def downgrade():
    op.drop_index("ix_staff_notifications_user_read", table_name="staff_notifications")
    op.drop_table("staff_notifications")
    op.drop_index("ix_routing_hops_to_ack", table_name="routing_hops")
    op.drop_index("ix_routing_hops_ticket_id", table_name="routing_hops")
    op.drop_index("ix_routing_hops_inquiry_id", table_name="routing_hops")
    op.drop_table("routing_hops")
    op.drop_index("ix_inquiries_handler_status", table_name="inquiries")
    op.drop_index("ix_inquiries_owner_status", table_name="inquiries")
    op.drop_table("inquiries")
