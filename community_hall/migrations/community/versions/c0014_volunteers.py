"""Volunteers: applications and numbers, their counter, teams and team members.

Revision ID: c0014
Revises: c0013
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "c0014"
down_revision = "c0013"
branch_labels = None
depends_on = None


def upgrade():
    tz = sa.DateTime(timezone=True)
    op.create_table(
        "volunteers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("real_name", sa.String(50), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("skills", sa.String(200), nullable=False),
        sa.Column("skills_other", sa.String(200), nullable=False),
        sa.Column("availability", sa.String(200), nullable=False),
        sa.Column("teams_wanted", sa.String(200), nullable=False),
        sa.Column("emergency_name", sa.String(50), nullable=False),
        sa.Column("emergency_phone", sa.String(20), nullable=False),
        sa.Column("consent_at", tz, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("decline_reason", sa.Text, nullable=False),
        sa.Column("seq", sa.Integer, unique=True),
        sa.Column("number", sa.String(40), unique=True),
        sa.Column("applied_at", tz, nullable=False),
        sa.Column("decided_at", tz),
        sa.Column("decided_by", sa.Integer),
    )
    op.create_index("ix_volunteers_user", "volunteers", ["user_id", "status"])
    op.create_table(
        "volunteer_counters",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last", sa.Integer, nullable=False),
    )
    op.create_table(
        "volunteer_teams",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False, unique=True),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("leader_id", sa.Integer, sa.ForeignKey("volunteers.id", ondelete="SET NULL")),
        sa.Column("created_at", tz, nullable=False),
    )
    op.create_table(
        "volunteer_team_members",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("team_id", sa.Integer, sa.ForeignKey("volunteer_teams.id", ondelete="CASCADE"), nullable=False),
        sa.Column("volunteer_id", sa.Integer, sa.ForeignKey("volunteers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("requested_at", tz, nullable=False),
        sa.UniqueConstraint("team_id", "volunteer_id", name="uq_volunteer_team_members"),
    )
    op.create_index("ix_volunteer_team_members_volunteer_id", "volunteer_team_members", ["volunteer_id"])


def downgrade():
    op.drop_index("ix_volunteer_team_members_volunteer_id", "volunteer_team_members")
    op.drop_table("volunteer_team_members")
    op.drop_table("volunteer_teams")
    op.drop_table("volunteer_counters")
    op.drop_index("ix_volunteers_user", "volunteers")
    op.drop_table("volunteers")
