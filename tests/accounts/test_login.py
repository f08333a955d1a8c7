"""Signing in and out: one message for any failure, rate limits, CSRF, password changes."""

from __future__ import annotations

import re

import pytest

from community_hall.accounts.services import DEMO_PASSWORD


@pytest.fixture
def people(build):
    build.two_communities()


def _error_summary(response) -> str:
    html = response.get_data(as_text=True)
    match = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    return match.group(0) if match else ""


def test_login_and_logout(client, auth, people):
    response = auth.login("staff-a")
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    page = client.get("/account").get_data(as_text=True)
    assert "甲社区" in page and "乙社区" not in page
    assert auth.logout().status_code == 302
    assert client.get("/account").status_code == 302  # back to the login page


def test_username_is_case_insensitive(client, auth, people):
    assert auth.login("STAFF-A").status_code == 302


def test_wrong_password_and_unknown_user_get_the_same_message(client, auth, people):
    wrong = auth.login("staff-a", "not-the-password")
    unknown = auth.login("nobody-at-all", "not-the-password")
    assert wrong.status_code == unknown.status_code == 200
    assert _error_summary(wrong) and _error_summary(wrong) == _error_summary(unknown)


def test_next_is_followed_only_within_the_site(client, auth, people):
    token = auth.csrf_token()
    ok = client.post("/login?next=/c/comm-a/members", data={"username": "staff-a", "password": "password123",
                                                            "csrf_token": token})
    assert ok.headers["Location"] == "/c/comm-a/members"
    auth.logout()
    evil = client.post("/login?next=//evil.example/x", data={"username": "staff-a", "password": "password123",
                                                             "csrf_token": auth.csrf_token()})
    assert evil.headers["Location"] == "/account"


def test_five_failures_for_a_username_from_one_address_give_429_with_the_wait(client, auth, people):
    for _ in range(5):
        assert auth.login("staff-a", "wrong-password").status_code == 200
    blocked = auth.login("staff-a", "password123")  # even the right password waits
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    text = blocked.get_data(as_text=True)
    assert re.search(r"(\d+) ?分钟", text) or re.search(r"(\d+) minutes", text)
    # Another username from the same address is not locked out by someone else's failures.
    assert auth.login("staff-b").status_code == 302


def test_successful_logins_do_not_count_towards_the_limit(client, auth, people):
    for _ in range(7):
        assert auth.login("staff-a").status_code == 302
        auth.logout()


def test_post_without_csrf_token_gets_the_reload_page_and_changes_nothing(client, auth, people):
    response = client.post("/login", data={"username": "staff-a", "password": "password123"})
    assert response.status_code == 400
    assert "reload" in client.post("/login?lang=en", data={}).get_data(as_text=True).lower()
    assert client.get("/account").status_code == 302  # not signed in


def test_stale_csrf_token_is_refused(client, auth, people):
    response = client.post("/login", data={"username": "staff-a", "password": "password123",
                                           "csrf_token": "IjEyMyI.stale.token"})
    assert response.status_code == 400


def test_htmx_requests_pass_csrf_in_a_header(client, auth, people):
    auth.login("staff-a")
    token = auth.csrf_token("/")
    assert client.post("/logout", headers={"HX-Request": "true"}).status_code == 400
    response = client.post("/logout", headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 302
    assert client.get("/account").status_code == 302


def test_change_password(client, auth, people):
    auth.login("res-a")
    bad = auth.post("/account/password", {"old_password": "wrong-one", "new_password": "new-secret-1",
                                          "confirm": "new-secret-1"})
    assert bad.status_code == 200 and _error_summary(bad)
    short = auth.post("/account/password", {"old_password": "password123", "new_password": "short",
                                            "confirm": "short"})
    assert _error_summary(short)
    ok = auth.post("/account/password", {"old_password": "password123", "new_password": "new-secret-1",
                                         "confirm": "new-secret-1"})
    assert ok.status_code == 302
    auth.logout()
    assert auth.login("res-a", "password123").status_code == 200
    assert auth.login("res-a", "new-secret-1").status_code == 302


def test_demo_passwords_are_refused_in_production(app, build):
    from community_hall.accounts.services import authenticate, create_user
    from community_hall.errors import HallError

    build.community("comm-a")
    build.user("demo-user", "comm-a", "staff", password=DEMO_PASSWORD)
    app.config["HALL_ENV"] = "production"
    with app.test_request_context():
        assert authenticate("demo-user", DEMO_PASSWORD) is None
        with pytest.raises(HallError):
            create_user("another", DEMO_PASSWORD)
    app.config["HALL_ENV"] = "test"
    with app.test_request_context():
        assert authenticate("demo-user", DEMO_PASSWORD) is not None


def test_production_needs_a_secret_key(monkeypatch, tmp_path):
    from community_hall.config import ConfigError, from_environment

    monkeypatch.setenv("HALL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        from_environment(str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "0123456789abcdef" * 2)
    assert from_environment(str(tmp_path))["SESSION_COOKIE_SECURE"] is True
