"""Appointments: window opening hours and slots, the appointments table, numbers checked in from one.

Revision ID: c0006
Revises: c0005
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "c0006"
down_revision = "c0005"
branch_labels = None
depends_on = None


def upgrade():
    tz = sa.DateTime(timezone=True)
    with op.batch_alter_table("service_windows") as batch:
        batch.add_column(sa.Column("opening_hours", sa.String(100), nullable=False,
                                   server_default="09:00-12:00,14:00-17:00"))
        batch.add_column(sa.Column("slot_minutes", sa.Integer, nullable=False, server_default="30"))
        batch.add_column(sa.Column("slot_capacity", sa.Integer, nullable=False, server_default="2"))
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(8), nullable=False, unique=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("service_items.id", ondelete="SET NULL")),
        sa.Column("item_code", sa.String(20), nullable=False),
        sa.Column("item_name", sa.String(100), nullable=False),
        sa.Column("window_id", sa.Integer, sa.ForeignKey("service_windows.id"), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("start", sa.String(5), nullable=False),
        sa.Column("end", sa.String(5), nullable=False),
        sa.Column("resident_user_id", sa.Integer),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("reschedules", sa.Integer, nullable=False),
        sa.Column("created_at", tz, nullable=False),
        sa.Column("updated_at", tz, nullable=False),
        sa.Column("checked_in_at", tz),
    )
    op.create_index("ix_appointments_slot", "appointments", ["window_id", "day", "start", "status"])
    op.create_index("ix_appointments_phone", "appointments", ["phone", "day"])
    with op.batch_alter_table("queue_numbers") as batch:
        batch.add_column(sa.Column("appointment_id", sa.Integer))
        batch.create_foreign_key("fk_queue_numbers_appointment_id", "appointments", ["appointment_id"], ["id"],
                                 ondelete="SET NULL")


def downgrade():
    with op.batch_alter_table("queue_numbers") as batch:
        batch.drop_constraint("fk_queue_numbers_appointment_id", type_="foreignkey")
        batch.drop_column("appointment_id")
    op.drop_index("ix_appointments_phone", "appointments")
    op.drop_index("ix_appointments_slot", "appointments")
    op.drop_table("appointments")
    with op.batch_alter_table("service_windows") as batch:
        batch.drop_column("slot_capacity")
        batch.drop_column("slot_minutes")
        batch.drop_column("opening_hours")
