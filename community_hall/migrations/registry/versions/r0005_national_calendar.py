"""Registry: the official holiday arrangements (放假安排) an operator imports with `hall calendar import`, and a
record of each import (the national days before and after it).

Revision ID: r0005
Revises: r0004
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "r0005"
down_revision = "r0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "national_days",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("is_workday", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(20), nullable=False),
    )
    op.create_index("ix_national_days_year", "national_days", ["year"])
    op.create_table(
        "national_years",
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
    )
    op.create_table(
        "national_imports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("years", sa.String(100), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
    )


def downgrade():
    op.drop_table("national_imports")
    op.drop_table("national_years")
    op.drop_index("ix_national_days_year", "national_days")
    op.drop_table("national_days")
