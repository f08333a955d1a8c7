"""comm-a with its menu (tests/menu), post SB held by staff-a (A) and staff-c (B), a giver staff-g, and rows of
shifts, leave and outreach around the end of September 2026 (a holiday, National Day, a 调休 Saturday)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from community_hall.accounts.models import User
from community_hall.rosters.models import Leave, Outreach, Post, Shift
from community_hall.tenancy import community_session, get_community, registry_session
from community_hall.workdays import WorkCalendar
from tests.menu.conftest import menu  # noqa: F401 - reuse the menu fixture
from tests.window.conftest import submit  # noqa: F401 - and the window's ticket fixture

TZ = ZoneInfo("Asia/Shanghai")
MON = date(2026, 9, 28)           # a Monday before National Day
MID_AUTUMN = date(2026, 9, 25)    # Friday, a public holiday
MAKE_UP_SAT = date(2026, 10, 10)  # 调休: a Saturday that is a working day


def at(d: date, clock: str) -> datetime:
    """A local moment in the community's zone."""
    return datetime.combine(d, time.fromisoformat(clock), tzinfo=TZ)


def uid(username: str) -> int:
    """A user's id by username (inside an app context)."""
    return registry_session().scalar(select(User.id).where(User.username == username))


class Station:
    """comm-a's people by role in the routing tests, and helpers to add roster rows."""

    def __init__(self, app):
        self.app = app
        with app.app_context():
            self.a, self.b, self.giver = uid("staff-a"), uid("staff-c"), uid("staff-g")
            self.head, self.other = uid("head-a"), uid("staff-d")

    @property
    def session(self):
        return community_session("comm-a")

    @property
    def community(self):
        return get_community("comm-a")

    def post(self) -> Post:
        return self.session.scalar(select(Post).where(Post.code == "SB"))

    def shifts(self, first: date = date(2026, 9, 20), days: int = 30) -> None:
        """Regular 08:30–17:30 shifts on working days for A and the giver; B works 10:00–19:00."""
        cal = WorkCalendar()
        for i in range(days):
            d = first + timedelta(days=i)
            if cal.is_workday(d):
                for person in (self.a, self.giver, self.other):
                    self.session.add(Shift(user_id=person, day=d, start="08:30", end="17:30", kind="regular"))
                self.session.add(Shift(user_id=self.b, day=d, start="10:00", end="19:00", kind="late"))
        self.session.commit()

    def leave(self, person: int, first: date, last: date, status: str = "approved") -> None:
        self.session.add(Leave(user_id=person, first_day=first, last_day=last, kind="annual", status=status))
        self.session.commit()

    def outreach(self, person: int, start: datetime, end: datetime) -> None:
        self.session.add(Outreach(user_id=person, starts_at=start.astimezone(UTC), ends_at=end.astimezone(UTC),
                                  note="入户走访"))  # stored in UTC
        self.session.commit()


@pytest.fixture
def station(app, build, menu):  # noqa: F811
    """Post SB of comm-a with A = staff-a, B = staff-c; staff-g and staff-d also work there."""
    build.user("staff-c", "comm-a", "staff", "员工丙")
    build.user("staff-g", "comm-a", "staff", "员工庚")
    build.user("staff-d", "comm-a", "staff", "员工丁")
    s = Station(app)
    with app.app_context():
        post = s.post()
        post.a_holder_id, post.b_holder_id = s.a, s.b
        s.session.commit()
    return s
