"""Service menu: posts, categories, items and their materials.

Revision ID: c0002
Revises: c0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "c0002"
down_revision = "c0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(20), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("window", sa.String(50), nullable=False),
    )
    op.create_table(
        "menu_categories",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False, unique=True),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_table(
        "service_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(20), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("category_id", sa.Integer, sa.ForeignKey("menu_categories.id"), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("qualifications", sa.Text, nullable=False),
        sa.Column("steps", sa.Text, nullable=False),
        sa.Column("keywords", sa.String(200), nullable=False),
        sa.Column("time_limit", sa.Integer, nullable=False),
        sa.Column("time_unit", sa.String(10), nullable=False),
        sa.Column("post_id", sa.Integer, sa.ForeignKey("posts.id", ondelete="SET NULL")),
        sa.Column("channels", sa.String(100), nullable=False),
        sa.Column("fee_kind", sa.String(10), nullable=False),
        sa.Column("fee_note", sa.String(200), nullable=False),
        sa.Column("duty_list", sa.String(30), nullable=False),
        sa.Column("provider", sa.String(20), nullable=False),
        sa.Column("provider_name", sa.String(100), nullable=False),
        sa.Column("published", sa.Boolean, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("search_pinyin", sa.Text, nullable=False),
        sa.Column("search_initials", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_service_items_listing", "service_items", ["published", "category_id", "position"])
    op.create_table(
        "service_materials",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("service_items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("form", sa.String(20), nullable=False),
        sa.Column("copies", sa.Integer, nullable=False),
        sa.Column("note", sa.String(200), nullable=False),
    )
    op.create_index("ix_service_materials_item_id", "service_materials", ["item_id"])


def downgrade():
    op.drop_index("ix_service_materials_item_id", "service_materials")
    op.drop_table("service_materials")
    op.drop_index("ix_service_items_listing", "service_items")
    op.drop_table("service_items")
    op.drop_table("menu_categories")
    op.drop_table("posts")
