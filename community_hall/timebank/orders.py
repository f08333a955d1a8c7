"""Orders (点单 → 派单 → 接单 → 评单): a resident orders a volunteer service, staff dispatch it or put it on the board,
a volunteer accepts and serves, the resident confirms, rates and pays with hours (own, family grant or pool)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts.models import Profile
from ..errors import HallError
from ..formatting import decimal_hours
from ..menu.models import ServiceItem
from ..tenancy import utcnow
from ..visits.models import HomeVisit
from ..window.services import Actor, request_ticket
from . import family, ledger
from .ledger_models import POOL, LedgerEntry, LedgerMovement
from .order_models import PAY_SOURCES, POOL_REASONS, FamilyGrant, Order, OrderEvent, PoolEligible
from .volunteer_models import DAYS, PARTS, Volunteer
from .volunteers import PHONE, approved, approved_volunteer

DEFAULT_TZ = "Asia/Shanghai"
NOTE_MAX = 500
CANCELLABLE = ("open", "dispatched", "accepted")
ORDER_REFERENCE = re.compile(r"^order:([1-9][0-9]{0,9})$")

__all__ = ["Actor"]


@dataclass
class NewOrder:
    """What a resident fills in to order a service."""

    item_id: int
    wanted_day: date | None
    wanted_part: str
    address: str
    phone: str
    note: str = ""
    request_key: str | None = None      # from the rendered form: sending it twice places one order


def _write_lock(session: Session) -> None:
    # A fresh transaction holding SQLite's write lock from its first statement (rows are locked FOR UPDATE on PostgreSQL).
    session.rollback()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def _refuse(session: Session, message, field: str | None = None):
    session.rollback()
    raise HallError(message, field)


def _event(session: Session, order: Order, actor: Actor, action: str, note: str = "") -> None:
    session.add(OrderEvent(order_id=order.id, at=utcnow(), actor_user_id=actor.user_id, actor_name=(actor.name or "")[:50],
                           action=action, note=note))


def _locked(session: Session, order_id: int, *states: str) -> Order:
    _write_lock(session)
    order = session.get(Order, order_id, with_for_update=True, populate_existing=True)
    if order is None:
        _refuse(session, _l("There is no such order."))
    if states and order.status not in states:
        _refuse(session, _l("This order has already moved on; reload the page to see where it stands."))
    return order


def volunteer_items(session: Session) -> list[ServiceItem]:
    """Published menu items that volunteers provide: what residents may order."""
    return list(session.scalars(select(ServiceItem).where(ServiceItem.provider == "volunteers",
                                                          ServiceItem.published.is_(True))
                                .order_by(ServiceItem.position, ServiceItem.code)))


def _check_new(session: Session, data: NewOrder, today: date) -> tuple[ServiceItem, str, str]:
    item = session.get(ServiceItem, data.item_id) if data.item_id else None
    if item is None or item.provider != "volunteers" or not item.published:
        raise HallError(_l("Choose a service that volunteers provide."), "item")
    if data.wanted_day is None or data.wanted_day < today:
        raise HallError(_l("Choose a day from today on."), "wanted_day")
    if data.wanted_part not in PARTS:
        raise HallError(_l("Choose morning, afternoon or evening."), "wanted_part")
    address = (data.address or "").strip()
    if not 2 <= len(address) <= 200:
        raise HallError(_l("Say where the service is needed (2 to 200 characters)."), "address")
    phone = re.sub(r"[\s]", "", data.phone or "")
    if not PHONE.match(phone):
        raise HallError(_l("Enter an 11-digit mobile number or a landline such as 022-23456701."), "phone")
    if len(data.note or "") > NOTE_MAX:
        raise HallError(_l("Keep the note under 500 characters."), "note")
    return item, address, phone


def place(session: Session, resident_user_id: int, data: NewOrder, actor: Actor, today: date) -> Order:
    """Order a volunteer service for a resident (the actor is the resident, or staff ordering for them by proxy)."""
    item, address, phone = _check_new(session, data, today)
    key = (data.request_key or "")[:36] or None
    if key is not None and (first := _placed_with(session, key, actor)) is not None:
        return first
    profile = session.get(Profile, resident_user_id)
    if profile is None:
        raise HallError(_l("Nobody with this phone or username is registered in this community."), "resident")
    by_proxy = actor.user_id != resident_user_id
    order = Order(item_id=item.id, item_name=item.name, resident_user_id=resident_user_id,
                  resident_name=profile.real_name, phone=phone, address=address, note=(data.note or "").strip(),
                  wanted_day=data.wanted_day, wanted_part=data.wanted_part, by_proxy=by_proxy,
                  placed_by_user_id=actor.user_id, placed_by_name=(actor.name or "")[:50], status="open",
                  on_board=False, done_note="", comment="", rated_on_behalf=False, pay_source="", request_key=key)
    session.add(order)
    try:
        session.flush()
    except IntegrityError:      # the same form sent twice at once: the other request placed it
        session.rollback()
        if key is not None and (first := _placed_with(session, key, actor)) is not None:
            return first
        raise HallError(_l("This form was already used. Please open the order page again.")) from None
    _event(session, order, actor, "proxy_order" if by_proxy else "order", order.note)
    session.commit()
    return order


def _placed_with(session: Session, key: str, actor: Actor) -> Order | None:
    """The order this person already placed with this form key, if any."""
    return session.scalar(select(Order).where(Order.request_key == key, Order.placed_by_user_id == actor.user_id))


def create_from_ticket(session: Session, ticket_id: int, actor: Actor, today: date) -> Order:
    """Staff turn a home-visit ticket into an order for volunteers (one open order per ticket)."""
    ticket = request_ticket(session, ticket_id)   # never a complaint: the order shows the filer and the text
    if ticket is None or not ticket.is_open:
        raise HallError(_l("There is no such ticket."))
    if ticket.resident_user_id is None or session.get(Profile, ticket.resident_user_id) is None:
        raise HallError(_l("Only a registered resident's ticket can be sent to volunteers: the service is paid in hours."))
    existing = session.scalar(select(Order).where(Order.ticket_id == ticket_id, Order.status != "cancelled"))
    if existing is not None:
        return existing
    visit = session.scalar(select(HomeVisit).where(HomeVisit.ticket_id == ticket_id))
    day = visit.planned_day if visit is not None and visit.planned_day and visit.planned_day >= today else today
    address = ticket.home_address or (visit.building if visit is not None else "") or "-"
    order = Order(item_id=ticket.item_id, item_name=ticket.item_name, ticket_id=ticket.id,
                  resident_user_id=ticket.resident_user_id, resident_name=ticket.resident_name,
                  phone=ticket.resident_phone, address=address[:200], note=(ticket.details or "")[:NOTE_MAX],
                  wanted_day=day, wanted_part="am", by_proxy=True, placed_by_user_id=actor.user_id,
                  placed_by_name=(actor.name or "")[:50], status="open", on_board=False, done_note="", comment="",
                  rated_on_behalf=False, pay_source="")
    session.add(order)
    session.flush()
    _event(session, order, actor, "from_ticket", ticket.number)
    session.commit()
    return order


def slot(order: Order) -> str:
    """The requested day-part as an availability code (sat-am)."""
    return f"{DAYS[order.wanted_day.weekday()]}-{order.wanted_part}"


def candidates(session: Session, order: Order) -> list[tuple[Volunteer, bool]]:
    """Approved volunteers to dispatch to, those free at the requested day-part first (with that flag)."""
    wanted = slot(order)
    rows = [(v, wanted in v.availability_list) for v in approved(session)]
    return sorted(rows, key=lambda row: (not row[1], row[0].seq or 0))


def dispatch(session: Session, order_id: int, volunteer_id: int, actor: Actor) -> Order:
    """Staff send an open (or declined) order to one approved volunteer (派单)."""
    order = _locked(session, order_id, "open")
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is None or volunteer.status != "approved":
        _refuse(session, _l("Choose an approved volunteer."), "volunteer")
    if volunteer.user_id == order.resident_user_id:
        _refuse(session, _l("A volunteer cannot serve their own order."), "volunteer")
    order.status, order.volunteer_id, order.on_board = "dispatched", volunteer.id, False
    _event(session, order, actor, "dispatch", f"{volunteer.number} {volunteer.real_name}")
    session.commit()
    return order


def to_board(session: Session, order_id: int, actor: Actor) -> Order:
    """Staff put an open order on the board where approved volunteers claim it (抢单)."""
    order = _locked(session, order_id, "open")
    if not order.on_board:
        order.on_board = True
        _event(session, order, actor, "board")
    session.commit()
    return order


def claim(session: Session, order_id: int, actor: Actor) -> Order:
    """An approved volunteer takes an order from the board; under the write lock, so of two racing one wins."""
    volunteer = approved_volunteer(session, actor.user_id)
    if volunteer is None:
        raise HallError(_l("Only approved volunteers can take orders."))
    order = _locked(session, order_id)
    if order.status != "open" or not order.on_board:
        _refuse(session, _l("Someone else has already taken this order."))
    if volunteer.user_id == order.resident_user_id:
        _refuse(session, _l("A volunteer cannot serve their own order."))
    order.status, order.volunteer_id, order.on_board = "accepted", volunteer.id, False
    _event(session, order, actor, "claim", volunteer.number or "")
    session.commit()
    return order


def _own(session: Session, order: Order, actor: Actor) -> Volunteer:
    volunteer = session.get(Volunteer, order.volunteer_id) if order.volunteer_id else None
    if volunteer is None or volunteer.user_id != actor.user_id:
        _refuse(session, _l("This order was sent to another volunteer."))
    return volunteer


def accept(session: Session, order_id: int, actor: Actor) -> Order:
    """The dispatched volunteer accepts the order (接单)."""
    order = _locked(session, order_id, "dispatched")
    _own(session, order, actor)
    order.status = "accepted"
    _event(session, order, actor, "accept")
    session.commit()
    return order


def decline(session: Session, order_id: int, actor: Actor, reason: str) -> Order:
    """The volunteer gives the order back with a reason; it goes back on the board for others."""
    reason = (reason or "").strip()
    if not 2 <= len(reason) <= NOTE_MAX:
        raise HallError(_l("Say why you cannot take it (2 to 500 characters)."), "reason")
    order = _locked(session, order_id, "dispatched", "accepted")
    _own(session, order, actor)
    order.status, order.volunteer_id, order.on_board = "open", None, True
    _event(session, order, actor, "decline", reason)
    session.commit()
    return order


def parse_hours(text: str) -> int:
    """Hours as typed (1.5) to whole minutes; refused unless above 0 and at most 24."""
    try:
        hours = Decimal((text or "").strip())
    except InvalidOperation:
        hours = Decimal(0)
    if not hours.is_finite() or not 0 < hours <= 24:
        raise HallError(_l("Enter the hours spent: more than 0, at most 24 (for example 1.5)."), "hours")
    return max(1, int((hours * 60).to_integral_value()))


def complete(session: Session, order_id: int, actor: Actor, hours: str, note: str) -> Order:
    """The volunteer marks the service done with the time actually spent and a short note."""
    minutes = parse_hours(hours)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise HallError(_l("Keep the note under 500 characters."), "note")
    order = _locked(session, order_id, "accepted")
    _own(session, order, actor)
    order.status, order.minutes, order.done_note = "done", minutes, note
    _event(session, order, actor, "done", note)
    session.commit()
    return order


def cancel(session: Session, order_id: int, actor: Actor, staff: bool, reason: str = "") -> Order:
    """The resident (or staff) cancels an order that has not been served yet."""
    order = _locked(session, order_id, *CANCELLABLE)
    if not staff and actor.user_id != order.resident_user_id:
        _refuse(session, _l("There is no such order."))
    order.status, order.on_board = "cancelled", False
    _event(session, order, actor, "cancel", (reason or "").strip()[:NOTE_MAX])
    session.commit()
    return order


# --- 评单: confirm, rate and pay -------------------------------------------------------------------------------

def is_eligible(session: Session, user_id: int) -> bool:
    """True when the head has marked the resident as paying from the donation pool."""
    return session.get(PoolEligible, user_id) is not None


def _movement(session: Session, idem_key: str) -> LedgerMovement | None:
    return session.scalar(select(LedgerMovement).where(LedgerMovement.idem_key == idem_key))


def month_start(tz: str = DEFAULT_TZ, now: datetime | None = None) -> datetime:
    """The start of the current local month, in UTC."""
    local = (now or utcnow()).astimezone(ZoneInfo(tz))
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


@dataclass(frozen=True)
class Payment:
    """Where an order's hours come from: source, the paying person (None for the pool) and the family grant."""

    source: str
    payer_user_id: int | None
    grant_id: int | None


