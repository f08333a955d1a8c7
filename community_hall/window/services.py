"""Ticket operations: submit, the transitions (each checked against rules.TRANSITIONS and put on the timeline)."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import arrangements, audit
from ..errors import HallError
from ..menu.models import ServiceItem
from ..signals import ticket_changed, ticket_submitting
from ..tenancy import Community, utcnow
from ..workdays import WorkCalendar
from . import rules
from .models import CHANNELS, KINDS, OPEN_STATES, CalendarOverride, Ticket, TicketCounter, TicketEvent


class Conflict(HallError):
    """Someone else changed the ticket first; nothing was done."""


@dataclass
class Actor:
    """Who acts on a ticket: a user (with name) or the system; staff or resident."""

    user_id: int | None
    name: str
    kind: str = "staff"     # "staff" | "resident" | "system"


class SubmittedItem(Protocol):
    """What submit_ticket reads of the published item: a menu ServiceItem, or the API's kept PublishedItem."""

    # Read-only properties, so a frozen dataclass (PublishedItem) fits as well as a mapped row.
    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def post_id(self) -> int | None: ...


@dataclass
class Submission:
    """What a resident (or staff at the window on their behalf) submits."""

    item_code: str
    resident_name: str
    resident_phone: str
    channel: str = "online"
    resident_user_id: int | None = None
    details: str = ""
    id_number: str = ""
    aged_70: bool = False
    disabled: bool = False
    pregnant: bool = False
    urgent: bool = False
    home_address: str = ""
    proxy_name: str = ""
    proxy_relation: str = ""
    idem_key: str | None = None
    # Complaints and 办不成事反映 are not on the menu: they bring their own item_code and item_name, and rows
    # of their own (attach), stored in the same transaction as the ticket.
    kind: str = "request"
    item_name: str = ""
    attach: Callable[[Ticket], list] | None = None
    # The published item, when the caller already found it: saves reading it again.
    item: SubmittedItem | None = None


def calendar_for(session: Session) -> WorkCalendar:
    """The working-day calendar with this community's local overrides."""
    overrides = {o.day: o.is_workday for o in session.scalars(select(CalendarOverride))}
    return WorkCalendar(overrides, arrangements.national())


def _local_day(community: Community, at: datetime) -> str:
    return at.astimezone(ZoneInfo(community.timezone)).strftime("%Y%m%d")


def _validate(session: Session, sub: Submission) -> SubmittedItem | None:
    if sub.kind not in KINDS:
        raise HallError(_l("Unknown kind of ticket."), "kind")
    item = None
    if sub.kind == "request":
        item = sub.item if sub.item is not None else session.scalar(
            select(ServiceItem).where(ServiceItem.code == (sub.item_code or "").upper(),
                                      ServiceItem.published.is_(True)))
        if item is None:
            raise HallError(_l("This service is not on the menu."), "item_code")
    if sub.channel not in CHANNELS:
        raise HallError(_l("Unknown channel."), "channel")
    if not 1 <= len((sub.resident_name or "").strip()) <= 50:
        raise HallError(_l("Please enter the resident's name (up to 50 characters)."), "resident_name")
    phone = re.sub(r"[\s-]", "", sub.resident_phone or "")
    if not re.fullmatch(r"1\d{10}", phone):
        raise HallError(_l("Please enter an 11-digit mobile number starting with 1."), "resident_phone")
    sub.resident_phone = phone
    if sub.id_number and not re.fullmatch(r"\d{17}[\dXx]", sub.id_number.strip()):
        raise HallError(_l("An ID number has 18 characters: 17 digits and a digit or X."), "id_number")
    if sub.channel == "home_visit" and not sub.home_address.strip():
        raise HallError(_l("A home visit needs the home address."), "home_address")
    if sub.channel == "proxy" and not (sub.proxy_name.strip() and sub.proxy_relation.strip()):
        raise HallError(_l("Proxy handling needs the authoriser's name and relationship."), "proxy_name")
    if len(sub.details or "") > 2000:
        raise HallError(_l("Please keep the description under 2,000 characters."), "details")
    for name, limit in (("home_address", 200), ("proxy_name", 50), ("proxy_relation", 50)):
        if len(getattr(sub, name) or "") > limit:
            raise HallError(_l("This is longer than %(n)s characters.", n=limit), name)
    texts = (sub.resident_name, sub.details, sub.home_address, sub.proxy_name, sub.proxy_relation, sub.id_number)
    if any("\x00" in (t or "") for t in texts):
        raise HallError(_l("The form contains characters that cannot be stored."), "details")
    return item


