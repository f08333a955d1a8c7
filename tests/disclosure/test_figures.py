"""Disclosure figures against hand-computed fixtures, with month and quarter bounds in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from community_hall.disclosure import figures
from community_hall.tenancy import community_session, get_community, registry_session
from tests.disclosure.conftest import local
from tests.helpers import query_plan

NOVEMBER = datetime(2026, 11, 15, 4, tzinfo=UTC)
BOTH = pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])


def _figures(app, kind="month", now=NOVEMBER):
    with app.app_context():
        community = get_community("comm-a")
        period = figures.period_of(community, kind, now)
        return period, figures.disclosure(community_session("comm-a"), registry_session(), community, period)


def test_periods_are_local_months_and_quarters(app, build):
    build.community("comm-a")
    with app.app_context():
        community = get_community("comm-a")
        # 2026-10-31 17:00 UTC is already 1 November in Shanghai
        month = figures.period_of(community, "month", datetime(2026, 10, 31, 17, tzinfo=UTC))
        quarter = figures.period_of(community, "quarter", datetime(2026, 12, 31, 15, 59, tzinfo=UTC))
        december = figures.period_of(community, "month", datetime(2026, 12, 31, 16, 0, tzinfo=UTC))
    assert (month.label, month.start, month.end) == ("2026-11", local(2026, 11, 1), local(2026, 12, 1))
    assert (quarter.label, quarter.start, quarter.end) == ("2026-Q4", local(2026, 10, 1), local(2027, 1, 1))
    assert december.label == "2027-01" and december.end == local(2027, 2, 1)


@BOTH
def test_a_mixed_month_matches_the_hand_computation(app, mix, backend):
    # Requests received in November (local): t1 t2 t3 t4 t6 (23:59 on the 30th) and the declined one = 6;
    # t5 (31 Oct 23:30) and t7 (1 Dec 00:00) fall outside. Finished (done) in November: t1 t2 t3 and t5
    # (00:30 on 1 Nov) = 4; on time t1, t3 (no due time), t5 = 75%; days 2 + 3.5 + 0.125 + 1/24 = 5.667 / 4
    # = 1.4; online t2 + t5 (app) = 50%; at most one trip t1 t2 t5 = 75%.
    period, found = _figures(app)
    assert found["period"] == "2026-11" == period.label
    assert found["tickets"] == {"received": 6, "finished": 4, "on_time_rate": 75.0, "avg_days": 1.4,
                                "online_rate": 50.0, "one_trip_rate": 75.0}
    # Ratings in November: 5, 2, 1, 3 (the one at 00:30 on 1 Dec is December's): 2 of 4 satisfied; both bad
    # ones followed up, one put right.
    assert found["ratings"] == 4
    assert found["satisfaction_rate"] == 50.0
    assert found["bad_ratings"] == {"received": 2, "followed_up": 2, "rectified": 1}
    assert found["rectified_rate"] == 50.0
    # Complaints: two of kind complaint, one replied; the 办不成事 report is not a complaint, nor a request.
    assert found["complaints"] == {"received": 2, "answered": 1}
    assert found["volunteers"] == {"registered": 0, "registration_rate": 0.0, "hours": 0.0}


def test_the_quarter_takes_in_the_month_edges(app, mix):
    period, found = _figures(app, "quarter")
    assert found["period"] == "2026-Q4"
    assert found["tickets"]["received"] == 8          # t5 (October) and t7 (December) now count
    assert found["tickets"]["finished"] == 4
    assert found["ratings"] == 5 and found["satisfaction_rate"] == 60.0


def test_an_empty_period_has_zero_counts_and_no_rates(app, mix):
    _period, found = _figures(app, now=datetime(2026, 6, 10, tzinfo=UTC))
    assert found["tickets"] == {"received": 0, "finished": 0, "on_time_rate": None, "avg_days": None,
                                "online_rate": None, "one_trip_rate": None}
    assert found["satisfaction_rate"] is None and found["rectified_rate"] is None
    assert found["bad_ratings"] == {"received": 0, "followed_up": 0, "rectified": 0}
    assert found["complaints"] == {"received": 0, "answered": 0}


@BOTH
def test_all_overdue_is_zero_percent_not_missing(app, seed, backend):
    seed.ticket(local(2026, 11, 2, 9), finished=local(2026, 11, 12, 9), due=local(2026, 11, 9, 17), visits=3)
    seed.ticket(local(2026, 11, 3, 9), finished=local(2026, 11, 13, 21), due=local(2026, 11, 10, 17), visits=2)
    _period, found = _figures(app)
    assert found["tickets"] == {"received": 2, "finished": 2, "on_time_rate": 0.0, "avg_days": 10.3,
                                "online_rate": 0.0, "one_trip_rate": 0.0}


def test_no_ratings_means_no_satisfaction_rate(app, seed):
    seed.ticket(local(2026, 11, 2, 9), finished=local(2026, 11, 2, 11))
    _period, found = _figures(app)
    assert found["tickets"]["finished"] == 1 and found["tickets"]["avg_days"] == 0.1
    assert found["ratings"] == 0 and found["satisfaction_rate"] is None
    assert found["bad_ratings"] == {"received": 0, "followed_up": 0, "rectified": 0}


def test_without_residents_the_registration_rate_is_missing(app, build):
    build.community("comm-z")
    with app.app_context():
        community = get_community("comm-z")
        found = figures.volunteers(community_session("comm-z"), registry_session(), community,
                                   local(2026, 11, 1), local(2026, 12, 1))
    assert found == {"registered": 0, "registration_rate": None, "hours": 0.0}


def test_figures_are_cached_briefly_per_community_and_period(app, seed, monkeypatch):
    seed.ticket(local(2026, 11, 2, 9), finished=local(2026, 11, 2, 11))
    with app.app_context():
        community = get_community("comm-a")
        month = figures.period_of(community, "month", NOVEMBER)
        first = figures.cached_disclosure(community_session("comm-a"), registry_session(), community, month)
    seed.ticket(local(2026, 11, 3, 9), finished=local(2026, 11, 3, 11))
    with app.app_context():
        again = figures.cached_disclosure(community_session("comm-a"), registry_session(), community, month)
        assert again is first and again["tickets"]["received"] == 1
        clock = figures.time.monotonic() + figures.CACHE_SECONDS + 1
        monkeypatch.setattr(figures.time, "monotonic", lambda: clock)
        later = figures.cached_disclosure(community_session("comm-a"), registry_session(), community, month)
    assert later["tickets"]["received"] == 2


@pytest.mark.parametrize("query", ["received", "finished", "complaints"])
def test_the_main_queries_use_an_index(app, seed, query):
    start, end = local(2026, 11, 1), local(2026, 12, 1)
    stmt = {"received": lambda: figures.received_query(start, end),
            "finished": lambda: figures.finished_query(start, end),
            "complaints": lambda: figures.received_query(start, end, kind="complaint")}[query]()
    with app.app_context():
        plan = query_plan(community_session("comm-a"), stmt)
    expected = "ix_tickets_kind_status_finished" if query == "finished" else "ix_tickets_kind_submitted"
    assert f"USING INDEX {expected}" in plan, plan
    assert "SCAN tickets" not in plan.replace(f"USING INDEX {expected}", ""), plan
