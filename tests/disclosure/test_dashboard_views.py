"""The head's dashboard page: who may see it, the period filter, tables and charts, and the CSV export."""

from __future__ import annotations

import csv
import io

import pytest

from community_hall import clock as app_clock
from community_hall.disclosure import dashboard_views
from tests.disclosure.conftest import LATE_NOVEMBER


@pytest.fixture
def late_november(monkeypatch):
    app_clock.set_now(LATE_NOVEMBER)
    app_clock.set_now(LATE_NOVEMBER)


def _table(page: str, name: str) -> str:
    return page.split(f'id="dashboard-{name}"')[1].split("</table>")[0]


def _csv(response) -> list[list[str]]:
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_the_head_sees_figures_per_post_and_staff_trend_overdue_and_gaps(client, auth, world, late_november):
    auth.login("head-a")
    response = client.get("/c/comm-a/dashboard")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "覆盖" in page or "空岗" in page                   # the coverage panel stays
    assert "inquiries/escalations?embedded=1" in page        # and so does the escalations panel
    posts = _table(page, "posts")
    assert "社会保障岗" in posts and "66.7%" in posts and "1.8" in posts
    staff = _table(page, "staff")
    idle_row = staff.split("员工乙")[1].split("</tr>")[0]
    assert idle_row.count("—") >= 3                          # no tickets, no ratings: dashes, not 0%
    assert "45" in staff.split("站长a")[1].split("</tr>")[0]
    trend = _table(page, "trend")
    assert trend.count("<tr>") == 12 + 1 and "2025-12" in trend and "2026-11" in trend
    overdue = _table(page, "overdue")
    assert overdue.index("社会保障岗") < overdue.index("民政岗") and "员工a" in overdue
    assert 'id="chart-trend"' in page and 'id="chart-posts"' in page and 'role="img"' in page
    assert "欧阳秀兰" not in page                              # residents' names are not needed here


def test_last_month_and_a_given_month(client, auth, world, late_november):
    auth.login("head-a")
    page = client.get("/c/comm-a/dashboard?period=last_month").get_data(as_text=True)
    assert "2026-10" in page.split('class="lead"')[1].split("</p>")[0]
    page = client.get("/c/comm-a/dashboard?month=2026-11").get_data(as_text=True)
    assert "2026-11" in page.split('class="lead"')[1].split("</p>")[0]
    assert 'value="2026-11"' in page


@pytest.mark.parametrize("query", ["period=someday", "month=2026-13", "month=abc", "month=9999-01"])
def test_bad_period_gets_a_clear_message_and_this_month(client, auth, world, late_november, query):
    auth.login("head-a")
    response = client.get(f"/c/comm-a/dashboard?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="error-summary"' in page and "YYYY-MM" in page
    assert "2026-11" in page.split('class="lead"')[1].split("</p>")[0]


def test_csv_of_each_table(client, auth, world, late_november):
    auth.login("head-a")
    response = client.get("/c/comm-a/dashboard?format=csv&table=posts&month=2026-11")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="dashboard-comm-a-posts-2026-11.csv"' in response.headers["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][0] == "岗位" and ["社会保障岗", "4", "3", "66.7%", "1.8", "3", "66.7%"] in rows
    staff = _csv(client.get("/c/comm-a/dashboard?format=csv&table=staff&month=2026-11"))
    idle = next(row for row in staff if row[0] == "员工乙")
    assert idle[1:4] == ["0", "—", "—"]
    overdue = _csv(client.get("/c/comm-a/dashboard?format=csv&table=overdue"))
    # A cell that a spreadsheet would take for a formula starts with a quote.
    assert overdue[1][1] == "'=HYPERLINK(\"x\")" and len(overdue) == 3
    trend = _csv(client.get("/c/comm-a/dashboard?format=csv&table=trend"))
    assert len(trend) == 13 and trend[-1][:3] == ["2026-11", "7", "4"]
    for name in dashboard_views.TABLES:
        assert client.get(f"/c/comm-a/dashboard?format=csv&table={name}").status_code == 200, name
    bad = client.get("/c/comm-a/dashboard?format=csv&table=passwords")
    assert bad.status_code == 400 and bad.mimetype == "text/html"


@pytest.mark.parametrize(("user", "status"), [("district", 200), ("staff-a", 403), ("res-a", 403)])
def test_csv_is_for_heads_and_district_only(client, auth, world, late_november, user, status):
    auth.login(user)
    assert client.get("/c/comm-a/dashboard?format=csv&table=staff").status_code == status


def test_strangers_and_other_communities_get_nothing(client, auth, world, late_november):
    response = client.get("/c/comm-a/dashboard?format=csv&table=staff")
    assert response.status_code in (302, 303, 401) and response.mimetype != "text/csv"
    auth.login("head-b")
    assert client.get("/c/comm-a/dashboard?format=csv&table=staff").status_code == 404
    assert client.get("/c/comm-a/dashboard").status_code == 404


def test_the_dashboard_in_english(client, auth, world, late_november):
    auth.login("head-a")
    page = client.get("/c/comm-a/dashboard?period=this_quarter&lang=en").get_data(as_text=True)
    assert "Per member of staff" in page and "The last 12 months" in page and "2026-Q4" in page
    assert "Overdue requests: 2 of 2, most overdue first" in page
    assert 'href="/c/comm-a/dashboard?format=csv&amp;table=staff&amp;period=this_quarter"' in page
