"""The staff work queue: filters, ordering by priority then due date, search, paging."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session

from ..tenancy import utcnow
from .models import OPEN_STATES, Ticket


@dataclass
class QueueFilter:
    """What the queue page asks for (all optional)."""

    status: str = "open"        # "open", "all" or one state
    post_id: int | None = None
    overdue: bool = False
    priority: bool = False
    mine_user_id: int | None = None
    q: str = ""
    page: int = 1


PAGE_SIZE = 50


def queue_query(f: QueueFilter):
    """The SELECT for a filter: open work by priority, then the nearest due date, then the oldest; the rest newest first."""
    stmt = select(Ticket).where(Ticket.kind == "request")  # complaints go to the head's list, not the queue
    if f.status == "open":
        stmt = stmt.where(Ticket.status.in_(OPEN_STATES))
    elif f.status != "all":
        stmt = stmt.where(Ticket.status == f.status)
    if f.post_id:
        stmt = stmt.where(Ticket.post_id == f.post_id)
    if f.overdue:
        stmt = stmt.where(Ticket.status.in_(("accepted", "in_progress")), Ticket.due_at < utcnow())
    if f.priority:
        stmt = stmt.where(Ticket.priority > 0)
    if f.mine_user_id:
        stmt = stmt.where(Ticket.handler_user_id == f.mine_user_id)
    q = (f.q or "").strip()
    if q:
        digits = re.sub(r"\D", "", q)
        conditions = [Ticket.number.like(f"%{q.upper()}%"), Ticket.resident_name.like(f"%{q}%")]
        if len(digits) >= 4:
            conditions.append(Ticket.resident_phone.like(f"%{digits}%"))
        stmt = stmt.where(or_(*conditions))
    if f.status not in ("open", *OPEN_STATES):
        # Finished work (or everything): newest first, read along an index. Sorting the whole archive by
        # priority and due date would cost more with every ticket ever handled.
        return stmt.order_by(Ticket.submitted_at.desc(), Ticket.id.desc())
    no_due_last = case((Ticket.due_at.is_(None), 1), else_=0)
    return stmt.order_by(Ticket.priority.desc(), no_due_last, Ticket.due_at, Ticket.submitted_at, Ticket.id)


def queue_page(session: Session, f: QueueFilter) -> tuple[list[Ticket], bool]:
    """One page of the queue and whether there is another."""
    page = max(1, f.page)
    rows = list(session.scalars(queue_query(f).limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
