"""Orders for volunteer services with their timeline, family payment grants, pool eligibility.

Revision ID: c0016
Revises: c0015
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "c0016"
down_revision = "c0015"
branch_labels = None
depends_on = None


def upgrade():
    tz = sa.DateTime(timezone=True)
    op.create_table(
        "family_grants",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("grantor_user_id", sa.Integer, nullable=False),
        sa.Column("grantor_name", sa.String(50), nullable=False),
        sa.Column("grantee_user_id", sa.Integer, nullable=False),
        sa.Column("grantee_name", sa.String(50), nullable=False),
        sa.Column("relation", sa.String(10), nullable=False),
        sa.Column("monthly_cap_minutes", sa.Integer),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", tz, nullable=False),
        sa.Column("revoked_at", tz),
    )
    op.create_index("ix_family_grants_pair", "family_grants", ["grantee_user_id", "grantor_user_id", "active"])
    op.create_table(
        "pool_eligible",
        sa.Column("user_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("marked_by_user_id", sa.Integer),
        sa.Column("marked_at", tz, nullable=False),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("service_items.id", ondelete="SET NULL")),
        sa.Column("item_name", sa.String(100), nullable=False),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="SET NULL")),
        sa.Column("resident_user_id", sa.Integer, nullable=False),
        sa.Column("resident_name", sa.String(50), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("wanted_day", sa.Date, nullable=False),
        sa.Column("wanted_part", sa.String(3), nullable=False),
        sa.Column("by_proxy", sa.Boolean, nullable=False),
        sa.Column("placed_by_user_id", sa.Integer, nullable=False),
        sa.Column("placed_by_name", sa.String(50), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("on_board", sa.Boolean, nullable=False),
        sa.Column("volunteer_id", sa.Integer, sa.ForeignKey("volunteers.id", ondelete="SET NULL")),
        sa.Column("minutes", sa.Integer),
        sa.Column("done_note", sa.Text, nullable=False),
        sa.Column("rating", sa.Integer),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("rated_on_behalf", sa.Boolean, nullable=False),
        sa.Column("pay_source", sa.String(10), nullable=False),
        sa.Column("payer_user_id", sa.Integer),
        sa.Column("grant_id", sa.Integer, sa.ForeignKey("family_grants.id", ondelete="SET NULL")),
        sa.Column("pay_movement_id", sa.Integer),
        sa.Column("credit_movement_id", sa.Integer),
        sa.Column("created_at", tz, nullable=False),
        sa.Column("confirmed_at", tz),
        sa.Column("request_key", sa.String(36), unique=True),
    )
    op.create_index("ix_orders_status", "orders", ["status", "on_board"])
    op.create_index("ix_orders_resident", "orders", ["resident_user_id"])
    op.create_index("ix_orders_ticket_id", "orders", ["ticket_id"])
    op.create_table(
        "order_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", tz, nullable=False),
        sa.Column("actor_user_id", sa.Integer),
        sa.Column("actor_name", sa.String(50), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    op.create_index("ix_order_events_order_id", "order_events", ["order_id"])


def downgrade():
    op.drop_index("ix_order_events_order_id", "order_events")
    op.drop_table("order_events")
    op.drop_index("ix_orders_ticket_id", "orders")
    op.drop_index("ix_orders_resident", "orders")
    op.drop_index("ix_orders_status", "orders")
    op.drop_table("orders")
    op.drop_table("pool_eligible")
    op.drop_index("ix_family_grants_pair", "family_grants")
    op.drop_table("family_grants")
