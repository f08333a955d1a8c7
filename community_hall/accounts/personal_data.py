"""Personal-data rights (个人信息保护, PIPL): collect everything held about a person, and anonymise it.

Anonymising replaces names, phones, ID numbers, addresses and free text by placeholders and keeps every row,
state, timestamp, item, rating level and ledger entry, so statistics and the time-bank books stay as they were.
Records are found by user id only (never by a phone number, which another person may share)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect, or_, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from ..audit import AuditEvent, record, record_apart
from ..errors import HallError
from ..floor.models import QueueNumber
from ..formatting import spreadsheet_cell
from ..menu.models import ServiceItem
from ..rosters.models import Leave, Outreach, Shift
from ..routing.models import Hop, Inquiry, StaffNotification
from ..tenancy import Community, all_communities, community_session, registry_session, tenancy, utcnow
from ..timebank.activity_models import ActivitySignup
from ..timebank.certificate_models import Certificate, CertificateRequest
from ..timebank.ledger_models import LedgerAccount, LedgerEntry, LedgerMovement, LedgerTransfer
from ..timebank.order_models import FamilyGrant, Order, OrderEvent, PoolEligible
from ..timebank.volunteer_models import Volunteer
from ..window.models import OPEN_STATES, Ticket, TicketEvent
from ..window.ratings_models import FollowUp, Notification, Rating
from .models import Membership, Profile, User

# Stored in place of a person's details; data, not UI text, so one fixed form in the community's language.
PLACEHOLDER_NAME = "已匿名"
# Stored in place of free text others wrote about the person's matters (replies, reasons, notes), which may quote
# them; a fixed marker rather than nothing, so a reader sees there was a reply. Data too: one fixed form.
REMOVED_TEXT = "（已删除）"
# Timeline notes that are data rather than free text: a rating's "4/5"; an order's ticket number, volunteer, rating.
DATA_NOTES = frozenset({"rate"})
DATA_ORDER_NOTES = frozenset({"from_ticket", "claim", "dispatch", "confirm", "confirm_proxy"})
STAFF_ROLES = ("staff", "head", "district")
OPEN_ORDER_STATES = ("open", "dispatched", "accepted", "done")
KINDS = ("account", "membership", "profile", "ticket", "ticket_event", "appointment", "home_visit", "queue_number",
         "complaint", "rating", "notification", "volunteer", "ledger_account", "ledger_entry", "ledger_transfer",
         "certificate", "certificate_request", "activity_signup", "order", "order_event", "family_grant",
         "pool_eligible", "shift", "leave", "outreach", "staff_notification", "audit_event")


# --- collecting ------------------------------------------------------------------------------------------------
def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def as_dict(row) -> dict:
    """Every column of a row, with dates as ISO text."""
    return {attr.key: _plain(getattr(row, attr.key)) for attr in inspect(row).mapper.column_attrs}


def _ticket_ids(session: Session, user_id: int) -> list[int]:
    """Ids of the person's tickets: those they applied for, themselves or through a proxy at the window.

    Not the tickets staff typed in for others (the submitting actor): those are the residents' data, not theirs."""
    return list(session.scalars(select(Ticket.id).where(Ticket.resident_user_id == user_id).order_by(Ticket.id)))


# Keys collect() adds to a kind's columns, and the columns it leaves out.
EXTRA_FIELDS = {"ticket": ("via_proxy",), "ledger_account": ("balance_minutes",), "membership": ("community",),
                "ledger_entry": ("kind", "reason", "reference", "created_at")}
LEFT_OUT = {"account": ("password_hash",)}


def kind_models() -> dict:
    """The model each kind of record is a row of."""
    from ..appointments.models import Appointment
    from ..complaints.models import Complaint
    from ..visits.models import HomeVisit

    return {"account": User, "membership": Membership, "profile": Profile, "ticket": Ticket,
            "ticket_event": TicketEvent, "appointment": Appointment, "home_visit": HomeVisit,
            "queue_number": QueueNumber, "complaint": Complaint, "rating": Rating, "notification": Notification,
            "volunteer": Volunteer, "ledger_account": LedgerAccount, "ledger_entry": LedgerEntry,
            "ledger_transfer": LedgerTransfer, "certificate": Certificate, "certificate_request": CertificateRequest,
            "activity_signup": ActivitySignup, "order": Order, "order_event": OrderEvent, "family_grant": FamilyGrant,
            "pool_eligible": PoolEligible, "shift": Shift, "leave": Leave, "outreach": Outreach,
            "staff_notification": StaffNotification, "audit_event": AuditEvent}


