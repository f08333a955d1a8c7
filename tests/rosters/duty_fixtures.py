"""Helpers for the rota, coverage, on-duty and calendar tests: people, posts and shifts in comm-a."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from community_hall.accounts.models import User
from community_hall.rosters.models import Leave, Outreach, Post, Shift
from community_hall.tenancy import community_session, registry_session

TZ = ZoneInfo("Asia/Shanghai")


def uid(app, username: str) -> int:
    """A user's id by username."""
    with app.app_context():
        return registry_session().query(User.id).filter_by(username=username).scalar()


def local(d: date, clock: str) -> datetime:
    """An aware Shanghai time."""
    return datetime.combine(d, time.fromisoformat(clock), tzinfo=TZ)


def add(app, *rows, slug: str = "comm-a") -> list[int]:
    """Store rows in a community's database; their ids."""
    with app.app_context():
        session = community_session(slug)
        session.add_all(rows)
        session.commit()
        return [r.id for r in rows]


def post(app, code: str, name: str, a: int | None, b: int | None, window: str = "1号窗口") -> int:
    """A post with its holders."""
    return add(app, Post(code=code, name=name, window=window, a_holder_id=a, b_holder_id=b))[0]


def shift(user_id: int, day: date, start: str = "08:30", end: str = "17:30", kind: str = "regular",
          published: bool = True) -> Shift:
    """A shift row."""
    return Shift(user_id=user_id, day=day, start=start, end=end, kind=kind, published=published)


def leave(user_id: int, first: date, last: date, status: str = "approved") -> Leave:
    """An approved (by default) leave row."""
    return Leave(user_id=user_id, first_day=first, last_day=last, kind="annual", status=status)


def outreach(user_id: int, start: datetime, end: datetime, note: str = "") -> Outreach:
    """An outreach trip."""
    # Stored in UTC, as the app stores every time.
    return Outreach(user_id=user_id, starts_at=start.astimezone(UTC), ends_at=end.astimezone(UTC), note=note)
