"""Volunteer activities and their sign-ups.

Revision ID: c0015
Revises: c0014
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "c0015"
down_revision = "c0014"
branch_labels = None
depends_on = None


def upgrade():
    tz = sa.DateTime(timezone=True)
    op.create_table(
        "activities",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("starts_at", tz, nullable=False),
        sa.Column("ends_at", tz, nullable=False),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("slots", sa.Integer, nullable=False),
        sa.Column("skills", sa.String(200), nullable=False),
        sa.Column("team_id", sa.Integer, sa.ForeignKey("volunteer_teams.id", ondelete="SET NULL")),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("organiser_user_id", sa.Integer, nullable=False),
        sa.Column("organiser_name", sa.String(50), nullable=False),
        sa.Column("created_at", tz, nullable=False),
        sa.Column("confirmed_at", tz),
        sa.Column("confirmed_by", sa.Integer),
    )
    op.create_index("ix_activities_starts_at", "activities", ["starts_at"])
    op.create_table(
        "activity_signups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("activity_id", sa.Integer, sa.ForeignKey("activities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("volunteer_id", sa.Integer, sa.ForeignKey("volunteers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("minutes", sa.Integer),
        sa.Column("movement_id", sa.Integer, sa.ForeignKey("ledger_movements.id"), unique=True),
        sa.Column("signed_up_at", tz, nullable=False),
        sa.Column("updated_at", tz, nullable=False),
        sa.UniqueConstraint("activity_id", "volunteer_id", name="uq_activity_signups"),
    )
    op.create_index("ix_activity_signups_volunteer_id", "activity_signups", ["volunteer_id"])


def downgrade():
    op.drop_index("ix_activity_signups_volunteer_id", "activity_signups")
    op.drop_table("activity_signups")
    op.drop_index("ix_activities_starts_at", "activities")
    op.drop_table("activities")
