"""Fixtures in the flaskr style: app (fresh data per test), client, runner, auth; both backends."""

from __future__ import annotations

import itertools
import os
import threading

import pytest
from flask_babel import force_locale, gettext
from werkzeug.serving import make_server

from community_hall import clock as app_clock
from community_hall import create_app
from community_hall.migrate import upgrade_registry
from community_hall.tenancy import tenancy
from tests.helpers import Builder, site_token
from tests.pgcluster import Cluster, find_bindir

IN_CI = os.environ.get("CI") == "true"
_db_counter = itertools.count()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a skipped test is a failure: browser and PostgreSQL tests must really run."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which is a failure: {report.longrepr}"


@pytest.fixture(autouse=True)
def _system_clock():
    """Every test starts and ends on the system clock (which faketime may move): a fixed clock never leaks."""
    app_clock.set_now(None)
    yield
    app_clock.set_now(None)


@pytest.fixture
def clock():
    """The app's one clock (community_hall.clock): ``clock.set_now(moment)`` fixes "now" for the whole app."""
    return app_clock


@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL cluster for the whole run (skipped when PostgreSQL is not installed)."""
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    cluster = Cluster(bindir)
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture
def backend():
    """Backend of the app fixture; packages that run on both override this with params."""
    return "sqlite"


@pytest.fixture
def database_url(backend, request):
    """None for SQLite files, or a fresh PostgreSQL database per test."""
    if backend == "sqlite":
        return None
    cluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database(f"hall_test_{os.getpid()}_{next(_db_counter)}")


@pytest.fixture
def app_config(tmp_path, database_url):
    """Test configuration: a fresh data directory (and database), fast password hashing."""
    return {
        "TESTING": True,
        "HALL_ENV": "test",
        "HALL_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-not-for-production",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "RATELIMIT_STORAGE_URI": "memory://",
        # Many tests sign in and then move the app's clock days ahead: sessions here never time out. The shipped
        # limits (config.DEFAULTS) are what tests/accounts/test_signins.py proves.
        "SESSION_IDLE_MINUTES_STAFF": 10**7, "SESSION_LIFETIME_HOURS_STAFF": 10**6,
        "SESSION_IDLE_MINUTES": 10**7, "SESSION_LIFETIME_HOURS": 10**6,
    }


@pytest.fixture
def app(app_config):
    """An app with a migrated, empty registry."""
    app = create_app(app_config)
    with app.app_context():
        upgrade_registry(tenancy())
    yield app
    app.extensions["tenancy"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def build(app):
    """Builders for communities and users (see tests/helpers.py)."""
    return Builder(app)


class AuthActions:
    """Sign in and out through the real forms, CSRF token included."""

    def __init__(self, client):
        self._client = client

    def csrf_token(self, path: str = "/login") -> str:
        # Pages without forms have no token for anonymous visitors: then the sign-in form's is taken.
        return site_token(self._client, path)

    def login(self, username: str, password: str = "password123"):
        return self._client.post("/login", data={"username": username, "password": password,
                                                 "csrf_token": self.csrf_token()})

    def logout(self):
        return self._client.post("/logout", data={"csrf_token": self.csrf_token("/")})

    def post(self, path: str, data: dict | None = None, **kwargs):
        """POST with a valid CSRF token taken from the site."""
        return self._client.post(path, data={**(data or {}), "csrf_token": self.csrf_token("/")}, **kwargs)


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def live_server(app):
    """The app served on 127.0.0.1 at a free port in a background thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def zh(app):
    """A message as the Chinese pages show it (whatever the catalogue says today)."""
    def text(message, **values):
        with app.test_request_context(), force_locale("zh_CN"):
            return gettext(message, **values)
    return text
