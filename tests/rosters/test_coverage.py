"""Coverage gaps: opening hours in which neither the A nor the B holder of a post is available."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from community_hall import clock as app_clock
from community_hall.rosters import coverage, duty
from tests.rosters.duty_fixtures import add, leave, local, outreach, post, shift, uid

A, B, OTHER, HEAD = 1, 2, 3, 9
MON = date(2026, 11, 23)
HOLDERS = duty.Holders(A, B, HEAD)


def span(person, first: str, last: str, day: date = MON, kind: str = "regular"):
    return duty.Span(person, local(day, first), local(day, last), kind)


def whole_day(person, day: date = MON):
    return duty.Span(person, local(day, "00:00"), local(day + timedelta(days=1), "00:00"), "annual")


def day_roster(leave=(), out=()):
    """OTHER opens 08:30–17:30, A works 08:30–17:30, B the late shift 10:00–19:00."""
    return duty.Roster([span(OTHER, "08:30", "17:30"), span(A, "08:30", "17:30"), span(B, "10:00", "19:00", kind="late")],
                       list(leave), list(out))


def gaps(roster):
    return coverage.gaps_in(HOLDERS, roster, local(MON, "00:00"), local(MON + timedelta(days=1), "00:00"))


def test_both_on_shift_leaves_no_gap():
    assert gaps(day_roster()) == []


def test_a_on_leave_while_b_is_out_is_a_gap_and_b_not_yet_in_is_another():
    found = gaps(day_roster(leave=[whole_day(A)], out=[duty.Span(B, local(MON, "11:00"), local(MON, "12:15"))]))
    assert found == [
        coverage.Stretch(local(MON, "08:30"), local(MON, "10:00"), "leave", "off_shift"),
        coverage.Stretch(local(MON, "11:00"), local(MON, "12:15"), "leave", "out"),
    ]


def test_gaps_are_found_at_boundaries_not_hourly_points():
    # A out 09:10–09:40 and B not yet in: a 30-minute gap between two whole hours.
    found = gaps(day_roster(out=[duty.Span(A, local(MON, "09:10"), local(MON, "09:40"))]))
    assert found == [coverage.Stretch(local(MON, "09:10"), local(MON, "09:40"), "out", "off_shift")]


def test_closed_hours_are_not_gaps_and_neighbouring_stretches_merge():
    # A leaves at 17:30 and B is on leave: 08:30–17:30 is covered by A; 17:30–19:00 is open (B's own shift!) but
    # B is on leave, so that stretch is a gap; after 19:00 nobody is on shift: closed, no gap.
    found = gaps(day_roster(leave=[whole_day(B)]))
    assert found == [coverage.Stretch(local(MON, "17:30"), local(MON, "19:00"), "off_shift", "leave")]
    # Consecutive stretches with the same reasons merge across a boundary of somebody else's shift.
    roster = duty.Roster([span(OTHER, "08:30", "12:00"), span(OTHER, "12:00", "17:30")], [], [])
    assert gaps_for_post_without_holders(roster) == [
        coverage.Stretch(local(MON, "08:30"), local(MON, "17:30"), "none", "none")]


def gaps_for_post_without_holders(roster):
    return coverage.gaps_in(duty.Holders(None, None, HEAD), roster, local(MON, "00:00"), local(MON, "23:00"))


def test_gaps_are_clipped_to_the_window():
    found = coverage.gaps_in(HOLDERS, day_roster(leave=[whole_day(A)]), local(MON, "09:00"), local(MON, "09:30"))
    assert found == [coverage.Stretch(local(MON, "09:00"), local(MON, "09:30"), "leave", "off_shift")]


# --- from the database, and the head's dashboard --------------------------------------------------------


@pytest.fixture
def station(app, build):
    build.two_communities()
    build.user("staff-a2", "comm-a", "staff", "员工乙")
    ids = {name: uid(app, name) for name in ("head-a", "staff-a", "staff-a2")}
    post(app, "SB", "社会保障岗", ids["staff-a"], ids["staff-a2"])
    post(app, "MZ", "民政岗", ids["staff-a2"], ids["staff-a"], window="2号窗口")
    return ids


def test_coverage_from_published_shifts_approved_leave_and_outreach(app, station):
    a, b, head = station["staff-a"], station["staff-a2"], station["head-a"]
    add(app, shift(head, MON), shift(a, MON), shift(b, MON, "10:00", "19:00", "late"),
        shift(b, MON + timedelta(days=1), published=False),                       # a draft counts for nothing
        leave(a, MON, MON), leave(b, MON, MON, status="requested"),               # only approved leave counts
        outreach(b, local(MON, "14:00"), local(MON, "15:00")))
    from community_hall.tenancy import community_session, get_community

    with app.app_context():
        found = coverage.coverage_gaps(community_session("comm-a"), get_community("comm-a"),
                                       local(MON, "00:00"), local(MON, "00:00") + coverage.WINDOW)
    # Hand-computed: staff-a is on leave all day; staff-a2 starts at 10:00 and is out 14:00–15:00.
    assert [(g.post_code, g.start, g.end, g.a_away, g.b_away) for g in found] == [
        ("MZ", local(MON, "08:30"), local(MON, "10:00"), "off_shift", "leave"),
        ("SB", local(MON, "08:30"), local(MON, "10:00"), "leave", "off_shift"),
        ("MZ", local(MON, "14:00"), local(MON, "15:00"), "out", "leave"),
        ("SB", local(MON, "14:00"), local(MON, "15:00"), "leave", "out"),
    ]
    assert found[0].post_name == "民政岗" and found[0].window == "2号窗口"


def test_dashboard_shows_the_next_fortnight_to_head_and_district_only(app, client, auth, station, monkeypatch):

    app_clock.set_now(local(MON, "07:00"))
    add(app, shift(station["head-a"], MON), leave(station["staff-a"], MON, MON))
    auth.login("head-a")
    page = client.get("/c/comm-a/dashboard").get_data(as_text=True)
    assert "社会保障岗" in page and "2026-11-23 08:30" in page and "2026-11-23 17:30" in page
    assert "请假" in page or "On leave" in page
    auth.logout()
    auth.login("district")
    assert client.get("/c/comm-a/dashboard").status_code == 200
    auth.logout()
    auth.login("staff-a")
    assert client.get("/c/comm-a/dashboard").status_code == 403


def test_dashboard_without_gaps_says_so(app, client, auth, station, monkeypatch):

    app_clock.set_now(datetime(2026, 11, 22, 23, 0, tzinfo=local(MON, "00:00").tzinfo))
    auth.login("head-a")
    page = client.get("/c/comm-a/dashboard").get_data(as_text=True)
    assert "Coverage gaps" in page or "覆盖" in page or "空岗" in page
    assert "<table" not in page.split("coverage-title")[1]
