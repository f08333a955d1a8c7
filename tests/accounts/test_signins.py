"""Sessions end on the server (accounts/signins.py): sign-out ends every copy of the cookie, staff sessions end after
30 idle minutes and 12 hours, residents' after their own limits; checked by example and as a stateful property."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import select

from community_hall.accounts.models import UserSession
from community_hall.config import DEFAULTS
from community_hall.tenancy import tenancy
from tests.conftest import AuthActions

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
SHIPPED = {key: DEFAULTS[key] for key in ("SESSION_IDLE_MINUTES_STAFF", "SESSION_LIFETIME_HOURS_STAFF",
                                          "SESSION_IDLE_MINUTES", "SESSION_LIFETIME_HOURS")}


@pytest.fixture
def app_config(app_config):
    """The limits the hall ships with."""
    return {**app_config, **SHIPPED}


@pytest.fixture
def people(build, clock):
    clock.set_now(START)
    build.two_communities()


def _copy(app, client):
    """Another browser holding a copy of this client's session cookie (what an attacker may have taken)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_the_shipped_limits():
    assert SHIPPED == {"SESSION_IDLE_MINUTES_STAFF": 30, "SESSION_LIFETIME_HOURS_STAFF": 12,
                       "SESSION_IDLE_MINUTES": 7 * 24 * 60, "SESSION_LIFETIME_HOURS": 30 * 24}


def test_a_cookie_copied_before_sign_out_opens_nothing_after_it(app, client, auth, people):
    auth.login("staff-a")
    copy = _copy(app, client)
    assert _signed_in(copy) and copy.get("/c/comm-a/queue").status_code == 200
    assert auth.logout().status_code == 302
    assert not _signed_in(client)
    assert copy.get("/account").status_code == 302
    assert copy.get("/c/comm-a/queue").status_code in (302, 403, 404)
    assert "/login" in copy.get("/c/comm-a/queue").headers.get("Location", "/login")


def test_signing_out_ends_only_that_sign_in(app, people):
    phone, desk = app.test_client(), app.test_client()
    AuthActions(phone).login("res-a")
    AuthActions(desk).login("res-a")
    AuthActions(phone).logout()
    assert not _signed_in(phone) and _signed_in(desk)


def test_staff_are_signed_out_after_thirty_idle_minutes(client, auth, people, clock):
    auth.login("staff-a")
    for _ in range(4):      # active every 29 minutes: two hours and more
        clock.set_now(clock.utcnow() + timedelta(minutes=29))
        assert client.get("/c/comm-a/queue").status_code == 200
    clock.set_now(clock.utcnow() + timedelta(minutes=31))
    page = client.get("/account?lang=en", follow_redirects=True)
    assert "/login" in page.request.path
    assert "signed out after a while without activity" in page.get_data(as_text=True)
    assert not _signed_in(client)
    clock.set_now(clock.utcnow() - timedelta(minutes=31))     # and it stays over when time seems to go back
    assert not _signed_in(client)


def test_residents_keep_their_session_through_a_lunch_break(client, auth, people, clock):
    auth.login("res-a")
    clock.set_now(clock.utcnow() + timedelta(hours=3))
    assert _signed_in(client)
    clock.set_now(clock.utcnow() + timedelta(days=7, minutes=2))
    assert not _signed_in(client)


def test_a_staff_session_ends_at_twelve_hours_however_busy(client, auth, people, clock):
    auth.login("head-a")
    for _ in range(12 * 3 - 1):
        clock.set_now(clock.utcnow() + timedelta(minutes=20))
        assert _signed_in(client)
    clock.set_now(clock.utcnow() + timedelta(minutes=21))
    page = client.get("/account?lang=en", follow_redirects=True)
    assert "reached its time limit" in page.get_data(as_text=True)
    assert not _signed_in(client)


def test_idle_limits_are_settings(app, client, auth, people, clock):
    app.config["SESSION_IDLE_MINUTES_STAFF"] = 5
    auth.login("staff-a")
    clock.set_now(clock.utcnow() + timedelta(minutes=6))
    assert not _signed_in(client)


