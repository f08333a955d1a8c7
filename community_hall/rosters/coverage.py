"""Coverage check: the stretches of opening hours when neither the A nor the B holder of a post is available.

Opening hours are the moments when any published shift covers the clock. Availability changes only at the
start or end of a shift, a leave or an outreach trip, so the check evaluates every such boundary (exact, not
sampled) and merges neighbouring stretches that have the same reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from .. import audit
from ..tenancy import Community, utcnow
from . import duty, rota
from .models import Post
from .services import all_posts, holders_of, load_roster

WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class Stretch:
    """[start, end) during which neither holder is available, and why each is away."""

    start: datetime
    end: datetime
    a_away: str   # "leave", "out", "off_shift" or "none" (no holder)
    b_away: str


@dataclass(frozen=True)
class Gap:
    """A coverage gap of one post."""

    post_code: str
    post_name: str
    window: str
    start: datetime
    end: datetime
    a_away: str
    b_away: str


def gaps_in(holders: duty.Holders, roster: duty.Roster, start: datetime, end: datetime) -> list[Stretch]:
    """Pure: the uncovered stretches of opening hours of one post within [start, end)."""
    moments = [start, *(t for t in roster.boundaries(start, end) if t < end), end]
    stretches: list[Stretch] = []
    for begin, finish in zip(moments, moments[1:], strict=False):
        if begin >= finish or not roster.is_open(begin):
            continue
        a_away, b_away = roster.away_reason(holders.a, begin), roster.away_reason(holders.b, begin)
        if a_away is None or b_away is None:
            continue
        last = stretches[-1] if stretches else None
        if last and last.end == begin and (last.a_away, last.b_away) == (a_away, b_away):
            stretches[-1] = Stretch(last.start, finish, a_away, b_away)
        else:
            stretches.append(Stretch(begin, finish, a_away, b_away))
    return stretches


def coverage_gaps(session: Session, community: Community, start: datetime | None = None,
                  end: datetime | None = None, posts: list[Post] | None = None) -> list[Gap]:
    """Every post's gaps from start (now) to end (14 days later), by time then post."""
    start = start or utcnow()
    end = end or start + WINDOW
    roster = load_roster(session, community, start, end)
    zone = ZoneInfo(community.timezone)
    found = [Gap(post.code, post.name, post.window, s.start.astimezone(zone), s.end.astimezone(zone), s.a_away,
                 s.b_away)
             for post in (all_posts(session) if posts is None else posts)
             for s in gaps_in(holders_of(post, community), roster, start, end)]
    return sorted(found, key=lambda g: (g.start, g.post_code))


def describe(gap: Gap) -> str:
    """One line for the audit log (not shown to users: they see the table)."""
    return f"{gap.post_code} {gap.start:%Y-%m-%d %H:%M}–{gap.end:%H:%M} A:{gap.a_away} B:{gap.b_away}"


def month_span(community: Community, month: date) -> tuple[datetime, datetime]:
    """The month as [first midnight, next month's first midnight) in the community's zone, never before now."""
    zone = ZoneInfo(community.timezone)
    days = rota.month_days(month)
    start = datetime.combine(days[0], datetime.min.time(), tzinfo=zone)
    end = datetime.combine(days[-1] + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return max(start, utcnow().astimezone(zone)), end


def publish_month(session: Session, community: Community, month: date, actor_id: int | None) -> tuple[int, list[Gap]]:
    """Publish the month's drafts, then check its coverage; the gaps found are recorded with the publication."""
    count = rota.publish(session, month, actor_id)
    start, end = month_span(community, month)
    gaps = coverage_gaps(session, community, start, end) if start < end else []
    if gaps:
        lines = "; ".join(describe(g) for g in gaps)
        audit.record(session, actor_id, "rota.publish_warnings", f"{month:%Y-%m}: {len(gaps)} coverage gaps: {lines}"[:4000])
    session.commit()
    return count, gaps


def on_duty_now(session: Session, community: Community, at: datetime | None = None) -> list[tuple]:
    """Per post: (post, decision, name of the person on duty or None), as of `at` (default: now)."""
    at = at or utcnow()
    roster = load_roster(session, community, at, at + duty.HORIZON)
    names = rota.names_of(session, community)
    rows = []
    for post in all_posts(session):
        decision = duty.responsible(holders_of(post, community), roster, at)
        rows.append((post, decision, names.get(decision.user_id, "") if decision.user_id is not None else None))
    return rows
