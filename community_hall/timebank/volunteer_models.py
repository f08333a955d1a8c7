"""Volunteers (志愿者) with their applications and numbers, and volunteer teams (志愿服务队) with members."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..privacy import mask_id_number, mask_phone
from ..tenancy import CommunityBase, utcnow

APPLICATION_STATES = ("pending", "approved", "declined")
SKILLS = ("medical", "legal", "repair", "computer", "teaching", "cooking", "driving", "art", "care", "language")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PARTS = ("am", "pm", "eve")


class Volunteer(CommunityBase):
    """A resident's application to volunteer; once approved it carries the number <SLUG>-V-NNNN."""

    __tablename__ = "volunteers"
    __table_args__ = (Index("ix_volunteers_user", "user_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer)
    real_name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(20))
    id_number: Mapped[str] = mapped_column(String(18), default="")
    skills: Mapped[str] = mapped_column(String(200), default="")        # codes from SKILLS, comma-separated
    skills_other: Mapped[str] = mapped_column(String(200), default="")
    availability: Mapped[str] = mapped_column(String(200), default="")  # "mon-am,sat-eve"
    teams_wanted: Mapped[str] = mapped_column(String(200), default="")  # team names, one per line
    emergency_name: Mapped[str] = mapped_column(String(50))
    emergency_phone: Mapped[str] = mapped_column(String(20))
    consent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    seq: Mapped[int | None] = mapped_column(Integer, unique=True)
    number: Mapped[str | None] = mapped_column(String(40), unique=True)
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[int | None] = mapped_column(Integer)

    @property
    def masked_id_number(self) -> str:
        """The ID number with all but the first and last four characters hidden."""
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        """The phone with its middle digits hidden."""
        return mask_phone(self.phone)

    @property
    def public_name(self) -> str:
        """Surname and a star for the given name (王*), for public pages."""
        name = self.real_name or ""
        return name[:1] + "*" * max(len(name) - 1, 1) if name else ""

    @property
    def skill_list(self) -> list[str]:
        """Skill codes chosen from the list."""
        return [s for s in self.skills.split(",") if s]

    @property
    def availability_list(self) -> list[str]:
        """Day-part codes such as mon-am."""
        return [s for s in self.availability.split(",") if s]


class VolunteerCounter(CommunityBase):
    """The last volunteer number given out (bumped in the approving transaction, so no gaps or doubles)."""

    __tablename__ = "volunteer_counters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Team(CommunityBase):
    """A volunteer service team (义务巡逻队 …): what it does and who leads it."""

    __tablename__ = "volunteer_teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TeamMember(CommunityBase):
    """A volunteer in a team, or asking to join one (pending until the leader or the head accepts)."""

    __tablename__ = "volunteer_team_members"
    __table_args__ = (UniqueConstraint("team_id", "volunteer_id", name="uq_volunteer_team_members"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("volunteer_teams.id", ondelete="CASCADE"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")   # pending, member
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