def _payment_made(session: Session, order: Order, pay: LedgerMovement) -> Payment:
    # A retry keeps the source the first attempt was charged to, whatever the retry asks for.
    debit = session.scalar(select(LedgerEntry.account).where(LedgerEntry.movement_id == pay.id, LedgerEntry.amount < 0))
    if debit == POOL:
        return Payment("pool", None, None)
    payer = int(debit.split(":")[1])
    if payer == order.resident_user_id:
        return Payment("own", payer, None)
    grant = family.active_grant(session, payer, order.resident_user_id)
    return Payment("family", payer, grant.id if grant else None)


def _check_cap(session: Session, grant, needed: int, tz: str, counted: bool = False) -> None:
    """Refuse when `needed` minutes would pass the grant's monthly cap (`counted`: this payment is already in the
    ledger, inside its own transaction, so two payments at once cannot both slip under the cap)."""
    if grant is None or grant.monthly_cap_minutes is None:
        return
    used = family.used_this_month(session, grant, month_start(tz)) - (needed if counted else 0)
    if used + needed > grant.monthly_cap_minutes:
        raise HallError(_l("This would pass the monthly limit of the family grant: %(used)s of %(cap)s hours "
                           "used this month, this service took %(needed)s hours.", used=decimal_hours(used),
                           cap=decimal_hours(grant.monthly_cap_minutes), needed=decimal_hours(needed)), "source")