def fields_of(kind: str) -> list[str]:
    """Every key a record of the kind can have in the collected data."""
    columns = [attr.key for attr in inspect(kind_models()[kind]).column_attrs]
    return [k for k in columns if k not in LEFT_OUT.get(kind, ())] + list(EXTRA_FIELDS.get(kind, ()))


def collect_community(session: Session, user_id: int) -> dict[str, list[dict]]:
    """What one community's database holds about the person, by kind (kinds with nothing are left out)."""
    from ..appointments.models import Appointment
    from ..complaints.models import Complaint
    from ..visits.models import HomeVisit

    out: dict[str, list[dict]] = {}

    def add(kind: str, rows, **extra) -> None:
        for row in rows:
            out.setdefault(kind, []).append({**as_dict(row), **extra})

    add("profile", session.scalars(select(Profile).where(Profile.user_id == user_id)))
    own = ticket_ids = _ticket_ids(session, user_id)
    for ticket in session.scalars(select(Ticket).where(Ticket.id.in_(own)).order_by(Ticket.id)):
        out.setdefault("ticket", []).append({**as_dict(ticket), "via_proxy": bool(ticket.proxy_name)})
    add("ticket_event", session.scalars(select(TicketEvent).where(TicketEvent.ticket_id.in_(ticket_ids))
                                        .order_by(TicketEvent.id)))
    appointments = list(session.scalars(select(Appointment).where(Appointment.resident_user_id == user_id)
                                        .order_by(Appointment.id)))
    add("appointment", appointments)
    add("home_visit", session.scalars(select(HomeVisit).where(HomeVisit.ticket_id.in_(ticket_ids))))
    add("queue_number", session.scalars(select(QueueNumber).where(or_(
        QueueNumber.ticket_id.in_(ticket_ids), QueueNumber.appointment_id.in_([a.id for a in appointments])))
        .order_by(QueueNumber.id)))
    add("complaint", session.scalars(select(Complaint).where(Complaint.ticket_id.in_(own))))
    add("rating", session.scalars(select(Rating).where(Rating.ticket_id.in_(own)).order_by(Rating.id)))
    add("notification", session.scalars(select(Notification).where(Notification.user_id == user_id)
                                        .order_by(Notification.id)))
    volunteers = list(session.scalars(select(Volunteer).where(Volunteer.user_id == user_id).order_by(Volunteer.id)))
    add("volunteer", volunteers)
    volunteer_ids = [v.id for v in volunteers]
    accounts = list(session.scalars(select(LedgerAccount).where(LedgerAccount.user_id == user_id)))
    for account in accounts:
        entries = list(session.scalars(select(LedgerEntry).where(LedgerEntry.account == account.account)
                                       .order_by(LedgerEntry.id)))
        out.setdefault("ledger_account", []).append(
            {**as_dict(account), "balance_minutes": sum(e.amount for e in entries)})
        movements = {m.id: m for m in session.scalars(select(LedgerMovement).where(
            LedgerMovement.id.in_([e.movement_id for e in entries])))}
        for entry in entries:
            movement = movements[entry.movement_id]
            out.setdefault("ledger_entry", []).append({
                **as_dict(entry), "kind": movement.kind, "reason": movement.reason, "reference": movement.reference,
                "created_at": _plain(movement.created_at)})
    add("ledger_transfer", session.scalars(select(LedgerTransfer).where(LedgerTransfer.user_id == user_id)))
    add("certificate", session.scalars(select(Certificate).where(Certificate.volunteer_id.in_(volunteer_ids))))
    add("certificate_request", session.scalars(select(CertificateRequest).where(
        CertificateRequest.volunteer_id.in_(volunteer_ids))))
    add("activity_signup", session.scalars(select(ActivitySignup).where(ActivitySignup.volunteer_id.in_(volunteer_ids))))
    # Orders for them; not those staff or a relative placed for someone else (that person's data).
    orders = list(session.scalars(select(Order).where(Order.resident_user_id == user_id).order_by(Order.id)))
    add("order", orders)
    add("order_event", session.scalars(select(OrderEvent).where(OrderEvent.order_id.in_([o.id for o in orders]))
                                       .order_by(OrderEvent.id)))
    add("family_grant", session.scalars(select(FamilyGrant).where(or_(FamilyGrant.grantor_user_id == user_id,
                                                                      FamilyGrant.grantee_user_id == user_id))))
    add("pool_eligible", session.scalars(select(PoolEligible).where(PoolEligible.user_id == user_id)))
    # What a member of staff has besides: duty, leave, outreach, notices, and what they did (the audit log).
    add("shift", session.scalars(select(Shift).where(Shift.user_id == user_id).order_by(Shift.id)))
    add("leave", session.scalars(select(Leave).where(Leave.user_id == user_id).order_by(Leave.id)))
    add("outreach", session.scalars(select(Outreach).where(Outreach.user_id == user_id).order_by(Outreach.id)))
    add("staff_notification", session.scalars(select(StaffNotification).where(StaffNotification.user_id == user_id)
                                              .order_by(StaffNotification.id)))
    add("audit_event", session.scalars(select(AuditEvent).where(AuditEvent.actor_user_id == user_id)
                                       .order_by(AuditEvent.id)))
    return out


