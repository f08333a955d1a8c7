"""Sign-in rate limits across app servers: shared through Redis, separate with memory://, and a Redis outage."""

from __future__ import annotations

import time

import pytest
import redis

from tests.deploy.conftest import Browser, flask_cli, free_port, production_env


@pytest.fixture
def site(tmp_path):
    """An initialised production data directory shared by every server of a test."""
    env = production_env(tmp_path / "data")
    result = flask_cli(env, "hall", "init")
    assert result.returncode == 0, result.stderr
    return env


def _attempts(servers, count, username="res-x"):
    """count failed sign-ins for one username, taking the servers in turn; the statuses."""
    browsers = [Browser(server.port) for server in servers]
    return [browsers[i % len(browsers)].login(username, f"wrong-{i}") for i in range(count)]


def test_redis_shares_the_login_limit_between_servers(site, gunicorn, redis_server):
    env = {**site, "RATELIMIT_STORAGE_URI": redis_server}
    a, b = gunicorn(env), gunicorn(env)     # two app servers (say, two machines) on one data directory
    # LOGIN_RATE_LIMIT is 5 per 15 minutes: five failures spread over both servers, then both refuse.
    assert _attempts([a, b], 5) == [200] * 5
    assert Browser(a.port).login("res-x", "wrong") == 429
    assert Browser(b.port).login("res-x", "wrong") == 429
    assert _attempts([b], 1, "res-y") == [200]      # counted per username and address


def test_memory_storage_counts_per_server(site, gunicorn):
    env = {**site, "RATELIMIT_STORAGE_URI": "memory://"}
    a, b = gunicorn(env), gunicorn(env)
    assert _attempts([a], 5) == [200] * 5
    assert Browser(a.port).login("res-x", "wrong") == 429
    # The other server never heard of those five: an attacker gets five more tries per server (or worker).
    assert _attempts([b], 5) == [200] * 5
    assert Browser(b.port).login("res-x", "wrong") == 429
    assert "RATELIMIT_STORAGE_URI is memory://" in a.stop()    # production says so at start


def test_a_redis_outage_falls_back_to_per_server_limits(site, gunicorn, start_redis):
    port = free_port()
    env = {**site, "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{port}/0"}    # nothing listens there yet
    server = gunicorn(env)
    browser = Browser(server.port)
    assert browser.request("GET", "/healthz")[0] == 200
    # Sign-in keeps working (no 500), and the limit still holds, counted in this worker's memory.
    assert _attempts([server], 5) == [200] * 5
    assert browser.login("res-x", "wrong") == 429
    # Redis comes (back): after Flask-Limiter's back-off (1, 2, 4 … s between checks) the worker counts there
    # again, from zero, so the next attempt is allowed.
    uri = start_redis(port)
    deadline = time.monotonic() + 60
    while (status := browser.login("res-x", "wrong")) == 429 and time.monotonic() < deadline:
        time.sleep(1)
    assert status == 200
    assert redis.Redis.from_url(uri).keys("*")
    log = server.stop()
    assert "Traceback" not in log
    assert "flask-limiter: Rate limit storage unreachable - falling back to in-memory storage" in log
