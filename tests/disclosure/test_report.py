"""The monthly report: figures of a hand-computed and an empty month, bad months, who may see it; the XLSX
export of the dashboard's tables; the public page and JSON for a past month or quarter."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from community_hall import clock as app_clock
from community_hall.disclosure import dashboard_views
from tests.disclosure.conftest import LATE_NOVEMBER, NAME, local
from tests.disclosure.test_views import NOVEMBER
from tests.test_i18n import zh


@pytest.fixture
def late_november(monkeypatch):
    app_clock.set_now(LATE_NOVEMBER)


def _table(page: str, name: str) -> str:
    return page.split(f'id="report-{name}"')[1].split("</table>")[0]


def _row(table: str, first: str) -> str:
    return table.split(first)[1].split("</tr>")[0]


def test_the_report_of_november_by_hand(client, auth, world, seed, late_november):
    """November 2026 (see the world fixture): 7 received, 4 finished of which 3 on time; ratings 5, 2, 1, 3
    (50% satisfied); bad ratings 2, one put right; two complaints, one answered; at the report's time (28 Nov)
    t4 and t8 are overdue, t9 is returned and so not."""
    seed.ticket(local(2026, 11, 8, 9), kind="complaint", finished=local(2026, 11, 9, 9))
    seed.ticket(local(2026, 11, 9, 9), kind="complaint", status="accepted")
    auth.login("head-a")
    response = client.get("/c/comm-a/report?month=2026-11&lang=en")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "monthly report, 2026-11" in page and "Issued by" in page and "2026-11-28 12:00" in page
    assert ("This month 7 requests were received and 4 finished; the on-time rate was 75%. 2 complaints were "
            "received and 1 answered; 2 requests were overdue at the end of the month.") in page
    targets = _table(page, "targets")
    assert "50%" in _row(targets, "Satisfaction rate") and "Not met" in _row(targets, "Satisfaction rate")
    assert "≥ 95%" in targets and "≥ 5" in _row(targets, "Volunteer service teams")
    assert "50%" in _row(targets, "Bad ratings put right")
    posts = _table(page, "posts")
    assert "社会保障岗" in posts and "66.7%" in posts and "1.8" in posts
    assert "员工乙" in _table(page, "staff")
    complaints = _table(page, "complaints")
    assert ">1<" in _row(complaints, "Done") and ">1<" in _row(complaints, "Accepted")
    assert 'id="chart-trend"' in page and "2025-12 to 2026-11" in page
    assert NAME not in page
    assert 'href="/c/comm-a/dashboard?month=2026-11"' in page


def test_the_report_in_chinese_and_a_past_month_whose_trend_ends_with_it(client, auth, world, late_november):
    auth.login("head-a")
    page = client.get("/c/comm-a/report?month=2026-10").get_data(as_text=True)
    summary = page.split('class="report-summary">')[1].split("</p>")[0]
    assert summary == zh("This month %(received)s requests were received and %(finished)s finished; the on-time rate "
                         "was %(on_time)s.") % {"received": 1, "finished": 0, "on_time": "—"} + " " + zh(
        "%(complaints)s complaints were received and %(answered)s answered; %(overdue)s requests were overdue at "
        "the end of the month.") % {"complaints": 0, "answered": 0, "overdue": 0}
    assert "2025-11" in page and "2026-10" in page and "2026-11</td>" not in page


def test_an_empty_month(client, auth, world, late_november):
    auth.login("head-a")
    response = client.get("/c/comm-a/report?month=2026-02&lang=en")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This month 0 requests were received and 0 finished; the on-time rate was —." in page
    assert "0 requests were overdue at the end of the month" in page
    assert "—" in _row(_table(page, "targets"), "Satisfaction rate")


@pytest.mark.parametrize("month", ["2026-12", "2025-10", "2026-13", "abc", "1999-01"])
def test_a_bad_month_gets_a_clear_message_and_this_month(client, auth, world, late_november, month):
    auth.login("head-a")
    response = client.get(f"/c/comm-a/report?month={month}&lang=en")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="error-summary"' in page and "from 2025-11 to 2026-11" in page
    assert "monthly report, 2026-11" in page


@pytest.mark.parametrize(("user", "status"), [("district", 200), ("staff-a", 403), ("res-a", 403), ("head-b", 404)])
def test_who_may_see_the_report(client, auth, world, late_november, user, status):
    auth.login(user)
    assert client.get("/c/comm-a/report?month=2026-11").status_code == status


def test_strangers_are_sent_to_sign_in(client, world, late_november):
    assert client.get("/c/comm-a/report").status_code in (302, 303, 401)


def test_the_dashboard_links_the_report_and_the_workbook(client, auth, world, late_november):
    auth.login("head-a")
    page = client.get("/c/comm-a/dashboard?month=2026-10").get_data(as_text=True)
    assert 'href="/c/comm-a/report?month=2026-10"' in page
    assert 'href="/c/comm-a/dashboard?format=xlsx&amp;month=2026-10"' in page
    assert 'href="/c/comm-a/dashboard?format=xlsx&amp;table=staff&amp;month=2026-10"' in page


def _book(response):
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.get_data()))


def test_the_workbook_holds_every_table(client, auth, world, late_november):
    auth.login("head-a")
    response = client.get("/c/comm-a/dashboard?format=xlsx&month=2026-11")
    assert 'filename="dashboard-comm-a-all-2026-11.xlsx"' in response.headers["Content-Disposition"]
    book = _book(response)
    assert book.sheetnames == list(dashboard_views.TABLES)
    posts = [[c.value for c in row] for row in book["posts"].iter_rows()]
    assert posts[0][0] == "岗位" and ["社会保障岗", "4", "3", "66.7%", "1.8", "3", "66.7%"] in posts
    trend = [[c.value for c in row] for row in book["trend"].iter_rows()]
    assert len(trend) == 13 and trend[-1][:3] == ["2026-11", "7", "4"]
    # A cell a spreadsheet would take for a formula is stored as text, unchanged.
    cell = book["overdue"].cell(row=2, column=2)
    assert cell.value == '=HYPERLINK("x")' and cell.data_type == "s"
    assert book["overdue"].cell(row=1, column=1).font.bold


def test_one_table_as_xlsx_in_english(client, auth, world, late_november):
    auth.login("head-a")
    response = client.get("/c/comm-a/dashboard?format=xlsx&table=staff&lang=en")
    assert 'filename="dashboard-comm-a-staff-2026-11.xlsx"' in response.headers["Content-Disposition"]
    book = _book(response)
    assert book.sheetnames == ["staff"]
    rows = [[c.value for c in row] for row in book["staff"].iter_rows()]
    assert rows[0][:2] == ["Name", "Handled"] and any(row[0] == "员工乙" and row[1] == "0" for row in rows)
    bad = client.get("/c/comm-a/dashboard?format=xlsx&table=passwords")
    assert bad.status_code == 400 and bad.mimetype == "text/html"


@pytest.mark.parametrize(("user", "status"), [("district", 200), ("staff-a", 403), ("res-a", 403), ("head-b", 404)])
def test_the_workbook_is_for_heads_and_district_only(client, auth, world, late_november, user, status):
    auth.login(user)
    assert client.get("/c/comm-a/dashboard?format=xlsx").status_code == status


# --- the public page for a past month or quarter ----------------------------------------------------
@pytest.fixture
def november(monkeypatch):
    app_clock.set_now(NOVEMBER)


def test_json_of_a_past_month_and_quarter(client, mix, november):
    october = client.get("/c/comm-a/disclosure.json?month=2026-10")
    assert october.status_code == 200
    data = october.get_json()
    assert data["period"] == "2026-10" and data["tickets"]["received"] == 1 and data["tickets"]["finished"] == 0
    quarter = client.get("/c/comm-a/disclosure.json?quarter=2026-q4").get_json()
    assert quarter["period"] == "2026-Q4" and quarter["tickets"]["received"] == 8
    assert client.get("/c/comm-a/disclosure.json?quarter=2026-Q3").get_json()["tickets"]["received"] == 0


@pytest.mark.parametrize("query", ["month=2026-12", "month=2026-1", "quarter=2027-Q1", "quarter=2026-Q5",
                                   "quarter=Q3"])
def test_a_bad_past_period_is_refused_with_this_month(client, mix, november, query):
    response = client.get(f"/c/comm-a/disclosure.json?{query}&lang=en")
    assert response.status_code == 400
    data = response.get_json()
    assert data["period"] == "2026-11" and ("YYYY-MM" in data["error"] or "YYYY-Qn" in data["error"])
    page = client.get(f"/c/comm-a/disclosure?{query}")
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and 'class="error-summary"' in html and "2026-11" in html


def test_the_public_page_of_a_past_month_in_both_languages(client, mix, november):
    html = client.get("/c/comm-a/disclosure?month=2026-10").get_data(as_text=True)
    assert "2026-10" in html.split('class="lead"')[1].split("</p>")[0]
    assert 'aria-current="page"' not in html.split("period-switch")[1].split("</nav>")[0]
    assert zh("A past month (YYYY-MM)") in html and 'value="2026-10"' in html
    english = client.get("/c/comm-a/disclosure?quarter=2026-Q3&lang=en").get_data(as_text=True)
    assert "Figures for 2026-Q3" in english and "Or a past quarter (YYYY-Qn)" in english
    assert NAME not in html