def collect(user: User) -> dict:
    """Everything held about the user: the registry account and memberships, then each community with data."""
    registry = registry_session()
    account = {k: v for k, v in as_dict(registry.get(User, user.id)).items() if k != "password_hash"}
    memberships = registry.execute(
        select(Membership, Community.slug).join(Community, Community.id == Membership.community_id)
        .where(Membership.user_id == user.id).order_by(Membership.id)).all()
    communities = []
    for community in all_communities():
        data = collect_community(community_session(community.slug), user.id)
        if data or any(slug == community.slug for _, slug in memberships):
            communities.append({"slug": community.slug, "name": community.name, "data": data})
    return {"generated_at": utcnow().isoformat(), "account": account,
            "memberships": [{**as_dict(m), "community": slug} for m, slug in memberships],
            "communities": communities}


def to_json(data: dict) -> str:
    """The collected data as indented JSON (Chinese kept readable)."""
    return json.dumps(data, ensure_ascii=False, indent=2)


def to_csv(data: dict) -> str:
    """The collected data as one CSV in long form: community, kind, record, field, value (UTF-8 with BOM)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["community", "kind", "record", "field", "value"])

    def rows(community: str, kind: str, records: list[dict]) -> None:
        for number, item in enumerate(records, 1):
            for field, value in item.items():
                writer.writerow([community, kind, number, field, spreadsheet_cell(value)])

    rows("", "account", [data["account"]])
    rows("", "membership", data["memberships"])
    for community in data["communities"]:
        for kind, records in community["data"].items():
            rows(community["slug"], kind, records)
    return "\ufeff" + out.getvalue()


def record_export(user: User, data: dict, fmt: str) -> None:
    """Write a privacy.export event in every community the export touched."""
    for community in data["communities"]:
        # A transaction of its own: the export only read, and on SQLite a reader cannot take the write lock later.
        record_apart(tenancy().community_engine(community["slug"]), user.id, "privacy.export", f"format={fmt}")


# --- anonymising -----------------------------------------------------------------------------------------------
def _removed(text: str | None) -> str:
    """The marker in place of free text someone wrote about the person's matter ("" stays "")."""
    return REMOVED_TEXT if text else ""


