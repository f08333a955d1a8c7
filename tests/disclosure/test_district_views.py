"""The district dashboard and its monthly report: who may see them, figures, ranking, sorting, filters and CSV."""

from __future__ import annotations

import csv
import io

import pytest

from tests.disclosure.conftest import fresh_cache  # noqa: F401 - fixture
from tests.disclosure.district_fixtures import district, late_november  # noqa: F401 - fixtures


def _body(page: str) -> str:
    return page.split('id="district-table"')[1].split("</table>")[0].split("<tbody>")[1]


def _order(page: str) -> list[str]:
    body = _body(page)
    return sorted(("甲社区", "乙社区", "丙社区"), key=lambda name: body.find(name) if name in body else 10**6)


def test_the_district_admin_sees_the_communities_ranked(client, auth, district, late_november):  # noqa: F811
    auth.login("district")
    response = client.get("/district")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _order(page) == ["甲社区", "乙社区", "丙社区"]
    first = _body(page).split("</tr>")[0]
    assert "100%，达标" in first and "50%" in first and "2" in first           # satisfaction met, on time 50%
    second = _body(page).split("</tr>")[1]
    assert "0%，未达标" in second and "1/1" in second and "4" in second
    assert "/c/comm-a/disclosure" in first and "/c/comm-a/dashboard" in first   # drill-down
    assert 'id="chart-district"' in page and 'role="img"' in page and "1. 甲社区" in page
    assert "欧阳秀兰" not in page


def test_drill_down_to_the_head_dashboard_is_allowed(client, auth, district, late_november):  # noqa: F811
    auth.login("district")
    assert client.get("/c/comm-b/dashboard").status_code == 200


def test_an_admin_of_one_community_sees_only_it(client, auth, district, late_november):  # noqa: F811
    auth.login("district-a")
    page = client.get("/district?month=2026-11").get_data(as_text=True)
    assert "甲社区" in _body(page) and "乙社区" not in page and "丙社区" not in page


@pytest.mark.parametrize("username", ["head-a", "staff-a", "res-a"])
def test_others_are_refused(client, auth, district, username):  # noqa: F811
    auth.login(username)
    assert client.get("/district").status_code == 403
    assert client.get("/district/report").status_code == 403
    assert client.get("/district?format=csv").status_code == 403


def test_anonymous_people_are_sent_to_sign_in(client, district):  # noqa: F811
    for url in ("/district", "/district/report?month=2026-11"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_sort_by_a_column(client, auth, district, late_november):  # noqa: F811
    auth.login("district")
    page = client.get("/district?sort=staff").get_data(as_text=True)
    assert _order(page) == ["乙社区", "甲社区", "丙社区"]
    assert 'aria-sort="descending"' in page and "sort=staff&amp;dir=asc" in page
    page = client.get("/district?sort=staff&dir=asc").get_data(as_text=True)
    assert _order(page) == ["甲社区", "乙社区", "丙社区"] and 'aria-sort="ascending"' in page


def test_street_filter_and_a_bad_street(client, auth, district, late_november):  # noqa: F811
    auth.login("district")
    page = client.get("/district?street=西街道").get_data(as_text=True)
    assert "乙社区" in _body(page) and "甲社区" not in _body(page)
    response = client.get("/district?street=南街道")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "请从列表中选择街道" in page
    assert _order(page) == ["甲社区", "乙社区", "丙社区"]


@pytest.mark.parametrize("query", ["period=someday", "month=2026-13", "month=abc"])
def test_a_bad_period_says_so_and_shows_this_month(client, auth, district, late_november, query):  # noqa: F811
    auth.login("district")
    response = client.get(f"/district?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "YYYY-MM" in page and "2026-11" in page


def test_last_month_is_empty(client, auth, district, late_november):  # noqa: F811
    auth.login("district")
    page = client.get("/district?period=last_month").get_data(as_text=True)
    assert "2026-10" in page.split('class="lead"')[1] and "100%" not in _body(page)


def test_csv_of_the_table(client, auth, district, late_november):  # noqa: F811
    auth.login("district")
    response = client.get("/district?format=csv&month=2026-11&sort=staff&lang=en")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="district-2026-11.csv"' in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows[0][:3] == ["Rank", "Community", "Street"] and len(rows) == 4
    assert [r[1] for r in rows[1:]] == ["乙社区", "甲社区", "丙社区"]        # sorted as asked
    assert rows[2][6] == "100%, met" and rows[2][7] == "0 of 0" and rows[2][-1] == "2 of 3"
    assert rows[2][8] == "0, not met"                                       # 1 volunteer of 3,000 residents
    assert rows[3][10] == "—"                                              # no households: no staff ratio
    assert rows[3][8] == "population not recorded"                         # no population: no made-up rate


def test_xlsx_of_the_table(client, auth, district, late_november):  # noqa: F811
    from openpyxl import load_workbook

    auth.login("district")
    page = client.get("/district?month=2026-11").get_data(as_text=True)
    assert "district?format=xlsx&amp;month=2026-11" in page
    response = client.get("/district?format=xlsx&month=2026-11&sort=staff&lang=en")
    assert response.status_code == 200 and 'filename="district-2026-11.xlsx"' in response.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.get_data())).worksheets[0].iter_rows(values_only=True))
    assert list(rows[0][:3]) == ["Rank", "Community", "Street"] and len(rows) == 4
    assert [r[1] for r in rows[1:]] == ["乙社区", "甲社区", "丙社区"]
    assert client.get("/district?format=xlsx&month=2026-13").mimetype != response.mimetype   # bad period: the page
    auth.login("head-a")
    assert client.get("/district?format=xlsx").status_code == 403


def test_the_monthly_report_renders_with_the_month(client, auth, district, late_november):  # noqa: F811
    auth.login("district")
    response = client.get("/district/report?month=2026-11")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2026-11" in page.split("<h1>")[1].split("</h1>")[0] and 'class="district-report"' in page
    assert _order(page) == ["甲社区", "乙社区", "丙社区"] and "sort=" not in page
    assert "district?format=csv&amp;month=2026-11" in page
    assert 'style="' not in page


def test_the_report_in_english(client, auth, district, late_november):  # noqa: F811
    auth.login("district")
    page = client.get("/district/report?month=2026-11&lang=en").get_data(as_text=True)
    assert "Monthly report of the communities, 2026-11" in page and "100%, met" in page
    page = client.get("/district?lang=en").get_data(as_text=True)
    assert "District dashboard" in page and "Staff per 1,000 households" in page


def test_a_bad_report_month(client, auth, district, late_november):  # noqa: F811
    auth.login("district")
    response = client.get("/district/report?month=2026-99")
    assert response.status_code == 400 and "YYYY-MM" in response.get_data(as_text=True)


def test_the_nav_links_the_dashboard_for_district_admins_only(client, auth, district):  # noqa: F811
    auth.login("district")
    assert 'href="/district"' in client.get("/account").get_data(as_text=True)
    auth.logout()
    auth.login("head-a")
    assert 'href="/district"' not in client.get("/account").get_data(as_text=True)
