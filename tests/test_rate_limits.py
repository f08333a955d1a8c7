"""Rate limits are checked by the decorated views alone (no Flask-Limiter hook before every request), and every
one of them still refuses with 429."""

from __future__ import annotations

import pytest

from community_hall import create_app
from community_hall.extensions import limiter
from tests.helpers import site_token
from tests.menu.conftest import menu  # noqa: F401 - reuse the menu fixture

# endpoint: (config key, method, path) for every view with a limit
LIMITED = {
    "accounts.login": ("LOGIN_RATE_LIMIT", "POST", "/login"),
    "accounts.signup": ("PUBLIC_FORM_RATE_LIMIT", "POST", "/c/comm-a/signup"),
    "window.apply": ("PUBLIC_FORM_RATE_LIMIT", "POST", "/c/comm-a/apply/ZJ-001"),
    "window.track": ("TRACK_RATE_LIMIT", "POST", "/c/comm-a/track"),
    "complaints.new_complaint": ("PUBLIC_FORM_RATE_LIMIT", "POST", "/c/comm-a/complaints/new"),
    "complaints.new_unresolved": ("PUBLIC_FORM_RATE_LIMIT", "POST", "/c/comm-a/unresolved/new"),
    "appointments.book": ("PUBLIC_FORM_RATE_LIMIT", "POST", "/c/comm-a/appointments/book"),
    "appointments.find": ("TRACK_RATE_LIMIT", "POST", "/c/comm-a/appointments/find"),
    "appointments.check_in": ("KIOSK_RATE_LIMIT", "POST", "/c/comm-a/kiosk/check-in"),
    "floor.take": ("KIOSK_RATE_LIMIT", "POST", "/c/comm-a/kiosk/take"),
    "certificates.verify": ("CERTIFICATE_CHECK_RATE_LIMIT", "GET", "/c/comm-a/timebank/certificates/X-1"),
    "api.create_request": ("API_RATE_LIMIT", "POST", "/open311/v2/requests.json"),
}
# limits on signed-in people (keyed by who they are), tested in their own tests below
SIGNED_IN = {"privacy.delete", "hours.donate"}


def _limited_endpoints(app) -> set[str]:
    return {endpoint for endpoint, view in app.view_functions.items()
            if getattr(view, "__wrapper-limiter-instance", None) is not None}


def test_no_limiter_hook_runs_before_every_request(app):
    assert limiter._check_request_limit not in app.before_request_funcs.get(None, [])
    assert _limited_endpoints(app) == set(LIMITED) | SIGNED_IN, "a new limit: add it to LIMITED so its 429 is tested"


@pytest.mark.parametrize("endpoint", sorted(LIMITED))
def test_every_limit_still_refuses(app, client, menu, endpoint):  # noqa: F811
    key, method, path = LIMITED[endpoint]
    app.config[key] = "2 per hour"
    data = {"csrf_token": site_token(client)} if method == "POST" else None
    codes = [client.open(path, method=method, data=data).status_code for _ in range(3)]
    assert 429 not in codes[:2] and codes[2] == 429, codes


def test_password_guesses_at_deletion_are_limited(app, client, auth, build):
    build.two_communities()
    auth.login("res-a")
    app.config["LOGIN_RATE_LIMIT"] = "2 per hour"
    token = site_token(client, "/account/delete")
    codes = [client.post("/account/delete", data={"csrf_token": token, "password": "wrong"}).status_code
             for _ in range(3)]
    assert codes == [200, 200, 429]


@pytest.fixture
def default_limits():
    """Undo what RATELIMIT_DEFAULT leaves on the shared limiter (init_app sets its defaults once)."""
    saved = limiter.limit_manager._default_limits
    yield
    limiter.limit_manager.set_default_limits(saved)


def test_a_configured_default_limit_keeps_the_hook(app_config, default_limits, build):
    app = create_app({**app_config, "RATELIMIT_DEFAULT": "2 per hour"})
    assert limiter._check_request_limit in app.before_request_funcs[None]
    visitor = app.test_client()
    assert [visitor.get("/healthz").status_code for _ in range(3)] == [200, 200, 429]
