"""Post operations, and loading the roster to decide who is responsible for a post (rosters/duty.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import HallError
from ..tenancy import Community, registry_session, utcnow
from . import duty
from .models import Leave, Outreach, Post, Shift


def create_post(session: Session, code: str, name: str, window: str = "") -> Post:
    """Add a post; the code must be new."""
    code, name = (code or "").strip().upper(), (name or "").strip()
    if not code or len(code) > 20 or not name:
        raise HallError(_l("A post needs a code (up to 20 characters) and a name."), "code")
    if session.scalar(select(Post.id).where(Post.code == code)) is not None:
        raise HallError(_l("A post with code %(code)s already exists.", code=code), "code")
    post = Post(code=code, name=name[:100], window=(window or "").strip()[:50])
    session.add(post)
    session.flush()
    return post


def all_posts(session: Session) -> list[Post]:
    """Every post, by code."""
    return list(session.scalars(select(Post).order_by(Post.code)))


def head_of(community: Community) -> int | None:
    """The user id of the community's (first) station head, the fallback of every post."""
    from ..accounts.models import Membership

    return registry_session().scalar(select(Membership.user_id).where(
        Membership.community_id == community.id, Membership.role == "head").order_by(Membership.id).limit(1))


def holders_of(post: Post, community: Community) -> duty.Holders:
    """The post's A and B holders and the head."""
    return duty.Holders(post.a_holder_id, post.b_holder_id, head_of(community))


def _local(community: Community, day: date, clock: str) -> datetime:
    zone = ZoneInfo(community.timezone)
    return datetime.combine(day, datetime.strptime(clock, "%H:%M").time(), tzinfo=zone)


def load_roster(session: Session, community: Community, start: datetime, end: datetime) -> duty.Roster:
    """Published shifts, approved leave and outreach overlapping [start, end), as aware datetimes."""
    zone = ZoneInfo(community.timezone)
    first, last = start.astimezone(zone).date() - timedelta(days=1), end.astimezone(zone).date() + timedelta(days=1)
    shifts = [duty.Span(s.user_id, _local(community, s.day, s.start), _local(community, s.day, s.end), s.kind)
              for s in session.scalars(select(Shift).where(Shift.day >= first, Shift.day <= last,
                                                           Shift.published.is_(True)))]
    leave = [duty.Span(v.user_id, datetime.combine(v.first_day, time(0), tzinfo=zone),
                       datetime.combine(v.last_day + timedelta(days=1), time(0), tzinfo=zone), v.kind)
             for v in session.scalars(select(Leave).where(Leave.status == "approved", Leave.first_day <= last,
                                                          Leave.last_day >= first))]
    out = [duty.Span(o.user_id, _aware(o.starts_at), _aware(o.ends_at), "out")
           for o in session.scalars(select(Outreach).where(Outreach.starts_at < end, Outreach.ends_at > start))]
    return duty.Roster(shifts, leave, out)


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def responsible_for(session: Session, community: Community, post: Post, at: datetime | None = None) -> duty.Decision:
    """Who is responsible for the post at `at` (now by default), why, and until when."""
    at = at or utcnow()
    roster = load_roster(session, community, at, at + duty.HORIZON)
    return duty.responsible(holders_of(post, community), roster, at)
