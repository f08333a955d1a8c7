"""Time bank hours ledger: accounts, movements, entries.

Revision ID: c0013
Revises: c0012
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "c0013"
down_revision = "c0012"
branch_labels = None
depends_on = None


def upgrade():
    tz = sa.DateTime(timezone=True)
    op.create_table(
        "ledger_accounts",
        sa.Column("account", sa.String(40), primary_key=True),
        sa.Column("user_id", sa.Integer),
        sa.Column("overdraft_minutes", sa.Integer, nullable=False),
        sa.Column("created_at", tz, nullable=False),
    )
    op.create_table(
        "ledger_movements",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("idem_key", sa.String(100), nullable=False, unique=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("reference", sa.String(40), nullable=False),
        sa.Column("actor_user_id", sa.Integer),
        sa.Column("actor_name", sa.String(50), nullable=False),
        sa.Column("reverses_movement_id", sa.Integer, sa.ForeignKey("ledger_movements.id"), unique=True),
        sa.Column("created_at", tz, nullable=False),
    )
    op.create_index("ix_ledger_movements_created_at", "ledger_movements", ["created_at"])
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("movement_id", sa.Integer, sa.ForeignKey("ledger_movements.id"), nullable=False),
        sa.Column("account", sa.String(40), sa.ForeignKey("ledger_accounts.account"), nullable=False),
        sa.Column("amount", sa.Integer, nullable=False),
    )
    op.create_index("ix_ledger_entries_movement_id", "ledger_entries", ["movement_id"])
    op.create_index("ix_ledger_entries_account", "ledger_entries", ["account"])
    op.create_table(
        "ledger_transfers",
        sa.Column("transfer_id", sa.String(36), primary_key=True),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("other_community", sa.String(40), nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("movement_id", sa.Integer, sa.ForeignKey("ledger_movements.id")),
        sa.Column("created_at", tz, nullable=False),
        sa.Column("updated_at", tz, nullable=False),
    )
    op.create_index("ix_ledger_transfers_state", "ledger_transfers", ["state"])


def downgrade():
    op.drop_index("ix_ledger_transfers_state", "ledger_transfers")
    op.drop_table("ledger_transfers")
    op.drop_table("ledger_entries")
    op.drop_index("ix_ledger_movements_created_at", "ledger_movements")
    op.drop_table("ledger_movements")
    op.drop_table("ledger_accounts")
