"""Complaints (投诉) and 办不成事反映: a kind on tickets and the complaints table.

Revision ID: c0008
Revises: c0007
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "c0008"
down_revision = "c0007"
branch_labels = None
depends_on = None


def upgrade():
    # Existing tickets are ordinary requests.
    op.add_column("tickets", sa.Column("kind", sa.String(20), nullable=False, server_default="request"))
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False,
                  unique=True),
        sa.Column("about", sa.String(20), nullable=False),
        sa.Column("about_item_id", sa.Integer, sa.ForeignKey("service_items.id", ondelete="SET NULL")),
        sa.Column("about_item_name", sa.String(100), nullable=False),
        sa.Column("about_ticket_number", sa.String(60), nullable=False),
        sa.Column("about_user_id", sa.Integer),
        sa.Column("about_name", sa.String(100), nullable=False),
        sa.Column("handler_level", sa.String(20), nullable=False),
        sa.Column("where_tried", sa.Text, nullable=False),
    )
    op.create_index("ix_complaints_handler_level", "complaints", ["handler_level"])


def downgrade():
    op.drop_index("ix_complaints_handler_level", table_name="complaints")
    op.drop_table("complaints")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("kind")
