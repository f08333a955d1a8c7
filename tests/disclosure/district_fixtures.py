"""Three communities for the district dashboard, with figures computed by hand (see `district`)."""

from __future__ import annotations

import pytest

from community_hall import clock as app_clock
from community_hall.accounts.models import User
from community_hall.tenancy import Community, registry_session
from community_hall.timebank.volunteer_models import Team, Volunteer
from community_hall.window.models import Ticket
from community_hall.window.ratings_models import FollowUp, Rating
from tests.disclosure.conftest import LATE_NOVEMBER, local
from tests.rosters.duty_fixtures import add, uid


def _ticket(n: int, slug: str, submitted, status="done", finished=None, due=None) -> Ticket:
    return Ticket(number=f"{slug.upper()}-T-{n:04d}", day=f"{submitted:%Y%m%d}", seq=n, kind="request",
                  item_code="SB-001", item_name="高龄津贴申领", channel="window", status=status,
                  resident_name="欧阳秀兰", resident_phone="13912345678", submitted_at=submitted, finished_at=finished,
                  due_at=due, visits=0)


def _rating(ticket_id: int, level: int, created) -> Rating:
    return Rating(ticket_id=ticket_id, level=level, channel="offline", score_1=level, score_2=level, score_3=level,
                  comment="", rater="resident", created_at=created)


def _volunteer(user_id: int, status: str) -> Volunteer:
    return Volunteer(user_id=user_id, real_name="志愿者", phone="13900000000", emergency_name="家属",
                     emergency_phone="13900000001", status=status)


@pytest.fixture
def late_november(monkeypatch):
    """Now is 28 November 2026, 12:00 in Shanghai."""
    app_clock.set_now(LATE_NOVEMBER)
    app_clock.set_now(LATE_NOVEMBER)


@pytest.fixture
def district(app, build):
    """November 2026, by hand:

    甲社区 comm-a (东街道, 1000 households; head-a, staff-a): 2 received, 2 finished, 1 on time (50%); ratings 5
    and 4 (100%, met); no bad ratings; res-a is an approved volunteer of a population of
    3,000 (0.0 per 100, not met); 5 teams (met); 2 staff → 2.0 per 1,000 households. Standards met 2, rank 1.
    乙社区 comm-b (西街道, 500 households; head-b, staff-b, and staff-b2 whose account is switched off): 2 received,
    1 finished on time (100%); one rating at level 1, put right (0.0%, not met; 1 of 1 put right); res-b's
    application pending (0.0 per 100, not met); 2 teams (not met); 2 active staff → 4.0. Met 0, rank 2.
    丙社区 comm-c (东街道, no households, no population, no members but the district admin): nothing, every rate "—"
    (the registration rate "population not recorded"). Met 0,
    no satisfaction (lowest), rank 3.
    The admin "district" oversees all three; "district-a" only comm-a.
    """
    build.two_communities()
    build.community("comm-c", "丙社区")
    build.grant("district", "comm-c", "district")
    build.user("district-a", "comm-a", "district", "甲街道管理员")
    build.user("staff-b2", "comm-b", "staff", "员工b2")
    with app.app_context():
        registry = registry_session()
        for slug, street, households in (("comm-a", "东街道", 1000), ("comm-b", "西街道", 500),
                                         ("comm-c", "东街道", 0)):
            community = registry.query(Community).filter_by(slug=slug).one()
            community.street, community.households = street, households
        registry.query(User).filter_by(username="staff-b2").one().is_active = False
        registry.commit()
    a1, a2 = add(app, _ticket(1, "comm-a", local(2026, 11, 2, 9), finished=local(2026, 11, 4, 9),
                              due=local(2026, 11, 5, 17)),
                 _ticket(2, "comm-a", local(2026, 11, 3, 9), finished=local(2026, 11, 6, 9), due=local(2026, 11, 5, 17)))
    add(app, _rating(a1, 5, local(2026, 11, 4, 10)), _rating(a2, 4, local(2026, 11, 6, 10)),
        _volunteer(uid(app, "res-a"), "approved"), *(Team(name=f"服务队{n}") for n in range(5)))
    b1, _b2 = add(app, _ticket(1, "comm-b", local(2026, 11, 10, 9), finished=local(2026, 11, 12, 9)),
                  _ticket(2, "comm-b", local(2026, 11, 20, 9), status="accepted"), slug="comm-b")
    (rating,) = add(app, _rating(b1, 1, local(2026, 11, 12, 10)), slug="comm-b")
    add(app, FollowUp(rating_id=rating, ticket_id=b1, status="rectified", created_at=local(2026, 11, 12, 10),
                      due_at=local(2026, 12, 3, 10)),
        _volunteer(uid(app, "res-b"), "pending"), Team(name="巡逻队"), Team(name="助老队"), slug="comm-b")
