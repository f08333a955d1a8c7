"""Registry: user_sessions, one row per sign-in, so sign-out, idle time and lifetime end a session on the server.

Revision ID: r0006
Revises: r0005
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "r0006"
down_revision = "r0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("privileged", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_user_sessions_user", "user_sessions", ["user_id"])


def downgrade():
    op.drop_index("ix_user_sessions_user", "user_sessions")
    op.drop_table("user_sessions")
