"""Retention periods of personal details per kind of record (保存期限).

Revision ID: c0022
Revises: c0021
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "c0022"
down_revision = "c0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "retention_settings",
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("months", sa.Integer, nullable=False),
        sa.Column("updated_by", sa.Integer),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("retention_settings")
