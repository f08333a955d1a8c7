"""The district dashboard (街道): the communities a street-office admin oversees, side by side against the standards.

Per community the figures are the public ones (figures.cached_disclosure, one grouped query per group) plus the
number of volunteer teams (one COUNT in the community's database, cached with them) and, from the registry in one
grouped query for all the communities, the residents and the staff (staff and heads) who are members.
Standards: satisfaction ≥ 95% (the published rate, one decimal), volunteers ≥ 10% of residents (exact, as the time
bank counts it), ≥ 5 volunteer teams. Staff per 1,000 households is shown without a target: the domain notes
state no staffing standard. Rank: standards met (most first), then satisfaction (highest first, none last);
communities equal on both share a rank.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ..accounts.models import Membership, User
from ..errors import HallError
from ..tenancy import Community, community_session
from ..timebank.figures import REGISTRATION_TARGET, TEAMS_TARGET
from ..timebank.volunteer_models import Team
from .dashboard import parse_period
from .figures import SATISFACTION_TARGET, Period, cached, cached_disclosure, one_decimal

STAFF_ROLES = ("staff", "head")
STANDARDS = 3
# column -> ascending by default (names and ranks read top-down; figures best first)
SORTS = {"rank": True, "name": True, "street": True, "received": False, "finished": False, "on_time": False,
         "satisfaction": False, "rectified": False, "registration": False, "teams": False, "staff": False,
         "hours": False}
BAD_STREET = _l("Choose one of the streets in the list.")


@dataclass
class Row:
    """One community's figures for a period, and whether it meets each standard."""

    slug: str
    name: str
    street: str
    received: int
    finished: int
    on_time_rate: float | None
    satisfaction_rate: float | None
    bad_ratings: int
    rectified: int
    volunteers: int
    registration_rate: float | None
    residents: int          # the recorded population (居民人口), 0 when not recorded; not the resident accounts
    teams: int
    staff: int
    households: int
    hours: float
    rank: int = 0

    @property
    def satisfaction_met(self) -> bool:
        """The published satisfaction rate reaches the target (no ratings: not met)."""
        return self.satisfaction_rate is not None and self.satisfaction_rate >= SATISFACTION_TARGET

    @property
    def registration_met(self) -> bool:
        """At least the target share of residents are volunteers (exact, not rounded)."""
        return self.residents > 0 and self.volunteers * 100 >= REGISTRATION_TARGET * self.residents

    @property
    def teams_met(self) -> bool:
        """At least the target number of volunteer teams."""
        return self.teams >= TEAMS_TARGET

    @property
    def met(self) -> int:
        """How many of the three standards are met."""
        return int(self.satisfaction_met) + int(self.registration_met) + int(self.teams_met)

    @property
    def staff_per_1000(self) -> float | None:
        """Staff and heads per 1,000 households, one decimal; None when the households are not known."""
        return one_decimal(self.staff * 1000 / self.households) if self.households else None

    @property
    def score(self) -> tuple:
        """The ranking key: standards met, then satisfaction (none counts as lowest)."""
        return (self.met, self.satisfaction_rate if self.satisfaction_rate is not None else -1.0)


def streets(communities: list[Community]) -> list[str]:
    """The distinct street offices of the communities, sorted (communities without one are left out)."""
    return sorted({c.street for c in communities if c.street})


def choose_street(communities: list[Community], street: str | None) -> list[Community]:
    """The communities of one street (all when street is empty); HallError for a street not among them."""
    street = (street or "").strip()
    if not street:
        return communities
    if street not in streets(communities):
        raise HallError(BAD_STREET, "street")
    return [c for c in communities if c.street == street]


