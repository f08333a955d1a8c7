"""Home visit operations: find the tickets that need a visit, plan them, record what the visitor found."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import groupby
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from ..accounts.models import Membership, Profile, User
from ..errors import HallError
from ..menu.models import ServiceItem
from ..tenancy import Community, registry_session, utcnow
from ..window import rules
from ..window import services as window
from ..window.models import OPEN_STATES, Ticket, TicketEvent
from .models import OUTCOMES, HomeVisit

VISITOR_ROLES = ("staff", "head")  # volunteers join them once the time bank exists


@dataclass(frozen=True)
class Visitor:
    """A member of the station who can be sent on a visit."""

    user_id: int
    name: str


@dataclass
class VisitFilter:
    """What the visits list shows: a day ("" every pending visit, "unplanned", or YYYY-MM-DD) and a visitor."""

    day: str = ""
    assignee_id: int | None = None


def today(community: Community) -> date:
    """The community's local date."""
    return utcnow().astimezone(ZoneInfo(community.timezone)).date()


def parse_day(value: str, field: str = "day") -> date:
    """A YYYY-MM-DD date, or HallError."""
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise HallError(_l("Enter a date like 2026-11-25."), field) from None


def _insert_ignoring_duplicates(session: Session, rows: list[dict]) -> None:
    # Two pages loading at once may both find the same ticket without a visit: the unique ticket_id keeps one.
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    session.execute(upsert(HomeVisit).values(rows).on_conflict_do_nothing(index_elements=["ticket_id"]))


def sync_visits(session: Session) -> int:
    """Give every open home-visit ticket, and every open ticket of a housebound resident, its visit row.

    Complaints are never visits: every staff member sees this list, and a complaint's author stays hidden.
    Idempotent, so the list can call it on every load. A visit that asked for materials opens again once the
    resident has supplied them and the ticket is back with the station. Returns how many visits were added.
    """
    # Read and write under the write lock from the start (SQLite BEGIN IMMEDIATE): a read transaction that later
    # writes cannot wait for another writer and fails at once with "database is locked".
    session.rollback()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    housebound = select(Profile.user_id).where(Profile.housebound.is_(True))
    missing = session.execute(
        select(Ticket.id, Ticket.channel).outerjoin(HomeVisit, HomeVisit.ticket_id == Ticket.id)
        .where(HomeVisit.id.is_(None), Ticket.status.in_(OPEN_STATES), Ticket.kind == "request",
               or_(Ticket.channel == "home_visit", Ticket.resident_user_id.in_(housebound)))).all()
    now = utcnow()
    if missing:
        _insert_ignoring_duplicates(session, [
            {"ticket_id": tid, "reason": "home_visit" if channel == "home_visit" else "housebound",
             "building": "", "grid": "", "assignee_name": "", "outcome": "", "outcome_note": "", "attempts": 0,
             "created_at": now} for tid, channel in missing])
    back = select(Ticket.id).where(Ticket.status.in_(("submitted", "accepted", "in_progress")))
    session.execute(update(HomeVisit).where(HomeVisit.outcome == "need_materials", HomeVisit.ticket_id.in_(back))
                    .values(outcome="", planned_day=None).execution_options(synchronize_session=False))
    session.commit()
    return len(missing)


def pending_visits(session: Session, f: VisitFilter) -> list[HomeVisit]:
    """Visits still to be made, of open tickets: unplanned first, then by day, building, grid and number."""
    query = (select(HomeVisit).join(Ticket, Ticket.id == HomeVisit.ticket_id)
             .where(Ticket.status.in_(OPEN_STATES), Ticket.kind == "request",
                    or_(HomeVisit.outcome == "", HomeVisit.outcome == "not_home")))
    if f.day == "unplanned":
        query = query.where(HomeVisit.planned_day.is_(None))
    elif f.day:
        query = query.where(HomeVisit.planned_day == parse_day(f.day))
    if f.assignee_id is not None:
        query = query.where(HomeVisit.assignee_user_id == f.assignee_id)
    query = query.order_by(HomeVisit.planned_day.is_not(None), HomeVisit.planned_day, HomeVisit.building,
                           HomeVisit.grid, Ticket.number)
    return list(session.scalars(query).unique())


