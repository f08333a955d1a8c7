"""Indexes for the disclosure figures (tickets by kind and period).

Revision ID: c0019
Revises: c0018
Create Date: 2026-11-23
"""

from alembic import op

revision = "c0019"
down_revision = "c0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_tickets_kind_submitted", "tickets", ["kind", "submitted_at"])
    op.create_index("ix_tickets_kind_status_finished", "tickets", ["kind", "status", "finished_at"])


def downgrade():
    op.drop_index("ix_tickets_kind_status_finished", table_name="tickets")
    op.drop_index("ix_tickets_kind_submitted", table_name="tickets")
