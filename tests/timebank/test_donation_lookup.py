"""The gift form's lookup of a person: limited per user, only residents of this community, names masked (hole 9)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from community_hall.accounts.models import User
from community_hall.tenancy import community_session, registry_session
from community_hall.timebank import ledger

HEAD = SimpleNamespace(user_id=1, name="站长")


@pytest.fixture
def hall(app, build, client):
    """comm-a's people, 周德明 a resident with phone 13900009002; res-a has 2 hours; pages in English."""
    build.two_communities()
    build.user("zhou", "comm-a", "resident", "周德明", phone="13900009002")
    client.get("/?lang=en")
    with app.app_context():
        uid = registry_session().query(User).filter_by(username="res-a").one().id
        ledger.credit_service(community_session("comm-a"), uid, 120, "activity:1", "c1", HEAD)


def _lookup(auth, to, key="k1"):
    return auth.post("/c/comm-a/timebank/hours/donate", {"target": "person", "to": to, "hours": "0", "minutes": "5",
                                                        "key": key, "confirmed": ""})


def test_the_confirmation_shows_only_a_masked_name_and_phone(client, auth, hall):
    auth.login("res-a")
    for who in ("13900009002", "zhou"):
        page = _lookup(auth, who).get_data(as_text=True)
        assert "Give 0 h 5 min to 周** (139****9002)?" in page
        assert "周德明" not in page
        assert page.replace(f'name="to" value="{who}"', "").count("13900009002") == 0    # only what was typed


@pytest.mark.parametrize("who", ["staff-a", "head-a", "district", "res-b", "13800000002", "nobody"])
def test_only_residents_of_this_community_are_found_and_nobody_found_is_said_plainly(client, auth, hall, who):
    auth.login("res-a")
    response = _lookup(auth, who)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "No member of this community has that username or phone number." in page
    assert "员工a" not in page and "站长a" not in page


def test_the_lookup_is_limited_per_user(app, client, auth, hall):
    app.config["DONATION_LOOKUP_RATE_LIMIT"] = "3 per hour"
    auth.login("res-a")
    codes = [_lookup(auth, f"1390000{n:04d}").status_code for n in range(3)] + [_lookup(auth, "zhou").status_code]
    assert codes == [422, 422, 422, 429]
    pool = auth.post("/c/comm-a/timebank/hours/donate", {"target": "pool", "hours": "0", "minutes": "5", "key": "p",
                                                        "confirmed": ""})
    assert pool.status_code == 200                      # the pool is no lookup of a person
    auth.login("res-b")                                 # another user has their own count
    assert auth.post("/c/comm-b/timebank/hours/donate", {"target": "person", "to": "x", "hours": "0", "minutes": "5",
                                                        "key": "k", "confirmed": ""}).status_code == 422
