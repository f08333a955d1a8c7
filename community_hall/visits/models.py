"""One home visit per ticket that needs one: when, where, who goes, and what came of it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..tenancy import CommunityBase, utcnow
from ..window.models import Ticket

# not_home leaves the visit to be planned again; the others end it.
OUTCOMES = ("done", "need_materials", "not_home", "cannot_do")
FINAL_OUTCOMES = ("done", "need_materials", "cannot_do")


class HomeVisit(CommunityBase):
    """The visit a ticket needs (上门服务): planned day, building (楼栋) and grid (网格), visitor and outcome."""

    __tablename__ = "home_visits"
    __table_args__ = (Index("ix_home_visits_day", "planned_day", "assignee_user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    reason: Mapped[str] = mapped_column(String(20), default="home_visit")   # home_visit | housebound
    planned_day: Mapped[date | None] = mapped_column(Date)
    building: Mapped[str] = mapped_column(String(50), default="")
    grid: Mapped[str] = mapped_column(String(50), default="")
    assignee_user_id: Mapped[int | None] = mapped_column(Integer)
    assignee_name: Mapped[str] = mapped_column(String(100), default="")
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    assigned_by_user_id: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20), default="")            # "" while pending
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    visited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    ticket: Mapped[Ticket] = relationship(lazy="joined")

    @property
    def is_finished(self) -> bool:
        """The visit has ended (done, materials asked for, or could not be done)."""
        return self.outcome in FINAL_OUTCOMES
