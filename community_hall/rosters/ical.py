"""iCal feeds (RFC 5545): a member of staff's duty, leave and outreach at a secret address, and a post's duty.

Events carry stable UIDs (the row's kind and id with the community's slug), so phones update them in place;
times are in the community's zone with its VTIMEZONE. Summaries are in Chinese, as staff read them.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit, clock
from ..glossary import DUTY_ROLE_LABELS, LEAVE_KIND_LABELS, SHIFT_KIND_LABELS
from ..tenancy import Community, utcnow
from .ical_models import CalendarToken
from .models import Leave, Outreach, Post, Shift

PRODID = "-//Community Hall//Rosters//ZH"
HISTORY = timedelta(days=90)   # feeds carry the last three months and everything ahead
FEED_LOCALE = "zh_CN"


def token_for(session: Session, user_id: int) -> str:
    """The member of staff's feed token, made on first use."""
    row = session.get(CalendarToken, user_id)
    if row is None:
        row = CalendarToken(user_id=user_id, token=secrets.token_urlsafe(24))
        session.add(row)
        session.commit()
    return row.token


def regenerate(session: Session, user_id: int) -> str:
    """A new token: the old address stops working at once."""
    row = session.get(CalendarToken, user_id)
    token = secrets.token_urlsafe(24)
    if row is None:
        session.add(CalendarToken(user_id=user_id, token=token))
    else:
        row.token, row.created_at = token, utcnow()
    audit.record(session, user_id, "calendar.regenerate", "calendar feed address replaced")
    session.commit()
    return token


def user_for_token(session: Session, token: str) -> int | None:
    """Whose feed a token opens, or None."""
    if not token or len(token) > 64:
        return None
    return session.scalar(select(CalendarToken.user_id).where(CalendarToken.token == token))


def _local(community: Community, day: date, clock: str) -> datetime:
    return datetime.combine(day, datetime.strptime(clock, "%H:%M").time(), tzinfo=ZoneInfo(community.timezone))


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _calendar(name: str) -> icalendar.Calendar:
    cal = icalendar.Calendar.new(prodid=PRODID, name=name)
    cal.add("X-WR-CALNAME", name)
    return cal


def _finish(cal: icalendar.Calendar) -> bytes:
    cal.add_missing_timezones()
    return cal.to_ical()


def _shift_event(community: Community, shift: Shift, summary: str, stamp: datetime) -> icalendar.Event:
    return icalendar.Event.new(uid=f"shift-{shift.id}@{community.slug}.community-hall", summary=summary,
                               start=_local(community, shift.day, shift.start),
                               end=_local(community, shift.day, shift.end), stamp=stamp)


def _published_shifts(session: Session, community: Community, user_ids: list[int]) -> list[Shift]:
    since = clock.today(community.timezone) - HISTORY
    return list(session.scalars(select(Shift).where(Shift.published.is_(True), Shift.day >= since,
                                                    Shift.user_id.in_(user_ids)).order_by(Shift.day, Shift.start)))


def staff_feed(session: Session, community: Community, user_id: int, name: str) -> bytes:
    """The person's published shifts, approved leave (all-day) and outreach trips."""
    stamp = utcnow()
    since = clock.today(community.timezone) - HISTORY
    with force_locale(FEED_LOCALE):
        cal = _calendar(_("%(name)s's duty · %(community)s", name=name, community=community.name))
        for shift in _published_shifts(session, community, [user_id]):
            cal.add_component(_shift_event(community, shift, str(SHIFT_KIND_LABELS.get(shift.kind, shift.kind)), stamp))
        for leave in session.scalars(select(Leave).where(Leave.user_id == user_id, Leave.status == "approved",
                                                         Leave.last_day >= since).order_by(Leave.first_day)):
            cal.add_component(icalendar.Event.new(
                uid=f"leave-{leave.id}@{community.slug}.community-hall",
                summary=str(LEAVE_KIND_LABELS.get(leave.kind, leave.kind)), start=leave.first_day,
                end=leave.last_day + timedelta(days=1), stamp=stamp))
        zone = ZoneInfo(community.timezone)
        trips = select(Outreach).where(Outreach.user_id == user_id, Outreach.ends_at >= datetime.combine(
            since, datetime.min.time(), tzinfo=zone)).order_by(Outreach.starts_at)
        for trip in session.scalars(trips):
            # Only the fixed phrase: the feed is read without signing in (the token is the key, and calendar apps
            # share it), and the note staff type names the households they visit.
            summary = _("Out visiting households")
            cal.add_component(icalendar.Event.new(
                uid=f"outreach-{trip.id}@{community.slug}.community-hall", summary=summary,
                start=_aware(trip.starts_at).astimezone(zone), end=_aware(trip.ends_at).astimezone(zone), stamp=stamp))
    return _finish(cal)


def post_feed(session: Session, community: Community, post: Post, names: dict[int, str]) -> bytes:
    """The published shifts of the post's A and B holders, each saying who is on duty in which role."""
    stamp = utcnow()
    roles = {uid: role for role, uid in (("B", post.b_holder_id), ("A", post.a_holder_id)) if uid is not None}
    with force_locale(FEED_LOCALE):
        cal = _calendar(_("%(post)s duty · %(community)s", post=post.name, community=community.name))
        for shift in _published_shifts(session, community, list(roles)):
            summary = (f"{post.name} {DUTY_ROLE_LABELS[roles[shift.user_id]]} {names.get(shift.user_id, '')} · "
                       f"{SHIFT_KIND_LABELS.get(shift.kind, shift.kind)}")
            cal.add_component(_shift_event(community, shift, summary, stamp))
    return _finish(cal)
