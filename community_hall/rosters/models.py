"""Posts (岗位) with their A and B holders, shifts, leave, outreach and shift swaps."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..tenancy import CommunityBase, utcnow

SHIFT_KINDS = ("regular", "late", "weekend", "holiday")       # 常规班, 错时班 (e.g. 10:00–19:00), 周末班, 节假日值班
LEAVE_KINDS = ("annual", "sick", "personal", "other")
LEAVE_STATES = ("requested", "approved", "declined", "cancelled")
SWAP_STATES = ("requested", "approved", "declined", "cancelled")


class Post(CommunityBase):
    """A post such as 社会保障岗, usually staffed at one window of the hall, with an A and a B holder."""

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    window: Mapped[str] = mapped_column(String(50), default="")
    # User ids (registry) of the A holder (receives residents) and the B holder (stands in, goes out to households).
    a_holder_id: Mapped[int | None] = mapped_column(Integer)
    b_holder_id: Mapped[int | None] = mapped_column(Integer)


class Shift(CommunityBase):
    """One person's duty on one day, local times; drafts come from the rota generator until the head publishes."""

    __tablename__ = "shifts"
    __table_args__ = (Index("ix_shifts_day_user", "day", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    start: Mapped[str] = mapped_column(String(5))     # "08:30"
    end: Mapped[str] = mapped_column(String(5))       # "17:30"
    kind: Mapped[str] = mapped_column(String(10), default="regular")
    published: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Leave(CommunityBase):
    """A leave request (请假) from one day to another, inclusive; only approved leave makes a person away."""

    __tablename__ = "leave"
    __table_args__ = (Index("ix_leave_user_days", "user_id", "first_day", "last_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10), default="personal")
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="requested")
    decided_by: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Outreach(CommunityBase):
    """A holder out visiting households (下沉入户) for a stretch of time: away from the post meanwhile."""

    __tablename__ = "outreach"
    __table_args__ = (Index("ix_outreach_user_start", "user_id", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ShiftSwap(CommunityBase):
    """A request to give a shift to a colleague; it takes effect only when the head approves."""

    __tablename__ = "shift_swaps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"), index=True)
    from_user_id: Mapped[int] = mapped_column(Integer)
    to_user_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="requested")
    decided_by: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
