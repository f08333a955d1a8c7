"""Volunteer service certificates (志愿服务证明), their yearly counter and volunteers' requests for them.

Revision ID: c0017
Revises: c0016
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "c0017"
down_revision = "c0016"
branch_labels = None
depends_on = None


def upgrade():
    tz = sa.DateTime(timezone=True)
    op.create_table(
        "certificate_counters",
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last", sa.Integer, nullable=False),
    )
    op.create_table(
        "volunteer_certificates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("number", sa.String(60), nullable=False, unique=True),
        sa.Column("volunteer_id", sa.Integer, sa.ForeignKey("volunteers.id"), nullable=False),
        sa.Column("volunteer_name", sa.String(50), nullable=False),
        sa.Column("volunteer_number", sa.String(40), nullable=False),
        sa.Column("masked_id_number", sa.String(18), nullable=False),
        sa.Column("total_minutes", sa.Integer, nullable=False),
        sa.Column("records", sa.Text, nullable=False),
        sa.Column("community_name", sa.String(100), nullable=False),
        sa.Column("issue_date", sa.Date, nullable=False),
        sa.Column("issued_at", tz, nullable=False),
        sa.Column("issuer_user_id", sa.Integer),
        sa.Column("issuer_name", sa.String(100), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("revoked_at", tz),
        sa.Column("revoked_by", sa.Integer),
        sa.Column("revoke_reason", sa.Text, nullable=False),
        sa.UniqueConstraint("year", "seq", name="uq_volunteer_certificates_year_seq"),
    )
    op.create_index("ix_volunteer_certificates_volunteer_id", "volunteer_certificates", ["volunteer_id"])
    op.create_table(
        "certificate_requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("volunteer_id", sa.Integer, sa.ForeignKey("volunteers.id"), nullable=False),
        sa.Column("requested_at", tz, nullable=False),
        sa.Column("certificate_id", sa.Integer, sa.ForeignKey("volunteer_certificates.id")),
    )
    op.create_index("ix_certificate_requests_volunteer_id", "certificate_requests", ["volunteer_id"])


def downgrade():
    op.drop_index("ix_certificate_requests_volunteer_id", "certificate_requests")
    op.drop_table("certificate_requests")
    op.drop_index("ix_volunteer_certificates_volunteer_id", "volunteer_certificates")
    op.drop_table("volunteer_certificates")
    op.drop_table("certificate_counters")
