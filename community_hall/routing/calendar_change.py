"""Open deadlines when the national calendar changes: each keeps its number of working days, and says so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from .. import audit
from ..tenancy import Community, utcnow
from ..window.models import OPEN_STATES, Ticket, TicketEvent
from ..window.ratings_models import FollowUp
from ..workdays import WorkCalendar, carry_over
from .models import NEEDS_ACK, Hop, Inquiry

ACTION = "due_moved"


@dataclass
class Moved:
    """How many open deadlines of each kind an import moved."""

    tickets: int = 0
    inquiries: int = 0
    handovers: int = 0
    followups: int = 0

    @property
    def total(self) -> int:
        return self.tickets + self.inquiries + self.handovers + self.followups


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _moved(old: WorkCalendar, new: WorkCalendar, zone: ZoneInfo, start: datetime, due: datetime,
           years: set[int]) -> datetime | None:
    """The new due moment (same local clock time), or None when it does not move."""
    start_local, due_local = _aware(start).astimezone(zone), _aware(due).astimezone(zone)
    if not any(start_local.year <= y <= due_local.year for y in years):
        return None        # the imported years lie outside this deadline's span: nothing under it changed
    day = carry_over(old, new, start_local.date(), due_local.date())
    if day == due_local.date():
        return None
    return datetime.combine(day, due_local.timetz()).astimezone(UTC)


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return _aware(moment).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def move_open_deadlines(session: Session, community: Community, old: WorkCalendar, new: WorkCalendar,
                        years: dict[int, object] | set[int]) -> Moved:
    """Move the due moments of open tickets, inquiries, unacknowledged hand-overs and follow-ups to the same number
    of working days under the new calendar; a ticket's timeline and the audit log say why. One transaction."""
    zone, now, moved, years = ZoneInfo(community.timezone), utcnow(), Moved(), set(years)
    why = f"放假安排 {'、'.join(map(str, sorted(years)))}"
    tickets = session.scalars(select(Ticket).where(Ticket.status.in_(OPEN_STATES), Ticket.due_at.is_not(None),
                                                   Ticket.accepted_at.is_not(None)))
    for ticket in tickets:
        due = _moved(old, new, zone, ticket.accepted_at, ticket.due_at, years)
        if due is None:
            continue
        note = f"{why}: {_when(ticket.due_at, zone)} → {_when(due, zone)}"
        session.execute(update(Ticket).where(Ticket.id == ticket.id).values(
            due_at=due, version=Ticket.version + 1, updated_at=now).execution_options(synchronize_session=False))
        session.execute(insert(TicketEvent).values(ticket_id=ticket.id, at=now, actor_user_id=None, actor_name="",
                                                   action=ACTION, from_status=ticket.status, to_status=ticket.status,
                                                   note=note))
        audit.record(session, None, "calendar.due_moved", f"{ticket.number}: {note}", ip="system")
        moved.tickets += 1
    # The other deadlines have no timeline of their own: the audit log says what moved and why.
    others = (
        ("inquiries", "inquiry", "answer_due_at", select(Inquiry).where(Inquiry.status == "open")),
        ("handovers", "hand-over", "ack_due_at", select(Hop).where(Hop.kind.in_(NEEDS_ACK), Hop.acknowledged_at.is_(None),
                                                              Hop.ack_due_at.is_not(None))),
        ("followups", "follow-up", "due_at", select(FollowUp).where(FollowUp.status != "closed")),
    )
    for counter, label, field, query in others:
        for row in session.scalars(query):
            due = _moved(old, new, zone, row.created_at, getattr(row, field), years)
            if due is None:
                continue
            audit.record(session, None, "calendar.due_moved",
                         f"{label} #{row.id}: {why}: {_when(getattr(row, field), zone)} → {_when(due, zone)}", ip="system")
            setattr(row, field, due)
            setattr(moved, counter, getattr(moved, counter) + 1)
    session.commit()
    return moved

