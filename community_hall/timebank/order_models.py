"""Orders for volunteer services (点单 → 派单 → 接单 → 评单), family payment grants and pool eligibility."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..privacy import mask_phone
from ..tenancy import CommunityBase, utcnow

# open: waiting for dispatch (on the board when on_board); dispatched: sent to one volunteer who has not yet
# accepted; accepted: the volunteer has taken it; done: served, waiting for the resident; confirmed: rated and paid.
ORDER_STATES = ("open", "dispatched", "accepted", "done", "confirmed", "cancelled")
PAY_SOURCES = ("own", "family", "pool")
RELATIONS = ("child", "spouse", "parent", "other")
POOL_REASONS = ("isolated", "empty_nest")


class Order(CommunityBase):
    """A resident's order of a volunteer service, from ordering to the confirmed, paid service."""

    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_status", "status", "on_board"), Index("ix_orders_resident", "resident_user_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("service_items.id", ondelete="SET NULL"))
    item_name: Mapped[str] = mapped_column(String(100))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"), index=True)
    resident_user_id: Mapped[int] = mapped_column(Integer)
    resident_name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    wanted_day: Mapped[date] = mapped_column(Date)
    wanted_part: Mapped[str] = mapped_column(String(3))
    by_proxy: Mapped[bool] = mapped_column(Boolean, default=False)
    placed_by_user_id: Mapped[int] = mapped_column(Integer)
    placed_by_name: Mapped[str] = mapped_column(String(50), default="")
    status: Mapped[str] = mapped_column(String(12), default="open")
    on_board: Mapped[bool] = mapped_column(Boolean, default=False)
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id", ondelete="SET NULL"))
    minutes: Mapped[int | None] = mapped_column(Integer)
    done_note: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)
    pay_source: Mapped[str] = mapped_column(String(10), default="")
    payer_user_id: Mapped[int | None] = mapped_column(Integer)
    grant_id: Mapped[int | None] = mapped_column(ForeignKey("family_grants.id", ondelete="SET NULL"))
    pay_movement_id: Mapped[int | None] = mapped_column(Integer)
    credit_movement_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    request_key: Mapped[str | None] = mapped_column(String(36), unique=True)   # one per rendered form: no double orders

    events: Mapped[list[OrderEvent]] = relationship(order_by="OrderEvent.id", lazy="select")

    @property
    def masked_phone(self) -> str:
        """The phone with its middle digits hidden."""
        return mask_phone(self.phone)


class OrderEvent(CommunityBase):
    """One step in an order's timeline: who did what, when, with an optional note (append-only)."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(50), default="")
    action: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")


class FamilyGrant(CommunityBase):
    """A person lets a family member (the grantee) pay for the grantee's services with the grantor's hours."""

    __tablename__ = "family_grants"
    __table_args__ = (Index("ix_family_grants_pair", "grantee_user_id", "grantor_user_id", "active"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grantor_user_id: Mapped[int] = mapped_column(Integer)
    grantor_name: Mapped[str] = mapped_column(String(50))
    grantee_user_id: Mapped[int] = mapped_column(Integer)
    grantee_name: Mapped[str] = mapped_column(String(50))
    relation: Mapped[str] = mapped_column(String(10))
    monthly_cap_minutes: Mapped[int | None] = mapped_column(Integer)     # None: no cap
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PoolEligible(CommunityBase):
    """A resident the head has marked as paying from the donation pool (孤寡老人, 空巢老人)."""

    __tablename__ = "pool_eligible"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(50))
    reason: Mapped[str] = mapped_column(String(20))
    marked_by_user_id: Mapped[int | None] = mapped_column(Integer)
    marked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