def test_a_new_role_gives_the_shorter_limits(app, build, client, auth, people, clock):
    auth.login("res-b")
    build.grant("res-b", "comm-a", "staff")
    auth.login("res-b")
    clock.set_now(clock.utcnow() + timedelta(minutes=31))
    assert not _signed_in(client)


def test_the_table_keeps_no_usable_id(app, client, auth, people):
    auth.login("staff-a")
    with client.session_transaction() as session:
        sid = session["_sid"]
    with app.app_context():
        with tenancy().registry_engine.connect() as connection:
            stored = connection.execute(select(UserSession.token_hash)).scalars().all()
    assert stored and sid not in stored and all(len(value) == 64 for value in stored)


class Sessions(RuleBasedStateMachine):
    """Browsers sign in, copy cookies, sign out and wait: a cookie opens /account only while its sign-in is open."""

    app = None

    def __init__(self):
        super().__init__()
        from community_hall.clock import set_now
        self.set_now = set_now
        self.now = START
        set_now(self.now)
        self.browsers = []      # [client, sign-in number or None]
        self.signins = {}       # number -> {"staff", "started", "last_ok", "out"}

    def _advance(self, minutes):
        self.now += timedelta(minutes=minutes)
        self.set_now(self.now)

    @rule(who=st.sampled_from(["staff-a", "head-a", "res-a"]))
    def sign_in(self, who):
        client = self.app.test_client()
        assert AuthActions(client).login(who).status_code == 302
        number = len(self.signins)
        self.signins[number] = {"staff": who != "res-a", "started": self.now, "last_ok": self.now, "out": False}
        self.browsers.append([client, number])

    @precondition(lambda self: self.browsers)
    @rule(data=st.data())
    def copy_cookie(self, data):
        client, number = data.draw(st.sampled_from(self.browsers))
        if client.get_cookie("session") is not None:
            self.browsers.append([_copy(self.app, client), number])

    @precondition(lambda self: self.browsers)
    @rule(data=st.data())
    def sign_out(self, data):
        client, number = data.draw(st.sampled_from(self.browsers))
        AuthActions(client).logout()
        if number is not None and self._expected(number) is not False:
            self.signins[number]["out"] = True
        for browser in self.browsers:
            if browser[0] is client:
                browser[1] = None

    @rule(minutes=st.sampled_from([1, 5, 29, 31, 60, 240, 7 * 24 * 60 + 1]))
    def wait(self, minutes):
        self._advance(minutes)

    def _expected(self, number):
        """True: must be signed in; False: must not; None: within a minute of a limit, either."""
        s = self.signins[number]
        idle = timedelta(minutes=SHIPPED["SESSION_IDLE_MINUTES_STAFF" if s["staff"] else "SESSION_IDLE_MINUTES"])
        life = timedelta(hours=SHIPPED["SESSION_LIFETIME_HOURS_STAFF" if s["staff"] else "SESSION_LIFETIME_HOURS"])
        if s["out"] or self.now - s["last_ok"] > idle or self.now - s["started"] > life:
            return False
        if self.now - s["last_ok"] <= idle - timedelta(minutes=1):
            return True
        return None

    @invariant()
    def cookies_open_only_open_sign_ins(self):
        for client, number in self.browsers:
            signed_in = _signed_in(client)
            expected = False if number is None else self._expected(number)
            if expected is not None:
                assert signed_in == expected, (number, self.signins.get(number), self.now)
            if number is not None:
                if signed_in:
                    self.signins[number]["last_ok"] = self.now
                elif expected is None:      # the server ended it at the limit: over for good
                    self.signins[number]["out"] = True


def test_sessions_end_as_a_stateful_property(app, people):
    Sessions.app = app
    run_state_machine_as_test(Sessions, settings=settings(
        max_examples=12, stateful_step_count=12, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))
