"""Tickets (办件), their append-only timeline, daily number counters and local calendar overrides."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..privacy import mask_id_number, mask_phone
from ..tenancy import CommunityBase, utcnow

CHANNELS = ("window", "online", "phone", "appointment", "home_visit", "proxy", "self_service", "api")
OPEN_STATES = ("submitted", "accepted", "in_progress", "returned")
CLOSED_STATES = ("done", "declined", "withdrawn")
KINDS = ("request", "complaint", "unresolved")   # unresolved: 办不成事反映; both non-requests are for the head


class Ticket(CommunityBase):
    """One request of a resident, numbered <SLUG>-YYYYMMDD-NNNN, tracked from submission to reply."""

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("day", "seq", name="uq_tickets_day_seq"),
        Index("ix_tickets_queue", "status", "priority", "due_at"),
        Index("ix_tickets_resident", "resident_user_id", "submitted_at"),
        Index("ix_tickets_submitted", "submitted_at"),
        # the disclosure figures count by kind over a period of submission or of finishing
        Index("ix_tickets_kind_submitted", "kind", "submitted_at"),
        Index("ix_tickets_kind_status_finished", "kind", "status", "finished_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    day: Mapped[str] = mapped_column(String(8))             # YYYYMMDD, local date of submission
    seq: Mapped[int] = mapped_column(Integer)               # 1, 2, … within the day
    kind: Mapped[str] = mapped_column(String(20), default="request", server_default="request")
    item_id: Mapped[int | None] = mapped_column(ForeignKey("service_items.id", ondelete="SET NULL"))
    item_code: Mapped[str] = mapped_column(String(20))      # kept as submitted, the item may change later
    item_name: Mapped[str] = mapped_column(String(100))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    resident_user_id: Mapped[int | None] = mapped_column(Integer)
    resident_name: Mapped[str] = mapped_column(String(50))
    resident_phone: Mapped[str] = mapped_column(String(20))
    id_number: Mapped[str] = mapped_column(String(18), default="")
    aged_70: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    pregnant: Mapped[bool] = mapped_column(Boolean, default=False)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[int] = mapped_column(Integer, default=0)   # 2 urgent, 1 priority group, 0 normal
    home_address: Mapped[str] = mapped_column(String(200), default="")
    proxy_name: Mapped[str] = mapped_column(String(50), default="")
    proxy_relation: Mapped[str] = mapped_column(String(50), default="")
    details: Mapped[str] = mapped_column(Text, default="")
    materials_checked: Mapped[str] = mapped_column(Text, default="")  # names ticked at acceptance, one per line
    missing_materials: Mapped[str] = mapped_column(Text, default="")  # listed when returned for materials
    handler_user_id: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    returned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paused_workdays: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reply: Mapped[str] = mapped_column(Text, default="")
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    visits: Mapped[int] = mapped_column(Integer, default=0)     # in-person trips, for 最多跑一次
    idem_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    events: Mapped[list[TicketEvent]] = relationship(order_by="TicketEvent.id", lazy="select",
                                                     back_populates="ticket")

    @property
    def is_open(self) -> bool:
        """Still with the station or the resident (not finished, declined or withdrawn)."""
        return self.status in OPEN_STATES

    @property
    def masked_phone(self) -> str:
        """The phone with its middle digits hidden."""
        return mask_phone(self.resident_phone)

    @property
    def masked_id_number(self) -> str:
        """The ID number with all but the first and last four characters hidden."""
        return mask_id_number(self.id_number)


class TicketEvent(CommunityBase):
    """One entry of a ticket's timeline: who, when, what, note. Never changed once written."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str] = mapped_column(String(20), default="")
    to_status: Mapped[str] = mapped_column(String(20), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    ticket: Mapped[Ticket] = relationship(back_populates="events")


class TicketCounter(CommunityBase):
    """The last number given out on a day; bumped in the same transaction as the ticket insert (no gaps)."""

    __tablename__ = "ticket_counters"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class CalendarOverride(CommunityBase):
    """A local exception to the national working-day calendar (the station opens or closes that day)."""

    __tablename__ = "calendar_overrides"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(100), default="")