def planned_days(session: Session) -> list[date]:
    """The days that have visits still to make, for the list's day filter."""
    return list(session.scalars(
        select(HomeVisit.planned_day).join(Ticket, Ticket.id == HomeVisit.ticket_id)
        .where(HomeVisit.planned_day.is_not(None), HomeVisit.outcome == "", Ticket.status.in_(OPEN_STATES))
        .distinct().order_by(HomeVisit.planned_day)))


def group_visits(visits: list[HomeVisit]) -> list[tuple[date | None, list[tuple[str, str, list[HomeVisit]]]]]:
    """[(day or None, [(building, grid, visits)])] in the order given (pending_visits sorts them)."""
    groups = []
    for day, of_day in groupby(visits, key=lambda v: v.planned_day):
        places = [(b, g, list(vs)) for (b, g), vs in groupby(of_day, key=lambda v: (v.building, v.grid))]
        groups.append((day, places))
    return groups


def visitors(session: Session, community: Community) -> list[Visitor]:
    """The community's staff and head, who can be sent on visits, by name."""
    rows = (registry_session().query(User.id, User.display_name)
            .join(Membership, Membership.user_id == User.id)
            .filter(Membership.community_id == community.id, Membership.role.in_(VISITOR_ROLES),
                    User.is_active.is_(True)).distinct().all())
    names = dict(session.execute(select(Profile.user_id, Profile.real_name)
                                 .where(Profile.user_id.in_([uid for uid, _n in rows]))).all()) if rows else {}
    return sorted((Visitor(uid, names.get(uid) or display) for uid, display in rows), key=lambda v: v.name)


def _note_on_timeline(session: Session, ticket: Ticket, actor: window.Actor, action: str, note: str) -> None:
    # A visit's planning and a "not at home" leave the ticket's state alone but belong on its timeline.
    session.execute(insert(TicketEvent).values(ticket_id=ticket.id, at=utcnow(), actor_user_id=actor.user_id,
                                               actor_name=actor.name, action=action, from_status=ticket.status,
                                               to_status=ticket.status, note=note))


def _check_open(visit: HomeVisit) -> None:
    if visit.is_finished or visit.ticket.status not in OPEN_STATES:
        raise HallError(_l("This visit is already finished."), "outcome")


def assign(session: Session, community: Community, visit: HomeVisit, actor: window.Actor, day: str, building: str,
           grid: str, visitor_id: int | None) -> HomeVisit:
    """Plan a visit (派单): the day, the building (楼栋) and grid (网格), and the member of staff who goes."""
    _check_open(visit)
    planned = parse_day(day)
    if planned < today(community):
        raise HallError(_l("Choose today or a later day."), "day")
    building, grid = (building or "").strip(), (grid or "").strip()
    if len(building) > 50 or len(grid) > 50:
        raise HallError(_l("This is longer than %(n)s characters.", n=50), "building" if len(building) > 50 else "grid")
    if "\x00" in building + grid:
        raise HallError(_l("The form contains characters that cannot be stored."), "building")
    chosen = next((v for v in visitors(session, community) if v.user_id == visitor_id), None)
    if chosen is None:
        raise HallError(_l("Choose a member of this station's staff."), "visitor")
    session.rollback()  # write under the lock from the start (SQLite), as the window's services do
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    visit = session.get(HomeVisit, visit.id, populate_existing=True)
    _check_open(visit)
    visit.planned_day, visit.building, visit.grid = planned, building, grid
    visit.assignee_user_id, visit.assignee_name = chosen.user_id, chosen.name
    visit.assigned_at, visit.assigned_by_user_id = utcnow(), actor.user_id
    if visit.outcome == "not_home":
        visit.outcome = ""  # planned again after nobody was in
    where = " ".join(p for p in (building, grid) if p)
    _note_on_timeline(session, visit.ticket, actor, "visit_planned",
                      f"{planned.isoformat()} {chosen.name}" + (f" · {where}" if where else ""))
    session.commit()
    return visit


def _split(text: str) -> list[str]:
    return [m.strip() for m in (text or "").replace("、", "\n").splitlines() if m.strip()]


