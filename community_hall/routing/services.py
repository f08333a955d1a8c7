"""First-inquiry routing (首问负责制): log an inquiry, answer it, make it a ticket, hand a matter over, acknowledge,
pass work on when its handler's leave or outreach starts, escalate unacknowledged hand-overs, count it all.

A matter is an Inquiry or a (request) Ticket; both carry post_id and handler_user_id. Who a matter should go to
comes from the pure rule in rosters/duty.py; every move is a Hop row with the routed person and the reason.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from ..accounts.models import Membership, User
from ..errors import HallError
from ..menu.models import ServiceItem
from ..rosters import duty
from ..rosters.models import Post
from ..rosters.services import head_of, holders_of, load_roster
from ..signals import ticket_changed, ticket_submitting
from ..tenancy import Community, registry_session, utcnow
from ..window.models import OPEN_STATES, Ticket
from ..window.services import Actor, Submission, calendar_for, is_overdue, submit_ticket
from .models import NEEDS_ACK, Hop, Inquiry, StaffNotification

log = logging.getLogger(__name__)

NO_POST = "no_post"   # a matter without a post goes to the head (shown with this reason)

Matter = Inquiry | Ticket


def setting(key: str, default: int) -> int:
    """A whole-number setting from the app config (the default outside an app)."""
    return int(current_app.config.get(key, default)) if has_app_context() else default


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything is stored in UTC."""
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


def as_utc(moment: datetime | None) -> datetime:
    """The moment (now by default) in UTC: SQLite stores wall-clock text, so every stored time must be UTC."""
    return aware(moment or utcnow()).astimezone(UTC)


# --- people ---------------------------------------------------------------------------------------
def station_people(community: Community) -> dict[int, str]:
    """Active staff and heads of the community: user id -> name."""
    rows = registry_session().execute(
        select(User.id, User.display_name).join(Membership, Membership.user_id == User.id)
        .where(Membership.community_id == community.id, Membership.role.in_(("staff", "head")),
               User.is_active.is_(True)).order_by(User.display_name, User.id))
    return dict(rows.all())


