"""Booking, cancelling, rescheduling and checking in appointments; the slots a day offers and what is left."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..errors import HallError
from ..floor import services as floor
from ..floor.models import QueueNumber, ServiceWindow
from ..menu.models import ServiceItem
from ..tenancy import Community, utcnow
from ..window.services import calendar_for
from . import slots as slot_rules
from .models import ACTIVE_STATES, Appointment

# How far ahead residents may book, in calendar days, and how early before its slot one may check in.
DEFAULT_HORIZON_DAYS = 14
CHECK_IN_EARLY_MINUTES = 15
# A booked appointment not checked in this long after its slot ended is a no-show.
NO_SHOW_GRACE_MINUTES = 15
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"   # no 0/O or 1/I: read aloud and typed by elderly residents


@dataclass
class SlotView:
    """A slot of a day with what is left of it."""

    slot: slot_rules.Slot
    capacity: int
    taken: int
    past: bool

    @property
    def left(self) -> int:
        """Places still free."""
        return max(0, self.capacity - self.taken)

    @property
    def bookable(self) -> bool:
        """Free and not begun yet."""
        return self.left > 0 and not self.past


def local_now(community: Community, now: datetime | None = None) -> datetime:
    """Now in the community's zone."""
    return (now or utcnow()).astimezone(ZoneInfo(community.timezone))


def bookable_items(session: Session) -> list[ServiceItem]:
    """Published menu items that offer appointments, in menu order."""
    items = session.scalars(select(ServiceItem).where(ServiceItem.published.is_(True))
                            .order_by(ServiceItem.position, ServiceItem.id))
    return [i for i in items if "appointment" in i.channel_list]


def bookable_item(session: Session, code: str) -> ServiceItem:
    """The published item with this code that offers appointments, else a HallError."""
    item = session.scalar(select(ServiceItem).where(ServiceItem.code == (code or "").strip().upper(),
                                                    ServiceItem.published.is_(True)))
    if item is None or "appointment" not in item.channel_list:
        raise HallError(_l("This service cannot be booked. Choose one from the list."), "item")
    return item


def window_for(session: Session, item: ServiceItem) -> ServiceWindow:
    """The window that handles an item: the open window of the item's post, else the first open window."""
    open_windows = floor.windows(session)
    if not open_windows:
        raise HallError(_l("The station takes no appointments yet. Please ask at the service desk."), "item")
    if item.post_id:
        for w in open_windows:
            if w.post_id == item.post_id:
                return w
    return open_windows[0]


def open_days(session: Session, community: Community, horizon: int = DEFAULT_HORIZON_DAYS,
              now: datetime | None = None) -> list[date]:
    """Working days (holidays and 调休 respected) from today up to the horizon."""
    cal = calendar_for(session)
    first = local_now(community, now).date()
    return [d for d in (first + timedelta(days=i) for i in range(horizon + 1)) if cal.is_workday(d)]


def _taken(session: Session, window_id: int, day: date, exclude_id: int | None = None) -> dict[str, int]:
    stmt = select(Appointment.start, func.count()).where(
        Appointment.window_id == window_id, Appointment.day == day, Appointment.status.in_(ACTIVE_STATES))
    if exclude_id:
        stmt = stmt.where(Appointment.id != exclude_id)
    return dict(session.execute(stmt.group_by(Appointment.start)).all())


def day_slots(session: Session, community: Community, window: ServiceWindow, day: date,
              now: datetime | None = None, exclude_id: int | None = None) -> list[SlotView]:
    """The window's slots on a day with places left; empty on a day the station is closed."""
    if not calendar_for(session).is_workday(day):
        return []
    taken = _taken(session, window.id, day, exclude_id)
    local = local_now(community, now)
    out = []
    for s in slot_rules.day_slots(window.opening_hours, window.slot_minutes):
        starts = datetime.combine(day, s.start, tzinfo=local.tzinfo)
        out.append(SlotView(s, window.slot_capacity, taken.get(s.key, 0), starts <= local))
    return out


