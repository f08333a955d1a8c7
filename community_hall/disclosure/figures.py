"""Service results for 居务公开 and the dashboards: one grouped query per figure group, never a loop over rows.

Every function takes a community session and a period [start, end) given as aware local times (the
community's zone); the database compares UTC. Definitions (also in docs/disclosure-audit-privacy.md):

- a ticket is a Ticket of kind "request"; received = submitted in the period; finished (办结) = status "done"
  with finished_at in the period (declined and withdrawn tickets are not finished);
- on time = finished at or before due_at (a ticket without a due time cannot be late);
- average days = mean of finished_at - submitted_at in calendar days (24 hours), one decimal;
- online = finished whose channel is "online" or "api" (the app and mini-programs); one trip (最多跑一次) =
  finished with at most one in-person visit;
- satisfaction = ratings made in the period at levels 3-5 over all of them; bad ratings are levels 1-2,
  followed up = contacted or any later step, rectified = put right or closed (window/ratings.figures);
- complaints = tickets of kind "complaint" submitted in the period, answered = replied or declined since;
- volunteers = approved volunteers now, per 100 residents; hours = service hours credited in the period.

Rates are percentages 0-100 with one decimal, or None when there is nothing to divide by.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import Float, and_, case, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from ..tenancy import Community, utcnow
from ..timebank import figures as timebank
from ..window import ratings
from ..window.models import Ticket

ONLINE_CHANNELS = ("online", "api")
SATISFACTION_TARGET = 95     # percent of ratings at the three satisfied levels (好差评 满意率 ≥ 95%)
RECTIFY_TARGET = 100         # percent of bad ratings followed up and put right (差评整改率 100%)
PERIOD_KINDS = ("month", "quarter")
CACHE_SECONDS = 60
CACHE_SIZE = 256


@dataclass(frozen=True)
class Period:
    """A reporting period: a calendar month or quarter in the community's zone, as [start, end) local times."""

    kind: str
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        """2026-11 for a month, 2026-Q4 for a quarter."""
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"


def period_of(community: Community, kind: str = "month", now: datetime | None = None) -> Period:
    """The month or quarter that contains `now` (default: now) in the community's zone."""
    zone = ZoneInfo(community.timezone)
    local = (now or utcnow()).astimezone(zone)
    months = 3 if kind == "quarter" else 1
    first = (local.month - 1) // months * months + 1
    start = datetime(local.year, first, 1, tzinfo=zone)
    following = first + months
    end = datetime(local.year + (following > 12), (following - 1) % 12 + 1, 1, tzinfo=zone)
    return Period(kind if kind == "quarter" else "month", start, end)


def _utc(at: datetime) -> datetime:
    # SQLite keeps times as UTC text without a zone: bounds must be in UTC before they are compared.
    return at.astimezone(UTC)


def one_decimal(value: float) -> float:
    """Rounded half up to one decimal, as people round by hand (10.25 -> 10.3); float noise is ignored first."""
    return float(Decimal(str(round(value, 6))).quantize(Decimal("0.1"), ROUND_HALF_UP))


def percent(part: int, whole: int) -> float | None:
    """part / whole as a percentage with one decimal, None when whole is 0."""
    return one_decimal(part * 100 / whole) if whole else None


class days_between(FunctionElement):
    """Calendar days (24 hours, fractional) from the first time to the second, computed by the database."""

    type = Float()
    name = "days_between"
    inherit_cache = True


@compiles(days_between)
def _days_between(element, compiler, **kw):
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0)"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(julianday({end}) - julianday({start}))"


def received_query(start: datetime, end: datetime, kind: str = "request"):
    """Tickets of a kind submitted in [start, end) and how many of them are answered (replied or declined)."""
    answered = func.sum(case((Ticket.status.in_(("done", "declined")), 1), else_=0))
    return (select(func.count(Ticket.id), func.coalesce(answered, 0))
            .where(Ticket.kind == kind, Ticket.submitted_at >= _utc(start), Ticket.submitted_at < _utc(end)))


