"""Open deadlines when the national calendar changes: each keeps its number of working days, and says so."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from .. import audit
from ..arrangements import NationalImport, calendar_of
from ..audit import AuditEvent
from ..tenancy import Community, utcnow
from ..window.models import OPEN_STATES, CalendarOverride, Ticket, TicketEvent
from ..window.ratings_models import FollowUp
from ..workdays import WorkCalendar, carry_over
from .models import NEEDS_ACK, Hop, Inquiry

ACTION = "due_moved"
APPLIED = "calendar.applied"    # written in the same transaction as the moves: an import is applied once


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

    def add(self, other: Moved) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _moved(old: WorkCalendar, new: WorkCalendar, zone: ZoneInfo, start: datetime, due: datetime) -> datetime | None:
    """The new due moment (same local clock time), or None when no national day under it changed."""
    start_local, due_local = _aware(start).astimezone(zone), _aware(due).astimezone(zone)
    first, last = start_local.date(), due_local.date()
    # Only a national day between start and due changes the count; a local override is the same on both sides
    # (one set by a head after the deadline was computed must not pull it earlier).
    span = (first + timedelta(days=i) for i in range(1, (last - first).days + 1))
    if not any(old.national.day(d).workday != new.national.day(d).workday for d in span):
        return None
    day = carry_over(old, new, first, last)
    if day == last:
        return None
    return datetime.combine(day, due_local.timetz()).astimezone(UTC)


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return _aware(moment).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _move(session: Session, zone: ZoneInfo, old: WorkCalendar, new: WorkCalendar, why: str) -> Moved:
    now, moved = utcnow(), Moved()
    tickets = session.scalars(select(Ticket).where(Ticket.status.in_(OPEN_STATES), Ticket.due_at.is_not(None),
                                                   Ticket.accepted_at.is_not(None)))
    for ticket in tickets:
        due = _moved(old, new, zone, ticket.accepted_at, ticket.due_at)
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
            due = _moved(old, new, zone, row.created_at, getattr(row, field))
            if due is None:
                continue
            audit.record(session, None, "calendar.due_moved",
                         f"{label} #{row.id}: {why}: {_when(getattr(row, field), zone)} → {_when(due, zone)}", ip="system")
            setattr(row, field, due)
            setattr(moved, counter, getattr(moved, counter) + 1)
    return moved


def _tag(record: NationalImport) -> str:
    return f"import #{record.id}"


def pending(session: Session, imports: list[NationalImport]) -> list[NationalImport]:
    """The imports whose moves this community has not made yet."""
    done = {detail.split(":", 1)[0] for detail in session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == APPLIED))}
    return [record for record in imports if _tag(record) not in done]


def apply_imports(session: Session, community: Community, imports: list[NationalImport]) -> Moved:
    """Move this community's open deadlines by every import it has not applied yet, in order, each from the days
    before it to the days after it; one transaction, marked applied in the audit log, so a retry never moves twice."""
    # Take SQLite's write lock first (a read-then-write transaction fails at once when another writer committed).
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    zone, total = ZoneInfo(community.timezone), Moved()
    overrides = {o.day: o.is_workday for o in session.scalars(select(CalendarOverride))}
    for record in pending(session, imports):
        old = WorkCalendar(overrides, calendar_of(record.before))
        new = WorkCalendar(overrides, calendar_of(record.after))
        moved = _move(session, zone, old, new, f"放假安排 {record.years}")
        audit.record(session, None, APPLIED, f"{_tag(record)}: {moved.total} deadline(s) moved", ip="system")
        total.add(moved)
    session.commit()
    return total
