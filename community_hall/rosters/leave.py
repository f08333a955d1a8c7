"""Leave (请假) requests with the head's decision, and outreach trips (下沉入户) that take a holder off the post."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..audit import record
from ..errors import HallError
from ..tenancy import Community, utcnow
from .models import LEAVE_KINDS, Leave, Outreach
from .services import _aware, _member, parse_day, today

OPEN_LEAVE = ("requested", "approved")


def check_leave(session: Session, community: Community, user_id: int | None, first: str, last: str,
                kind: str, staff: list | None = None) -> tuple[int, object, object]:
    """(user, first day, last day) of a leave that may be stored: a member of staff, from ≤ to, no overlap."""
    person = _member(community, session, user_id, "user", staff)
    first_day, last_day = parse_day(first, "first_day"), parse_day(last, "last_day")
    if last_day < first_day:
        raise HallError(_l("The last day of leave cannot be before the first."), "last_day")
    if kind not in LEAVE_KINDS:
        raise HallError(_l("Choose the kind of leave."), "kind")
    clash = session.scalar(select(Leave).where(Leave.user_id == person.user_id, Leave.status.in_(OPEN_LEAVE),
                                               Leave.first_day <= last_day, Leave.last_day >= first_day).limit(1))
    if clash is not None:
        raise HallError(_l("This overlaps leave from %(first)s to %(last)s already asked for or approved.",
                           first=clash.first_day.isoformat(), last=clash.last_day.isoformat()), "first_day")
    return person.user_id, first_day, last_day


def request_leave(session: Session, community: Community, user_id: int, first: str, last: str, kind: str,
                  reason: str) -> Leave:
    """A member of staff asks for leave for themselves; it counts only once the head approves. Does not commit."""
    uid, first_day, last_day = check_leave(session, community, user_id, first, last, kind)
    leave = Leave(user_id=uid, first_day=first_day, last_day=last_day, kind=kind, reason=(reason or "").strip()[:1000])
    session.add(leave)
    session.flush()
    record(session, user_id, "rosters.leave", f"requested #{leave.id}: {first_day}..{last_day} {kind}")
    return leave


def add_approved_leave(session: Session, community: Community, actor_id: int | None, user_id: int | None, first: str,
                       last: str, kind: str, reason: str = "", staff: list | None = None) -> Leave:
    """Leave entered by the head or an import: approved at once. Does not commit."""
    uid, first_day, last_day = check_leave(session, community, user_id, first, last, kind, staff)
    leave = Leave(user_id=uid, first_day=first_day, last_day=last_day, kind=kind, reason=(reason or "")[:1000],
                  status="approved", decided_by=actor_id, decided_at=utcnow())
    session.add(leave)
    session.flush()
    record(session, actor_id, "rosters.leave", f"entered #{leave.id} for user {uid}: {first_day}..{last_day} {kind}")
    return leave


def decide_leave(session: Session, actor_id: int, leave: Leave, approve: bool, note: str) -> Leave:
    """The head approves or declines a requested leave, with a note. Does not commit."""
    if leave.status != "requested":
        raise HallError(_l("This request has already been decided."), "decision")
    leave.status = "approved" if approve else "declined"
    leave.decided_by, leave.decided_at, leave.decision_note = actor_id, utcnow(), (note or "").strip()[:1000]
    record(session, actor_id, "rosters.leave", f"{leave.status} #{leave.id} of user {leave.user_id}")
    session.flush()
    return leave


def cancel_leave(session: Session, community: Community, user_id: int, leave: Leave) -> Leave:
    """Staff withdraw their own leave (asked for or approved) before it starts. Does not commit."""
    if leave.user_id != user_id:
        raise HallError(_l("You can cancel only your own leave."), "leave")
    if leave.status not in OPEN_LEAVE or leave.first_day <= today(community):
        raise HallError(_l("Only leave that has not started yet can be cancelled."), "leave")
    leave.status = "cancelled"
    record(session, user_id, "rosters.leave", f"cancelled #{leave.id}")
    session.flush()
    return leave


def leave_list(session: Session, user_id: int | None = None, states: tuple[str, ...] | None = None,
               since=None) -> list[Leave]:
    """Leave (of one person when given), requested first, then newest first."""
    query = select(Leave)
    if user_id is not None:
        query = query.where(Leave.user_id == user_id)
    if states:
        query = query.where(Leave.status.in_(states))
    if since is not None:
        query = query.where(Leave.last_day >= since)
    rows = list(session.scalars(query.order_by(Leave.first_day.desc(), Leave.id.desc()).limit(300)))
    return sorted(rows, key=lambda v: v.status != "requested")


# --- outreach ------------------------------------------------------------------------------------------------------
def parse_moment(community: Community, value: str, field: str) -> datetime:
    """A local date and time (YYYY-MM-DDTHH:MM, as <input type=datetime-local> sends) as an aware UTC datetime."""
    text = (value or "").strip().replace(" ", "T")
    try:
        local = datetime.strptime(text[:16], "%Y-%m-%dT%H:%M")
    except ValueError:
        raise HallError(_l("Enter a date and time like 2026-11-25 14:00."), field) from None
    return local.replace(tzinfo=ZoneInfo(community.timezone)).astimezone(ZoneInfo("UTC"))


def start_outreach(session: Session, community: Community, user_id: int, starts: str, ends: str, note: str) -> Outreach:
    """A holder marks themselves out visiting households for a period (not in the past). Does not commit."""
    person = _member(community, session, user_id, "starts_at")
    starts_at, ends_at = parse_moment(community, starts, "starts_at"), parse_moment(community, ends, "ends_at")
    if ends_at <= starts_at:
        raise HallError(_l("The end must be after the start."), "ends_at")
    if ends_at <= utcnow():
        raise HallError(_l("The end is already past."), "ends_at")
    if ends_at - starts_at > timedelta(days=7):
        raise HallError(_l("An outreach trip lasts at most 7 days; ask for leave for longer absences."), "ends_at")
    for trip in session.scalars(select(Outreach).where(Outreach.user_id == person.user_id)):
        if _aware(trip.starts_at) < ends_at and _aware(trip.ends_at) > starts_at:
            raise HallError(_l("This overlaps another of your outreach trips."), "starts_at")
    trip = Outreach(user_id=person.user_id, starts_at=starts_at, ends_at=ends_at, note=(note or "").strip()[:200])
    session.add(trip)
    session.flush()
    record(session, user_id, "rosters.outreach", f"out #{trip.id}: {starts_at.isoformat()}..{ends_at.isoformat()}")
    return trip


def end_outreach(session: Session, user_id: int, trip: Outreach) -> Outreach:
    """Back early: the trip ends now (a trip not yet begun is dropped to nothing). Does not commit."""
    now = utcnow()
    if trip.user_id != user_id:
        raise HallError(_l("You can end only your own outreach."), "trip")
    if _aware(trip.ends_at) <= now:
        raise HallError(_l("This outreach has already ended."), "trip")
    trip.ends_at = max(now, _aware(trip.starts_at))
    record(session, user_id, "rosters.outreach", f"ended #{trip.id} at {now.isoformat()}")
    session.flush()
    return trip


def outreach_list(session: Session, user_id: int | None = None, since: datetime | None = None) -> list[Outreach]:
    """Outreach trips ending after `since` (default: a week ago), newest start first."""
    since = since or utcnow() - timedelta(days=7)
    query = select(Outreach).where(Outreach.ends_at > since)
    if user_id is not None:
        query = query.where(Outreach.user_id == user_id)
    return list(session.scalars(query.order_by(Outreach.starts_at.desc()).limit(200)))


def is_current(trip: Outreach) -> bool:
    """True when the trip has not ended yet."""
    return _aware(trip.ends_at) > utcnow()
