"""The volunteer registration rate is counted per resident of the community's recorded population (not per
resident account); without a population there is no rate; and communities that tie are shown as tied."""

from __future__ import annotations

import pytest

from community_hall.disclosure import district as d
from community_hall.tenancy import Community, registry_session
from tests.disclosure.conftest import LATE_NOVEMBER, fresh_cache  # noqa: F401 - fixture
from tests.disclosure.district_fixtures import district, late_november  # noqa: F401 - fixtures
from tests.disclosure.test_district import _rows


def _population(app, slug: str, residents: int) -> None:
    with app.app_context():
        registry = registry_session()
        registry.query(Community).filter_by(slug=slug).one().residents = residents
        registry.commit()


@pytest.mark.parametrize(("population", "rate", "met"), [(6912, 0.0, False), (10, 10.0, True), (11, 9.1, False)])
def test_the_rate_is_volunteers_per_100_of_the_population(app, district, population, rate, met):  # noqa: F811
    _population(app, "comm-a", population)          # one approved volunteer, one resident account
    a = next(r for r in _rows(app)[1] if r.slug == "comm-a")
    assert (a.volunteers, a.residents, a.registration_rate, a.registration_met) == (1, population, rate, met)


def test_without_a_population_the_rate_says_so(app, client, auth, district, late_november):  # noqa: F811
    _population(app, "comm-a", 0)
    a = next(r for r in _rows(app)[1] if r.slug == "comm-a")
    assert (a.registration_rate, a.registration_met) == (None, False)
    auth.login("district")
    row = next(part for part in client.get("/district").get_data(as_text=True).split("</tr>") if "甲社区" in part)
    assert "人口未登记" in row
    assert "人口未登记" in client.get("/c/comm-a/disclosure").get_data(as_text=True)


def test_the_public_page_counts_the_population(app, client, district, late_november):  # noqa: F811
    _population(app, "comm-a", 6912)
    found = client.get("/c/comm-a/disclosure.json?month=2026-11").get_json()
    assert found["volunteers"]["registration_rate"] == 0.0


def _row(name, met_teams):
    return d.Row(name, name, "", 0, 0, None, None, 0, 0, 0, None, 0, 5 if met_teams else 0, 0, 0, 0.0)


def test_a_tie_at_the_top_is_called_a_tie(app):
    from community_hall.disclosure.district_views import _chart

    with app.test_request_context("/?lang=zh"):
        tied = str(_chart(d.rank([_row("甲社区", False), _row("乙社区", False), _row("丙社区", False)]), "2026-11"))
        alone = str(_chart(d.rank([_row("甲社区", True), _row("乙社区", False)]), "2026-11"))
    assert "排名第一" not in tied and "并列" in tied
    assert "甲社区排名第一" in alone
