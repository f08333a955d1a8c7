"""The page cache: a page is served from the store only while what it shows is unchanged, on both backends;
each visitor gets their own CSRF token; private pages are kept per user; the store is bounded."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from community_hall import pagecache
from community_hall.menu.models import ServiceItem
from community_hall.tenancy import community_session
from tests.helpers import csrf_in, site_token
from tests.menu.conftest import menu  # noqa: F401 - reuse the menu fixture
from tests.window.conftest import submit  # noqa: F401 - reuse the submit fixture


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request):
    return request.param


def _stored(app) -> int:
    return len(app.extensions["page_cache"].entries)


def _token(html: str) -> str:
    token = csrf_in(html)
    assert token, "no CSRF token on the page"
    return token


def test_a_menu_page_is_served_from_the_store_until_the_menu_changes(app, client, menu):  # noqa: F811
    first = client.get("/c/comm-a/menu/").get_data(as_text=True)
    assert "开具居住证明" in first and _stored(app) == 1
    with app.app_context():
        stamps_before = dict(community_session("comm-a").execute(
            select(pagecache.CacheStamp.tag, pagecache.CacheStamp.version)).all())
    again = client.get("/c/comm-a/menu/").get_data(as_text=True)
    assert _stored(app) == 1 and again == first

    with app.app_context():  # an ORM change: the flush notes the table, the commit bumps its stamp
        session = community_session("comm-a")
        session.scalar(select(ServiceItem).where(ServiceItem.code == "ZJ-001")).name = "开具居住证明（新）"
        session.commit()
        stamps_after = dict(session.execute(select(pagecache.CacheStamp.tag, pagecache.CacheStamp.version)).all())
    assert stamps_after["service_items"] == stamps_before.get("service_items", 0) + 1
    assert "开具居住证明（新）" in client.get("/c/comm-a/menu/").get_data(as_text=True)

    with app.app_context():  # a bulk UPDATE statement bumps the stamp too
        session = community_session("comm-a")
        session.execute(update(ServiceItem).where(ServiceItem.code == "ZJ-001").values(name="居住证明开具"))
        session.commit()
    page = client.get("/c/comm-a/menu/").get_data(as_text=True)
    assert "居住证明开具" in page and "开具居住证明（新）" not in page


def test_a_rolled_back_write_bumps_nothing(app, menu):  # noqa: F811
    with app.app_context():
        session = community_session("comm-a")
        before = session.scalar(select(pagecache.CacheStamp.version).where(pagecache.CacheStamp.tag == "service_items"))
        session.scalar(select(ServiceItem).where(ServiceItem.code == "ZJ-001")).name = "不会保存"
        session.flush()
        session.rollback()
        session.commit()
        after = session.scalar(select(pagecache.CacheStamp.version).where(pagecache.CacheStamp.tag == "service_items"))
    assert after == before


def test_an_anonymous_page_makes_no_token_and_no_session(app, menu):  # noqa: F811
    """A first-time visitor (no cookie) gets the menu page, from the renderer and from the store, without a
    CSRF token and so without a session cookie; the elderly-mode toggle works for them without one."""
    visitor = app.test_client(use_cookies=False)
    for _ in range(2):
        response = visitor.get("/c/comm-a/menu/")
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "开具居住证明" in html
        assert not any(c.startswith("session=") for c in response.headers.getlist("Set-Cookie"))
        assert csrf_in(html) is None and "csrf-token" not in html and "\x00" not in html
    assert _stored(app) == 1
    toggle = visitor.get("/preferences/elderly?on=1&next=/c/comm-a/menu/")
    assert toggle.status_code == 302 and toggle.headers["Location"] == "/c/comm-a/menu/"
    assert toggle.headers.getlist("Set-Cookie") and toggle.headers["Set-Cookie"].startswith("hall_elderly=1")


def test_every_visitor_gets_their_own_working_csrf_token_from_a_stored_page(app, auth, menu):  # noqa: F811
    """The same user in two browsers: one stored page, each with its own token, good for htmx POSTs (the
    X-CSRFToken header js/csrf.js sends from <meta name="csrf-token">) of its own session only."""
    one, two = app.test_client(), app.test_client()
    for browser in (one, two):
        browser.post("/login", data={"username": "res-a", "password": "password123",
                                     "csrf_token": site_token(browser)}, follow_redirects=True)
    page_one = one.get("/c/comm-a/menu/").get_data(as_text=True)
    stored = _stored(app)
    page_two = two.get("/c/comm-a/menu/").get_data(as_text=True)
    assert _stored(app) == stored and _token(page_one) != _token(page_two)
    assert '<meta name="csrf-token"' in page_two and "\x00" not in page_two
    htmx = {"HX-Request": "true", "X-CSRFToken": _token(page_two)}
    ok = two.post("/preferences/elderly", data={"on": "1", "next": "/c/comm-a/menu/"}, headers=htmx)
    assert ok.status_code == 302
    refused = one.post("/preferences/elderly", data={"on": "1"}, headers=htmx)
    assert refused.status_code == 400
    assert one.post("/logout", headers={**htmx, "X-CSRFToken": _token(page_one)}).status_code == 302


def test_a_pending_message_is_shown_not_swallowed_by_the_store(app, client, auth, menu):  # noqa: F811
    auth.login("res-a")
    client.get("/c/comm-a/menu/?lang=en")           # shows "signed in" and is not stored
    client.get("/c/comm-a/menu/?lang=en")           # stored
    stored = _stored(app)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "A message to show once")]
    assert "A message to show once" in client.get("/c/comm-a/menu/?lang=en").get_data(as_text=True)
    assert "A message to show once" not in client.get("/c/comm-a/menu/?lang=en").get_data(as_text=True)
    assert _stored(app) == stored


def test_private_pages_are_kept_per_user_and_follow_the_queue(app, client, auth, build, submit):  # noqa: F811
    build.user("staff-a2", "comm-a", "staff", real_name="李强")
    ticket = submit()
    auth.login("staff-a")
    client.get("/c/comm-a/")
    rows = client.get("/c/comm-a/queue", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert ticket.number in rows
    stored = _stored(app)
    client.get("/c/comm-a/queue", headers={"HX-Request": "true"})
    assert _stored(app) == stored  # the second poll is a hit
    auth.logout()
    auth.login("staff-a2")
    client.get("/c/comm-a/")
    client.get("/c/comm-a/queue", headers={"HX-Request": "true"})
    assert _stored(app) == stored + 1  # another user: another entry
    auth.logout()
    auth.login("staff-a")
    client.get("/c/comm-a/")
    second = submit(resident_name="赵大爷", resident_phone="13900139000")
    rows = client.get("/c/comm-a/queue", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert second.number in rows  # a new ticket bumped the tickets stamp


def test_the_tracking_page_follows_its_ticket(app, client, submit):  # noqa: F811
    ticket = submit()
    html = client.get(f"/c/comm-a/track?number={ticket.number}").get_data(as_text=True)
    client.post("/c/comm-a/track", data={"number": ticket.number, "digits": "8001", "csrf_token": _token(html)})
    page = client.get(f"/c/comm-a/track/{ticket.number}").get_data(as_text=True)
    assert "Withdraw" in client.get(f"/c/comm-a/track/{ticket.number}?lang=en").get_data(as_text=True)
    withdraw = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(f"/c/comm-a/track/{ticket.number}/withdraw",
                           data={"csrf_token": withdraw, "version": str(ticket.version)})
    assert response.status_code in (302, 303)
    after = client.get(f"/c/comm-a/track/{ticket.number}?lang=en", follow_redirects=True).get_data(as_text=True)
    assert "Withdraw this request" not in after


def test_a_role_taken_away_in_this_process_counts_at_once(app, client, auth, build, menu):  # noqa: F811
    from community_hall.accounts.models import Membership, User
    from community_hall.tenancy import registry_session

    auth.login("staff-a")
    assert client.get("/c/comm-a/queue").status_code == 200
    with app.app_context():
        session = registry_session()
        user = session.scalar(select(User).where(User.username == "staff-a"))
        for m in session.scalars(select(Membership).where(Membership.user_id == user.id)):
            session.delete(m)
        session.commit()
    assert client.get("/c/comm-a/queue").status_code == 404


def test_the_store_is_bounded_by_bytes_and_age(monkeypatch):
    store = pagecache.PageStore(max_bytes=800, max_age=60)
    for n in range(10):
        store.put(n, 200, [], b"x" * 100, False)
    assert store.size <= 800 and list(store.entries) == [2, 3, 4, 5, 6, 7, 8, 9]
    store.put("huge", 200, [], b"x" * 200, False)   # more than an eighth of the store: not kept
    assert "huge" not in store.entries
    clock = pagecache.time.monotonic() + 61
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: clock)
    assert store.get(9) is None and 9 not in store.entries


def test_a_stored_response_without_a_token_goes_out_gzipped_to_those_who_accept_it(app, client, submit):  # noqa: F811
    import gzip
    import json

    for n in range(8):
        submit(resident_name=f"居民{n}", resident_phone=f"1380013{n:04d}")
    url = "/open311/v2/requests.json?jurisdiction_id=comm-a"
    plain = client.get(url, headers={"Accept-Encoding": "gzip"})     # a miss: rendered, stored, sent plain
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    hit = client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert hit.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in hit.headers["Vary"]
    assert json.loads(gzip.decompress(hit.data)) == json.loads(plain.data) and len(json.loads(plain.data)) == 8
    assert "Content-Encoding" not in client.get(url).headers     # no Accept-Encoding: plain
    refused = client.get(url, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers and json.loads(refused.data) == json.loads(plain.data)
