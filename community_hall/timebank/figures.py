"""Time-bank figures for the head and the street office: each one a grouped query, never a loop over rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from ..errors import HallError
from ..tenancy import Community, utcnow
from .ledger_models import LedgerAccount, LedgerEntry, LedgerMovement
from .order_models import Order
from .stars import DEFAULT_STAR_HOURS
from .volunteer_models import Team, Volunteer

REGISTRATION_TARGET = 10    # percent of residents registered as volunteers (志愿者注册率 ≥ 10%)
TEAMS_TARGET = 5            # volunteer service teams (志愿服务队 ≥ 5)
ACTIVE_DAYS = 90            # credited at least once in this many days counts as active


@dataclass(frozen=True)
class Figures:
    """The figures of one community at one moment."""

    volunteers: int
    residents: int
    registration_rate: float | None     # percent; None when the community has no residents yet
    teams: int
    month_start: datetime               # local midnight of the first day of the month
    month_minutes: int
    active_volunteers: int
    stars: list[tuple[int, int]]        # (level, volunteers) for every level from 0 up
    orders: tuple[int, float | None]

    @property
    def registration_met(self) -> bool:
        """At least the target share of residents are volunteers."""
        return self.residents > 0 and self.volunteers * 100 >= REGISTRATION_TARGET * self.residents   # exact, not rounded

    @property
    def teams_met(self) -> bool:
        """At least the target number of teams."""
        return self.teams >= TEAMS_TARGET


def month_span(community: Community, now: datetime | None = None) -> tuple[datetime, datetime]:
    """This calendar month in the community's zone as [first local midnight, next month's first local midnight)."""
    zone = ZoneInfo(community.timezone)
    local = (now or utcnow()).astimezone(zone)
    start = datetime(local.year, local.month, 1, tzinfo=zone)
    end = datetime(local.year + (local.month == 12), local.month % 12 + 1, 1, tzinfo=zone)
    return start, end


def _utc(at: datetime) -> datetime:
    # SQLite keeps times as UTC text without a zone: bounds must be in UTC before they are compared.
    return at.astimezone(UTC)


def _service_movement():
    """The movements that count as service: credits, and reversals of credits (which subtract)."""
    original = aliased(LedgerMovement)
    condition = or_(LedgerMovement.kind == "credit_service",
                    and_(LedgerMovement.kind == "reverse", original.kind == "credit_service"))
    return original, condition


def service_minutes_between(session: Session, start: datetime, end: datetime) -> int:
    """Minutes credited for service in [start, end), minus reversals of credits made in that time."""
    original, counts = _service_movement()
    return session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0))
        .join(LedgerMovement, LedgerMovement.id == LedgerEntry.movement_id)
        .outerjoin(original, original.id == LedgerMovement.reverses_movement_id)
        .where(LedgerEntry.account.like("person:%"), counts,
               LedgerMovement.created_at >= _utc(start), LedgerMovement.created_at < _utc(end)))


def active_volunteers(session: Session, since: datetime) -> int:
    """People credited for service at least once since then (a credit later reversed does not count)."""
    reversal = aliased(LedgerMovement)
    return session.scalar(
        select(func.count(func.distinct(LedgerEntry.account)))
        .join(LedgerMovement, LedgerMovement.id == LedgerEntry.movement_id)
        .where(LedgerMovement.kind == "credit_service", LedgerEntry.account.like("person:%"),
               LedgerMovement.created_at >= _utc(since),
               ~exists().where(reversal.reverses_movement_id == LedgerMovement.id)))


def star_distribution(session: Session, thresholds=DEFAULT_STAR_HOURS) -> list[tuple[int, int]]:
    """How many approved volunteers hold each star level (0 to len(thresholds)), from cumulative service."""
    original, counts = _service_movement()
    totals = (select(LedgerAccount.user_id.label("user_id"), func.sum(LedgerEntry.amount).label("minutes"))
              .select_from(LedgerEntry)
              .join(LedgerAccount, LedgerAccount.account == LedgerEntry.account)
              .join(LedgerMovement, LedgerMovement.id == LedgerEntry.movement_id)
              .outerjoin(original, original.id == LedgerMovement.reverses_movement_id)
              .where(LedgerEntry.account.like("person:%"), counts)
              .group_by(LedgerAccount.user_id).subquery())
    minutes = func.coalesce(totals.c.minutes, 0)
    level = sum((case((minutes >= hours * 60, 1), else_=0) for hours in thresholds), start=0)
    levels = (select(Volunteer.id, level.label("level")).select_from(Volunteer)
              .outerjoin(totals, totals.c.user_id == Volunteer.user_id)
              .where(Volunteer.status == "approved").subquery())
    found = dict(session.execute(select(levels.c.level, func.count()).group_by(levels.c.level)).all())
    return [(n, found.get(n, 0)) for n in range(len(thresholds) + 1)]


def orders_done(session: Session, start: datetime, end: datetime) -> tuple[int, float | None]:
    """(service orders confirmed in [start, end), their average rating 1-5, None without any)."""
    count, average = session.execute(
        select(func.count(Order.id), func.avg(Order.rating))
        .where(Order.status == "confirmed", Order.confirmed_at >= _utc(start), Order.confirmed_at < _utc(end))).one()
    return count, (round(float(average), 1) if average is not None else None)


def residents(registry: Session, community: Community) -> int:
    """The community's population (居民人口) as recorded with it; 0 when not recorded. Not the resident accounts: the
    standard (志愿者注册率 ≥ 10%) is a share of everyone living there, most of whom never sign up here."""
    return max(community.residents or 0, 0)


def registration(session: Session, registry: Session, community: Community) -> tuple[int, int, float | None]:
    """(approved volunteers, population, volunteers per 100 residents with one decimal, None without a population)."""
    volunteers = session.scalar(select(func.count()).select_from(Volunteer).where(Volunteer.status == "approved"))
    people = residents(registry, community)
    return volunteers, people, (round(volunteers * 100 / people, 1) if people else None)


def figures(session: Session, registry: Session, community: Community, now: datetime | None = None,
            thresholds=DEFAULT_STAR_HOURS) -> Figures:
    """Every figure of the page for this community at `now` (default: now)."""
    now = now or utcnow()
    volunteers, people, rate = registration(session, registry, community)
    start, end = month_span(community, now)
    return Figures(
        volunteers=volunteers, residents=people, registration_rate=rate,
        teams=session.scalar(select(func.count()).select_from(Team)),
        month_start=start, month_minutes=service_minutes_between(session, start, end),
        active_volunteers=active_volunteers(session, now - timedelta(days=ACTIVE_DAYS)),
        stars=star_distribution(session, thresholds), orders=orders_done(session, start, end))


@dataclass(frozen=True)
class LedgerLine:
    """One entry of the ledger with its movement, for the export."""

    movement_id: int
    at: datetime
    kind: str
    account: str
    user_id: int | None
    amount: int
    reference: str
    reason: str
    actor: str


def ledger_lines(session: Session, start: datetime | None = None, end: datetime | None = None) -> list[LedgerLine]:
    """Every entry with its movement in [start, end) (either bound may be open), in the order they were made."""
    stmt = (select(LedgerMovement.id, LedgerMovement.created_at, LedgerMovement.kind, LedgerEntry.account,
                   LedgerAccount.user_id, LedgerEntry.amount, LedgerMovement.reference, LedgerMovement.reason,
                   LedgerMovement.actor_name)
            .join(LedgerMovement, LedgerMovement.id == LedgerEntry.movement_id)
            .join(LedgerAccount, LedgerAccount.account == LedgerEntry.account)
            .order_by(LedgerMovement.id, LedgerEntry.id))
    if start is not None:
        stmt = stmt.where(LedgerMovement.created_at >= _utc(start))
    if end is not None:
        stmt = stmt.where(LedgerMovement.created_at < _utc(end))
    return [LedgerLine(*row) for row in session.execute(stmt)]


def date_range(community: Community, date_from: str, date_to: str) -> tuple[datetime | None, datetime | None]:
    """Local dates YYYY-MM-DD (both included, either may be empty) as [start, end) times; bad input refused."""
    zone = ZoneInfo(community.timezone)
    bounds = []
    for text, name in ((date_from, "date_from"), (date_to, "date_to")):
        text = (text or "").strip()
        try:
            bounds.append(datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=zone) if text else None)
        except ValueError:
            raise HallError(_l("Enter a date such as 2026-11-01."), name) from None
    start, last = bounds
    if start is not None and last is not None and last < start:
        raise HallError(_l("The end date comes before the start date."), "date_to")
    return start, (last + timedelta(days=1) if last is not None else None)
