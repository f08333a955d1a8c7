"""Calendar tokens: the secret key of each member of staff's iCal feed.

Revision ID: c0011
Revises: c0009
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "c0011"
down_revision = "c0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "calendar_tokens",
        sa.Column("user_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("calendar_tokens")
