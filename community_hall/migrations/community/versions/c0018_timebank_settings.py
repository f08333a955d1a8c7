"""Time bank settings of a community (star thresholds).

Revision ID: c0018
Revises: c0017
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "c0018"
down_revision = "c0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "timebank_settings",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("updated_by", sa.Integer),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("timebank_settings")
