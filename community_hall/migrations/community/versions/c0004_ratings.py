"""Ratings (好差评), follow-ups of bad ratings (回访整改) and in-app notifications.

Revision ID: c0004
Revises: c0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "c0004"
down_revision = "c0003"
branch_labels = None
depends_on = None


def upgrade():
    tz = sa.DateTime(timezone=True)
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False,
                  unique=True),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("score_1", sa.Integer, nullable=False),
        sa.Column("score_2", sa.Integer, nullable=False),
        sa.Column("score_3", sa.Integer, nullable=False),
        sa.Column("comment", sa.String(500), nullable=False),
        sa.Column("rater", sa.String(20), nullable=False),
        sa.Column("rater_user_id", sa.Integer),
        sa.Column("created_at", tz, nullable=False),
        sa.CheckConstraint("level BETWEEN 1 AND 5", name="ck_ratings_level"),
        sa.CheckConstraint("score_1 BETWEEN 1 AND 5 AND score_2 BETWEEN 1 AND 5 AND score_3 BETWEEN 1 AND 5",
                           name="ck_ratings_scores"),
    )
    op.create_index("ix_ratings_created_level", "ratings", ["created_at", "level"])
    op.create_table(
        "rating_followups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("rating_id", sa.Integer, sa.ForeignKey("ratings.id", ondelete="CASCADE"), nullable=False,
                  unique=True),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", tz, nullable=False),
        sa.Column("due_at", tz, nullable=False),
        sa.Column("contacted_at", tz),
        sa.Column("contacted_by", sa.Integer),
        sa.Column("contact_note", sa.Text, nullable=False),
        sa.Column("verified_at", tz),
        sa.Column("verified_by", sa.Integer),
        sa.Column("justified", sa.Boolean),
        sa.Column("verify_note", sa.Text, nullable=False),
        sa.Column("rectified_at", tz),
        sa.Column("rectified_by", sa.Integer),
        sa.Column("rectify_note", sa.Text, nullable=False),
        sa.Column("reply", sa.Text, nullable=False),
        sa.Column("closed_at", tz),
        sa.Column("closed_by", sa.Integer),
    )
    op.create_index("ix_rating_followups_ticket_id", "rating_followups", ["ticket_id"])
    op.create_index("ix_rating_followups_status_due", "rating_followups", ["status", "due_at"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE")),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("created_at", tz, nullable=False),
        sa.Column("read_at", tz),
    )
    op.create_index("ix_notifications_ticket_id", "notifications", ["ticket_id"])
    op.create_index("ix_notifications_user_created", "notifications", ["user_id", "created_at"])


def downgrade():
    op.drop_index("ix_notifications_user_created", "notifications")
    op.drop_index("ix_notifications_ticket_id", "notifications")
    op.drop_table("notifications")
    op.drop_index("ix_rating_followups_status_due", "rating_followups")
    op.drop_index("ix_rating_followups_ticket_id", "rating_followups")
    op.drop_table("rating_followups")
    op.drop_index("ix_ratings_created_level", "ratings")
    op.drop_table("ratings")
