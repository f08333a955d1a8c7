"""The rota generator: fair spreads, holidays and 调休 from the working-day calendar, leave; the rota page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from community_hall import clock as app_clock
from community_hall.audit import AuditEvent
from community_hall.rosters import rota
from community_hall.rosters.models import Shift
from community_hall.tenancy import community_session
from community_hall.workdays import WorkCalendar
from tests.rosters.duty_fixtures import add, leave, post, shift, uid

OCTOBER = date(2026, 10, 1)      # National Day 1–7 October; Saturday 10 October is a make-up working day (调休)
CAL = WorkCalendar()


@pytest.mark.parametrize("people, per_workday, late, weekend, holiday", [
    (4, 4, 1, 1, 1), (5, 5, 2, 1, 2), (6, 3, 1, 2, 1), (3, 2, 1, 1, 1), (7, 4, 2, 1, 3),
])
def test_every_count_is_spread_within_one(people, per_workday, late, weekend, holiday):
    staff = list(range(1, people + 1))
    rules = rota.Rules(per_workday=per_workday, late_per_workday=late, weekend_per_day=weekend, holiday_per_day=holiday)
    result = rota.generate(OCTOBER, staff, rules, CAL)
    report = rota.fairness(result.shifts, staff)
    assert all(value <= 1 for value in rota.spread(report).values()), rota.spread(report)
    assert not result.shortfalls
    # Every working day has exactly the people it needs, late shift included; nobody twice on one day.
    for day in rota.month_days(OCTOBER):
        of_day = [s for s in result.shifts if s.day == day]
        assert len({s.user_id for s in of_day}) == len(of_day)
        if CAL.is_workday(day):
            assert len(of_day) == per_workday and sum(s.kind == "late" for s in of_day) == late
    assert sum(t.hours for t in report) == pytest.approx(sum(s.hours for s in result.shifts))


def test_national_day_and_the_make_up_saturday_follow_the_calendar():
    rules = rota.Rules(per_workday=3, late_per_workday=1, weekend_per_day=1, holiday_per_day=2)
    result = rota.generate(OCTOBER, [1, 2, 3, 4], rules, CAL)
    by_day = {}
    for s in result.shifts:
        by_day.setdefault(s.day, []).append(s)
    for d in range(1, 8):   # 国庆节: holiday duty of two people, 09:00–17:00
        assert sorted(s.kind for s in by_day[date(2026, 10, d)]) == ["holiday", "holiday"]
        assert {(s.start, s.end) for s in by_day[date(2026, 10, d)]} == {("09:00", "17:00")}
    saturday = by_day[date(2026, 10, 10)]   # 调休: an ordinary working day
    assert sorted(s.kind for s in saturday) == ["late", "regular", "regular"]
    assert {(s.start, s.end) for s in saturday if s.kind == "late"} == {("10:00", "19:00")}
    assert {(s.start, s.end) for s in saturday if s.kind == "regular"} == {("08:30", "17:30")}
    assert [s.kind for s in by_day[date(2026, 10, 11)]] == ["weekend"]   # an ordinary Sunday
    assert [s.kind for s in by_day[date(2026, 10, 31)]] == ["weekend"]
    report = {t.user_id: t for t in rota.fairness(result.shifts, [1, 2, 3, 4])}
    assert sum(t.holiday for t in report.values()) == 14 and {t.holiday for t in report.values()} <= {3, 4}
    assert sum(t.weekend for t in report.values()) == 6    # 11, 17, 18, 24, 25 and 31 October
    assert {t.weekend for t in report.values()} <= {1, 2}


def test_local_overrides_of_the_calendar_are_respected():
    closed = WorkCalendar({date(2026, 10, 12): False, date(2026, 10, 18): True})
    result = rota.generate(OCTOBER, [1, 2, 3], rota.Rules(per_workday=2), closed)
    assert [s.kind for s in result.shifts if s.day == date(2026, 10, 12)] == ["weekend"]
    assert sorted(s.kind for s in result.shifts if s.day == date(2026, 10, 18)) == ["late", "regular"]


def test_nobody_on_leave_gets_a_shift_and_fairness_holds_where_possible():
    away = {1: {date(2026, 10, d) for d in range(12, 17)}}
    result = rota.generate(OCTOBER, [1, 2, 3, 4, 5], rota.Rules(per_workday=3), CAL, away)
    assert not [s for s in result.shifts if s.user_id == 1 and s.day in away[1]]
    spread = rota.spread(rota.fairness(result.shifts, [1, 2, 3, 4, 5]))
    assert spread["late"] <= 1 and spread["weekend"] <= 1 and spread["holiday"] <= 1


def test_too_few_people_is_reported_as_a_shortfall():
    away = {1: {date(2026, 10, 8)}, 2: {date(2026, 10, 8)}}
    result = rota.generate(OCTOBER, [1, 2, 3], rota.Rules(per_workday=2), CAL, away)
    assert result.shortfalls == [rota.Shortfall(date(2026, 10, 8), "regular", 1, 0)]
    assert [s.user_id for s in result.shifts if s.day == date(2026, 10, 8)] == [3]


def test_fairness_counts_and_hours():
    shifts = [rota.Proposal(1, OCTOBER, "08:30", "17:30", "regular"), rota.Proposal(1, OCTOBER, "10:00", "19:00", "late"),
              rota.Proposal(2, OCTOBER, "09:00", "17:00", "holiday")]
    report = {t.user_id: t for t in rota.fairness(shifts, [1, 2, 3])}
    assert (report[1].regular, report[1].late, report[1].hours) == (1, 1, 18.0)
    assert (report[2].holiday, report[2].hours) == (1, 8.0)
    assert report[3].hours == 0
    assert rota.spread(list(report.values())) == {"regular": 1, "late": 1, "weekend": 0, "holiday": 1}


# --- the page ------------------------------------------------------------------------------------------


@pytest.fixture
def station(app, build):
    build.two_communities()
    build.user("staff-a2", "comm-a", "staff", "员工乙")
    return {name: uid(app, name) for name in ("head-a", "staff-a", "staff-a2")}


RULES = {"regular_start": "08:30", "regular_end": "17:30", "per_workday": "2", "late_per_workday": "1",
         "late_start": "10:00", "late_end": "19:00", "weekend_per_day": "1", "holiday_per_day": "1",
         "duty_start": "09:00", "duty_end": "17:00"}


def shifts_of(app, published=None):
    with app.app_context():
        query = select(Shift).order_by(Shift.day, Shift.user_id)
        if published is not None:
            query = query.where(Shift.published.is_(published))
        return list(community_session("comm-a").scalars(query))


def test_only_the_head_manages_the_rota(client, auth, station):
    auth.login("staff-a")
    assert client.get("/c/comm-a/rosters/rota?month=2026-10").status_code == 403
    assert auth.post("/c/comm-a/rosters/rota/generate?month=2026-10", {**RULES, "staff": [station["staff-a"]]}
                     ).status_code == 403


def test_head_generates_edits_and_publishes(app, client, auth, station):
    add(app, leave(station["staff-a"], date(2026, 10, 12), date(2026, 10, 16)),
        shift(station["head-a"], date(2026, 10, 20)))           # already published: kept, that person-day skipped
    auth.login("head-a")
    page = client.get("/c/comm-a/rosters/rota?month=2026-10").get_data(as_text=True)
    assert "员工乙" in page and 'name="per_workday"' in page
    people = [station["head-a"], station["staff-a"], station["staff-a2"]]
    response = auth.post("/c/comm-a/rosters/rota/generate?month=2026-10", {**RULES, "staff": people})
    assert response.status_code == 303
    drafts = shifts_of(app, published=False)
    assert drafts and all(date(2026, 10, 1) <= s.day <= date(2026, 10, 31) for s in drafts)
    assert not [s for s in drafts if s.user_id == station["staff-a"] and date(2026, 10, 12) <= s.day <= date(2026, 10, 16)]
    assert not [s for s in drafts if s.user_id == station["head-a"] and s.day == date(2026, 10, 20)]
    page = client.get("/c/comm-a/rosters/rota?month=2026-10").get_data(as_text=True)
    assert "排班均衡情况" in page and "差额" in page and "员工乙" in page
    # generating again replaces the drafts, never the published shift
    auth.post("/c/comm-a/rosters/rota/generate?month=2026-10", {**RULES, "staff": people, "per_workday": "1",
                                                                 "late_per_workday": "0"})
    drafts = shifts_of(app, published=False)
    assert {s.kind for s in drafts if rota.day_kind(s.day, CAL) == "workday"} == {"regular"}
    assert len(shifts_of(app, published=True)) == 1
    # delete one draft, give another to someone free that day
    first, second = drafts[0], drafts[1]
    assert auth.post(f"/c/comm-a/rosters/rota/shifts/{first.id}/delete", {"month": "2026-10"}).status_code == 303
    free = next(p for p in people if p != second.user_id and p != station["staff-a"])
    auth.post(f"/c/comm-a/rosters/rota/shifts/{second.id}/reassign", {"month": "2026-10", "user_id": free})
    with app.app_context():
        session = community_session("comm-a")
        assert session.get(Shift, first.id) is None
        assert session.get(Shift, second.id).user_id == free
    # publish: drafts become published; the coverage warning about an unheld post is shown and recorded
    post(app, "SB", "社会保障岗", station["staff-a"], station["staff-a2"])
    response = auth.post("/c/comm-a/rosters/rota/publish?month=2026-10")
    assert response.status_code == 200
    assert "该月已过去" in response.get_data(as_text=True)    # October 2026 is behind us: nothing ahead to check
    assert not shifts_of(app, published=False)
    assert len(shifts_of(app, published=True)) == len(drafts)   # minus the deleted one, plus the old published one


def test_publishing_shows_and_records_coverage_gaps(app, client, auth, station, monkeypatch):
    import community_hall.rosters.coverage as coverage

    app_clock.set_now(coverage.datetime(2026, 9, 30, tzinfo=coverage.ZoneInfo("UTC")))
    post(app, "SB", "社会保障岗", station["staff-a"], station["staff-a2"])
    # only the head is on the rota: the post's A and B are never on shift while the station is open
    add(app, shift(station["head-a"], date(2026, 10, 8), published=False))
    auth.login("head-a")
    page = auth.post("/c/comm-a/rosters/rota/publish?month=2026-10").get_data(as_text=True)
    assert "社会保障岗" in page and "2026-10-08 08:30" in page and "2026-10-08 17:30" in page
    with app.app_context():
        events = list(community_session("comm-a").scalars(select(AuditEvent).where(
            AuditEvent.action == "rota.publish_warnings")))
    assert len(events) == 1 and "SB 2026-10-08 08:30" in events[0].detail


def test_bad_rules_are_refused_and_change_nothing(app, client, auth, station):
    auth.login("head-a")
    response = auth.post("/c/comm-a/rosters/rota/generate?month=2026-10",
                         {**RULES, "staff": [station["staff-a"]], "late_start": "25:00", "per_workday": "-1"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "HH:MM" in page or "08:30" in page
    response = auth.post("/c/comm-a/rosters/rota/generate?month=2026-10",
                         {**RULES, "staff": [station["staff-a"]], "late_per_workday": "3"})
    assert response.status_code == 400
    response = auth.post("/c/comm-a/rosters/rota/generate?month=2026-10", {**RULES})
    assert response.status_code == 400
    assert shifts_of(app) == []


def test_publishing_with_nothing_drafted_says_so(app, client, auth, station):
    auth.login("head-a")
    response = auth.post("/c/comm-a/rosters/rota/publish?month=2026-10", follow_redirects=True)
    assert "没有" in response.get_data(as_text=True) or "no draft" in response.get_data(as_text=True)


def test_a_published_shift_cannot_be_deleted_here(app, client, auth, station):
    (shift_id,) = add(app, shift(station["staff-a"], OCTOBER + timedelta(days=7)))
    auth.login("head-a")
    auth.post(f"/c/comm-a/rosters/rota/shifts/{shift_id}/delete", {"month": "2026-10"})
    with app.app_context():
        assert community_session("comm-a").get(Shift, shift_id) is not None
