"""Head's dashboard figures: per post, per staff, the 12-month trend, overdue, periods; hand-computed, both backends."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from community_hall.disclosure import dashboard, figures
from community_hall.errors import HallError
from community_hall.routing.services import station_people
from community_hall.tenancy import community_session, get_community, registry_session
from tests.disclosure.conftest import LATE_NOVEMBER, NOVEMBER, local
from tests.helpers import query_plan as _plan

BOTH = pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
START, END = local(2026, 11, 1), local(2026, 12, 1)


def _rows(lines):
    return {line.name: (line.received, line.handled, line.on_time_rate, line.avg_days, line.ratings,
                        line.satisfaction_rate) for line in lines}


@BOTH
def test_per_post_matches_the_hand_computation(app, world, backend):
    with app.app_context():
        lines = dashboard.per_post(community_session("comm-a"), START, END, "无岗位")
    # SB: received t1 t2 (t5 is October's, t7 December's, t8 t9 are 1 Nov) → t1 t2 t8 t9 = 4; finished t1 t2 t5,
    # on time t1 t5 = 66.7%; days (2 + 3.5 + 1/24) / 3 = 1.8; ratings 5, 2, 3 → 2 of 3 = 66.7%.
    # MZ: received t3 t4; finished t3 on time, 0.125 → 0.1 days; one rating of 1 → 0%.
    # No post: t6 received (23:59 on 30 Nov), nothing finished or rated → rates "—" (None).
    assert _rows(lines) == {"社会保障岗": (4, 3, 66.7, 1.8, 3, 66.7), "民政岗": (2, 1, 100.0, 0.1, 1, 0.0),
                            "无岗位": (1, 0, None, None, 0, None)}
    assert [line.name for line in lines] == ["民政岗", "社会保障岗", "无岗位"]     # by post code, then no post


@BOTH
def test_per_staff_matches_the_hand_computation(app, world, backend):
    with app.app_context():
        people = station_people(get_community("comm-a"))
        lines = {line.key: line for line in dashboard.per_staff(community_session("comm-a"), people, START, END)}
    staff, head, idle = lines[world.staff], lines[world.head], lines[world.idle]
    assert (staff.name, staff.handled, staff.on_time_rate, staff.satisfaction_rate) == ("员工a", 3, 66.7, 66.7)
    assert (staff.inquiries, staff.inquiries_answered, staff.acknowledged, staff.ack_minutes, staff.handbacks) == \
        (2, 1, 0, None, 0)
    assert (head.handled, head.on_time_rate, head.satisfaction_rate) == (1, 100.0, 0.0)
    assert (head.inquiries, head.acknowledged, head.ack_minutes, head.handbacks) == (0, 2, 45.0, 1)
    # staff-a2 has no tickets, no ratings, nothing routed: zero counts and no rates at all.
    assert (idle.name, idle.handled, idle.on_time_rate, idle.satisfaction_rate, idle.ack_minutes) == \
        ("员工乙", 0, None, None, None)
    assert set(lines) == {world.staff, world.head, world.idle}        # residents and district are not staff


@BOTH
def test_the_trend_has_twelve_local_months_with_their_edges(app, world, backend):
    with app.app_context():
        months = dashboard.trend(community_session("comm-a"), get_community("comm-a"), NOVEMBER)
    assert [m.label for m in months][0] == "2025-12" and months[-1].label == "2026-11" and len(months) == 12
    by = {m.label: m for m in months}
    # t10 finished 00:10 on 1 Dec 2025 (16:10 UTC on 30 Nov) is the first month's; t11 (23:50 on 30 Nov) is outside.
    assert (by["2025-12"].received, by["2025-12"].finished, by["2025-12"].on_time_rate) == (0, 1, 100.0)
    # October: t5 received at 23:30 on the 31st; it was finished at 00:30 on 1 November, so November's.
    assert (by["2026-10"].received, by["2026-10"].finished, by["2026-10"].on_time_rate) == (1, 0, None)
    # November: received t1 t2 t3 t4 t6 t8 t9 = 7; finished t1 t2 t3 t5, on time t1 t3 t5; ratings 5 2 1 3.
    november = by["2026-11"]
    assert (november.received, november.finished, november.on_time_rate, november.ratings,
            november.satisfaction_rate) == (7, 4, 75.0, 4, 50.0)
    assert all(m.received == m.finished == m.ratings == 0 for m in months if m.label not in ("2025-12", "2026-10",
                                                                                              "2026-11"))


@BOTH
def test_overdue_lists_open_requests_past_due_oldest_first(app, world, backend):
    with app.app_context():
        total, rows = dashboard.overdue(community_session("comm-a"), LATE_NOVEMBER)
        capped_total, capped = dashboard.overdue(community_session("comm-a"), LATE_NOVEMBER, limit=1)
    # t8 (due 26 Nov) then t4 (due 27 Nov); the returned t9 waits for the resident, done ones are not open.
    assert total == 2 and [(r.post_name, r.handler_user_id) for r in rows] == [("社会保障岗", world.staff),
                                                                               ("民政岗", world.head)]
    assert capped_total == 2 and len(capped) == 1 and capped[0].number == rows[0].number
    with app.app_context():
        assert dashboard.overdue(community_session("comm-a"), local(2026, 11, 26, 16))[0] == 0


def test_the_dashboard_extends_the_public_figures_and_is_cached(app, world, monkeypatch):
    with app.app_context():
        community = get_community("comm-a")
        period = figures.period_of(community, "month", NOVEMBER)
        people = station_people(community)
        found = dashboard.figures_for(community_session("comm-a"), registry_session(), community, period, people,
                                      "无岗位", NOVEMBER)
        public = figures.disclosure(community_session("comm-a"), registry_session(), community, period)
        assert found["public"]["tickets"] == public["tickets"]
        again = dashboard.figures_for(community_session("comm-a"), registry_session(), community, period, people,
                                      "无岗位", NOVEMBER)
        assert again is found
        clock = figures.time.monotonic() + figures.CACHE_SECONDS + 1
        monkeypatch.setattr(figures.time, "monotonic", lambda: clock)
        assert dashboard.figures_for(community_session("comm-a"), registry_session(), community, period, people,
                                     "无岗位", NOVEMBER) is not found


@pytest.mark.parametrize(("choice", "month", "label"), [
    (None, None, "2026-11"), ("this_month", "", "2026-11"), ("last_month", None, "2026-10"),
    ("this_quarter", None, "2026-Q4"), ("last_quarter", None, "2026-Q3"), (None, "2026-01", "2026-01"),
    ("last_month", " 2025-12 ", "2025-12"),
])
def test_period_filter(app, build, choice, month, label):
    build.community("comm-a")
    with app.app_context():
        period = dashboard.parse_period(get_community("comm-a"), choice, month, NOVEMBER)
    assert period.label == label


def test_period_filter_at_the_turn_of_the_year(app, build):
    build.community("comm-a")
    with app.app_context():
        # 16:30 UTC on 31 December is already January in Shanghai: last month is December, last quarter Q4.
        community, now = get_community("comm-a"), datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
        assert dashboard.parse_period(community, "last_month", None, now).label == "2026-12"
        assert dashboard.parse_period(community, "last_quarter", None, now).label == "2026-Q4"
        assert dashboard.parse_period(community, "this_month", None, now).start == local(2027, 1, 1)


@pytest.mark.parametrize(("choice", "month"), [
    ("yesterday", None), ("", "2026-13"), (None, "2026-00"), (None, "26-11"), (None, "1999-12"), (None, "2030-01"),
    (None, "2026-11-01"), (None, "二〇二六-十一"), ("'; drop table tickets", None),
])
def test_period_filter_refuses_bad_input(app, build, choice, month):
    build.community("comm-a")
    with app.app_context(), pytest.raises(HallError) as raised:
        dashboard.parse_period(get_community("comm-a"), choice, month, NOVEMBER)
    assert raised.value.field in ("period", "month")


def test_the_per_post_and_per_staff_queries_use_an_index(app, seed):
    with app.app_context():
        session = community_session("comm-a")
        received = _plan(session, dashboard.post_received_query(START, END))
        finished = _plan(session, dashboard.finished_by_query(dashboard.Ticket.post_id, START, END))
        handled = _plan(session, dashboard.finished_by_query(dashboard.Ticket.handler_user_id, START, END))
    assert "USING INDEX ix_tickets_kind_submitted" in received and "SCAN tickets" not in received, received
    for plan in (finished, handled):
        assert "USING INDEX ix_tickets_kind_status_finished" in plan, plan
        assert "SCAN tickets" not in plan.replace("USING INDEX ix_tickets_kind_status_finished", ""), plan


def test_month_buckets_follow_a_zone_with_daylight_saving(app, seed):
    berlin = ZoneInfo("Europe/Berlin")

    def at(*args):
        return datetime(*args, tzinfo=berlin).astimezone(UTC)

    # 00:30 on 1 April in summer time is still 31 March in UTC; 23:30 on 31 October in winter time is October's.
    seed.ticket(at(2026, 4, 1, 0, 30), status="submitted")
    seed.ticket(at(2026, 3, 31, 23, 30), status="submitted")
    seed.ticket(at(2026, 10, 31, 23, 30), status="submitted")
    with app.app_context():
        months = dashboard.trend(community_session("comm-a"), SimpleNamespace(timezone="Europe/Berlin"), NOVEMBER)
    received = {m.label: m.received for m in months if m.received}
    assert received == {"2026-03": 1, "2026-04": 1, "2026-10": 1}
