"""Appointments residents book for a menu item at a window's time slot."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..privacy import mask_phone
from ..tenancy import CommunityBase, utcnow

APPOINTMENT_STATES = ("booked", "checked_in", "cancelled", "no_show")
ACTIVE_STATES = ("booked", "checked_in")


class Appointment(CommunityBase):
    """One booking: item, window, day and slot, who (signed in, or name and phone) and its confirmation code."""

    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_slot", "window_id", "day", "start", "status"),
        Index("ix_appointments_phone", "phone", "day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)      # confirmation code the resident keeps
    item_id: Mapped[int | None] = mapped_column(ForeignKey("service_items.id", ondelete="SET NULL"))
    item_code: Mapped[str] = mapped_column(String(20))
    item_name: Mapped[str] = mapped_column(String(100))
    window_id: Mapped[int] = mapped_column(ForeignKey("service_windows.id"))
    day: Mapped[date] = mapped_column(Date)
    start: Mapped[str] = mapped_column(String(5))                   # "09:30", local time
    end: Mapped[str] = mapped_column(String(5))
    resident_user_id: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default="booked")
    reschedules: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    checked_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def masked_phone(self) -> str:
        """The phone with its middle digits hidden."""
        return mask_phone(self.phone)
