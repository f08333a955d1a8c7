"""Time bank settings of one community (key/value), such as its star thresholds (星级标准)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..tenancy import CommunityBase, utcnow


class TimebankSetting(CommunityBase):
    """One setting of the community's time bank; the value is text (e.g. "100,300,600,1000,1500")."""

    __tablename__ = "timebank_settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_by: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
