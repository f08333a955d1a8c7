"""Service items, their categories and required materials, in each community's database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..rosters.models import Post
from ..tenancy import CommunityBase, utcnow

CHANNELS = ("window", "online", "appointment", "home_visit", "proxy", "self_service")
FEE_KINDS = ("free", "low_cost", "paid")
DUTY_LISTS = ("self_governance", "assisted_government")
PROVIDERS = ("station", "volunteers", "partner")
TIME_UNITS = ("workdays", "hours")
MATERIAL_FORMS = ("original", "copy", "original_and_copy")


class Category(CommunityBase):
    """A heading of the menu (生活信息, 证照办理, 社会保障 …); each community keeps its own list."""

    __tablename__ = "menu_categories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class ServiceItem(CommunityBase):
    """One service a resident can ask for, with everything they must bring told at once (一次性告知)."""

    __tablename__ = "service_items"
    __table_args__ = (Index("ix_service_items_listing", "published", "category_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    category_id: Mapped[int] = mapped_column(ForeignKey("menu_categories.id"))
    description: Mapped[str] = mapped_column(Text, default="")
    qualifications: Mapped[str] = mapped_column(Text, default="")
    steps: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[str] = mapped_column(String(200), default="")
    time_limit: Mapped[int] = mapped_column(Integer, default=0)
    time_unit: Mapped[str] = mapped_column(String(10), default="workdays")
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    channels: Mapped[str] = mapped_column(String(100), default="window")
    fee_kind: Mapped[str] = mapped_column(String(10), default="free")
    fee_note: Mapped[str] = mapped_column(String(200), default="")
    duty_list: Mapped[str] = mapped_column(String(30), default="self_governance")
    provider: Mapped[str] = mapped_column(String(20), default="station")
    provider_name: Mapped[str] = mapped_column(String(100), default="")
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Precomputed from name and keywords so search by pinyin is a plain LIKE (see menu/search.py).
    search_pinyin: Mapped[str] = mapped_column(Text, default="")
    search_initials: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    category: Mapped[Category] = relationship(lazy="joined")
    post: Mapped[Post | None] = relationship(lazy="joined")
    materials: Mapped[list[Material]] = relationship(
        order_by="Material.position", cascade="all, delete-orphan", lazy="selectin")

    @property
    def channel_list(self) -> list[str]:
        """Channels offered, in the canonical order."""
        chosen = set(filter(None, self.channels.split(",")))
        return [c for c in CHANNELS if c in chosen]


class Material(CommunityBase):
    """A document the resident must bring for an item: original, copy or both, with a note."""

    __tablename__ = "service_materials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("service_items.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(100))
    form: Mapped[str] = mapped_column(String(20), default="original")
    copies: Mapped[int] = mapped_column(Integer, default=1)
    note: Mapped[str] = mapped_column(String(200), default="")