def clean_contact(name: str, phone: str) -> tuple[str, str]:
    """The name and an 11-digit mobile number, or a HallError naming the field."""
    name = (name or "").strip()
    if not 1 <= len(name) <= 50 or "\x00" in name:
        raise HallError(_l("Please enter your name (up to 50 characters)."), "name")
    phone = re.sub(r"[\s-]", "", phone or "")
    if not re.fullmatch(r"1\d{10}", phone):
        raise HallError(_l("Please enter an 11-digit mobile number starting with 1."), "phone")
    return name, phone


def parse_day(text: str) -> date:
    """A YYYY-MM-DD date, or a HallError on the day field."""
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise HallError(_l("Choose a day from the list."), "day") from None


def _check_slot(session: Session, community: Community, window: ServiceWindow, day: date, start: str,
                now: datetime | None, horizon: int, exclude_id: int | None = None) -> slot_rules.Slot:
    """The slot if it can take one more booking now; otherwise the reason, in words."""
    today = local_now(community, now).date()
    if day < today:
        raise HallError(_l("That day has passed. Choose another day."), "day")
    if day > today + timedelta(days=horizon):
        raise HallError(_l("Appointments can be booked up to %(n)s days ahead.", n=horizon), "day")
    cal = calendar_for(session)
    if not cal.is_workday(day):
        name = cal.holiday_name(day)
        if name:
            raise HallError(_l("The station is closed on %(day)s (%(holiday)s). Choose a working day.",
                               day=day.isoformat(), holiday=name), "day")
        raise HallError(_l("The station is closed on %(day)s. Choose a working day.", day=day.isoformat()), "day")
    views = {v.slot.key: v for v in day_slots(session, community, window, day, now, exclude_id)}
    view = views.get((start or "").strip())
    if view is None:
        raise HallError(_l("Choose a time from the list."), "start")
    if view.past:
        raise HallError(_l("The %(slot)s slot has already begun. Choose a later time.", slot=view.slot.label), "start")
    if view.left <= 0:
        raise HallError(_l("The %(slot)s slot is full. Choose another time.", slot=view.slot.label), "start")
    return view.slot


def _same_day_twice(session: Session, item_code: str, day: date, phone: str, user_id: int | None,
                    exclude_id: int | None = None) -> bool:
    who = Appointment.phone == phone
    if user_id:
        who = who | (Appointment.resident_user_id == user_id)
    stmt = select(Appointment.id).where(Appointment.item_code == item_code, Appointment.day == day,
                                        Appointment.status.in_(ACTIVE_STATES), who)
    if exclude_id:
        stmt = stmt.where(Appointment.id != exclude_id)
    return session.scalar(stmt.limit(1)) is not None


def _lock(session: Session, window_id: int) -> None:
    # SQLite: a transaction holding the write lock from its first statement; PostgreSQL: lock the window's row,
    # so two residents booking the last place of a slot at once cannot both get it.
    session.rollback()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(ServiceWindow.id).where(ServiceWindow.id == window_id).with_for_update())


def _new_code(session: Session) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if session.scalar(select(Appointment.id).where(Appointment.code == code)) is None:
            return code


def book(session: Session, community: Community, item_code: str, day: date, start: str, name: str, phone: str,
         user_id: int | None = None, now: datetime | None = None, horizon: int = DEFAULT_HORIZON_DAYS) -> Appointment:
    """Book a slot; refused with the reason when the slot is full or past, the day closed, or it is a second
    booking of the same item by the same person that day."""
    item = bookable_item(session, item_code)
    name, phone = clean_contact(name, phone)
    window = window_for(session, item)
    window_id, code, item_name, item_id = window.id, item.code, item.name, item.id
    _lock(session, window_id)
    window = session.get(ServiceWindow, window_id)
    try:
        slot = _check_slot(session, community, window, day, start, now, horizon)
        if _same_day_twice(session, code, day, phone, user_id):
            raise HallError(_l("You already have an appointment for this service on %(day)s.", day=day.isoformat()),
                            "day")
    except HallError:
        session.rollback()
        raise
    stamp = now or utcnow()
    appt = Appointment(code=_new_code(session), item_id=item_id, item_code=code, item_name=item_name,
                       window_id=window_id, day=day, start=slot.key, end=slot.end.strftime("%H:%M"),
                       resident_user_id=user_id, name=name, phone=phone, status="booked", reschedules=0,
                       created_at=stamp, updated_at=stamp)
    session.add(appt)
    session.commit()
    return appt


