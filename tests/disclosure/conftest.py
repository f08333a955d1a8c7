"""Tickets, ratings and follow-ups written straight into comm-a at chosen times, for hand-computed figures;
posts, handlers, inquiries and hand-overs for the head's dashboard (`world`)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from community_hall.disclosure import figures
from community_hall.routing.models import Hop, Inquiry
from community_hall.tenancy import community_session
from community_hall.window.models import Ticket
from community_hall.window.ratings_models import FollowUp, Rating
from tests.rosters.duty_fixtures import add, post, uid

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


# --- the head's dashboard ------------------------------------------------------------------------------
NOVEMBER = datetime(2026, 11, 15, 4, tzinfo=UTC)
LATE_NOVEMBER = local(2026, 11, 28, 12)


@dataclass
class World:
    """Ids of what the fixture made."""

    sb: int
    mz: int
    staff: int
    head: int
    idle: int


@pytest.fixture
def world(app, build, seed) -> World:
    """Posts SB and MZ; staff-a handles SB, head-a MZ; staff-a2 (员工乙) has nothing at all.

    Requests (Shanghai times): t1 SB/staff 2 Nov → done 4 Nov, due 5 Nov (on time, 2 days), rated 5;
    t2 SB/staff 3 Nov 10:00 → done 6 Nov 22:00, due 5 Nov 17:00 (late, 3.5 days), rated 2;
    t3 MZ/head 10 Nov 09:00 → done 12:00, no due (on time, 0.125 days), rated 1;
    t4 MZ/head 20 Nov accepted, due 27 Nov 17:00 (overdue from then);
    t5 SB/staff 31 Oct 23:30 → done 1 Nov 00:30, due 2 Nov (October's, finished in November), rated 3;
    t6 no post, 30 Nov 23:59 submitted; t7 SB 1 Dec 00:00 submitted (December's);
    t8 SB/staff 1 Nov accepted, due 26 Nov 17:00 (the most overdue); t9 returned, due 20 Nov (not overdue).
    Edges of the trend: t10 done 1 Dec 2025 00:10 (first month of the 12), t11 done 30 Nov 2025 23:50 (outside).
    """
    build.user("staff-a2", "comm-a", "staff", "员工乙")
    staff, head, idle = uid(app, "staff-a"), uid(app, "head-a"), uid(app, "staff-a2")
    sb = post(app, "SB", "社会保障岗", staff, None)
    mz = post(app, "MZ", "民政岗", head, None)
    t1 = seed.ticket(local(2026, 11, 2, 9), finished=local(2026, 11, 4, 9), due=local(2026, 11, 5, 17),
                     post_id=sb, handler=staff)
    t2 = seed.ticket(local(2026, 11, 3, 10), finished=local(2026, 11, 6, 22), due=local(2026, 11, 5, 17),
                     post_id=sb, handler=staff)
    t3 = seed.ticket(local(2026, 11, 10, 9), finished=local(2026, 11, 10, 12), post_id=mz, handler=head)
    seed.ticket(local(2026, 11, 20, 9), status="accepted", due=local(2026, 11, 27, 17), post_id=mz, handler=head)
    t5 = seed.ticket(local(2026, 10, 31, 23, 30), finished=local(2026, 11, 1, 0, 30), due=local(2026, 11, 2, 17),
                     post_id=sb, handler=staff)
    seed.ticket(local(2026, 11, 30, 23, 59), status="submitted")
    seed.ticket(local(2026, 12, 1, 0, 0), status="submitted", post_id=sb)
    seed.ticket(local(2026, 11, 1, 9), status="accepted", due=local(2026, 11, 26, 17), post_id=sb, handler=staff,
                item_name="=HYPERLINK(\"x\")")
    seed.ticket(local(2026, 11, 1, 9), status="returned", due=local(2026, 11, 20, 17), post_id=sb, handler=staff)
    seed.ticket(local(2025, 11, 20, 9), finished=local(2025, 12, 1, 0, 10), post_id=sb, handler=staff)
    seed.ticket(local(2025, 11, 20, 9), finished=local(2025, 11, 30, 23, 50), post_id=sb, handler=staff)
    seed.rating(t1, 5, local(2026, 11, 4, 10))
    seed.rating(t2, 2, local(2026, 11, 7, 10), followup="rectified")
    seed.rating(t3, 1, local(2026, 11, 10, 13), followup="contacted")
    seed.rating(t5, 3, local(2026, 11, 1, 8))

    def inquiry(owner, created, answered=None):
        return Inquiry(resident_name="王", owner_user_id=owner, handler_user_id=owner, created_at=created,
                       answer_due_at=created, answered_at=answered)

    # staff-a took two first inquiries in November (one answered) and one in October (not counted).
    add(app, inquiry(staff, local(2026, 11, 5, 9), local(2026, 11, 5, 9, 20)), inquiry(staff, local(2026, 11, 6, 9)),
        inquiry(staff, local(2026, 10, 30, 9), local(2026, 10, 30, 10)))
    # head-a acknowledged hand-overs after 30 and 60 minutes (average 45) and gave one hand-back; the hand-over
    # to staff-a is not acknowledged, and head-a's October one does not count.
    add(app, Hop(kind="handover", from_user_id=staff, to_user_id=head, created_at=local(2026, 11, 5, 10),
                 acknowledged_at=local(2026, 11, 5, 10, 30)),
        Hop(kind="handover", from_user_id=staff, to_user_id=head, created_at=local(2026, 11, 6, 10),
            acknowledged_at=local(2026, 11, 6, 11)),
        Hop(kind="handover", from_user_id=staff, to_user_id=head, created_at=local(2026, 10, 6, 10),
            acknowledged_at=local(2026, 10, 6, 15)),
        Hop(kind="handback", from_user_id=head, to_user_id=staff, created_at=local(2026, 11, 6, 12)))
    return World(sb, mz, staff, head, idle)
