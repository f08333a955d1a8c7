"""Volunteer activities (志愿活动) and the volunteers signed up for them, with their attendance and credit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..tenancy import CommunityBase, utcnow

ACTIVITY_STATES = ("open", "cancelled", "confirmed")
SIGNUP_STATES = ("signed_up", "cancelled", "attended", "no_show")


class Activity(CommunityBase):
    """An activity published by staff or a team leader: when, where, how many places and the hours it credits."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    place: Mapped[str] = mapped_column(String(200))
    slots: Mapped[int] = mapped_column(Integer)
    skills: Mapped[str] = mapped_column(String(200), default="")    # codes from SKILLS, comma-separated
    team_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_teams.id", ondelete="SET NULL"))
    minutes: Mapped[int] = mapped_column(Integer)                    # hours credited to each attendee, in minutes
    status: Mapped[str] = mapped_column(String(12), default="open")  # open, cancelled, confirmed
    organiser_user_id: Mapped[int] = mapped_column(Integer)
    organiser_name: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    confirmed_by: Mapped[int | None] = mapped_column(Integer)

    @property
    def skill_list(self) -> list[str]:
        """Skill codes wanted."""
        return [s for s in self.skills.split(",") if s]


class ActivitySignup(CommunityBase):
    """A volunteer's place on an activity; after it, attended (with actual minutes and the credit) or no-show."""

    __tablename__ = "activity_signups"
    __table_args__ = (UniqueConstraint("activity_id", "volunteer_id", name="uq_activity_signups"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="signed_up")
    minutes: Mapped[int | None] = mapped_column(Integer)             # actual minutes, set when marked attended
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_movements.id"), unique=True)
    signed_up_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