def _choose_payment(session: Session, order: Order, source: str, grantor_user_id: int | None, tz: str) -> Payment:
    """Check the chosen source may pay and holds enough hours; refuse with the balance otherwise."""
    if source not in PAY_SOURCES:
        raise HallError(_l("Choose who pays the hours."), "source")
    needed = order.minutes
    if source == "own":
        payment, account = Payment("own", order.resident_user_id, None), ledger.person(order.resident_user_id)
    elif source == "family":
        grant = family.active_grant(session, grantor_user_id, order.resident_user_id) if grantor_user_id else None
        if grant is None:
            raise HallError(_l("No family member has granted you their hours (or the grant was withdrawn)."), "source")
        _check_cap(session, grant, needed, tz)
        payment, account = Payment("family", grant.grantor_user_id, grant.id), ledger.person(grant.grantor_user_id)
    else:
        if not is_eligible(session, order.resident_user_id):
            raise HallError(_l("Only residents the station head has marked may pay from the donation pool."), "source")
        payment, account = Payment("pool", None, None), POOL
    available = ledger.balance(session, account) - ledger.floor(session, account)
    if available < needed:
        raise HallError(_l("Not enough hours: the balance is %(balance)s hours and this service took %(needed)s hours. "
                           "Nothing was charged.", balance=decimal_hours(ledger.balance(session, account)),
                           needed=decimal_hours(needed)), "source")
    return payment


