"""Service windows on the hall floor and the numbers residents take for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..tenancy import CommunityBase, utcnow

NUMBER_STATES = ("waiting", "called", "serving", "done", "no_show")


class ServiceWindow(CommunityBase):
    """A window (窗口) of the hall; its letter prefixes the numbers taken for it (A012)."""

    __tablename__ = "service_windows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(2), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    serves: Mapped[str] = mapped_column(String(200), default="")   # what the kiosk button says it handles
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Appointments (预约): opening hours cut into slots of slot_minutes, each taking slot_capacity bookings.
    opening_hours: Mapped[str] = mapped_column(String(100), default="09:00-12:00,14:00-17:00")
    slot_minutes: Mapped[int] = mapped_column(Integer, default=30)
    slot_capacity: Mapped[int] = mapped_column(Integer, default=2)


class QueueNumber(CommunityBase):
    """One number taken at the kiosk; it keeps its place (issued_at) when transferred to another window."""

    __tablename__ = "queue_numbers"
    __table_args__ = (
        UniqueConstraint("day", "issued_window_id", "seq", name="uq_queue_numbers_day_window_seq"),
        Index("ix_queue_numbers_waiting", "day", "window_id", "status", "issued_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)    # for following the number from a phone
    day: Mapped[str] = mapped_column(String(8))
    issued_window_id: Mapped[int] = mapped_column(ForeignKey("service_windows.id"))
    window_id: Mapped[int] = mapped_column(ForeignKey("service_windows.id"))
    seq: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(8))                     # A012
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    called_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    call_count: Mapped[int] = mapped_column(Integer, default=0)
    served_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    staff_user_id: Mapped[int | None] = mapped_column(Integer)
    staff_name: Mapped[str] = mapped_column(String(100), default="")
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    # Set when an appointment was checked in at the kiosk: such a number is called before all others.
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id", ondelete="SET NULL"))


class QueueCounter(CommunityBase):
    """The last number given out for a window on a day (bumped in the same transaction, so no gaps)."""

    __tablename__ = "queue_counters"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    window_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)
