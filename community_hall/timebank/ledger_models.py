"""The hours ledger (时间银行账本): accounts, movements and their entries; balances are sums of entries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..tenancy import CommunityBase, utcnow

MOVEMENT_KINDS = ("credit_service", "pay_service", "donate", "reverse", "transfer_out", "transfer_in")
ISSUING = "issuing"     # hours for service are minted from here, so its balance is minus all hours in circulation
POOL = "pool"           # donated hours that pay for services of isolated elderly residents


class LedgerAccount(CommunityBase):
    """An account: a person's (person:<user_id>), the issuing account, or the pool; with the person's overdraft."""

    __tablename__ = "ledger_accounts"

    account: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    overdraft_minutes: Mapped[int] = mapped_column(Integer, default=0)   # the floor is minus this
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LedgerMovement(CommunityBase):
    """One movement of hours; its entries sum to zero. Its amounts never change: a mistake is reversed by a new
    movement (only names and a reversal's reason are cleared when the person they name is deleted)."""

    __tablename__ = "ledger_movements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    idem_key: Mapped[str] = mapped_column(String(100), unique=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str] = mapped_column(String(40), default="")
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(50), default="")
    reverses_movement_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_movements.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class LedgerEntry(CommunityBase):
    """One side of a movement: minutes added to (positive) or taken from (negative) an account."""

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    movement_id: Mapped[int] = mapped_column(ForeignKey("ledger_movements.id"), index=True)
    account: Mapped[str] = mapped_column(ForeignKey("ledger_accounts.account"), index=True)
    amount: Mapped[int] = mapped_column(Integer)


TRANSFER_STATES = ("pending", "completed", "rolled_back")


class LedgerTransfer(CommunityBase):
    """One side of a transfer of a person's hours between communities (通存通兑), by a shared transfer id."""

    __tablename__ = "ledger_transfers"

    transfer_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))          # out: leaves this community; in: arrives here
    user_id: Mapped[int] = mapped_column(Integer)
    other_community: Mapped[str] = mapped_column(String(40))
    minutes: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(12), index=True)
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_movements.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