def confirm(session: Session, order_id: int, actor: Actor, rating: int, comment: str, source: str,
            grantor_user_id: int | None = None, on_behalf: bool = False, tz: str = DEFAULT_TZ) -> Order:
    """The resident (or staff for them, recorded) confirms a done order, rates it and pays; the volunteer is credited.

    The ledger's services each commit by themselves, so the three steps cannot share one transaction. They run in
    an order that is safe to interrupt and every step is keyed by the order: first the charge (order:N:pay), then
    the credit (order:N:credit), then the order is marked confirmed with both movement ids. A failed charge leaves
    nothing at all; a failure after it leaves the order "done" with the movements already made, and a retry finds
    them by their keys (the ledger returns the first movement for a key), so it finishes the rest and never
    charges or credits twice. No credit can exist without its charge before it.
    """
    session.rollback()
    order = session.get(Order, order_id, populate_existing=True)
    if order is None or (not on_behalf and actor.user_id != order.resident_user_id):
        raise HallError(_l("There is no such order."))
    if order.status == "confirmed":
        return order    # a repeated click: already paid and credited once
    if order.status != "done":
        raise HallError(_l("This order has already moved on; reload the page to see where it stands."))
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise HallError(_l("Choose how satisfied you are."), "rating")
    comment = (comment or "").strip()
    if len(comment) > NOTE_MAX:
        raise HallError(_l("Keep the comment under 500 characters."), "comment")
    volunteer = session.get(Volunteer, order.volunteer_id) if order.volunteer_id else None
    if volunteer is None:
        raise HallError(_l("This order has no volunteer to credit."))
    if volunteer.user_id == actor.user_id:
        raise HallError(_l("You served this order, so you cannot confirm it: the resident, or other staff for them, "
                           "confirms it."))
    reference, minutes = f"order:{order.id}", order.minutes
    pay = _movement(session, f"{reference}:pay")
    if pay is not None:
        payment = _payment_made(session, order, pay)
    else:
        payment = _choose_payment(session, order, source, grantor_user_id, tz)
        if payment.source == "pool":
            pay = ledger.pay_from_pool(session, order.resident_user_id, minutes, reference, f"{reference}:pay", actor)
        else:
            on = order.resident_user_id if payment.source == "family" else None
            grant = session.get(FamilyGrant, payment.grant_id) if payment.grant_id else None
            pay = ledger.pay_service(session, payment.payer_user_id, minutes, reference, f"{reference}:pay", actor,
                                     on_behalf_of=on, also=lambda s, _mid: _check_cap(s, grant, minutes, tz, True))
    credit = ledger.credit_service(session, volunteer.user_id, minutes, reference, f"{reference}:credit", actor)
    return _mark_confirmed(session, order.id, actor, rating, comment, on_behalf, payment, pay.id, credit.id)


