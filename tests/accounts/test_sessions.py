"""Sessions: a new session at sign-in (no fixation), logout everywhere on a password change, a fresh sign-in after
a change of roles; security headers on every kind of response; cookie flags in production."""

from __future__ import annotations

import pytest

from community_hall import create_app
from community_hall.accounts.identity import SESSION_KEY
from community_hall.migrate import upgrade_registry
from community_hall.security import CSP
from community_hall.tenancy import tenancy
from tests.conftest import AuthActions
from tests.helpers import csrf_in


@pytest.fixture
def people(build):
    build.two_communities()


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_sign_in_starts_a_new_session(client, auth, people):
    token_before = auth.csrf_token()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"   # a session fixed before sign-in
        before = dict(session)
    assert auth.login("staff-a").status_code == 302
    with client.session_transaction() as session:
        after = dict(session)
    assert "planted" not in after
    assert before["csrf_token"] and after.get("csrf_token") != before["csrf_token"]
    assert SESSION_KEY in after and after["_user_id"]
    assert auth.csrf_token("/account") != token_before
    assert _signed_in(client)


def test_a_password_change_signs_out_every_other_session(app, people):
    first, second = app.test_client(), app.test_client()
    auth_first, auth_second = AuthActions(first), AuthActions(second)
    auth_first.login("staff-a")
    auth_second.login("staff-a")
    with second.session_transaction() as session:
        old_cookie_session = dict(session)
    assert _signed_in(first) and _signed_in(second)
    changed = auth_first.post("/account/password", {"old_password": "password123", "new_password": "another-pass-2",
                                                    "confirm": "another-pass-2"})
    assert changed.status_code == 302
    assert _signed_in(first)          # the session that changed it goes on, renewed
    assert not _signed_in(second)     # the other one is over
    third = app.test_client()         # nor does replaying the old session cookie work anywhere
    with third.session_transaction() as session:
        session.update(old_cookie_session)
    assert not _signed_in(third)
    assert AuthActions(third).login("staff-a", "another-pass-2").status_code == 302
    assert _signed_in(third)


def test_a_new_role_needs_a_fresh_sign_in(app, build, client, auth, people):
    auth.login("res-b")
    assert _signed_in(client)
    build.grant("res-b", "comm-a", "staff")      # a privilege change made elsewhere (a head, the CLI)
    assert not _signed_in(client)
    auth.login("res-b")
    assert client.get("/c/comm-a/queue").status_code == 200


def test_joining_a_community_renews_the_session_without_signing_out(client, auth, people):
    auth.login("res-b")
    joined = auth.post("/c/comm-a/join", {"real_name": "居民乙", "phone": "", "address": ""})
    assert joined.status_code == 302
    assert _signed_in(client)
    assert client.get("/c/comm-a/").status_code == 200


# --- headers ---------------------------------------------------------------------------------------------
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _assert_headers(response):
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (name, response.status_code)
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]


def test_every_kind_of_response_has_the_security_headers(client, auth, people):
    auth.login("staff-a")
    responses = {
        "page": client.get("/c/comm-a/"),
        "fragment": client.get("/c/comm-a/queue", headers={"HX-Request": "true"}),
        "json": client.get("/c/comm-a/disclosure.json"),
        "error": client.get("/c/comm-a/no-such-page"),
        "forbidden": client.get("/c/comm-b/members"),
        "static": client.get("/static/css/hall.css"),
        "redirect": auth.logout(),
    }
    assert responses["page"].status_code == 200 and responses["page"].mimetype == "text/html"
    assert responses["fragment"].status_code == 200 and "<html" not in responses["fragment"].get_data(as_text=True)
    assert responses["json"].is_json
    assert responses["error"].status_code == 404
    assert responses["static"].status_code == 200
    for response in responses.values():
        _assert_headers(response)
        response.close()


# --- cookies in production -------------------------------------------------------------------------------
@pytest.fixture
def production_app(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("HALL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "0123456789abcdef-production-key-for-tests-only")
    monkeypatch.setenv("HALL_DATA_DIR", str(tmp_path / "prod"))
    if database_url:
        monkeypatch.setenv("DATABASE_URL", database_url)
    else:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    app.config.update(PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    with app.app_context():
        upgrade_registry(tenancy())
        from community_hall.accounts.services import create_user

        create_user("prod-user", "a-strong-password-1")
        from community_hall.tenancy import registry_session

        registry_session().commit()
    yield app
    app.extensions["tenancy"].dispose()


def _cookie(response, name: str) -> str:
    found = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    assert found, f"no {name} cookie set"
    return found[-1]


def test_production_cookies_are_secure_httponly_and_samesite(production_app):
    assert production_app.config["SESSION_COOKIE_SECURE"] and production_app.config["REMEMBER_COOKIE_SECURE"]
    assert production_app.config["REMEMBER_COOKIE_HTTPONLY"] and production_app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    client = production_app.test_client()
    page = client.get("/login", base_url="https://hall.example")
    token = csrf_in(page.get_data(as_text=True))
    signed_in = client.post("/login", data={"username": "prod-user", "password": "a-strong-password-1",
                                            "csrf_token": token}, base_url="https://hall.example",
                            headers={"Referer": "https://hall.example/login"})
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)[:500]
    session_cookie = _cookie(signed_in, "session")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax"):
        assert flag in session_cookie
    lang = client.get("/?lang=en", base_url="https://hall.example")
    fresh = csrf_in(lang.get_data(as_text=True))
    assert fresh != token   # the session, and with it the token, is new since sign-in
    elderly = client.post("/preferences/elderly", data={"on": "1", "csrf_token": fresh},
                          base_url="https://hall.example", headers={"Referer": "https://hall.example/"})
    for cookie in (_cookie(lang, "hall_lang"), _cookie(elderly, "hall_elderly")):
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
