"""API keys of the Open311 interface (registry): one community each; only the key's sha256 is kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..tenancy import RegistryBase, utcnow


class ApiKey(RegistryBase):
    """A key that lets one client system post service requests into one community."""

    __tablename__ = "api_keys"
    __table_args__ = (Index("ix_api_keys_community", "community_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)   # sha256 hex of the key; the key itself is never kept
    prefix: Mapped[str] = mapped_column(String(8))                   # first characters, to recognise a key in lists
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
