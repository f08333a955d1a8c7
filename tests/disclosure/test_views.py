"""The public disclosure page and disclosure.json: no login, exact JSON shape, no personal data, both languages."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from community_hall import clock as app_clock
from tests.disclosure.conftest import NAME, PHONE
from tests.rosters.duty_fixtures import post, uid
from tests.test_i18n import zh

NOVEMBER = datetime(2026, 11, 15, 4, tzinfo=UTC)
RATE = (float, type(None))
SCHEMA = {
    "period": str,
    "tickets": {"received": int, "finished": int, "on_time_rate": RATE, "avg_days": RATE, "online_rate": RATE,
                "one_trip_rate": RATE},
    "satisfaction_rate": RATE,
    "bad_ratings": {"received": int, "followed_up": int, "rectified": int},
    "complaints": {"received": int, "answered": int},
    "volunteers": {"registered": int, "registration_rate": RATE, "hours": (float, int)},
    "updated_at": str,
}


def check_schema(data, schema, where="$"):
    """Exactly the keys of the schema, each of its type (a dict for a nested object); rates within 0-100."""
    assert isinstance(data, dict), where
    assert set(data) == set(schema), (where, sorted(set(data) ^ set(schema)))
    for key, kind in schema.items():
        if isinstance(kind, dict):
            check_schema(data[key], kind, f"{where}.{key}")
            continue
        assert isinstance(data[key], kind) and not isinstance(data[key], bool), (where, key, data[key])
        if key.endswith("_rate") and data[key] is not None:
            assert 0 <= data[key] <= 100, (where, key, data[key])


@pytest.fixture
def november(monkeypatch):
    app_clock.set_now(NOVEMBER)


def test_json_has_exactly_the_schema_and_the_month(client, mix, november):
    response = client.get("/c/comm-a/disclosure.json")
    assert response.status_code == 200 and response.is_json
    data = response.get_json()
    check_schema(data, SCHEMA)
    assert data["period"] == "2026-11" and data["updated_at"] == "2026-11-15T12:00:00+08:00"
    assert data["tickets"] == {"received": 6, "finished": 4, "on_time_rate": 75.0, "avg_days": 1.4,
                               "online_rate": 50.0, "one_trip_rate": 75.0}
    assert data["satisfaction_rate"] == 50.0
    assert data["bad_ratings"] == {"received": 2, "followed_up": 2, "rectified": 1}
    assert data["complaints"] == {"received": 2, "answered": 1}
    assert "max-age=60" in response.headers["Cache-Control"]


def test_json_for_the_quarter_and_an_empty_community(client, mix, build, november):
    data = client.get("/c/comm-a/disclosure.json?period=quarter").get_json()
    check_schema(data, SCHEMA)
    assert data["period"] == "2026-Q4" and data["tickets"]["received"] == 8
    empty = client.get("/c/comm-b/disclosure.json?period=nonsense").get_json()
    check_schema(empty, SCHEMA)
    assert empty["period"] == "2026-11" and empty["tickets"]["on_time_rate"] is None
    assert empty["satisfaction_rate"] is None


def test_no_personal_data_in_page_or_json(app, client, mix, build, november):
    build.user("zhang", "comm-a", "staff", "张敏", phone="13700001111")
    post(app, "SB", "社会保障岗", uid(app, "zhang"), None, window="1号窗口")
    outputs = [client.get(f"/c/comm-a/disclosure{suffix}").get_data(as_text=True)
               for suffix in ("", "?period=quarter", ".json", ".json?period=quarter")]
    assert "社会保障岗" in outputs[0]          # the page does show the posts (staff names are public duty)
    for output in outputs:
        for secret in (NAME, PHONE, PHONE[-4:], "居民a", "13800000007", "13700001111", "COMM-A-T-0001"):
            assert secret not in output


def test_page_in_chinese_with_charts_tables_and_dashes(client, build, november):
    build.two_communities()
    response = client.get("/c/comm-a/disclosure")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"<h1>{zh('Public disclosure of service results')}</h1>" in html
    assert html.count('role="img"') == 2 and html.count("<title id=") == 2 and html.count("<desc id=") == 2
    for chart_id in ("chart-counts", "chart-rates"):
        assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in html
    assert html.count('class="data chart-table"') == 2 and 'class="chart-summary"' in html
    assert "—" in html and zh("“—” means there was nothing to count in this period.") in html
    assert 'aria-current="page"' in html and "2026-11" in html
    assert "style=" not in html.split("<main", 1)[1]


def test_page_in_english_for_the_quarter(client, mix, november):
    html = client.get("/c/comm-a/disclosure?period=quarter&lang=en").get_data(as_text=True)
    assert "<h1>Public disclosure of service results</h1>" in html
    assert "Figures for 2026-Q4" in html
    assert "8 requests received and 4 finished; 2 complaints received and 1 answered." in html
    current = re.search(r'<a href="[^"]*period=quarter"\s*aria-current="page">([^<]+)</a>', html)
    assert current and current.group(1) == "This quarter"
    # the rates chart: satisfied ratings 3 of 5 = 60% against the 95% target, shown in its table
    assert "<th scope=\"row\">Satisfied ratings</th><td>60%</td><td>95%</td>" in html


def test_community_home_links_to_disclosure(client, build):
    build.two_communities()
    html = client.get("/c/comm-a/").get_data(as_text=True)
    assert 'href="/c/comm-a/disclosure"' in html


def test_unknown_community_is_404(client, build):
    build.two_communities()
    assert client.get("/c/nope/disclosure").status_code == 404
    assert client.get("/c/nope/disclosure.json").status_code == 404