def anonymise_ticket(session: Session, ticket: Ticket) -> bool:
    """Replace a ticket's personal fields and free text by placeholders, on the ticket and every row about it
    (timeline, rating, follow-up, complaint, visit, hand-overs, the inquiry it came from, orders, messages).

    Its state, times, item, rating levels and scores stay. True the first time (False if it was already done):
    the free text is cleared on every call, so a ticket anonymised by an earlier version gets it cleared too."""
    from ..complaints.models import Complaint
    from ..visits.models import HomeVisit

    first = not (ticket.resident_name == PLACEHOLDER_NAME and not ticket.resident_phone)
    old_names = {n for n in (ticket.resident_name, ticket.proxy_name) if n and n != PLACEHOLDER_NAME}
    ticket.resident_name, ticket.resident_phone, ticket.id_number = PLACEHOLDER_NAME, "", ""
    ticket.home_address, ticket.details = "", ""
    if ticket.proxy_name:
        ticket.proxy_name, ticket.proxy_relation = PLACEHOLDER_NAME, ""
    # What staff wrote back may quote the resident (a name, a phone to call back): only the marker stays.
    ticket.reply, ticket.decline_reason = _removed(ticket.reply), _removed(ticket.decline_reason)
    ticket.missing_materials = _removed(ticket.missing_materials)
    for event in session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)):
        if event.actor_name in old_names:
            event.actor_name = PLACEHOLDER_NAME
        if event.action not in DATA_NOTES:
            event.note = _removed(event.note)
    rating = session.scalar(select(Rating).where(Rating.ticket_id == ticket.id))
    if rating is not None:
        rating.comment = ""
    for followup in session.scalars(select(FollowUp).where(FollowUp.ticket_id == ticket.id)):
        followup.contact_note, followup.verify_note = _removed(followup.contact_note), _removed(followup.verify_note)
        followup.rectify_note, followup.reply = _removed(followup.rectify_note), _removed(followup.reply)
    complaint = session.scalar(select(Complaint).where(Complaint.ticket_id == ticket.id))
    if complaint is not None:
        complaint.where_tried = ""
    visit = session.scalar(select(HomeVisit).where(HomeVisit.ticket_id == ticket.id))
    if visit is not None:
        anonymise_visit(visit)
    for hop in session.scalars(select(Hop).where(Hop.ticket_id == ticket.id)):
        hop.reason = _removed(hop.reason)
    for inquiry in session.scalars(select(Inquiry).where(Inquiry.ticket_id == ticket.id)):
        anonymise_inquiry(session, inquiry)
    for order in session.scalars(select(Order).where(Order.ticket_id == ticket.id)):
        anonymise_order(session, order)
    for note in session.scalars(select(Notification).where(Notification.ticket_id == ticket.id)):
        session.delete(note)      # a message quotes the reply; only ever meant for the person, no figure counts it
    return first


def anonymise_inquiry(session: Session, inquiry: Inquiry) -> None:
    """Clear the name, phone and text of the inquiry a ticket came from (its item, times and state stay)."""
    inquiry.resident_name, inquiry.contact_phone = PLACEHOLDER_NAME, ""
    inquiry.text, inquiry.answer = "", _removed(inquiry.answer)
    item = session.get(ServiceItem, inquiry.item_id) if inquiry.item_id else None
    if item is None or inquiry.topic != item.name:     # a topic typed at the window, not the service's name
        inquiry.topic = REMOVED_TEXT
    for notice in session.scalars(select(StaffNotification).where(StaffNotification.inquiry_id == inquiry.id)):
        params = json.loads(notice.params or "{}")
        if "matter" in params:          # "#<id> <topic>", see routing.notify_staff
            params["matter"] = f"#{inquiry.id} {inquiry.topic}"
            notice.params = json.dumps(params, ensure_ascii=False)


def anonymise_order(session: Session, order: Order) -> None:
    """Clear an order's name, phone, address and notes, and the notes of its timeline (state, hours, rating stay)."""
    order.resident_name, order.phone, order.address, order.note, order.comment = PLACEHOLDER_NAME, "", "", "", ""
    order.done_note = _removed(order.done_note)
    for event in session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id)):
        if event.action not in DATA_ORDER_NOTES:
            event.note = _removed(event.note)


def anonymise_visit(visit) -> bool:
    """Clear a home visit's building and notes (its day, grid, visitor and outcome stay); False if done."""
    if not visit.building and not visit.outcome_note:
        return False
    visit.building, visit.outcome_note = "", ""
    return True


def anonymise_appointment(appointment) -> bool:
    """Replace an appointment's name and phone (its slot, item and state stay); False if already done."""
    if appointment.name == PLACEHOLDER_NAME and not appointment.phone:
        return False
    appointment.name, appointment.phone = PLACEHOLDER_NAME, ""
    return True