def submit_ticket(session: Session, community: Community, sub: Submission, actor: Actor) -> Ticket:
    """Create a ticket with the next number of the day; a repeated idem_key returns the first ticket."""
    if sub.idem_key:
        existing = session.scalar(select(Ticket).where(Ticket.idem_key == sub.idem_key))
        if existing is not None:
            return existing
    item = _validate(session, sub)
    # Start a fresh transaction that takes the write lock at once. Ending the read-only one by commit, not
    # rollback, keeps what was read (the item) loaded: a rollback would expire it and cost a reload.
    if session.new or session.dirty or session.deleted:
        session.rollback()
    else:
        session.commit()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    if sub.idem_key:  # checked again under the lock: a concurrent double click lands here
        existing = session.scalar(select(Ticket).where(Ticket.idem_key == sub.idem_key))
        if existing is not None:
            session.rollback()
            return existing
    now = utcnow()
    day = _local_day(community, now)
    seq = _next_seq(session, day)
    ticket = Ticket(
        number=f"{community.slug.upper()}-{day}-{seq:04d}", day=day, seq=seq, kind=sub.kind,
        item_id=item.id if item else None, item_code=item.code if item else sub.item_code,
        item_name=item.name if item else sub.item_name, post_id=item.post_id if item else None,
        channel=sub.channel, status="submitted",
        resident_user_id=sub.resident_user_id, resident_name=sub.resident_name.strip(),
        resident_phone=sub.resident_phone, id_number=(sub.id_number or "").strip().upper(),
        aged_70=sub.aged_70, disabled=sub.disabled, pregnant=sub.pregnant, urgent=sub.urgent,
        priority=2 if sub.urgent else (1 if (sub.aged_70 or sub.disabled or sub.pregnant) else 0),
        home_address=sub.home_address.strip(), proxy_name=sub.proxy_name.strip(),
        proxy_relation=sub.proxy_relation.strip(), details=(sub.details or "").strip(),
        visits=1 if sub.channel in ("window", "proxy") else 0, idem_key=sub.idem_key,
        submitted_at=now, updated_at=now,
    )
    session.add(ticket)
    try:
        session.flush()
    except IntegrityError:
        # PostgreSQL has no BEGIN IMMEDIATE: a simultaneous twin with the same key got in first.
        session.rollback()
        existing = session.scalar(select(Ticket).where(Ticket.idem_key == sub.idem_key)) if sub.idem_key else None
        if existing is None:
            raise
        return existing
    session.add(TicketEvent(ticket_id=ticket.id, at=now, actor_user_id=actor.user_id, actor_name=actor.name,
                            action="submit", from_status="", to_status="submitted", note=""))
    session.add_all(sub.attach(ticket) if sub.attach else [])
    ticket_submitting.send(ticket, session=session, actor=actor, community=community)
    session.commit()
    ticket_changed.send(ticket, session=session, action="submit", actor=actor, community=community)
    return ticket


def _next_seq(session: Session, day: str) -> int:
    # One statement bumps the day's counter; it commits or rolls back with the ticket, so numbers have no gaps.
    table = TicketCounter.__table__
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    stmt = upsert(table).values(day=day, last=1)
    stmt = stmt.on_conflict_do_update(index_elements=[table.c.day], set_={"last": table.c.last + 1})
    return session.execute(stmt.returning(table.c.last)).scalar_one()


# session.info key: the actor whose ticket action also counts a trip of the resident (with_visit).
VISIT_WITH = "window.visit_with"


@dataclass
class Seen:
    """The ticket as the actor saw it when they chose the action (optimistic concurrency)."""

    id: int
    status: str
    version: int


def _begin_write(session: Session, ticket: Ticket, expected_version: int | None) -> Seen:
    """Remember what the actor saw, then start a transaction holding the write lock (SQLite: BEGIN IMMEDIATE).

    Reads made before a write in a plain SQLite transaction cannot wait for another writer (the database
    answers "locked" at once), so every change starts with the lock and reads inside it.
    """
    seen = Seen(ticket.id, ticket.status, expected_version if expected_version is not None else ticket.version)
    if seen.version != ticket.version:  # the page the actor acted on is already out of date
        raise Conflict(_l("Someone else has just changed this ticket. Its page now shows the current state."))
    session.rollback()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    return seen


