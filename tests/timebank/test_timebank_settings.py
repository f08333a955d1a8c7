"""A community's own star thresholds: validation, and stars everywhere follow them (the card too)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from community_hall.accounts.models import User
from community_hall.tenancy import community_session, registry_session
from community_hall.timebank import ledger, stars
from community_hall.timebank.settings import save_thresholds, stored_thresholds
from community_hall.timebank.volunteer_models import Volunteer

HEAD = SimpleNamespace(user_id=1, name="站长")
GOOD = {"star1": "10", "star2": "20", "star3": "30", "star4": "40", "star5": "50"}


@pytest.fixture
def hall(app, build, client):
    build.two_communities()
    client.get("/?lang=en")
    with app.app_context():
        uid = registry_session().query(User).filter_by(username="res-a").one().id
        ledger.credit_service(community_session("comm-a"), uid, 15 * 60, "activity:1", "c1", HEAD)
    return uid


def test_default_thresholds_come_from_the_setting(app, hall):
    app.config["TIMEBANK_STAR_HOURS"] = (1, 2, 3, 4, 5)
    with app.app_context():
        assert stars.thresholds_for(community_session("comm-a")) == (1, 2, 3, 4, 5)


@pytest.mark.parametrize("changes, message", [
    ({"star3": "20"}, "Each star needs more hours than the star before it."),
    ({"star1": "0"}, "Each threshold must be between 1 and 100000 hours."),
    ({"star5": "100001"}, "Each threshold must be between 1 and 100000 hours."),
    ({"star2": "2.5"}, "Enter a whole number."),
    ({"star4": ""}, "Enter a whole number."),
])
def test_bad_thresholds_are_refused_and_change_nothing(app, client, auth, hall, changes, message):
    auth.login("head-a")
    response = auth.post("/c/comm-a/timebank/ledger/stars", {**GOOD, **changes})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    with app.app_context():
        assert stored_thresholds(community_session("comm-a")) is None


def test_only_the_head_sets_thresholds(app, client, auth, hall):
    auth.login("staff-a")
    assert auth.post("/c/comm-a/timebank/ledger/stars", GOOD).status_code == 403
    auth.login("head-b")
    assert auth.post("/c/comm-a/timebank/ledger/stars", GOOD).status_code == 404


def test_stars_follow_the_community_thresholds(app, client, auth, hall):
    auth.login("res-a")
    assert "Star level: 0 of 5" in client.get("/c/comm-a/timebank/hours").get_data(as_text=True)
    auth.login("head-a")
    assert auth.post("/c/comm-a/timebank/ledger/stars", GOOD).status_code == 303
    with app.app_context():
        assert stars.thresholds_for(community_session("comm-a")) == (10, 20, 30, 40, 50)
        assert stars.thresholds_for(community_session("comm-b")) == (100, 300, 600, 1000, 1500)
    assert "居民a: from 0 to 1 stars" in client.get("/c/comm-a/timebank/ledger").get_data(as_text=True)
    auth.login("res-a")
    html = client.get("/c/comm-a/timebank/hours").get_data(as_text=True)
    assert "Star level: 1 of 5" in html and "To the next level (20 hours): 5 h 0 min to go" in html


def test_the_volunteer_card_shows_stars_and_hours(app, client, auth, hall):
    with app.app_context():
        save_thresholds(community_session("comm-a"), [10, 20, 30, 40, 50], 1)
        from community_hall.tenancy import utcnow
        community_session("comm-a").add(Volunteer(
            user_id=hall, real_name="王小明", phone="13912345678", id_number="", skills="", skills_other="",
            availability="", teams_wanted="", emergency_name="王大明", emergency_phone="13811112222",
            consent_at=utcnow(), status="approved", decline_reason="", seq=1, number="COMM-A-V-0001",
            applied_at=utcnow()))
        community_session("comm-a").commit()
    auth.login("res-a")
    card = client.get("/c/comm-a/timebank/card").get_data(as_text=True)
    assert "Star level: 1 of 5" in card and "Service hours in total: 15 h 0 min" in card
    assert "counted once service hours are recorded" not in card