def _mark_confirmed(session: Session, order_id: int, actor: Actor, rating: int, comment: str, on_behalf: bool,
                    payment: Payment, pay_id: int, credit_id: int) -> Order:
    order = _locked(session, order_id)
    if order.status == "confirmed":     # a concurrent confirmation finished first, with the same movements
        session.commit()
        return order
    order.status, order.rating, order.comment, order.rated_on_behalf = "confirmed", rating, comment, on_behalf
    order.pay_source, order.payer_user_id, order.grant_id = payment.source, payment.payer_user_id, payment.grant_id
    order.pay_movement_id, order.credit_movement_id, order.confirmed_at = pay_id, credit_id, utcnow()
    _event(session, order, actor, "confirm_proxy" if on_behalf else "confirm", f"{rating}/5")
    session.commit()
    return order


def is_confirmed_credit(session: Session, movement: LedgerMovement) -> bool:
    """True when a credit_service movement for order:N is the stored credit of that confirmed order."""
    match = ORDER_REFERENCE.match(movement.reference or "")
    if movement.kind != "credit_service" or match is None:
        return False
    order = session.get(Order, int(match.group(1)))
    return order is not None and order.status == "confirmed" and order.credit_movement_id == movement.id


# --- lists -------------------------------------------------------------------------------------------------------

def get(session: Session, order_id: int) -> Order | None:
    """One order."""
    return session.get(Order, order_id)


def board(session: Session) -> list[Order]:
    """Orders on the board, soonest wanted first."""
    return list(session.scalars(select(Order).where(Order.status == "open", Order.on_board.is_(True))
                                .order_by(Order.wanted_day, Order.id)))


def of_resident(session: Session, user_id: int) -> list[Order]:
    """A resident's orders, newest first."""
    return list(session.scalars(select(Order).where(Order.resident_user_id == user_id).order_by(Order.id.desc())))


def of_volunteer(session: Session, volunteer_id: int) -> list[Order]:
    """Orders sent to or taken by a volunteer, the ones still to do first."""
    return list(session.scalars(select(Order).where(Order.volunteer_id == volunteer_id)
                                .order_by(Order.status.in_(("done", "confirmed", "cancelled")), Order.id.desc())))


def for_staff(session: Session, show_all: bool = False) -> list[Order]:
    """Orders for the station: waiting for dispatch or in progress (all when asked), oldest first."""
    stmt = select(Order).order_by(Order.id)
    if not show_all:
        stmt = stmt.where(or_(Order.status.in_(("open", "dispatched", "accepted", "done"))))
    return list(session.scalars(stmt))


def for_ticket(session: Session, ticket_id: int) -> Order | None:
    """The live order made from a ticket, if any."""
    return session.scalar(select(Order).where(Order.ticket_id == ticket_id, Order.status != "cancelled"))


# --- pool eligibility (孤寡/空巢老人), managed by the head ------------------------------------------------------------

def mark_eligible(session: Session, who: str, reason: str, actor: Actor) -> PoolEligible:
    """The head marks a resident (by phone or username) as paying for services from the donation pool."""
    if reason not in POOL_REASONS:
        raise HallError(_l("Choose why the resident is eligible."), "reason")
    member = family.find_member(session, who)
    if member is None:
        raise HallError(_l("Nobody with this phone or username is registered in this community."), "who")
    row = session.get(PoolEligible, member.user_id)
    if row is None:
        row = PoolEligible(user_id=member.user_id, name=member.real_name, reason=reason,
                           marked_by_user_id=actor.user_id, marked_at=utcnow())
        session.add(row)
    else:
        row.reason = reason
    session.commit()
    return row


def unmark_eligible(session: Session, user_id: int) -> None:
    """The head takes a resident off the pool list."""
    row = session.get(PoolEligible, user_id)
    if row is not None:
        session.delete(row)
        session.commit()


def eligible(session: Session) -> list[PoolEligible]:
    """Residents who may pay from the pool, by name."""
    return list(session.scalars(select(PoolEligible).order_by(PoolEligible.name)))