def member_counts(registry: Session, ids: list[int]) -> dict[int, dict[str, int]]:
    """community id -> {"resident": n, "staff": n} in one grouped query; staff = active staff and heads, each once."""
    found: dict[int, dict[str, int]] = {i: {"resident": 0, "staff": 0} for i in ids}
    # head and staff are one group, counted through a subquery (PostgreSQL would not match a repeated expression)
    kind = func.coalesce(func.nullif(Membership.role, "head"), "staff").label("kind")
    # residents as the time bank counts them (every membership); staff only while their account is active
    counted = or_(Membership.role == "resident", and_(Membership.role.in_(STAFF_ROLES), User.is_active.is_(True)))
    inner = (select(Membership.community_id, kind, Membership.user_id).join(User, User.id == Membership.user_id)
             .where(Membership.community_id.in_(ids), counted).subquery())
    rows = registry.execute(select(inner.c.community_id, inner.c.kind, func.count(func.distinct(inner.c.user_id)))
                            .group_by(inner.c.community_id, inner.c.kind))
    for community_id, role, count in rows:
        found[community_id][role] = count
    return found


def _community_figures(registry: Session, community: Community, period: Period) -> dict:
    session = community_session(community.slug)
    public = cached_disclosure(session, registry, community, period)
    teams = cached(("district-teams", community.slug, period.kind, period.start.isoformat()),
                   lambda: session.scalar(select(func.count()).select_from(Team)) or 0)
    return {"public": public, "teams": teams}


def rows_for(registry: Session, communities: list[Community], choice: str | None, month: str | None,
             now: datetime | None = None) -> tuple[Period | None, list[Row]]:
    """The period asked for (parse_period's rules; HallError if bad) and each community's row, ranked."""
    if not communities:
        return None, []
    periods = {c.id: parse_period(c, choice, month, now) for c in communities}
    counts = member_counts(registry, [c.id for c in communities])
    rows = []
    for community in communities:
        found = _community_figures(registry, community, periods[community.id])
        public, t = found["public"], found["public"]["tickets"]
        rows.append(Row(community.slug, community.name, community.street or "", t["received"], t["finished"],
                        t["on_time_rate"], public["satisfaction_rate"], public["bad_ratings"]["received"],
                        public["bad_ratings"]["rectified"], public["volunteers"]["registered"],
                        public["volunteers"]["registration_rate"], max(community.residents or 0, 0),
                        found["teams"], counts[community.id]["staff"], community.households or 0,
                        public["volunteers"]["hours"]))
    return periods[communities[0].id], rank(rows)


def rank(rows: list[Row]) -> list[Row]:
    """Rows best first with their rank (standard competition ranking: 1, 1, 3); equal ones by name."""
    ordered = sorted(rows, key=lambda r: (tuple(-x for x in r.score), r.name, r.slug))
    for n, row in enumerate(ordered):
        row.rank = ordered[n - 1].rank if n and row.score == ordered[n - 1].score else n + 1
    return ordered


def _sort_value(row: Row, column: str):
    return {"rank": row.rank, "name": row.name, "street": row.street, "received": row.received,
            "finished": row.finished, "on_time": row.on_time_rate, "satisfaction": row.satisfaction_rate,
            "rectified": row.rectified, "registration": row.registration_rate, "teams": row.teams,
            "staff": row.staff_per_1000, "hours": row.hours}[column]


def sort_rows(rows: list[Row], column: str | None, direction: str | None) -> tuple[str, str, list[Row]]:
    """(column, "asc"|"desc", rows sorted by it): unknown columns sort by rank; empty values always last,
    equal values by rank."""
    column = column if column in SORTS else "rank"
    if direction not in ("asc", "desc"):
        direction = "asc" if SORTS[column] else "desc"
    known = [r for r in rows if _sort_value(r, column) is not None]
    empty = [r for r in rows if _sort_value(r, column) is None]
    known.sort(key=lambda r: r.rank)
    known.sort(key=lambda r: _sort_value(r, column), reverse=direction == "desc")   # stable: ties stay by rank
    return column, direction, known + sorted(empty, key=lambda r: r.rank)
