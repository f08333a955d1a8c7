"""District figures: rows per community against the standards, ranking, sorting, street filter, member counts."""

from __future__ import annotations

import pytest

from community_hall.accounts.models import User
from community_hall.accounts.policy import district_communities
from community_hall.disclosure import district as d
from community_hall.errors import HallError
from community_hall.tenancy import registry_session
from tests.disclosure.conftest import LATE_NOVEMBER, fresh_cache  # noqa: F401 - fixture
from tests.disclosure.district_fixtures import district  # noqa: F401 - fixture


def _rows(app, username="district", street=None, month="2026-11"):
    with app.test_request_context():
        user = registry_session().query(User).filter_by(username=username).one()
        communities = d.choose_street(district_communities(user), street)
        return d.rows_for(registry_session(), communities, None, month, LATE_NOVEMBER)


BOTH = pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])


@BOTH
def test_rows_are_computed_by_hand(app, district, backend):  # noqa: F811
    period, rows = _rows(app)
    assert period.label == "2026-11"
    a, b, c = rows
    assert [r.slug for r in rows] == ["comm-a", "comm-b", "comm-c"] and [r.rank for r in rows] == [1, 2, 3]
    assert (a.received, a.finished, a.on_time_rate, a.satisfaction_rate) == (2, 2, 50.0, 100.0)
    # one volunteer of a population of 3,000 (not of its one resident account)
    assert (a.volunteers, a.residents, a.registration_rate, a.teams, a.staff) == (1, 3000, 0.0, 5, 2)
    assert a.satisfaction_met and not a.registration_met and a.teams_met and a.met == 2 and a.staff_per_1000 == 2.0
    assert (b.received, b.finished, b.on_time_rate, b.satisfaction_rate) == (2, 1, 100.0, 0.0)
    assert (b.bad_ratings, b.rectified, b.volunteers, b.registration_rate, b.teams) == (1, 1, 0, 0.0, 2)
    assert b.staff == 2 and b.staff_per_1000 == 4.0 and b.met == 0          # staff-b2 is switched off
    assert (c.received, c.satisfaction_rate, c.registration_rate, c.staff_per_1000, c.met) == (0, None, None, None, 0)


def test_an_admin_of_one_community_gets_only_that_one(app, district):  # noqa: F811
    _period, rows = _rows(app, "district-a")
    assert [r.slug for r in rows] == ["comm-a"]


def test_street_filter(app, district):  # noqa: F811
    _period, rows = _rows(app, street="东街道")
    assert [r.slug for r in rows] == ["comm-a", "comm-c"]
    with pytest.raises(HallError) as err:
        _rows(app, street="南街道")
    assert err.value.field == "street"


def _row(name, met_sat, rate, teams=0):
    return d.Row(name, name, "", 0, 0, None, rate, 0, 0, 1 if met_sat else 0, None, 1, teams, 0, 0, 0.0)


def test_equal_scores_share_a_rank_and_the_next_one_skips():
    rows = d.rank([_row("丁", False, 90.0), _row("戊", False, 95.0, teams=5), _row("己", False, 90.0),
                   _row("庚", False, None)])
    assert [(r.name, r.rank) for r in rows] == [("戊", 1), ("丁", 2), ("己", 2), ("庚", 4)]
    # satisfaction 95.0 meets the target; 94.9 does not
    assert _row("x", False, 95.0).satisfaction_met and not _row("x", False, 94.9).satisfaction_met


def test_sorting_keeps_empty_values_last_and_ties_by_rank(app, district):  # noqa: F811
    _period, rows = _rows(app)
    column, direction, found = d.sort_rows(rows, "staff", None)
    assert (column, direction, [r.slug for r in found]) == ("staff", "desc", ["comm-b", "comm-a", "comm-c"])
    _c, _d, found = d.sort_rows(rows, "staff", "asc")
    assert [r.slug for r in found] == ["comm-a", "comm-b", "comm-c"]
    _c, _d, found = d.sort_rows(rows, "received", "asc")
    assert [r.slug for r in found] == ["comm-c", "comm-a", "comm-b"]
    column, direction, found = d.sort_rows(rows, "nonsense", "sideways")
    assert (column, direction, [r.slug for r in found]) == ("rank", "asc", ["comm-a", "comm-b", "comm-c"])
