"""Append-only audit log kept in each community's database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from .tenancy import CommunityBase, utcnow


class AuditEvent(CommunityBase):
    """Who did what, when, in this community."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(50))
    detail: Mapped[str] = mapped_column(Text, default="")


def record(session: Session, actor_id: int | None, action: str, detail: str = "") -> None:
    """Add an audit event to the session (committed with the change it describes)."""
    session.add(AuditEvent(actor_user_id=actor_id, action=action, detail=detail))