def anonymise_queue_number(number: QueueNumber) -> bool:
    """Unlink a queue number from the ticket and appointment that tell whose it was; False if already done."""
    if number.ticket_id is None and number.appointment_id is None:
        return False
    number.ticket_id, number.appointment_id = None, None
    return True


def open_matters(session: Session, user_id: int) -> int:
    """How many of the person's matters are still being handled here (open tickets, booked appointments, orders,
    hours transfers between communities not yet finished)."""
    from ..appointments.models import Appointment

    tickets = len(session.scalars(select(Ticket.id).where(Ticket.resident_user_id == user_id,
                                                          Ticket.status.in_(OPEN_STATES))).all())
    appointments = len(session.scalars(select(Appointment.id).where(
        Appointment.resident_user_id == user_id, Appointment.status == "booked",
        Appointment.day >= utcnow().date())).all())
    orders = len(session.scalars(select(Order.id).where(Order.resident_user_id == user_id,
                                                        Order.status.in_(OPEN_ORDER_STATES))).all())
    transfers = len(session.scalars(select(LedgerTransfer.transfer_id).where(
        LedgerTransfer.user_id == user_id, LedgerTransfer.state == "pending")).all())
    return tickets + appointments + orders + transfers


def anonymise_person(session: Session, user_id: int) -> int:
    """Anonymise everything one community holds about a person; returns how many records changed. Not committed."""
    from ..appointments.models import Appointment

    changed = 0
    for profile in session.scalars(select(Profile).where(Profile.user_id == user_id)):
        profile.real_name, profile.phone, profile.address, profile.housebound = PLACEHOLDER_NAME, "", "", False
        changed += 1
    for ticket in session.scalars(select(Ticket).where(Ticket.id.in_(_ticket_ids(session, user_id)))):
        changed += anonymise_ticket(session, ticket)
    for event in session.scalars(select(TicketEvent).where(TicketEvent.actor_user_id == user_id)):
        event.actor_name = PLACEHOLDER_NAME
    for rating in session.scalars(select(Rating).where(Rating.rater_user_id == user_id)):
        rating.comment = ""
    for appointment in session.scalars(select(Appointment).where(Appointment.resident_user_id == user_id)):
        changed += anonymise_appointment(appointment)
    for note in session.scalars(select(Notification).where(Notification.user_id == user_id)):
        session.delete(note)      # messages only ever meant for the person; no figure counts them
        changed += 1
    for volunteer in session.scalars(select(Volunteer).where(Volunteer.user_id == user_id)):
        if volunteer.number:    # a dispatch note names the volunteer ("<number> <name>", orders.dispatch)
            for event in session.scalars(select(OrderEvent).where(
                    OrderEvent.action == "dispatch", OrderEvent.note.startswith(f"{volunteer.number} ", autoescape=True))):
                event.note = f"{volunteer.number} {PLACEHOLDER_NAME}"
        for order in session.scalars(select(Order).where(Order.volunteer_id == volunteer.id)):
            order.done_note = _removed(order.done_note)     # what they wrote on finishing someone else's order
        volunteer.real_name, volunteer.phone, volunteer.id_number = PLACEHOLDER_NAME, "", ""
        volunteer.emergency_name, volunteer.emergency_phone, volunteer.skills_other = PLACEHOLDER_NAME, "", ""
        volunteer.decline_reason = _removed(volunteer.decline_reason)
        changed += 1
        for certificate in session.scalars(select(Certificate).where(Certificate.volunteer_id == volunteer.id)):
            certificate.volunteer_name, certificate.masked_id_number = PLACEHOLDER_NAME, ""
            certificate.revoke_reason = _removed(certificate.revoke_reason)
    # The ledger keeps every account, movement and entry (so it stays balanced); only the names shown go.
    for movement in session.scalars(select(LedgerMovement).where(LedgerMovement.actor_user_id == user_id)):
        movement.actor_name = PLACEHOLDER_NAME
    # A reversal's reason is typed by the head and may name the person whose hours it moved; amounts stay.
    moved = select(LedgerEntry.movement_id).where(LedgerEntry.account.in_(
        select(LedgerAccount.account).where(LedgerAccount.user_id == user_id)))
    for movement in session.scalars(select(LedgerMovement).where(LedgerMovement.id.in_(moved),
                                                                 LedgerMovement.kind == "reverse")):
        movement.reason = _removed(movement.reason)
    for order in session.scalars(select(Order).where(Order.resident_user_id == user_id)):
        anonymise_order(session, order)
        changed += 1
    for order in session.scalars(select(Order).where(Order.placed_by_user_id == user_id)):
        order.placed_by_name = PLACEHOLDER_NAME
    for event in session.scalars(select(OrderEvent).where(OrderEvent.actor_user_id == user_id)):
        event.actor_name = PLACEHOLDER_NAME
        if event.action not in DATA_ORDER_NOTES:    # what they wrote, also on others' orders (why they declined)
            event.note = _removed(event.note)
    for grant in session.scalars(select(FamilyGrant).where(or_(FamilyGrant.grantor_user_id == user_id,
                                                               FamilyGrant.grantee_user_id == user_id))):
        if grant.grantor_user_id == user_id:
            grant.grantor_name = PLACEHOLDER_NAME
        if grant.grantee_user_id == user_id:
            grant.grantee_name = PLACEHOLDER_NAME
        if grant.active:
            grant.active, grant.revoked_at = False, utcnow()
        changed += 1
    for eligible in session.scalars(select(PoolEligible).where(PoolEligible.user_id == user_id)):
        eligible.name = PLACEHOLDER_NAME
        changed += 1
    return changed


