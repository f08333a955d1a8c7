"""Tickets, ratings and follow-ups written straight into comm-a at chosen times, for hand-computed figures."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from community_hall.disclosure import figures
from community_hall.tenancy import community_session
from community_hall.window.models import Ticket
from community_hall.window.ratings_models import FollowUp, Rating

SHANGHAI = ZoneInfo("Asia/Shanghai")
NAME, PHONE = "欧阳秀兰", "13912345678"   # seeded personal data that must never reach public output


def local(*args) -> datetime:
    """A local time in Asia/Shanghai, as UTC (how the app stores it)."""
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Every test starts and ends without cached figures."""
    figures.clear_cache()
    yield
    figures.clear_cache()


@pytest.fixture
def seed(app, build):
    """seed.ticket(...) / seed.rating(...) add rows to comm-a; the community has one resident (res-a)."""
    build.two_communities()
    counter = itertools.count(1)

    class Seed:
        def ticket(self, submitted, *, kind="request", status="done", finished=None, due=None, channel="window",
                   visits=0, post_id=None, handler=None, item_name="高龄津贴申领") -> int:
            n = next(counter)
            with app.app_context():
                session = community_session("comm-a")
                ticket = Ticket(number=f"COMM-A-T-{n:04d}", day=f"{submitted:%Y%m%d}", seq=n, kind=kind,
                                item_code="SB-001", item_name=item_name, channel=channel, status=status,
                                post_id=post_id, handler_user_id=handler,
                                resident_name=NAME, resident_phone=PHONE, submitted_at=submitted,
                                finished_at=finished, due_at=due, visits=visits)
                session.add(ticket)
                session.commit()
                return ticket.id

        def rating(self, ticket_id, level, created, followup=None):
            with app.app_context():
                session = community_session("comm-a")
                rating = Rating(ticket_id=ticket_id, level=level, channel="offline", score_1=level, score_2=level,
                                score_3=level, comment="差" if level <= 2 else "", rater="resident",
                                created_at=created)
                session.add(rating)
                session.flush()
                if followup:
                    session.add(FollowUp(rating_id=rating.id, ticket_id=ticket_id, status=followup,
                                         created_at=created, due_at=created + timedelta(days=21)))
                session.commit()

    return Seed()


@pytest.fixture
def mix(seed):
    """The mixed November 2026 of test_figures (see there for the hand computation)."""
    t1 = seed.ticket(local(2026, 11, 2, 9), finished=local(2026, 11, 4, 9), due=local(2026, 11, 5, 17), visits=1)
    t2 = seed.ticket(local(2026, 11, 3, 10), finished=local(2026, 11, 6, 22), due=local(2026, 11, 5, 17),
                     channel="online")
    t3 = seed.ticket(local(2026, 11, 10, 9), finished=local(2026, 11, 10, 12), visits=2)
    seed.ticket(local(2026, 11, 20, 9), status="accepted", due=local(2026, 11, 27, 17))
    t5 = seed.ticket(local(2026, 10, 31, 23, 30), finished=local(2026, 11, 1, 0, 30), due=local(2026, 11, 2, 17),
                     channel="api")
    seed.ticket(local(2026, 11, 30, 23, 59), status="submitted")
    t7 = seed.ticket(local(2026, 12, 1, 0, 0), status="submitted")
    seed.ticket(local(2026, 11, 5, 9), status="declined", finished=local(2026, 11, 5, 10))
    seed.ticket(local(2026, 11, 8, 9), kind="complaint", finished=local(2026, 11, 9, 9))
    seed.ticket(local(2026, 11, 9, 9), kind="complaint", status="accepted")
    seed.ticket(local(2026, 11, 9, 9), kind="unresolved", status="accepted")
    seed.rating(t1, 5, local(2026, 11, 4, 10))
    seed.rating(t2, 2, local(2026, 11, 7, 10), followup="rectified")
    seed.rating(t3, 1, local(2026, 11, 10, 13), followup="contacted")
    seed.rating(t5, 3, local(2026, 11, 1, 8))
    seed.rating(t7, 5, local(2026, 12, 1, 0, 30))
    return seed
