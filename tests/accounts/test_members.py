"""Sign-up, heads creating staff, district admins creating heads and communities, several communities."""

from __future__ import annotations

import pytest

from community_hall.accounts.models import Profile, User
from community_hall.tenancy import community_session, get_community, registry_session


@pytest.fixture
def people(build):
    build.two_communities()


SIGNUP = {"real_name": "王秀兰", "phone": "138 0013 8001", "address": "3-2-501", "username": "wangxl",
          "password": "secret-123", "confirm": "secret-123"}


def _user(app, username):
    with app.app_context():
        return registry_session().query(User).filter_by(username=username).one_or_none()


def test_resident_signs_up_and_is_signed_in(app, client, auth, people):
    response = auth.post("/c/comm-a/signup", SIGNUP)
    assert response.status_code == 302 and response.headers["Location"] == "/c/comm-a/"
    assert "居民" in client.get("/c/comm-a/").get_data(as_text=True) or "Resident" in client.get(
        "/c/comm-a/?lang=en").get_data(as_text=True)
    user = _user(app, "wangxl")
    with app.app_context():
        profile = community_session("comm-a").get(Profile, user.id)
        assert profile.real_name == "王秀兰" and profile.phone == "13800138001"
        assert community_session("comm-b").get(Profile, user.id) is None


@pytest.mark.parametrize("change", [
    {"username": "staff-a"},           # taken
    {"phone": "12345"},                # not a mobile number
    {"confirm": "different-1"},        # passwords differ
    {"password": "short", "confirm": "short"},
    {"real_name": ""},
    {"username": "Bad Name!"},
])
def test_bad_signups_change_nothing(app, client, auth, people, change):
    with app.app_context():
        before = registry_session().query(User).count()
    response = auth.post("/c/comm-a/signup", {**SIGNUP, **change})
    assert response.status_code == 200
    assert 'class="error-summary"' in response.get_data(as_text=True)
    with app.app_context():
        assert registry_session().query(User).count() == before
        assert community_session("comm-a").query(Profile).filter_by(real_name="王秀兰").count() == 0


def test_signup_of_unknown_community_is_404(client, auth, people):
    assert client.get("/c/nowhere/signup").status_code == 404


def test_head_creates_staff_but_not_heads(app, client, auth, people):
    auth.login("head-a")
    page = client.get("/c/comm-a/members/new").get_data(as_text=True)
    assert 'value="staff"' in page and 'value="head"' not in page
    ok = auth.post("/c/comm-a/members/new", {"role": "staff", "real_name": "李强", "username": "liqiang",
                                             "password": "secret-123", "phone": ""})
    assert ok.status_code == 302
    denied = auth.post("/c/comm-a/members/new", {"role": "head", "real_name": "某人", "username": "mouren",
                                                 "password": "secret-123"})
    assert denied.status_code == 200 and _user(app, "mouren") is None
    assert "liqiang" in client.get("/c/comm-a/members").get_data(as_text=True)


def test_staff_and_residents_cannot_create_people(client, auth, people):
    auth.login("staff-a")
    assert client.get("/c/comm-a/members/new").status_code == 403
    assert auth.post("/c/comm-a/members/new", {"role": "staff", "real_name": "x", "username": "xxx",
                                               "password": "secret-123"}).status_code == 403
    auth.logout()
    auth.login("res-a")
    assert client.get("/c/comm-a/members").status_code == 403


def test_district_admin_creates_heads_and_communities(app, client, auth, people):
    auth.login("district")
    ok = auth.post("/c/comm-b/members/new", {"role": "head", "real_name": "马建华", "username": "majianhua",
                                             "password": "secret-123"})
    assert ok.status_code == 302
    created = auth.post("/communities/new", {"name": "锦绣社区", "slug": "jinxiu", "street": "和平街道",
                                             "households": "2740", "residents": "7985"})
    assert created.status_code == 302 and created.headers["Location"] == "/c/jinxiu/"
    assert client.get("/c/jinxiu/members").status_code == 200  # the creator reads the new community
    dup = auth.post("/communities/new", {"name": "重复", "slug": "jinxiu"})
    assert dup.status_code == 200 and 'class="error-summary"' in dup.get_data(as_text=True)
    with app.app_context():
        assert get_community("jinxiu").households == 2740


def test_only_district_admins_create_communities(app, client, auth, people):
    auth.login("head-a")
    assert client.get("/communities/new").status_code == 403
    assert auth.post("/communities/new", {"name": "X", "slug": "xx"}).status_code == 403
    with app.app_context():
        assert get_community("xx") is None


def test_a_person_may_belong_to_several_communities(client, auth, build, people):
    build.grant("res-a", "comm-b", "resident")
    auth.login("res-a")
    page = client.get("/account").get_data(as_text=True)
    assert "甲社区" in page and "乙社区" in page


def test_phones_are_masked_in_lists(client, auth, people):
    auth.login("head-a")
    page = client.get("/c/comm-a/members").get_data(as_text=True)
    assert "138****0007" in page and "13800000007" not in page


def test_a_signed_in_person_joins_another_community(app, client, auth, people):
    auth.login("res-a")
    assert "/c/comm-b/join" in client.get("/c/comm-b/").get_data(as_text=True)
    bad = auth.post("/c/comm-b/join", {"real_name": "居民a", "phone": "999"})
    assert bad.status_code == 200 and 'class="error-summary"' in bad.get_data(as_text=True)
    assert auth.post("/c/comm-b/join", {"real_name": "居民a", "phone": ""}).status_code == 302
    assert "乙社区" in client.get("/account").get_data(as_text=True)
    again = auth.post("/c/comm-b/join", {"real_name": "居民a"})
    assert again.status_code == 200 and 'class="error-summary"' in again.get_data(as_text=True)


def test_join_needs_a_sign_in(client, people):
    response = client.get("/c/comm-b/join")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_public_sign_up_is_rate_limited(app, client, auth, people):
    app.config["PUBLIC_FORM_RATE_LIMIT"] = "2 per hour"
    for i in range(2):
        assert auth.post("/c/comm-a/signup", {**SIGNUP, "username": f"user{i}x"}).status_code == 302
        auth.logout()
    assert auth.post("/c/comm-a/signup", {**SIGNUP, "username": "user9x"}).status_code == 429
    assert _user(app, "user9x") is None
