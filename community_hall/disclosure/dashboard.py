"""The head's dashboard: the public figures plus per post and per staff member, a 12-month trend and overdue tickets.

Like figures.py every figure is one grouped query (GROUP BY post, handler or month), never a loop over ticket
rows; the month of a time is a CASE over the local month boundaries (computed here in the community's zone), which
both SQLite and PostgreSQL evaluate the same way and which stays right across daylight-saving changes.
Definitions follow figures.py; per staff member: handled = requests they finished in the period, satisfaction =
ratings made in the period of tickets they handled, first inquiries = inquiries they took first in the period
(and how many are answered), acknowledgement = average minutes from a hand-over to them (made in the period)
to its acknowledgement, hand-backs = hand-backs they gave in the period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from ..errors import HallError
from ..rosters.models import Post
from ..routing.models import NEEDS_ACK, Hop, Inquiry
from ..tenancy import Community, utcnow
from ..window.models import Ticket
from ..window.ratings_models import Rating
from .figures import Period, _utc, cached, days_between, disclosure, one_decimal, percent, period_of

PERIOD_CHOICES = ("this_month", "last_month", "this_quarter", "last_quarter")
TREND_MONTHS = 12
OVERDUE_LIMIT = 50
LATE_STATES = ("accepted", "in_progress")   # as window.services.is_overdue: returned tickets wait for the resident
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
BAD_PERIOD = _l("Choose this month, last month, this quarter, last quarter, or a month as YYYY-MM "
                "(for example 2026-10).")


def parse_period(community: Community, choice: str | None, month: str | None, now: datetime | None = None) -> Period:
    """The period the filter asks for: a named one, or ?month=YYYY-MM (2000-01 to next month); HallError if bad."""
    now = now or utcnow()
    if month:
        found = MONTH.match(month.strip())
        if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 2000:
            raise HallError(BAD_PERIOD, "month")
        zone = ZoneInfo(community.timezone)
        at = datetime(int(found.group(1)), int(found.group(2)), 15, 12, tzinfo=zone)
        if at > now.astimezone(zone) + timedelta(days=62):
            raise HallError(BAD_PERIOD, "month")
        return period_of(community, "month", at)
    choice = choice or "this_month"
    if choice not in PERIOD_CHOICES:
        raise HallError(BAD_PERIOD, "period")
    kind = "quarter" if choice.endswith("quarter") else "month"
    current = period_of(community, kind, now)
    if choice.startswith("last"):
        return period_of(community, kind, current.start - timedelta(days=1))
    return current


def month_starts(community: Community, now: datetime | None = None, months: int = TREND_MONTHS) -> list[datetime]:
    """The first local midnights of the last `months` months up to the current one, and of the month after."""
    first = period_of(community, "month", now).start
    starts = [first]
    for _n in range(months - 1):
        starts.insert(0, period_of(community, "month", starts[0] - timedelta(days=1)).start)
    starts.append(period_of(community, "month", first + timedelta(days=40)).start)
    return starts


def month_bucket(column, starts: list[datetime]):
    """The index of the month [starts[i], starts[i+1]) a time falls in, as SQL (NULL outside them)."""
    pairs = enumerate(zip(starts, starts[1:], strict=False))
    return case(*((and_(column >= _utc(a), column < _utc(b)), n) for n, (a, b) in pairs), else_=None)


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


ON_TIME = or_(Ticket.due_at.is_(None), Ticket.finished_at <= Ticket.due_at)
SATISFIED = Rating.level >= 3


def _finished(start: datetime, end: datetime):
    return and_(Ticket.kind == "request", Ticket.status == "done", Ticket.finished_at >= _utc(start),
                Ticket.finished_at < _utc(end))


def post_received_query(start: datetime, end: datetime):
    """Requests submitted in [start, end), per post."""
    return (select(Ticket.post_id, func.count(Ticket.id))
            .where(Ticket.kind == "request", Ticket.submitted_at >= _utc(start), Ticket.submitted_at < _utc(end))
            .group_by(Ticket.post_id))


def finished_by_query(column, start: datetime, end: datetime):
    """Requests finished in [start, end) per post or handler: count, on time, average days."""
    return (select(column, func.count(Ticket.id), _count_if(ON_TIME),
                   func.avg(days_between(Ticket.submitted_at, Ticket.finished_at)))
            .where(_finished(start, end)).group_by(column))


def ratings_by_query(column, start: datetime, end: datetime):
    """Ratings made in [start, end) per post or handler of the rated ticket: count and satisfied."""
    return (select(column, func.count(Rating.id), _count_if(SATISFIED)).join(Ticket, Ticket.id == Rating.ticket_id)
            .where(Rating.created_at >= _utc(start), Rating.created_at < _utc(end)).group_by(column))


@dataclass
class Line:
    """One row of the per-post or per-staff table; rates None when there is nothing to divide by."""

    key: int | None
    name: str
    received: int = 0
    handled: int = 0
    on_time: int = 0
    avg_days: float | None = None
    ratings: int = 0
    satisfied: int = 0
    inquiries: int = 0
    inquiries_answered: int = 0
    acknowledged: int = 0
    ack_minutes: float | None = None
    handbacks: int = 0

    @property
    def on_time_rate(self) -> float | None:
        """Share of the handled ones finished on time."""
        return percent(self.on_time, self.handled)

    @property
    def satisfaction_rate(self) -> float | None:
        """Share of the ratings at the three satisfied levels."""
        return percent(self.satisfied, self.ratings)


def _fill_finished(lines: dict, rows) -> None:
    for key, count, on_time, days in rows:
        if key in lines:
            lines[key].handled, lines[key].on_time = count, int(on_time)
            lines[key].avg_days = one_decimal(float(days)) if days is not None else None


def _fill_ratings(lines: dict, rows) -> None:
    for key, count, satisfied in rows:
        if key in lines:
            lines[key].ratings, lines[key].satisfied = count, int(satisfied)


def per_post(session: Session, start: datetime, end: datetime, no_post: str) -> list[Line]:
    """Every post (and requests without one, under `no_post` when there are any), with its figures."""
    lines = {pid: Line(pid, name) for pid, name in session.execute(select(Post.id, Post.name).order_by(Post.code))}
    lines[None] = Line(None, no_post)
    for pid, count in session.execute(post_received_query(start, end)):
        if pid in lines:
            lines[pid].received = count
    _fill_finished(lines, session.execute(finished_by_query(Ticket.post_id, start, end)))
    _fill_ratings(lines, session.execute(ratings_by_query(Ticket.post_id, start, end)))
    if not (lines[None].received or lines[None].handled or lines[None].ratings):
        del lines[None]
    return list(lines.values())


def per_staff(session: Session, people: dict[int, str], start: datetime, end: datetime) -> list[Line]:
    """Every person in `people` (id -> name, from the registry) with their figures, people without any included."""
    lines = {uid: Line(uid, name) for uid, name in people.items()}
    _fill_finished(lines, session.execute(finished_by_query(Ticket.handler_user_id, start, end)))
    _fill_ratings(lines, session.execute(ratings_by_query(Ticket.handler_user_id, start, end)))
    answered = Inquiry.answered_at.is_not(None)
    for uid, count, done in session.execute(
            select(Inquiry.owner_user_id, func.count(Inquiry.id), _count_if(answered))
            .where(Inquiry.created_at >= _utc(start), Inquiry.created_at < _utc(end)).group_by(Inquiry.owner_user_id)):
        if uid in lines:
            lines[uid].inquiries, lines[uid].inquiries_answered = count, int(done)
    in_period = and_(Hop.created_at >= _utc(start), Hop.created_at < _utc(end))
    for uid, count, days in session.execute(
            select(Hop.to_user_id, func.count(Hop.id), func.avg(days_between(Hop.created_at, Hop.acknowledged_at)))
            .where(in_period, Hop.kind.in_(NEEDS_ACK), Hop.acknowledged_at.is_not(None)).group_by(Hop.to_user_id)):
        if uid in lines:
            lines[uid].acknowledged = count
            lines[uid].ack_minutes = one_decimal(float(days) * 1440) if days is not None else None
    for uid, count in session.execute(select(Hop.from_user_id, func.count(Hop.id))
                                      .where(in_period, Hop.kind == "handback").group_by(Hop.from_user_id)):
        if uid in lines:
            lines[uid].handbacks = count
    return list(lines.values())


@dataclass
class Month:
    """One month of the trend."""

    start: datetime
    received: int = 0
    finished: int = 0
    on_time: int = 0
    ratings: int = 0
    satisfied: int = 0

    @property
    def label(self) -> str:
        """2026-11."""
        return f"{self.start:%Y-%m}"

    @property
    def on_time_rate(self) -> float | None:
        """Share of the finished ones on time."""
        return percent(self.on_time, self.finished)

    @property
    def satisfaction_rate(self) -> float | None:
        """Share of the ratings at the satisfied levels."""
        return percent(self.satisfied, self.ratings)


def _bucketed(session: Session, bucket, where, *measures) -> dict[int, tuple]:
    # The bucket is grouped through a subquery: PostgreSQL would not match a CASE repeated with fresh parameters.
    inner = select(bucket.label("month"), *measures).where(where).subquery()
    columns = [c for c in inner.c if c.name != "month"]
    rows = session.execute(select(inner.c.month, *(func.coalesce(func.sum(c), 0) for c in columns))
                           .where(inner.c.month.is_not(None)).group_by(inner.c.month))
    return {month: tuple(int(v) for v in values) for month, *values in rows}


def trend(session: Session, community: Community, now: datetime | None = None) -> list[Month]:
    """The last 12 local months (the current one last): received, finished, on time, ratings, satisfied."""
    starts = month_starts(community, now)
    first, last = _utc(starts[0]), _utc(starts[-1])
    months = [Month(start) for start in starts[:-1]]
    one = case((Ticket.id.is_not(None), 1), else_=0)
    for n, (count,) in _bucketed(session, month_bucket(Ticket.submitted_at, starts),
                                 and_(Ticket.kind == "request", Ticket.submitted_at >= first,
                                      Ticket.submitted_at < last), one.label("n")).items():
        months[n].received = count
    for n, (count, on_time) in _bucketed(session, month_bucket(Ticket.finished_at, starts), _finished(starts[0], starts[-1]),
                                         one.label("n"), case((ON_TIME, 1), else_=0).label("on_time")).items():
        months[n].finished, months[n].on_time = count, on_time
    for n, (count, satisfied) in _bucketed(session, month_bucket(Rating.created_at, starts),
                                           and_(Rating.created_at >= first, Rating.created_at < last),
                                           case((Rating.id.is_not(None), 1), else_=0).label("n"),
                                           case((SATISFIED, 1), else_=0).label("satisfied")).items():
        months[n].ratings, months[n].satisfied = count, satisfied
    return months


@dataclass(frozen=True)
class Overdue:
    """An open request past its due time."""

    id: int
    number: str
    item_name: str
    post_name: str
    handler_user_id: int | None
    due_at: datetime


def overdue(session: Session, now: datetime | None = None, limit: int = OVERDUE_LIMIT) -> tuple[int, list[Overdue]]:
    """How many open requests are past due now, and the `limit` most overdue of them (oldest due first)."""
    late = and_(Ticket.kind == "request", Ticket.status.in_(LATE_STATES), Ticket.due_at < _utc(now or utcnow()))
    total = session.scalar(select(func.count(Ticket.id)).where(late)) or 0
    rows = session.execute(select(Ticket.id, Ticket.number, Ticket.item_name, func.coalesce(Post.name, ""),
                                  Ticket.handler_user_id, Ticket.due_at)
                           .outerjoin(Post, Post.id == Ticket.post_id).where(late)
                           .order_by(Ticket.due_at, Ticket.id).limit(limit))
    return total, [Overdue(*row) for row in rows]


def figures_for(session: Session, registry: Session, community: Community, period: Period, people: dict[int, str],
                no_post: str, now: datetime | None = None) -> dict:
    """Everything the dashboard shows for a period except the overdue list and coverage gaps (which are 'now')."""
    def compute():
        return {"public": disclosure(session, registry, community, period),
                "posts": per_post(session, period.start, period.end, no_post),
                "staff": per_staff(session, people, period.start, period.end),
                "trend": trend(session, community, now)}

    # The trend ends with the current month, so the key holds it too; no_post is in the viewer's language.
    current = period_of(community, "month", now).start.isoformat()
    return cached(("dashboard", community.slug, period.kind, period.start.isoformat(), current, no_post,
                   tuple(sorted(people.items()))), compute)
