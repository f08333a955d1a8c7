"""Wrong proofs of one ticket number are limited per ticket, from any address, counted in the rate-limit storage."""

from __future__ import annotations

import pytest

from community_hall import create_app
from tests.deploy.conftest import free_port, start_redis  # noqa: F401 - the throwaway redis-server fixture
from tests.helpers import site_token

LOCKED_ZH = "错误次数过多"
LOCKED_EN = "Too many wrong attempts"


def _attempt(app, number, digits, address, lang=None):
    """One tracking attempt from its own address (a fresh browser): the response."""
    visitor = app.test_client()
    visitor.environ_base["REMOTE_ADDR"] = address
    if lang:
        visitor.set_cookie("hall_lang", lang)
    token = site_token(visitor, "/c/comm-a/track")
    return visitor.post("/c/comm-a/track", data={"number": number, "digits": digits, "csrf_token": token})


def _wrong(app, number, count, first=1):
    for i in range(first, first + count):
        response = _attempt(app, number, f"{i:04d}", f"10.0.{i}.1")
        assert response.status_code == 200 and LOCKED_ZH not in response.get_data(as_text=True)


def test_wrong_proofs_spread_over_addresses_lock_the_ticket(app, submit):
    ticket = submit(resident_phone="13800138001")   # digits 8001: never among the wrong guesses below
    _wrong(app, ticket.number, 5)
    # The sixth attempt, from yet another address and with the right digits, is refused: nobody learns more.
    response = _attempt(app, ticket.number, "8001", "10.9.9.9")
    assert response.status_code == 429 and LOCKED_ZH in response.get_data(as_text=True)
    english = _attempt(app, ticket.number.lower(), "8001", "10.9.9.8", lang="en")
    assert english.status_code == 429 and LOCKED_EN in english.get_data(as_text=True)
    # Another ticket is not touched.
    other = submit(resident_phone="13900139002")
    assert _attempt(app, other.number, "9002", "10.9.9.7").status_code == 303


def test_a_right_proof_before_the_limit_still_opens(app, submit):
    ticket = submit(resident_phone="13800138001")
    _wrong(app, ticket.number, 4)
    assert _attempt(app, ticket.number, "8001", "10.9.9.9").status_code == 303


def test_unknown_numbers_lock_alike_so_the_lock_tells_nothing(app, submit):
    submit()
    _wrong(app, "COMM-A-20990101-0001", 5)
    response = _attempt(app, "COMM-A-20990101-0001", "0000", "10.9.9.9")
    assert response.status_code == 429 and LOCKED_ZH in response.get_data(as_text=True)


def test_the_limit_is_a_setting(app, submit):
    app.config["TRACK_TICKET_FAILURE_LIMIT"] = "2 per hour"
    ticket = submit(resident_phone="13800138001")
    _wrong(app, ticket.number, 2)
    assert _attempt(app, ticket.number, "8001", "10.9.9.9").status_code == 429


@pytest.mark.real_time   # redis-server under libfaketime fails to start (EINVAL); the limit itself is date-free
def test_the_count_is_kept_in_the_shared_storage(app_config, submit, start_redis):  # noqa: F811
    """Counted in Redis, the lock holds in another worker (here another app on the same storage)."""
    uri = start_redis()
    first = create_app({**app_config, "RATELIMIT_STORAGE_URI": uri})
    ticket = submit(resident_phone="13800138001")
    _wrong(first, ticket.number, 5)
    second = create_app({**app_config, "RATELIMIT_STORAGE_URI": uri})
    assert _attempt(second, ticket.number, "8001", "10.9.9.9").status_code == 429
    first.extensions["tenancy"].dispose()
    second.extensions["tenancy"].dispose()


@pytest.fixture
def submit(app, submit):  # noqa: F811 - the window's submit, with the limit at its documented default
    assert app.config.get("TRACK_TICKET_FAILURE_LIMIT", "5 per hour") == "5 per hour"
    return submit