def finished_query(start: datetime, end: datetime):
    """Requests finished in [start, end): count, on time, average days, online, at most one trip."""
    def count_if(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return (select(func.count(Ticket.id),
                   count_if(or_(Ticket.due_at.is_(None), Ticket.finished_at <= Ticket.due_at)),
                   func.avg(days_between(Ticket.submitted_at, Ticket.finished_at)),
                   count_if(Ticket.channel.in_(ONLINE_CHANNELS)),
                   count_if(Ticket.visits <= 1))
            .where(and_(Ticket.kind == "request", Ticket.status == "done",
                        Ticket.finished_at >= _utc(start), Ticket.finished_at < _utc(end))))


def tickets(session: Session, start: datetime, end: datetime) -> dict:
    """Requests received and finished in [start, end), with on-time, online and one-trip rates and average days."""
    received, _answered = session.execute(received_query(start, end)).one()
    finished, on_time, days, online, one_trip = session.execute(finished_query(start, end)).one()
    return {"received": received, "finished": finished,
            "on_time_rate": percent(on_time, finished),
            "avg_days": one_decimal(float(days)) if days is not None else None,
            "online_rate": percent(online, finished),
            "one_trip_rate": percent(one_trip, finished)}


def satisfaction(session: Session, start: datetime, end: datetime) -> dict:
    """好差评 of [start, end): ratings, satisfaction rate, and the bad ones followed up and put right."""
    found = ratings.figures(session, start, end)
    return {"ratings": found["ratings"], "satisfaction_rate": percent(found["satisfied"], found["ratings"]),
            "bad_ratings": {"received": found["bad"], "followed_up": found["followed_up"],
                            "rectified": found["rectified"]},
            "rectified_rate": percent(found["rectified"], found["bad"])}


def complaints(session: Session, start: datetime, end: datetime) -> dict:
    """Complaints received in [start, end) and how many of them have had their answer."""
    received, answered = session.execute(received_query(start, end, kind="complaint")).one()
    return {"received": received, "answered": answered}


def volunteers(session: Session, registry: Session, community: Community, start: datetime, end: datetime) -> dict:
    """Volunteers registered now, per 100 residents, and service hours credited in [start, end) (one decimal)."""
    registered, _residents, rate = timebank.registration(session, registry, community)
    minutes = timebank.service_minutes_between(session, start, end)
    return {"registered": registered, "registration_rate": rate, "hours": one_decimal(minutes / 60)}


def disclosure(session: Session, registry: Session, community: Community, period: Period) -> dict:
    """Every figure of the public page for one period; the keys of disclosure.json plus page-only ones."""
    rated = satisfaction(session, period.start, period.end)
    return {"period": period.label, "tickets": tickets(session, period.start, period.end),
            "satisfaction_rate": rated["satisfaction_rate"], "ratings": rated["ratings"],
            "bad_ratings": rated["bad_ratings"], "rectified_rate": rated["rectified_rate"],
            "complaints": complaints(session, period.start, period.end),
            "volunteers": volunteers(session, registry, community, period.start, period.end),
            "updated_at": utcnow()}


_cache: dict[tuple, tuple[float, dict]] = {}
_lock = threading.Lock()


def cached(key: tuple, compute):
    """compute() kept for CACHE_SECONDS under key (disclosure and the head's dashboard share this small cache)."""
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
        if hit is not None and now - hit[0] < CACHE_SECONDS:
            return hit[1]
    found = compute()
    with _lock:
        if len(_cache) >= CACHE_SIZE:
            # Drop the oldest entries first; the cache only smooths bursts, losing entries is harmless.
            for stale in sorted(_cache, key=lambda k: _cache[k][0])[:CACHE_SIZE // 4]:
                del _cache[stale]
        _cache[key] = (now, found)
    return found


def cached_disclosure(session: Session, registry: Session, community: Community, period: Period) -> dict:
    """disclosure() kept for CACHE_SECONDS per community and period, so a busy public page costs few queries."""
    return cached((community.slug, period.kind, period.start.isoformat()),
                  lambda: disclosure(session, registry, community, period))


def clear_cache() -> None:
    """Forget every cached figure (tests, or after an import of old tickets)."""
    with _lock:
        _cache.clear()
