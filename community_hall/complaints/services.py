"""Submitting complaints and 办不成事反映 (tickets of their own kind), listing them for their handler, answering them."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from ..accounts.models import Membership, User
from ..accounts.policy import may_handle_complaint
from ..errors import HallError
from ..menu.services import item_by_code
from ..tenancy import Community, registry_session
from ..window import services as tickets
from ..window.models import OPEN_STATES, Ticket
from .models import Complaint

# Complaints are not on the menu: their tickets carry these codes and names (stored data, Chinese like the menu).
TICKET_ITEMS = {"complaint": ("TS", "投诉"), "unresolved": ("BCS", "办不成事反映")}
SYSTEM = tickets.Actor(None, "系统", "system")


@dataclass
class ComplaintData:
    """What the resident fills in; about is "service" or "staff" for a complaint (unused for 办不成事反映)."""

    kind: str
    resident_name: str
    resident_phone: str
    details: str
    resident_user_id: int | None = None
    about: str = "service"
    item_code: str = ""
    ticket_number: str = ""
    staff_user_id: int | None = None
    where_tried: str = ""
    idem_key: str | None = None


def station_people(community: Community) -> list[tuple[int, str, bool]]:
    """Staff and heads of the community a complaint may name: (user id, name, is head), names only."""
    rows = registry_session().execute(
        select(User.id, User.display_name, Membership.role).join(Membership, Membership.user_id == User.id)
        .where(Membership.community_id == community.id, Membership.role.in_(("staff", "head")),
               User.is_active.is_(True)).order_by(User.display_name, User.id))
    people: dict[int, tuple[int, str, bool]] = {}
    for user_id, name, role in rows:
        is_head = role == "head" or (user_id in people and people[user_id][2])
        people[user_id] = (user_id, name, is_head)
    return list(people.values())


def _about(session: Session, community: Community, data: ComplaintData) -> Complaint:
    """The complaint row (without its ticket) for what the data names; HallError for anything unclear."""
    if len(data.where_tried or "") > 2000:
        raise HallError(_l("This is longer than %(n)s characters.", n=2000), "where_tried")
    if not (data.details or "").strip():
        raise HallError(_l("Please describe what happened."), "details")
    item = None
    if (data.item_code or "").strip():
        item = item_by_code(session, data.item_code.strip(), published_only=True)
        if item is None:
            raise HallError(_l("This service is not on the menu."), "item_code")
    if data.kind == "unresolved":
        if not (data.where_tried or "").strip():
            raise HallError(_l("Please say where you already went and what happened there."), "where_tried")
        return Complaint(about="service", about_item_id=item.id if item else None,
                         about_item_name=item.name if item else "", about_ticket_number="",
                         handler_level="head", where_tried=data.where_tried.strip())
    if data.kind != "complaint":
        raise HallError(_l("Unknown kind of ticket."), "kind")
    if data.about == "staff":
        person = next((p for p in station_people(community) if p[0] == data.staff_user_id), None)
        if person is None:
            raise HallError(_l("Choose the member of staff the complaint is about."), "staff_user_id")
        user_id, name, is_head = person
        # A complaint about the head goes to the street office: the head cannot judge their own case.
        return Complaint(about="head" if is_head else "staff", about_item_id=item.id if item else None,
                         about_item_name=item.name if item else "", about_ticket_number="", about_user_id=user_id,
                         about_name=name, handler_level="district" if is_head else "head", where_tried="")
    if data.about != "service":
        raise HallError(_l("Say whether the complaint is about a service or a member of staff."), "about")
    number = (data.ticket_number or "").strip().upper()
    earlier = None
    if number:
        earlier = tickets.ticket_by_number(session, number)
        if earlier is None or earlier.kind != "request":
            raise HallError(_l("No request has this number. Check it on your receipt."), "ticket_number")
    if item is None and earlier is None:
        raise HallError(_l("Choose the service, or give the number of your earlier request."), "item_code")
    # A complaint about a request is about whoever worked on it: never theirs to judge, and the street office's
    # when a head did.
    workers = tickets.handled_by(session, earlier) if earlier is not None else set()
    heads = sorted(uid for uid, _name, is_head in station_people(community) if is_head and uid in workers)
    about_user_id = heads[0] if heads else (earlier.handler_user_id if earlier is not None else None)
    return Complaint(about="service", about_item_id=item.id if item else earlier.item_id,
                     about_item_name=item.name if item else earlier.item_name, about_ticket_number=number,
                     about_user_id=about_user_id, handler_level="district" if heads else "head", where_tried="")


def submit_complaint(session: Session, community: Community, data: ComplaintData, actor: tickets.Actor,
                     workdays: int = 5) -> Ticket:
    """Store the complaint as a ticket with its own number and accept it at once: due in `workdays` working days."""
    complaint = _about(session, community, data)
    code, name = TICKET_ITEMS[data.kind]

    def attach(ticket: Ticket) -> list:
        complaint.ticket_id = ticket.id
        return [complaint]

    sub = tickets.Submission(item_code=code, item_name=name, kind=data.kind, resident_name=data.resident_name,
                             resident_phone=data.resident_phone, resident_user_id=data.resident_user_id,
                             details=data.details, channel="online", idem_key=data.idem_key, attach=attach)
    ticket = tickets.submit_ticket(session, community, sub, actor)
    if ticket.status == "submitted":  # not when a resent form found the first ticket
        ticket = tickets.accept(session, community, ticket, SYSTEM, time_limit=(workdays, "workdays"))
    return ticket


def complaint_of(session: Session, ticket: Ticket) -> Complaint | None:
    """The complaint part of a ticket (None for ordinary requests)."""
    return session.scalar(select(Complaint).where(Complaint.ticket_id == ticket.id))


def visible_complaint(session: Session, ticket: Ticket | None, user, roles: frozenset[str]) -> Complaint | None:
    """The complaint when this user may see and answer it (see policy.may_handle_complaint), else None."""
    if ticket is None or ticket.kind == "request":
        return None
    complaint = complaint_of(session, ticket)
    if complaint is None or not may_handle_complaint(user, roles, complaint.handler_level, complaint.about_user_id):
        return None
    return complaint


def complaints_for(session: Session, user, roles: frozenset[str], status: str = "open",
                   limit: int = 500) -> list[tuple[Ticket, Complaint]]:
    """The complaints this user handles: open ones by due date first (or all, newest first)."""
    stmt = (select(Ticket, Complaint).join(Complaint, Complaint.ticket_id == Ticket.id)
            .where(Ticket.kind != "request", Complaint.handler_level.in_(sorted(roles))))
    if status == "open":
        stmt = stmt.where(Ticket.status.in_(OPEN_STATES)).order_by(Ticket.due_at, Ticket.id)
    else:
        open_first = case((Ticket.status.in_(OPEN_STATES), 0), else_=1)
        stmt = stmt.order_by(open_first, Ticket.submitted_at.desc(), Ticket.id.desc())
    rows = session.execute(stmt.limit(limit)).all()
    return [(t, c) for t, c in rows if may_handle_complaint(user, roles, c.handler_level, c.about_user_id)]


def answer(session: Session, ticket: Ticket, actor: tickets.Actor, action: str, text: str,
           expected_version: int | None = None) -> Ticket:
    """Reply in writing (办结 with the reply) or decline with the reason; both go on the timeline."""
    if action == "reply":
        return tickets.complete(session, ticket, actor, text, expected_version)
    if action == "decline":
        return tickets.decline(session, ticket, actor, text, expected_version)
    raise HallError(_l("This ticket cannot be changed that way now."), "action")