def find(session: Session, code: str, phone: str) -> Appointment:
    """The appointment with this code whose phone matches; one message for both mismatches (no probing)."""
    appt = session.scalar(select(Appointment).where(Appointment.code == (code or "").strip().upper()))
    digits = re.sub(r"[\s-]", "", phone or "")
    if appt is None or not digits or appt.phone != digits:
        raise HallError(_l("No appointment matches this code and phone number."), "code")
    return appt


def by_code(session: Session, code: str) -> Appointment | None:
    """The appointment with this confirmation code, or None."""
    return session.scalar(select(Appointment).where(Appointment.code == (code or "").strip().upper()))


def _change(session: Session, appt_id: int, allowed: tuple[str, ...], values: dict, message) -> None:
    result = session.execute(update(Appointment).where(Appointment.id == appt_id, Appointment.status.in_(allowed))
                             .values(updated_at=utcnow(), **values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.rollback()
        raise HallError(message, "code")


def cancel(session: Session, appt: Appointment) -> Appointment:
    """Cancel a booked appointment; its place is free again at once."""
    appt_id = appt.id
    _lock(session, appt.window_id)
    _change(session, appt_id, ("booked",), {"status": "cancelled"},
            _l("This appointment can no longer be cancelled (it was checked in, cancelled or missed)."))
    session.commit()
    return session.get(Appointment, appt_id)


def reschedule(session: Session, community: Community, appt: Appointment, day: date, start: str,
               now: datetime | None = None, horizon: int = DEFAULT_HORIZON_DAYS) -> Appointment:
    """Move a booked appointment to another slot, with the same checks as booking; the code stays."""
    appt_id, window_id, item_code, phone, user_id = appt.id, appt.window_id, appt.item_code, appt.phone, \
        appt.resident_user_id
    _lock(session, window_id)
    current = session.get(Appointment, appt_id)
    try:
        if current.status != "booked":
            raise HallError(_l("This appointment can no longer be changed (it was checked in, cancelled or missed)."),
                            "code")
        window = session.get(ServiceWindow, window_id)
        slot = _check_slot(session, community, window, day, start, now, horizon, exclude_id=appt_id)
        if _same_day_twice(session, item_code, day, phone, user_id, exclude_id=appt_id):
            raise HallError(_l("You already have an appointment for this service on %(day)s.", day=day.isoformat()),
                            "day")
    except HallError:
        session.rollback()
        raise
    _change(session, appt_id, ("booked",), {"day": day, "start": slot.key, "end": slot.end.strftime("%H:%M"),
                                            "reschedules": Appointment.reschedules + 1}, _l("Please try again."))
    session.commit()
    session.refresh(current)
    return current


def check_in(session: Session, community: Community, code: str, now: datetime | None = None,
             early_minutes: int = CHECK_IN_EARLY_MINUTES) -> QueueNumber:
    """At the kiosk: today's booked appointment, from a little before its slot until it ends, becomes a number
    that is called before every other (its window's prefix, priority)."""
    appt = by_code(session, code)
    if appt is None:
        raise HallError(_l("No appointment has this code. Check the code, or take a normal number."), "code")
    local = local_now(community, now)
    if appt.status == "checked_in":
        raise HallError(_l("This appointment is already checked in. Your number is on your slip."), "code")
    if appt.status != "booked":
        raise HallError(_l("This appointment was cancelled or missed. Please take a normal number."), "code")
    if appt.day != local.date():
        raise HallError(_l("This appointment is for %(day)s, not today.", day=appt.day.isoformat()), "code")
    starts = datetime.combine(appt.day, datetime.strptime(appt.start, "%H:%M").time(), tzinfo=local.tzinfo)
    ends = datetime.combine(appt.day, datetime.strptime(appt.end, "%H:%M").time(), tzinfo=local.tzinfo)
    if local < starts - timedelta(minutes=early_minutes):
        opens = (starts - timedelta(minutes=early_minutes)).strftime("%H:%M")
        raise HallError(_l("Your appointment is at %(start)s. Please check in from %(opens)s.",
                           start=appt.start, opens=opens), "code")
    if local > ends:
        raise HallError(_l("Your appointment slot (%(start)s–%(end)s) has passed. Please take a normal number.",
                           start=appt.start, end=appt.end), "code")
    appt_id, window_id = appt.id, appt.window_id
    # Mark the appointment first, guarded by its status, so a double tap on the kiosk gives one number only.
    _lock(session, window_id)
    _change(session, appt_id, ("booked",), {"status": "checked_in", "checked_in_at": now or utcnow()},
            _l("This appointment is already checked in. Your number is on your slip."))
    number = floor.take_number(session, community, window_id, priority=True, appointment_id=appt_id, locked=True)
    return number


def mark_no_shows(session: Session, community: Community, now: datetime | None = None,
                  grace_minutes: int = NO_SHOW_GRACE_MINUTES) -> int:
    """Record as no-shows the booked appointments whose slot ended more than the grace period ago."""
    local = local_now(community, now) - timedelta(minutes=grace_minutes)
    today, clock = local.date(), local.strftime("%H:%M")
    session.rollback()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    result = session.execute(update(Appointment).where(
        Appointment.status == "booked", (Appointment.day < today) | ((Appointment.day == today) & (Appointment.end < clock)))
        .values(status="no_show", updated_at=utcnow()).execution_options(synchronize_session=False))
    session.commit()
    return result.rowcount or 0


def mark_no_show(session: Session, appt: Appointment) -> None:
    """Staff record that a booked resident did not come."""
    appt_id = appt.id
    _lock(session, appt.window_id)
    _change(session, appt_id, ("booked",), {"status": "no_show"},
            _l("Only a booked appointment that was not checked in can be marked as missed."))
    session.commit()


def for_day(session: Session, day: date) -> list[Appointment]:
    """A day's appointments by time, then window."""
    return list(session.scalars(select(Appointment).where(Appointment.day == day)
                                .order_by(Appointment.start, Appointment.window_id, Appointment.id)))


def of_resident(session: Session, user_id: int) -> list[Appointment]:
    """A signed-in resident's appointments, latest day first."""
    return list(session.scalars(select(Appointment).where(Appointment.resident_user_id == user_id)
                                .order_by(Appointment.day.desc(), Appointment.start).limit(50)))


def day_counts(session: Session, day: date) -> dict[str, int]:
    """How many of a day's appointments are in each state (grouped in the database)."""
    return dict(session.execute(select(Appointment.status, func.count()).where(Appointment.day == day)
                                .group_by(Appointment.status)).all())


def number_for(session: Session, appt: Appointment) -> QueueNumber | None:
    """The queue number an appointment was checked in as."""
    return session.scalar(select(QueueNumber).where(QueueNumber.appointment_id == appt.id))


def set_hours(session: Session, window: ServiceWindow, hours: str, slot_minutes: str | int, capacity: str | int) -> None:
    """A head sets a window's opening hours for appointments, the slot length and the places per slot."""
    try:
        slot_rules.parse_hours(hours)
    except ValueError:
        raise HallError(_l("Write opening hours like 09:00-12:00,14:00-17:00."), "opening_hours") from None
    try:
        minutes, places = int(slot_minutes), int(capacity)
    except (TypeError, ValueError):
        raise HallError(_l("Slot length and places must be whole numbers."), "slot_minutes") from None
    if not 5 <= minutes <= 240:
        raise HallError(_l("A slot lasts between 5 and 240 minutes."), "slot_minutes")
    if not 1 <= places <= 50:
        raise HallError(_l("A slot takes between 1 and 50 bookings."), "slot_capacity")
    if not slot_rules.day_slots(hours, minutes):
        raise HallError(_l("The opening hours are shorter than one slot."), "slot_minutes")
    window.opening_hours = ",".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in slot_rules.parse_hours(hours))
    window.slot_minutes = minutes
    window.slot_capacity = places
