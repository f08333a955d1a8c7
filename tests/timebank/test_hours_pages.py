"""The hours pages: balance, stars, statement, gifts (with confirmation, once per form), the head's ledger page."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from community_hall.accounts.models import User
from community_hall.tenancy import community_session, registry_session
from community_hall.timebank import ledger
from community_hall.timebank.ledger_models import LedgerMovement

HEAD = SimpleNamespace(user_id=1, name="站长")


@pytest.fixture
def hall(app, build, client):
    """comm-a and comm-b with their people; res-a has 12 h 30 min of service in comm-a; pages in English."""
    build.two_communities()
    build.user("res-a2", "comm-a", "resident", "居民a2", phone="13900000002")
    client.get("/?lang=en")
    with app.app_context():
        ids = {u.username: u.id for u in registry_session().query(User)}
        ledger.credit_service(community_session("comm-a"), ids["res-a"], 750, "activity:1", "c1", HEAD)
    return SimpleNamespace(ids=ids, balance=lambda name, slug="comm-a": _balance(app, slug, ids, name))


def _balance(app, slug, ids, name):
    with app.app_context():
        account = "pool" if name == "pool" else ledger.person(ids[name])
        return ledger.balance(community_session(slug), account)


def _key(html: str) -> str:
    return re.search(r'name="key" type="hidden" value="([0-9a-f]+)"', html).group(1)


def test_my_hours_shows_balance_stars_and_statement(client, auth, hall):
    auth.login("res-a")
    html = client.get("/c/comm-a/timebank/hours").get_data(as_text=True)
    assert "12 h 30 min" in html
    assert "Star level: 0 of 5" in html and "<progress" in html and "87 h 30 min to go" in html
    assert "Service credited" in html and "Activity 1" in html and "+12 h 30 min" in html


def test_the_statement_is_paged_newest_first(app, client, auth, hall):
    with app.app_context():
        for i in range(2, 25):
            ledger.credit_service(community_session("comm-a"), hall.ids["res-a"], 1, f"activity:{i}", f"k{i}", HEAD)
    auth.login("res-a")
    first = client.get("/c/comm-a/timebank/hours").get_data(as_text=True)
    assert "Activity 24" in first and "Activity 1<" not in first and "Page 1 of 2" in first
    second = client.get("/c/comm-a/timebank/hours?page=2").get_data(as_text=True)
    assert "Activity 1<" in second and "Activity 24" not in second


def test_giving_to_the_pool_asks_first_and_a_double_submit_gives_once(client, auth, hall):
    auth.login("res-a")
    key = _key(client.get("/c/comm-a/timebank/hours").get_data(as_text=True))
    form = {"target": "pool", "to": "", "hours": "12", "minutes": "0", "key": key}
    review = auth.post("/c/comm-a/timebank/hours/donate", form)
    assert "Give 12 h 0 min to the donation pool?" in review.get_data(as_text=True)
    assert hall.balance("res-a") == 750                       # nothing happens before confirming
    for _ in range(2):
        assert auth.post("/c/comm-a/timebank/hours/donate", {**form, "confirmed": "yes"}).status_code == 303
    assert hall.balance("res-a") == 30 and hall.balance("pool") == 720


def test_giving_to_a_family_member_by_phone_or_username(app, build, client, auth, hall):
    build.user("mum-a", "comm-a", "resident", "王妈妈", phone="13900000001")
    with app.app_context():
        mum = registry_session().query(User).filter_by(username="mum-a").one().id
    auth.login("res-a")
    base = {"target": "person", "hours": "1", "minutes": "15", "confirmed": "yes"}
    review = auth.post("/c/comm-a/timebank/hours/donate", {**base, "to": "13900000001", "key": "a1", "confirmed": ""})
    assert "Give 1 h 15 min to 王** (139****0001)?" in review.get_data(as_text=True)
    auth.post("/c/comm-a/timebank/hours/donate", {**base, "to": "13900000001", "key": "a1"})
    auth.post("/c/comm-a/timebank/hours/donate", {**base, "to": "mum-a", "key": "a2", "minutes": "0"})
    with app.app_context():
        assert ledger.balance(community_session("comm-a"), ledger.person(mum)) == 135
    assert hall.balance("res-a") == 615
    html = client.get("/c/comm-a/timebank/hours").get_data(as_text=True)
    assert "Gift of hours" in html and "To 王妈妈" in html


@pytest.mark.parametrize("to, hours, message", [
    ("res-a2", "13", "You do not have that many hours."),
    ("staff-a", "1", "No member of this community has that username or phone number."),    # not a resident
    ("nobody", "1", "No member of this community has that username or phone number."),
    ("pool", "1", "No member of this community has that username or phone number."),   # a person, not the pool
    ("res-b", "1", "No member of this community has that username or phone number."),    # of another community
    ("res-a", "1", "You cannot give hours to yourself."),
    ("13800000007", "1", "You cannot give hours to yourself."),
    ("", "1", "Give the username or mobile phone number of the person."),
    ("res-a2", "0", "The number of minutes must be a whole number above zero."),
    ("res-a2", "501", "Between 0 and 500 hours."),
])
@pytest.mark.parametrize("confirmed", ["", "yes"])
def test_refused_gifts_change_nothing(client, auth, hall, to, hours, message, confirmed):
    auth.login("res-a")
    response = auth.post("/c/comm-a/timebank/hours/donate", {"target": "person", "to": to, "hours": hours,
                                                            "minutes": "0", "key": "k", "confirmed": confirmed})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert hall.balance("res-a") == 750 and hall.balance("res-a2") == 0 and hall.balance("pool") == 0


def test_head_pages_only_for_the_head(client, auth, hall):
    for who in ("res-a", "staff-a", "district"):
        auth.login(who)
        assert client.get("/c/comm-a/timebank/ledger").status_code == 403
        assert auth.post("/c/comm-a/timebank/ledger/overdraft", {"person": "res-a", "hours": "5"}).status_code == 403
        assert client.get("/c/comm-a/timebank/hours").status_code == 200
    auth.login("head-b")
    assert client.get("/c/comm-a/timebank/ledger").status_code == 404
    assert client.get("/c/comm-a/timebank/hours").status_code == 404
    auth.login("head-a")
    html = client.get("/c/comm-a/timebank/ledger").get_data(as_text=True)
    assert "居民a" in html and "138****0007" in html and "12 h 30 min" in html and "-12 h 30 min" in html


def _movement(app, key):
    with app.app_context():
        return community_session("comm-a").query(LedgerMovement).filter_by(idem_key=key).one().id


def test_reversal_needs_a_reason_and_happens_once(app, client, auth, hall):
    mid = _movement(app, "c1")
    auth.login("head-a")
    page = client.get(f"/c/comm-a/timebank/ledger/movements/{mid}/reverse").get_data(as_text=True)
    assert "Reverse movement" in page and "居民a +12 h 30 min" in page
    empty = auth.post(f"/c/comm-a/timebank/ledger/movements/{mid}/reverse", {"reason": "  "})
    assert empty.status_code == 422 and hall.balance("res-a") == 750
    done = auth.post(f"/c/comm-a/timebank/ledger/movements/{mid}/reverse", {"reason": "记错了人"})
    assert done.status_code == 303 and hall.balance("res-a") == 0
    again = auth.post(f"/c/comm-a/timebank/ledger/movements/{mid}/reverse", {"reason": "再来一次"})
    assert "This movement has already been reversed." in again.get_data(as_text=True) and hall.balance("res-a") == 0
    assert client.get("/c/comm-a/timebank/ledger/movements/999/reverse").status_code == 404


@pytest.mark.parametrize("hours, ok", [("0", True), ("500", True), ("501", False), ("-1", False), ("x", False)])
def test_overdraft_limits(app, client, auth, hall, hours, ok):
    auth.login("head-a")
    response = auth.post("/c/comm-a/timebank/ledger/overdraft", {"person": "staff-a", "hours": hours})
    assert response.status_code == (303 if ok else 422)
    with app.app_context():
        assert ledger.floor(community_session("comm-a"), ledger.person(hall.ids["staff-a"])) == \
            (-int(hours) * 60 if ok else 0)


def test_an_overdraft_cannot_be_given_away_and_unknown_people_are_refused(client, auth, hall, app):
    auth.login("head-a")
    refused = auth.post("/c/comm-a/timebank/ledger/overdraft", {"person": "res-b", "hours": "5"})
    assert "No member of this community" in refused.get_data(as_text=True)
    auth.post("/c/comm-a/timebank/ledger/overdraft", {"person": "staff-a", "hours": "5"})
    with app.app_context():
        assert ledger.floor(community_session("comm-a"), ledger.person(hall.ids["staff-a"])) == -300
    auth.login("staff-a")
    page = auth.post("/c/comm-a/timebank/hours/donate", {"target": "pool", "hours": "3", "minutes": "0", "key": "z",
                                                        "confirmed": "yes"}, follow_redirects=True)
    # The overdraft is credit for services here: giving it to the pool would make hours nobody earned.
    assert "You do not have that many hours." in page.get_data(as_text=True)
    assert hall.balance("staff-a") == 0


def test_new_star_levels_since_a_date(app, client, auth, hall):
    with app.app_context():
        ledger.credit_service(community_session("comm-a"), hall.ids["res-a"], 6000, "activity:9", "c9", HEAD)
    auth.login("head-a")
    html = client.get("/c/comm-a/timebank/ledger").get_data(as_text=True)
    assert "居民a: from 0 to 1 stars" in html
    later = client.get("/c/comm-a/timebank/ledger?since=2999-01-01").get_data(as_text=True)
    assert "居民a: from" not in later


def test_pages_in_chinese(client, auth, hall):
    client.get("/?lang=zh_CN")
    auth.login("res-a")
    html = client.get("/c/comm-a/timebank/hours").get_data(as_text=True)
    assert "12 小时 30 分" in html and "我的时长" in html and "星级：0 星" in html
