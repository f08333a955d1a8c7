"""On duty now: the public page and its JSON for the station's screens (names only, never phones)."""

from __future__ import annotations

from datetime import date

import pytest

from community_hall import clock as app_clock
from community_hall.rosters.models import Post
from tests.rosters.duty_fixtures import add, leave, local, post, shift, uid

MON = date(2026, 11, 23)
PHONE = "13912345678"


@pytest.fixture
def station(app, build, monkeypatch):

    build.two_communities()
    build.user("zhang", "comm-a", "staff", "张敏", phone=PHONE)
    build.user("li-q", "comm-a", "staff", "李强", phone="13700001111")
    ids = {name: uid(app, name) for name in ("head-a", "zhang", "li-q")}
    post(app, "SB", "社会保障岗", ids["zhang"], ids["li-q"], window="1号窗口")
    post(app, "MZ", "民政岗", ids["li-q"], ids["zhang"], window="2号窗口")
    post(app, "XX", "综合岗", None, None, window="")
    add(app, shift(ids["head-a"], MON), shift(ids["zhang"], MON), shift(ids["li-q"], MON, "10:00", "19:00", "late"),
        leave(ids["zhang"], MON, MON))
    app_clock.set_now(local(MON, "11:00"))
    return ids


def test_duty_json_schema_and_values(client, station):
    response = client.get("/c/comm-a/rosters/duty.json")
    assert response.status_code == 200 and response.is_json
    data = response.get_json()
    assert set(data) == {"posts", "at"} and data["at"] == "2026-11-23T11:00:00+08:00"
    for row in data["posts"]:
        assert set(row) == {"code", "name", "window", "on_duty", "reason", "until"}
        assert row["on_duty"] is None or set(row["on_duty"]) == {"name", "role"}
    by_code = {row["code"]: row for row in data["posts"]}
    assert by_code["SB"] == {"code": "SB", "name": "社会保障岗", "window": "1号窗口",
                             "on_duty": {"name": "李强", "role": "B"}, "reason": "a_on_leave",
                             "until": "2026-11-23T19:00:00+08:00"}
    assert by_code["MZ"]["on_duty"] == {"name": "李强", "role": "A"} and by_code["MZ"]["reason"] == "a_on_duty"
    assert by_code["XX"]["on_duty"] == {"name": "站长a", "role": "head"} and by_code["XX"]["reason"] == "both_away"
    assert by_code["XX"]["until"] == "2026-11-23T19:00:00+08:00"     # the station closes after the late shift


def test_nobody_on_duty_is_null(app, client, build, monkeypatch):

    build.community("comm-c")
    add(app, Post(code="SB", name="社会保障岗", window=""), slug="comm-c")
    app_clock.set_now(local(MON, "11:00"))
    data = client.get("/c/comm-c/rosters/duty.json").get_json()
    assert data["posts"] == [{"code": "SB", "name": "社会保障岗", "window": "", "on_duty": None, "reason": "no_roster",
                              "until": None}]


def test_duty_page_is_public_names_only_and_refreshes(client, station):
    page = client.get("/c/comm-a/rosters/duty").get_data(as_text=True)
    assert "社会保障岗" in page and "李强" in page
    assert 'hx-trigger="every 30s"' in page
    assert "19:00" in page
    fragment = client.get("/c/comm-a/rosters/duty", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "李强" in fragment


def test_no_phone_numbers_on_the_duty_page_or_json(client, station):
    for url in ("/c/comm-a/rosters/duty", "/c/comm-a/rosters/duty.json"):
        body = client.get(url).get_data(as_text=True)
        assert PHONE not in body and "13700001111" not in body


def test_the_community_home_links_the_duty_page(client, station):
    assert "/c/comm-a/rosters/duty" in client.get("/c/comm-a/").get_data(as_text=True)


def test_unknown_community_is_404(client, station):
    assert client.get("/c/nowhere/rosters/duty.json").status_code == 404