def record_outcome(session: Session, community: Community, visit: HomeVisit, actor: window.Actor, outcome: str,
                   text: str, may_record_any: bool = False) -> HomeVisit:
    """Record what the visitor found; done, need_materials and cannot_do move the ticket, not_home re-plans.

    done completes the ticket with the reply (accepting it first, and taking in the materials if it was
    returned); need_materials returns it listing what is missing; cannot_do declines it with the reason;
    not_home counts an attempt and sends the visit back to be planned. Everything is checked first, so a
    refusal changes nothing.
    """
    if outcome not in OUTCOMES:
        raise HallError(_l("Choose what came of the visit."), "outcome")
    _check_open(visit)
    if not may_record_any and visit.assignee_user_id != actor.user_id:
        raise HallError(_l("Only the member of staff sent on this visit can record it."), "outcome")
    text = (text or "").strip()
    if len(text) > 2000:
        raise HallError(_l("Please keep this under 2,000 characters."), "text")
    ticket = visit.ticket
    status = ticket.status
    if outcome == "done":
        if not text:
            raise HallError(_l("Write the reply the resident will receive."), "text")
    elif outcome == "need_materials":
        if not _split(text):
            raise HallError(_l("List the missing materials so the resident knows what to bring."), "text")
        if rules.next_state(status, "return") is None:
            raise HallError(_l("This ticket is already waiting for the resident's materials."), "outcome")
    elif outcome == "cannot_do" and not text:
        raise HallError(_l("Give the reason for declining."), "text")
    if outcome == "done":
        if status == "returned":
            # The visitor took in the missing materials at the resident's home.
            on_behalf = window.Actor(actor.user_id, actor.name, "resident")
            ticket = window.resubmit(session, community, ticket, on_behalf, str(_l("Materials taken in on a home visit.")))
        if ticket.status == "submitted":
            ticket = window.accept(session, community, ticket, actor, note=str(_l("Accepted on a home visit.")))
        ticket = window.complete(session, ticket, actor, text)
    elif outcome == "need_materials":
        ticket = window.return_for_materials(session, ticket, actor, _split(text))
    elif outcome == "cannot_do":
        ticket = window.decline(session, ticket, actor, text)
    session.rollback()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    visit = session.get(HomeVisit, visit.id, populate_existing=True)
    visit.outcome, visit.outcome_note = outcome, text
    visit.visited_at, visit.attempts = utcnow(), visit.attempts + 1
    if outcome == "not_home":
        visit.planned_day = None
        _note_on_timeline(session, visit.ticket, actor, "visit_not_home", text)
    session.commit()
    return visit


def visit_or_none(session: Session, visit_id: int) -> HomeVisit | None:
    """The visit with this id, or None."""
    return session.get(HomeVisit, visit_id)


@dataclass
class SheetEntry:
    """One stop on a visitor's day sheet: the visit, where to go and what to bring."""

    visit: HomeVisit
    address: str
    item: ServiceItem | None


def day_entry(session: Session, visit: HomeVisit) -> SheetEntry:
    """One visit with its address (the ticket's, else the resident's profile) and its menu item."""
    return day_sheet_entries(session, [visit])[0]


def day_sheet(session: Session, day: date, visitor_id: int | None = None) -> list[SheetEntry]:
    """The visits planned for a day (of one visitor, or all), with the address and the item's materials."""
    visits = pending_visits(session, VisitFilter(day=day.isoformat(), assignee_id=visitor_id))
    visits.sort(key=lambda v: (v.assignee_name, v.building, v.grid, v.ticket.number))
    return day_sheet_entries(session, visits)


def day_sheet_entries(session: Session, visits: list[HomeVisit]) -> list[SheetEntry]:
    """Visits with their addresses and menu items, in the order given."""
    residents = [v.ticket.resident_user_id for v in visits if v.ticket.resident_user_id]
    addresses = dict(session.execute(select(Profile.user_id, Profile.address)
                                     .where(Profile.user_id.in_(residents))).all()) if residents else {}
    items = {i.id: i for i in session.scalars(select(ServiceItem).where(
        ServiceItem.id.in_([v.ticket.item_id for v in visits if v.ticket.item_id])))} if visits else {}
    return [SheetEntry(v, v.ticket.home_address or addresses.get(v.ticket.resident_user_id, ""),
                       items.get(v.ticket.item_id)) for v in visits]
