"""Write counts per table, which key the cached pages (pagecache.py).

Revision ID: c0020
Revises: c0019
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "c0020"
down_revision = "c0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "cache_stamps",
        sa.Column("tag", sa.String(60), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )


def downgrade():
    op.drop_table("cache_stamps")
