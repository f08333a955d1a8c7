"""Secret calendar tokens: one per member of staff, the key of their iCal feed's address."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..tenancy import CommunityBase, utcnow


class CalendarToken(CommunityBase):
    """The random token in a member of staff's feed URL; replacing it cuts off every old subscription."""

    __tablename__ = "calendar_tokens"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