def names_of(ids) -> dict[int, str]:
    """Display names of registry users by id."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(registry_session().execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


# --- routing ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Proposal:
    """Whom routing proposes for a post now, why (a duty reason code) and until when."""

    user_id: int | None
    role: str
    reason: str
    until: datetime | None = None


def propose(session: Session, community: Community, post_id: int | None, at: datetime | None = None,
            roster: duty.Roster | None = None) -> Proposal:
    """The person responsible for the post at `at` by the AB rule; the head when the matter has no post."""
    at = as_utc(at)
    post = session.get(Post, post_id) if post_id else None
    if post is None:
        return Proposal(head_of(community), "head", NO_POST)
    roster = roster if roster is not None else load_roster(session, community, at, at + duty.HORIZON)
    d = duty.responsible(holders_of(post, community), roster, at)
    if d.user_id is None:  # a post with neither holder nor head: nobody to name, so the head of the station
        return Proposal(head_of(community), "head", d.reason, d.until)
    return Proposal(d.user_id, d.role, d.reason, d.until)


def ack_deadline(session: Session, community: Community, at: datetime) -> datetime:
    """When a hand-over made at `at` must be acknowledged: HANDOVER_ACK_MINUTES working minutes later."""
    minutes = setting("HANDOVER_ACK_MINUTES", 30)
    local = aware(at).astimezone(ZoneInfo(community.timezone))
    return calendar_for(session).add_workhours(local, minutes / 60).astimezone(UTC)


# --- notifications ----------------------------------------------------------------------------------
def notify_staff(session: Session, user_id: int | None, kind: str, matter: Matter | None = None, **params) -> None:
    """Queue an in-app notice for a member of staff (committed with the caller's change)."""
    if user_id is None:
        return
    if isinstance(matter, Inquiry):
        params.setdefault("matter", f"#{matter.id} {matter.topic}")
    elif isinstance(matter, Ticket):
        params.setdefault("matter", f"{matter.number} {matter.item_name}")
    session.add(StaffNotification(
        user_id=user_id, kind=kind, params=json.dumps(params, ensure_ascii=False), created_at=utcnow(),
        inquiry_id=matter.id if isinstance(matter, Inquiry) else None,
        ticket_id=matter.id if isinstance(matter, Ticket) else None))


def unread_count(session: Session, user_id: int) -> int:
    """How many of a person's staff notices are unread."""
    return session.scalar(select(func.count()).select_from(StaffNotification).where(
        StaffNotification.user_id == user_id, StaffNotification.read_at.is_(None))) or 0


def staff_inbox(session: Session, user_id: int, limit: int = 100) -> list[StaffNotification]:
    """A person's staff notices, newest first."""
    return list(session.scalars(select(StaffNotification).where(StaffNotification.user_id == user_id)
                                .order_by(StaffNotification.id.desc()).limit(limit)))


def mark_read(session: Session, user_id: int) -> int:
    """Mark all of a person's staff notices read; how many changed."""
    count = session.execute(update(StaffNotification).where(
        StaffNotification.user_id == user_id, StaffNotification.read_at.is_(None)).values(read_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    session.commit()
    return count


# --- inquiries --------------------------------------------------------------------------------------
@dataclass
class InquiryData:
    """What staff note of a walk-in or phone inquiry."""

    resident_name: str
    text: str
    contact_phone: str = ""
    item_code: str = ""
    topic: str = ""
    channel: str = "window"


def log_inquiry(session: Session, community: Community, user_id: int, data: InquiryData,
                now: datetime | None = None) -> Inquiry:
    """Log an inquiry: whoever logs it is its first-asked owner and first handler."""
    now = as_utc(now)
    name = (data.resident_name or "").strip()
    if not 1 <= len(name) <= 50:
        raise HallError(_l("Please enter who is asking (up to 50 characters)."), "resident_name")
    phone = re.sub(r"[\s-]", "", data.contact_phone or "")
    if phone and not re.fullmatch(r"1\d{10}|0\d{9,11}", phone):
        raise HallError(_l("Please enter a mobile number (11 digits starting with 1) or a landline with its area "
                           "code, or leave it empty."), "contact_phone")
    if data.channel not in ("window", "phone"):
        raise HallError(_l("Unknown channel."), "channel")
    item = None
    if data.item_code:
        item = session.scalar(select(ServiceItem).where(ServiceItem.code == data.item_code.upper()))
        if item is None:
            raise HallError(_l("This service is not on the menu."), "item_code")
    topic = (data.topic or "").strip() or (item.name if item else "")
    if not topic or len(topic) > 100:
        raise HallError(_l("Choose a service or write the topic (up to 100 characters)."), "topic")
    text = (data.text or "").strip()
    if not text or len(text) > 2000:
        raise HallError(_l("Write what the resident asked (up to 2,000 characters)."), "text")
    if "\x00" in name + text + topic:
        raise HallError(_l("The form contains characters that cannot be stored."), "text")
    days = setting("INQUIRY_ANSWER_WORKDAYS", 1)
    inquiry = Inquiry(
        resident_name=name, contact_phone=phone, channel=data.channel, item_id=item.id if item else None,
        post_id=item.post_id if item else None, topic=topic, text=text, status="open", owner_user_id=user_id,
        handler_user_id=user_id, answer="", created_at=now,
        answer_due_at=calendar_for(session).due_date(now, days, "workdays", community.timezone))
    session.add(inquiry)
    session.commit()
    return inquiry


def may_act(matter: Matter, user_id: int, acting_as_head: bool) -> bool:
    """Only the current handler acts on a matter (the head on any)."""
    return acting_as_head or matter.handler_user_id == user_id


def is_open(matter: Matter) -> bool:
    """Still with the station: an open inquiry, or a request ticket not finished."""
    return matter.status == "open" if isinstance(matter, Inquiry) else matter.status in OPEN_STATES


def _check_actor(matter: Matter, user_id: int, acting_as_head: bool) -> None:
    if not is_open(matter):
        raise HallError(_l("This matter is already closed."), "matter")
    if not may_act(matter, user_id, acting_as_head):
        raise HallError(_l("Only the person now handling this matter (or the station head) may do that."), "matter")


def _settle_pending(session: Session, matter: Matter, user_id: int, now: datetime) -> None:
    """Acting on a matter handed to you acknowledges it."""
    for hop in pending_hops(session, matter):
        if hop.to_user_id == user_id:
            hop.acknowledged_at = now


def answer_inquiry(session: Session, inquiry: Inquiry, user_id: int, answer: str, acting_as_head: bool = False,
                   now: datetime | None = None) -> Inquiry:
    """Close an inquiry with the answer given to the resident; the first-asked owner is told."""
    now = as_utc(now)
    _check_actor(inquiry, user_id, acting_as_head)
    answer = (answer or "").strip()
    if not answer or len(answer) > 2000:
        raise HallError(_l("Write the answer the resident was given (up to 2,000 characters)."), "answer")
    _settle_pending(session, inquiry, user_id, now)
    inquiry.status, inquiry.answer, inquiry.answered_at, inquiry.answered_by = "answered", answer, now, user_id
    if inquiry.owner_user_id != user_id:
        notify_staff(session, inquiry.owner_user_id, "answered", inquiry, by=names_of([user_id]).get(user_id, ""))
    session.commit()
    return inquiry


def inquiry_to_ticket(session: Session, community: Community, inquiry: Inquiry, user_id: int, user_name: str,
                      acting_as_head: bool = False) -> Ticket:
    """Turn an inquiry into a ticket (channel window or phone) routed to its post; the inquiry links to it."""
    _check_actor(inquiry, user_id, acting_as_head)
    item = session.get(ServiceItem, inquiry.item_id) if inquiry.item_id else None
    if item is None:
        raise HallError(_l("Choose the service on the menu before making a ticket of this inquiry."), "item_code")
    if not inquiry.contact_phone.startswith("1"):
        raise HallError(_l("A ticket needs the resident's mobile number: add it to the inquiry first."),
                        "contact_phone")
    inquiry_id = inquiry.id
    sub = Submission(item_code=item.code, resident_name=inquiry.resident_name, resident_phone=inquiry.contact_phone,
                     channel=inquiry.channel, details=inquiry.text, idem_key=f"inquiry-{inquiry_id}")
    ticket = submit_ticket(session, community, sub, Actor(user_id, user_name, "staff"))
    inquiry = session.get(Inquiry, inquiry_id)
    _settle_pending(session, inquiry, user_id, utcnow())
    inquiry.status, inquiry.ticket_id = "ticket", ticket.id
    session.commit()
    return ticket


def set_inquiry_post(session: Session, inquiry: Inquiry, post_id: int | None, user_id: int,
                     acting_as_head: bool = False) -> Inquiry:
    """Choose the post an inquiry belongs to when its menu item does not say."""
    _check_actor(inquiry, user_id, acting_as_head)
    if post_id is not None and session.get(Post, post_id) is None:
        raise HallError(_l("Unknown post."), "post_id")
    inquiry.post_id = post_id
    session.commit()
    return inquiry


# --- hops -------------------------------------------------------------------------------------------
def _matter_filter(matter: Matter):
    return Hop.inquiry_id == matter.id if isinstance(matter, Inquiry) else Hop.ticket_id == matter.id


def hops_of(session: Session, matter: Matter) -> list[Hop]:
    """Every move of the matter, oldest first."""
    return list(session.scalars(select(Hop).where(_matter_filter(matter)).order_by(Hop.id)))


def pending_hops(session: Session, matter: Matter) -> list[Hop]:
    """Moves of the matter still waiting for their receiver's acknowledgement."""
    return list(session.scalars(select(Hop).where(_matter_filter(matter), Hop.kind.in_(NEEDS_ACK),
                                                  Hop.acknowledged_at.is_(None)).order_by(Hop.id)))


def _add_hop(session: Session, matter: Matter, kind: str, from_user: int | None, to_user: int, reason: str,
             proposal: Proposal | None, now: datetime, ack_due: datetime | None) -> Hop:
    hop = Hop(inquiry_id=matter.id if isinstance(matter, Inquiry) else None,
              ticket_id=matter.id if isinstance(matter, Ticket) else None, kind=kind, from_user_id=from_user,
              to_user_id=to_user, reason=reason, routed_user_id=proposal.user_id if proposal else None,
              routed_reason=proposal.reason if proposal else "", created_at=now, ack_due_at=ack_due)
    session.add(hop)
    matter.handler_user_id = to_user
    return hop


def hand_over(session: Session, community: Community, matter: Matter, giver_id: int, to_user_id: int | None,
              reason: str = "", acting_as_head: bool = False, now: datetime | None = None) -> Hop:
    """Hand a matter to the routed person (or, with a reason, someone else of the station); giving it back to
    whoever handed it to you is a hand-back and always needs a reason. The receiver must acknowledge in time."""
    now = as_utc(now)
    _check_actor(matter, giver_id, acting_as_head)
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise HallError(_l("Please keep the reason under 500 characters."), "reason")
    proposal = propose(session, community, matter.post_id, now)
    to = to_user_id or proposal.user_id
    if to is None:
        raise HallError(_l("Choose whom to hand this matter to."), "to_user_id")
    if to not in station_people(community):
        raise HallError(_l("Hand matters only to staff or the head of this station."), "to_user_id")
    if to == matter.handler_user_id:
        raise HallError(_l("That person already handles this matter."), "to_user_id")
    last = session.scalar(select(Hop).where(_matter_filter(matter), Hop.to_user_id == matter.handler_user_id)
                          .order_by(Hop.id.desc()).limit(1))
    kind = "handback" if last is not None and last.from_user_id == to else "handover"
    if kind == "handback" and not reason:
        raise HallError(_l("Say why you are handing this matter back (passing the buck is not allowed)."), "reason")
    if to != proposal.user_id and not reason:
        raise HallError(_l("You chose someone other than the person responsible: give the reason."), "reason")
    _settle_pending(session, matter, matter.handler_user_id, now)
    hop = _add_hop(session, matter, kind, matter.handler_user_id, to, reason, proposal, now,
                   ack_deadline(session, community, now))
    notify_staff(session, to, kind, matter, by=names_of([giver_id]).get(giver_id, ""))
    session.commit()
    return hop


def acknowledge(session: Session, matter: Matter, user_id: int, now: datetime | None = None) -> Hop:
    """The receiver confirms they have taken the matter."""
    now = as_utc(now)
    mine = [h for h in pending_hops(session, matter) if h.to_user_id == user_id]
    if not mine or matter.handler_user_id != user_id or not is_open(matter):
        raise HallError(_l("There is no hand-over to you waiting to be acknowledged."), "matter")
    for hop in mine:
        hop.acknowledged_at = now
    session.commit()
    return mine[-1]


def route_ticket(session: Session, community: Community, ticket: Ticket, now: datetime | None = None) -> Hop | None:
    """Give a newly submitted request to the routed person of its post, recording why."""
    if ticket.kind != "request":
        return None  # complaints and 办不成事反映 are for the head or the district, never routed to staff
    now = as_utc(now)
    if session.in_transaction() and not (session.new or session.dirty or session.deleted):
        # End the read so the routing write holds SQLite's write lock from its first read (BEGIN IMMEDIATE): a
        # read transaction that later writes fails at once ("database is locked") when another writer got in first.
        session.commit()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    hop = _route(session, community, ticket, now)
    session.commit()
    return hop


def _route(session: Session, community: Community, ticket: Ticket, now: datetime) -> Hop | None:
    proposal = propose(session, community, ticket.post_id, now)
    if proposal.user_id is None:
        return None
    hop = _add_hop(session, ticket, "route", None, proposal.user_id, "", proposal, now, None)
    notify_staff(session, proposal.user_id, "assigned", ticket)
    return hop


@ticket_submitting.connect
def _route_with_the_ticket(ticket: Ticket, session: Session | None = None, community: Community | None = None,
                          **_kwargs) -> None:
    """Route a new request in the transaction that stores it (one commit instead of two), inside a savepoint:
    if routing fails the ticket is still stored, and routing is tried again after the commit (below)."""
    if session is None or community is None or ticket.kind != "request" or ticket.handler_user_id is not None:
        return
    try:
        with session.begin_nested():
            _route(session, community, ticket, as_utc(None))
    except Exception:
        log.exception("could not route ticket %s with its submission; trying again after it is stored",
                      ticket.number)


def _inquiries_of_ticket(session: Session, ticket: Ticket) -> list[Inquiry]:
    return list(session.scalars(select(Inquiry).where(Inquiry.ticket_id == ticket.id, Inquiry.answered_at.is_(None))))


@ticket_changed.connect
def _on_ticket_changed(ticket: Ticket, session: Session | None = None, action: str = "",
                       community: Community | None = None, **_kwargs) -> None:
    """Route submitted requests; when a ticket made from an inquiry ends, its first-asked owner is told."""
    if session is None or ticket.kind != "request":
        return
    try:
        if action == "submit":     # submit_ticket sends the community with it
            if community is not None and ticket.handler_user_id is None:
                route_ticket(session, community, ticket)
        elif ticket.status not in OPEN_STATES:
            now = utcnow()
            for inquiry in _inquiries_of_ticket(session, ticket):
                inquiry.answered_at, inquiry.answer = now, ticket.reply or ticket.decline_reason or ""
                notify_staff(session, inquiry.owner_user_id, "answered", inquiry, by=ticket.number)
            session.commit()
    except Exception:
        session.rollback()
        log.exception("could not route ticket %s after %s", ticket.number, action)


# --- sweeps -----------------------------------------------------------------------------------------
def open_matters(session: Session) -> list[Matter]:
    """Open inquiries and open request tickets that have a handler."""
    inquiries = list(session.scalars(select(Inquiry).where(Inquiry.status == "open")))
    tickets = list(session.scalars(select(Ticket).where(Ticket.kind == "request", Ticket.status.in_(OPEN_STATES),
                                                        Ticket.handler_user_id.is_not(None))))
    return [*inquiries, *tickets]


def pass_on_leave(session: Session, community: Community, now: datetime | None = None) -> list[Hop]:
    """Open work of anyone whose approved leave or outreach has started passes to the covering person (idempotent:
    once passed, the handler is present or is already the one the rule names)."""
    now = as_utc(now)
    roster = load_roster(session, community, now, now + duty.HORIZON)
    if not roster.leave and not roster.out:
        return []
    hops = []
    for matter in open_matters(session):
        away = roster.away_reason(matter.handler_user_id, now)
        if away not in ("leave", "out"):
            continue
        proposal = propose(session, community, matter.post_id, now, roster)
        if proposal.user_id is None or proposal.user_id == matter.handler_user_id:
            continue
        from_user = matter.handler_user_id
        for hop in pending_hops(session, matter):  # the away person's pending hand-over is overtaken
            hop.escalated_at = hop.escalated_at or now
        hops.append(_add_hop(session, matter, "leave", from_user, proposal.user_id, away, proposal, now,
                             ack_deadline(session, community, now)))
        notify_staff(session, proposal.user_id, "leave", matter, by=names_of([from_user]).get(from_user, ""))
    session.commit()
    return hops


def escalate_overdue(session: Session, community: Community, now: datetime | None = None) -> list[Hop]:
    """Hand-overs not acknowledged by their deadline go to the head, who is told."""
    now = as_utc(now)
    late = list(session.scalars(select(Hop).where(Hop.kind.in_(NEEDS_ACK), Hop.acknowledged_at.is_(None),
                                                  Hop.escalated_at.is_(None), Hop.ack_due_at < now)))
    if not late:
        return []
    head = head_of(community)
    # A one-hour window answers "is the head away now" (the 14-day horizon is for choosing a receiver).
    if head is not None and load_roster(session, community, now, now + timedelta(hours=1)).away_reason(head, now) \
            in ("leave", "out"):
        # Escalating now would hand the work to someone away; the late hand-overs wait for the head's return
        # and stay with their receiver meanwhile (whose own leave passes them on, see pass_on_leave).
        return []
    hops = []
    for hop in late:
        hop.escalated_at = now
        matter = session.get(Inquiry, hop.inquiry_id) if hop.inquiry_id else session.get(Ticket, hop.ticket_id)
        if matter is None or not is_open(matter) or matter.handler_user_id != hop.to_user_id:
            continue
        if head is None or head == hop.to_user_id:
            notify_staff(session, hop.to_user_id, "escalation", matter)
            continue
        hops.append(_add_hop(session, matter, "escalation", hop.to_user_id, head, "", Proposal(head, "head", "escalated"),
                             now, None))
        notify_staff(session, head, "escalation", matter, by=names_of([hop.to_user_id]).get(hop.to_user_id, ""))
        notify_staff(session, hop.to_user_id, "escalation", matter)   # the late receiver learns it went to the head
    session.commit()
    return hops


def sweep(session: Session, community: Community, now: datetime | None = None) -> tuple[int, int]:
    """Pass on the work of people who went away, then escalate late hand-overs: (passed, escalated)."""
    now = as_utc(now)
    return len(pass_on_leave(session, community, now)), len(escalate_overdue(session, community, now))


# --- lists ------------------------------------------------------------------------------------------
@dataclass
class Row:
    """A matter in a list, with its unacknowledged hand-over (if any) and whether that is late."""

    matter: Matter
    pending: Hop | None
    late: bool

    @property
    def is_inquiry(self) -> bool:
        """True for an inquiry, False for a ticket."""
        return isinstance(self.matter, Inquiry)


def _rows(session: Session, matters: list[Matter], now: datetime) -> list[Row]:
    inquiry_ids = [m.id for m in matters if isinstance(m, Inquiry)]
    ticket_ids = [m.id for m in matters if isinstance(m, Ticket)]
    pending: dict[tuple[str, int], Hop] = {}
    if inquiry_ids or ticket_ids:
        for hop in session.scalars(select(Hop).where(
                Hop.kind.in_(NEEDS_ACK), Hop.acknowledged_at.is_(None),
                or_(Hop.inquiry_id.in_(inquiry_ids), Hop.ticket_id.in_(ticket_ids))).order_by(Hop.id)):
            pending[("i", hop.inquiry_id) if hop.inquiry_id else ("t", hop.ticket_id)] = hop
    rows = []
    for m in matters:
        hop = pending.get(("i" if isinstance(m, Inquiry) else "t", m.id))
        rows.append(Row(m, hop, hop is not None and aware(hop.ack_due_at) < now))
    return rows


def my_work(session: Session, user_id: int, now: datetime | None = None) -> list[Row]:
    """Open inquiries and request tickets the person now handles, newest first."""
    now = as_utc(now)
    inquiries = list(session.scalars(select(Inquiry).where(Inquiry.handler_user_id == user_id, Inquiry.status == "open")
                                     .order_by(Inquiry.id.desc())))
    tickets = list(session.scalars(select(Ticket).where(Ticket.handler_user_id == user_id, Ticket.kind == "request",
                                                        Ticket.status.in_(OPEN_STATES)).order_by(Ticket.id.desc())))
    return _rows(session, [*inquiries, *tickets], now)


def my_first_inquiries(session: Session, user_id: int, now: datetime | None = None, days: int = 14) -> list[Row]:
    """Inquiries the person was first asked: every one not yet answered, and those answered in the last days."""
    now = as_utc(now)
    inquiries = list(session.scalars(select(Inquiry).where(
        Inquiry.owner_user_id == user_id,
        or_(Inquiry.answered_at.is_(None), Inquiry.answered_at >= now - timedelta(days=days)))
        .order_by(Inquiry.answered_at.is_not(None), Inquiry.id.desc())))
    return _rows(session, inquiries, now)


def unacknowledged(session: Session, now: datetime | None = None) -> list[Row]:
    """Hand-overs past their acknowledgement deadline whose matter is still open (the head's list)."""
    now = as_utc(now)
    hops = list(session.scalars(select(Hop).where(Hop.kind.in_(NEEDS_ACK), Hop.acknowledged_at.is_(None),
                                                  Hop.ack_due_at < now).order_by(Hop.ack_due_at)))
    rows = []
    for hop in hops:
        matter = session.get(Inquiry, hop.inquiry_id) if hop.inquiry_id else session.get(Ticket, hop.ticket_id)
        if matter is not None and is_open(matter):
            rows.append(Row(matter, hop, True))
    return rows


def overdue_tickets(session: Session, now: datetime | None = None) -> list[Ticket]:
    """Requests accepted or in progress past their due time, most overdue first."""
    now = as_utc(now)
    tickets = session.scalars(select(Ticket).where(Ticket.kind == "request", Ticket.status.in_(("accepted", "in_progress")),
                                                   Ticket.due_at < now).order_by(Ticket.due_at))
    return [t for t in tickets if is_overdue(t, now)]


# --- numbers ----------------------------------------------------------------------------------------
@dataclass
class Numbers:
    """The head's figures of first-inquiry routing."""

    ack_by_receiver: list[tuple[int, int, float]]      # (user id, acknowledged hand-overs, average minutes)
    matters: int
    hops: int
    handbacks_by_giver: list[tuple[int, int]]          # (user id, hand-backs given)
    inquiries_by_owner: list[tuple[int, int, int, int]]  # (user id, first inquiries, answered, answered on time)

    @property
    def hops_per_matter(self) -> float:
        """Moves between people per matter (routing a new ticket does not count)."""
        return self.hops / self.matters if self.matters else 0.0


def _minutes_between(session: Session, start, end):
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 60
    return (func.julianday(end) - func.julianday(start)) * 1440


def numbers(session: Session) -> Numbers:
    """Acknowledgement time by receiver, hops per matter, hand-backs and first inquiries, by grouped queries."""
    minutes = _minutes_between(session, Hop.created_at, Hop.acknowledged_at)
    ack = [(uid, n, float(avg or 0)) for uid, n, avg in session.execute(
        select(Hop.to_user_id, func.count(), func.avg(minutes)).where(Hop.kind.in_(NEEDS_ACK),
                                                                       Hop.acknowledged_at.is_not(None))
        .group_by(Hop.to_user_id).order_by(Hop.to_user_id))]
    hops = session.scalar(select(func.count()).select_from(Hop).where(Hop.kind != "route")) or 0
    matters = (session.scalar(select(func.count()).select_from(Inquiry)) or 0) + (session.scalar(
        select(func.count(func.distinct(Hop.ticket_id))).where(Hop.ticket_id.is_not(None))) or 0)
    handbacks = [(uid, n) for uid, n in session.execute(select(Hop.from_user_id, func.count()).where(
        Hop.kind == "handback").group_by(Hop.from_user_id).order_by(func.count().desc()))]
    answered = Inquiry.answered_at.is_not(None)
    on_time = and_(answered, Inquiry.answered_at <= Inquiry.answer_due_at)
    owners = [(uid, n, int(a or 0), int(t or 0)) for uid, n, a, t in session.execute(
        select(Inquiry.owner_user_id, func.count(), func.sum(case((answered, 1), else_=0)),
               func.sum(case((on_time, 1), else_=0))).group_by(Inquiry.owner_user_id).order_by(func.count().desc()))]
    return Numbers(ack, matters, hops, handbacks, owners)