def delete_account(user: User, password: str) -> None:
    """Anonymise the person everywhere and close their account, after checking their password.

    Refused for staff, heads and district admins (their head or the district removes them, so rosters stay
    whole) and while any of their matters is still open (they can withdraw or wait for it to end). The account is
    closed and marked first, in its own commit: each community's database commits on its own, so a deletion cut
    short (a crash, a database unreachable) leaves a closed, marked account that `finish_pending_deletions`
    (run by `hall retention-sweep`) completes, never an open account with half its data anonymised."""
    registry = registry_session()
    db_user = registry.get(User, user.id)
    if db_user is None or not check_password_hash(db_user.password_hash, password or ""):
        raise HallError(_l("The password is wrong."), "password")
    roles = set(registry.scalars(select(Membership.role).where(Membership.user_id == user.id)))
    if roles & set(STAFF_ROLES):
        raise HallError(_l("Staff, heads and district administrators cannot delete their own account here: "
                           "ask the head of your community (or the street office) to remove you."))
    if any(open_matters(community_session(c.slug), user.id) for c in all_communities()):
        raise HallError(_l("You still have open matters (tickets, appointments or orders). Withdraw them or wait "
                           "until they are finished, then ask again."))
    db_user.password_hash, db_user.is_active, db_user.deleting_since = "!", False, utcnow()
    registry.commit()
    finish_deletion(user.id)


def finish_deletion(user_id: int) -> None:
    """Anonymise the person in every community, then strip the account; safe to run again after a cut."""
    for community in all_communities():
        session = community_session(community.slug)
        session.rollback()     # a fresh transaction: on SQLite one that has only read may not get the write lock
        if anonymise_person(session, user_id):
            record(session, None, "privacy.delete", f"user={user_id}")
        session.commit()
    registry = registry_session()
    db_user = registry.get(User, user_id)
    # The row stays (same id) so every reference to it stays valid; nothing in it says who it was.
    db_user.username, db_user.display_name = f"deleted-{db_user.id}", PLACEHOLDER_NAME
    db_user.password_hash, db_user.is_active, db_user.deleting_since = "!", False, None
    for membership in registry.scalars(select(Membership).where(Membership.user_id == user_id)):
        registry.delete(membership)
    registry.commit()


def pending_deletions() -> list[int]:
    """Accounts whose deletion was cut short before every community was done."""
    return list(registry_session().scalars(select(User.id).where(User.deleting_since.is_not(None)).order_by(User.id)))


def finish_pending_deletions() -> list[int]:
    """Finish every deletion cut short; the accounts finished."""
    ids = pending_deletions()
    for user_id in ids:
        finish_deletion(user_id)
    return ids