@contextmanager
def with_visit(session: Session, actor: Actor):
    """Count the resident's trip to the station (最多跑一次) with the ticket action run inside: in the same
    transaction, so a refused action counts no trip either."""
    session.info[VISIT_WITH] = actor
    try:
        yield
    finally:
        session.info.pop(VISIT_WITH, None)


def _transition(session: Session, ticket: Ticket, seen: Seen, action: str, actor: Actor, note: str = "",
                changes: dict | None = None) -> Ticket:
    """Move a ticket by an action if the table allows it and nobody changed it meanwhile; record the event."""
    target = _check(seen.status, action, actor)
    now = utcnow()
    visitor = session.info.pop(VISIT_WITH, None)
    values = {"status": target, "version": seen.version + 1, "updated_at": now, **(changes or {})}
    if visitor is not None:
        values["visits"] = Ticket.visits + 1
    result = session.execute(
        update(Ticket).where(Ticket.id == seen.id, Ticket.version == seen.version, Ticket.status == seen.status)
        .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.rollback()
        raise Conflict(_l("Someone else has just changed this ticket. Its page now shows the current state."))
    if visitor is not None:
        session.execute(insert(TicketEvent).values(ticket_id=seen.id, at=now, actor_user_id=visitor.user_id,
                                                   actor_name=visitor.name, action="visit", from_status=seen.status,
                                                   to_status=seen.status, note=""))
    session.execute(insert(TicketEvent).values(ticket_id=seen.id, at=now, actor_user_id=actor.user_id,
                                               actor_name=actor.name, action=action, from_status=seen.status,
                                               to_status=target, note=note))
    if actor.kind == "staff":   # the timeline has the details; the audit log a line of who moved what
        audit.record(session, actor.user_id, f"ticket.{action}", f"{ticket.number}: {seen.status} -> {target}")
    session.commit()
    session.refresh(ticket)
    ticket_changed.send(ticket, session=session, action=action, actor=actor)
    return ticket


def _check(status: str, action: str, actor: Actor) -> str:
    """The state the action leads to; HallError when the table or the actor's side does not allow it."""
    allowed = rules.STAFF_ACTIONS if actor.kind in ("staff", "system") else rules.RESIDENT_ACTIONS
    target = rules.next_state(status, action)
    if action not in allowed or target is None:
        raise HallError(_l("This ticket cannot be changed that way now."), "action")
    return target


def _item_limit(session: Session, ticket: Ticket) -> tuple[int, str]:
    item = session.get(ServiceItem, ticket.item_id) if ticket.item_id else None
    return (item.time_limit, item.time_unit) if item else (0, "workdays")


def accept(session: Session, community: Community, ticket: Ticket, actor: Actor, checked: list[str] | None = None,
           note: str = "", expected_version: int | None = None, time_limit: tuple[int, str] | None = None) -> Ticket:
    """Accept (受理): the due date is the acceptance plus the item's (or the given) time limit in working days."""
    seen = _begin_write(session, ticket, expected_version)
    _check(seen.status, "accept", actor)
    now = utcnow()
    limit, unit = time_limit or _item_limit(session, ticket)
    due = calendar_for(session).due_date(now, limit, unit, community.timezone)
    return _transition(session, ticket, seen, "accept", actor, note, {
        "accepted_at": now, "due_at": due, "handler_user_id": actor.user_id,
        "materials_checked": "\n".join(checked or [])})


def start(session: Session, ticket: Ticket, actor: Actor, note: str = "", expected_version: int | None = None) -> Ticket:
    """Start handling (办理中)."""
    seen = _begin_write(session, ticket, expected_version)
    return _transition(session, ticket, seen, "start", actor, note, {"handler_user_id": actor.user_id})


def return_for_materials(session: Session, ticket: Ticket, actor: Actor, missing: list[str], note: str = "",
                         expected_version: int | None = None) -> Ticket:
    """Return to the resident (退回补正) listing what is missing; the deadline clock pauses."""
    missing = [m.strip() for m in missing if m.strip()]
    if not missing:
        raise HallError(_l("List the missing materials so the resident knows what to bring."), "missing")
    seen = _begin_write(session, ticket, expected_version)
    return _transition(session, ticket, seen, "return", actor, note or "、".join(missing),
                       {"missing_materials": "\n".join(missing), "returned_at": utcnow()})


def resubmit(session: Session, community: Community, ticket: Ticket, actor: Actor, note: str = "",
             expected_version: int | None = None) -> Ticket:
    """The resident brings the missing materials; an accepted ticket's due date moves by the working days paused."""
    seen = _begin_write(session, ticket, expected_version)
    _check(seen.status, "resubmit", actor)
    if ticket.accepted_at is None:
        return _transition(session, ticket, seen, "resubmit", actor, note,
                           {"missing_materials": "", "returned_at": None})
    cal = calendar_for(session)
    tz = ZoneInfo(community.timezone)
    paused = ticket.paused_workdays + cal.workdays_between(_aware(ticket.returned_at).astimezone(tz).date(),
                                                           utcnow().astimezone(tz).date())
    limit, unit = _item_limit(session, ticket)
    due = cal.due_date(_aware(ticket.accepted_at), limit, unit, community.timezone, paused_workdays=paused)
    return _transition(session, ticket, seen, "resubmit_accepted", actor, note, {
        "missing_materials": "", "returned_at": None, "paused_workdays": paused, "due_at": due})


def complete(session: Session, ticket: Ticket, actor: Actor, reply: str, expected_version: int | None = None) -> Ticket:
    """Finish (办结) with the reply the resident receives (办复结果)."""
    if not (reply or "").strip():
        raise HallError(_l("Write the reply the resident will receive."), "reply")
    seen = _begin_write(session, ticket, expected_version)
    return _transition(session, ticket, seen, "complete", actor, reply.strip(),
                       {"reply": reply.strip(), "finished_at": utcnow()})


def decline(session: Session, ticket: Ticket, actor: Actor, reason: str, expected_version: int | None = None) -> Ticket:
    """Decline (不予受理) with the reason, which the resident sees."""
    if not (reason or "").strip():
        raise HallError(_l("Give the reason for declining."), "reason")
    seen = _begin_write(session, ticket, expected_version)
    return _transition(session, ticket, seen, "decline", actor, reason.strip(),
                       {"decline_reason": reason.strip(), "finished_at": utcnow()})


def withdraw(session: Session, ticket: Ticket, actor: Actor, note: str = "", expected_version: int | None = None) -> Ticket:
    """The resident withdraws a ticket not yet accepted."""
    seen = _begin_write(session, ticket, expected_version)
    return _transition(session, ticket, seen, "withdraw", actor, note, {"finished_at": utcnow()})


def _aware(dt: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    from datetime import UTC

    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def is_overdue(ticket: Ticket, now: datetime | None = None) -> bool:
    """Accepted or in progress past its due moment."""
    return ticket.status in ("accepted", "in_progress") and ticket.due_at is not None and \
        _aware(ticket.due_at) < (now or utcnow())


def ticket_by_number(session: Session, number: str) -> Ticket | None:
    """The ticket with this number (case-insensitive), or None."""
    return session.scalar(select(Ticket).where(Ticket.number == (number or "").strip().upper()))


def request_ticket(session: Session, ticket_id: int | None) -> Ticket | None:
    """A request ticket by id, or None: complaints and 办不成事 reports open only on their handler's pages
    (complaints.views), so no other form, list or link may load one by its id."""
    if ticket_id is None:
        return None
    ticket = session.get(Ticket, ticket_id)
    return ticket if ticket is not None and ticket.kind == "request" else None


def handled_by(session: Session, ticket: Ticket) -> set[int]:
    """Who worked on a ticket: its handler and every staff member who moved it (a bad word about it is about them)."""
    people = set(session.scalars(select(TicketEvent.actor_user_id).where(
        TicketEvent.ticket_id == ticket.id, TicketEvent.action.in_(sorted(rules.STAFF_ACTIONS)),
        TicketEvent.actor_user_id.is_not(None))))
    return people | ({ticket.handler_user_id} if ticket.handler_user_id is not None else set())


def count_open_query():
    """How many requests (not complaints) are in each open state; closed ones grow with the archive, so uncounted."""
    return (select(Ticket.status, func.count()).where(Ticket.kind == "request", Ticket.status.in_(OPEN_STATES))
            .group_by(Ticket.status))


def count_open(session: Session) -> dict[str, int]:
    """The counts of count_open_query as {state: n}."""
    return dict(session.execute(count_open_query()).all())
