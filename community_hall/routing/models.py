"""Inquiries (咨询), the hops of a matter from one handler to the next (移交), and staff notifications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..tenancy import CommunityBase, utcnow

INQUIRY_STATES = ("open", "answered", "ticket")    # ticket: turned into a ticket, answered when the ticket ends
INQUIRY_CHANNELS = ("window", "phone")
# route: a submitted ticket given to the routed person; handover/handback between people; leave: passed on because
# the handler's leave or outreach started; escalation: not acknowledged in time, so the head takes it.
HOP_KINDS = ("route", "handover", "handback", "leave", "escalation")
NEEDS_ACK = ("handover", "handback", "leave")


class Inquiry(CommunityBase):
    """A walk-in or phone inquiry; whoever logged it is its first-asked owner (首问责任人) until it is answered."""

    __tablename__ = "inquiries"
    __table_args__ = (
        Index("ix_inquiries_owner_status", "owner_user_id", "status"),
        Index("ix_inquiries_handler_status", "handler_user_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_name: Mapped[str] = mapped_column(String(50))
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    channel: Mapped[str] = mapped_column(String(10), default="window")
    item_id: Mapped[int | None] = mapped_column(ForeignKey("service_items.id", ondelete="SET NULL"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    topic: Mapped[str] = mapped_column(String(100), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open")
    owner_user_id: Mapped[int] = mapped_column(Integer)
    handler_user_id: Mapped[int] = mapped_column(Integer)
    answer: Mapped[str] = mapped_column(Text, default="")
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    answer_due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_by: Mapped[int | None] = mapped_column(Integer)


class Hop(CommunityBase):
    """One move of a matter (an inquiry or a ticket) from a handler to the next, with why and who routing proposed."""

    __tablename__ = "routing_hops"
    __table_args__ = (Index("ix_routing_hops_to_ack", "to_user_id", "acknowledged_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inquiry_id: Mapped[int | None] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    from_user_id: Mapped[int | None] = mapped_column(Integer)
    to_user_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    routed_user_id: Mapped[int | None] = mapped_column(Integer)
    routed_reason: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ack_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class StaffNotification(CommunityBase):
    """An in-app notice to a member of staff: a new assignment, a hand-over, an escalation, an answer."""

    __tablename__ = "staff_notifications"
    __table_args__ = (Index("ix_staff_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    params: Mapped[str] = mapped_column(Text, default="{}")   # JSON, shown in the reader's language
    inquiry_id: Mapped[int | None] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
