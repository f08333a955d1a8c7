"""The window's pages: staff queue and actions over HTTP, resident apply, receipt, tracking, withdraw."""

from __future__ import annotations

import re

import pytest

from community_hall import clock as app_clock
from community_hall.tenancy import community_session, get_community
from community_hall.window.models import Ticket
from tests.helpers import site_token


def _ticket(app, number):
    with app.app_context():
        return community_session("comm-a").query(Ticket).filter_by(number=number).one()


APPLY = {"resident_name": "王秀兰", "resident_phone": "13800138001", "details": "给母亲办理"}


def _apply(auth, code="ZJ-001", **extra):
    return auth.post(f"/c/comm-a/apply/{code}", {**APPLY, "idem_key": "", **extra})


def test_resident_applies_gets_a_receipt_with_a_qr_code_and_tracks(app, client, auth, menu):
    page = client.get("/c/comm-a/apply/ZJ-001").get_data(as_text=True)
    assert "身份证" in page  # the materials are told before the form
    response = _apply(auth)
    assert response.status_code == 303
    number = response.headers["Location"].rsplit("/", 1)[1]
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert number in receipt and "<svg" in receipt and f"/c/comm-a/track?number={number}" in receipt
    # A fresh browser must prove the ticket first.
    other = app.test_client()
    assert other.get(f"/c/comm-a/receipt/{number}").status_code == 404
    assert other.get(f"/c/comm-a/track/{number}").status_code == 303


def test_a_double_submitted_form_creates_one_ticket(app, client, auth, menu):
    token_page = client.get("/c/comm-a/apply/ZJ-001").get_data(as_text=True)
    key = re.search(r'id="idem_key" name="idem_key" type="hidden" value="([0-9a-f]+)"', token_page).group(1)
    first = _apply(auth, idem_key=key)
    second = _apply(auth, idem_key=key)
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert community_session("comm-a").query(Ticket).count() == 1


def test_apply_errors_are_shown_and_nothing_is_created(app, client, auth, menu):
    response = _apply(auth, resident_phone="123")
    assert response.status_code == 200 and 'class="error-summary"' in response.get_data(as_text=True)
    with app.app_context():
        assert community_session("comm-a").query(Ticket).count() == 0
    assert client.get("/c/comm-a/apply/SB-002").status_code == 404   # not offered online
    assert client.get("/c/comm-a/apply/DB-999").status_code == 404   # unpublished


def test_tracking_gives_one_message_for_a_wrong_number_or_wrong_digits(app, client, auth, menu):
    number = _apply(auth).headers["Location"].rsplit("/", 1)[1]
    stranger = app.test_client()
    token = site_token(stranger, "/c/comm-a/track")

    def attempt(n, d):
        return stranger.post("/c/comm-a/track", data={"number": n, "digits": d, "csrf_token": token})

    wrong_digits = attempt(number, "0000")
    wrong_number = attempt("COMM-A-20000101-0001", "8001")
    summary = re.compile(r'<div class="error-summary".*?</div>', re.S)
    assert summary.search(wrong_digits.get_data(as_text=True)).group(0) == \
        summary.search(wrong_number.get_data(as_text=True)).group(0)
    ok = attempt(number.lower(), "8001")
    assert ok.status_code == 303
    page = stranger.get(ok.headers["Location"]).get_data(as_text=True)
    assert number in page and "13800138001" not in page


def test_tracking_is_rate_limited(app, client, menu):
    app.config["TRACK_RATE_LIMIT"] = "3 per 15 minutes"
    token = site_token(client, "/c/comm-a/track")
    codes = [client.post("/c/comm-a/track", data={"number": "X", "digits": "1234", "csrf_token": token}).status_code
             for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_resident_withdraws_before_acceptance(app, client, auth, menu):
    number = _apply(auth).headers["Location"].rsplit("/", 1)[1]
    page = client.get(f"/c/comm-a/track/{number}").get_data(as_text=True)
    assert "/withdraw" in page
    response = auth.post(f"/c/comm-a/track/{number}/withdraw", {"version": "1"})
    assert response.status_code == 303
    assert _ticket(app, number).status == "withdrawn"
    assert app.test_client().post(f"/c/comm-a/track/{number}/withdraw").status_code in (400, 404)


def test_signed_in_residents_see_their_requests(app, client, auth, menu):
    auth.login("res-a")
    number = _apply(auth).headers["Location"].rsplit("/", 1)[1]
    assert number in client.get("/c/comm-a/my").get_data(as_text=True)
    auth.logout()
    auth.login("staff-a")
    assert number not in client.get("/c/comm-a/my").get_data(as_text=True)


@pytest.fixture
def three(app, auth, submit):
    """Three tickets: a normal one, an urgent one and one for a person aged 70+ (submitted in that order)."""
    return [submit().number, submit(urgent=True, channel="window").number, submit(aged_70=True).number]


def test_queue_orders_by_priority_then_due_date_and_masks_phones(client, auth, three):
    auth.login("staff-a")
    html = client.get("/c/comm-a/queue").get_data(as_text=True)
    normal, urgent, elderly = three
    assert html.index(urgent) < html.index(elderly) < html.index(normal)
    assert "138****8001" in html and "13800138001" not in html


def test_queue_filters_and_search(client, auth, three):
    auth.login("staff-a")
    normal, urgent, elderly = three
    html = client.get("/c/comm-a/queue?priority=1").get_data(as_text=True)
    assert urgent in html and elderly in html and normal not in html
    html = client.get(f"/c/comm-a/queue?q={normal[-4:]}").get_data(as_text=True)
    assert normal in html and urgent not in html
    html = client.get("/c/comm-a/queue?q=8001").get_data(as_text=True)  # phone digits
    assert normal in html and urgent in html
    fragment = client.get("/c/comm-a/queue?status=accepted", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and normal not in fragment


def test_staff_accept_inline_and_complete_on_the_ticket_page(app, client, auth, three):
    auth.login("staff-a")
    normal = three[0]
    t = _ticket(app, normal)
    row = auth.post(f"/c/comm-a/tickets/{normal}/accept", {"version": str(t.version)},
                    headers={"HX-Request": "true", "HX-Target": f"row-{t.id}"})
    assert row.status_code == 200 and row.get_data(as_text=True).strip().startswith("<tr")
    assert _ticket(app, normal).status == "accepted"
    page = client.get(f"/c/comm-a/tickets/{normal}").get_data(as_text=True)
    assert "13800138001" in page  # handling staff see the full number
    done = auth.post(f"/c/comm-a/tickets/{normal}/complete", {"version": "2", "note": "已办结，请来领取"})
    assert done.status_code == 303 and _ticket(app, normal).status == "done"
    assert _ticket(app, normal).reply == "已办结，请来领取"


def test_a_stale_action_is_a_clear_conflict_and_changes_nothing(app, client, auth, three):
    client.get("/?lang=en")  # the flash message is written in the language of the request that failed
    auth.login("staff-a")
    normal = three[0]
    auth.post(f"/c/comm-a/tickets/{normal}/accept", {"version": "1"})
    stale = auth.post(f"/c/comm-a/tickets/{normal}/decline", {"version": "1", "note": "不符合"})
    assert stale.status_code == 303
    page = client.get(stale.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "Someone else has just changed this ticket" in page
    assert _ticket(app, normal).status == "accepted"


def test_district_reads_the_queue_but_cannot_act(client, auth, three):
    auth.login("district")
    assert client.get("/c/comm-a/queue").status_code == 200
    assert auth.post(f"/c/comm-a/tickets/{three[0]}/accept", {"version": "1"}).status_code == 403


def test_residents_cannot_see_the_queue(client, auth, three):
    auth.login("res-a")
    assert client.get("/c/comm-a/queue").status_code == 403
    assert client.get(f"/c/comm-a/tickets/{three[0]}").status_code == 403


def test_staff_open_a_ticket_at_the_window_for_a_proxy(app, client, auth, menu):
    auth.login("staff-a")
    response = auth.post("/c/comm-a/tickets/new", {
        "item_code": "SB-001", "channel": "proxy", "resident_name": "周德明", "resident_phone": "13900139002",
        "proxy_name": "周小明", "proxy_relation": "儿子", "idem_key": "w1"})
    assert response.status_code == 303
    t = _ticket(app, response.headers["Location"].rsplit("/", 1)[1])
    assert (t.channel, t.proxy_name, t.visits) == ("proxy", "周小明", 1)
    bad = auth.post("/c/comm-a/tickets/new", {"item_code": "SB-001", "channel": "proxy", "resident_name": "周德明",
                                              "resident_phone": "13900139002"})
    assert bad.status_code == 200 and 'class="error-summary"' in bad.get_data(as_text=True)


def test_trips_to_the_station_are_counted(app, client, auth, three):
    auth.login("staff-a")
    normal = three[0]
    assert _ticket(app, normal).visits == 0          # applied online
    auth.post(f"/c/comm-a/tickets/{normal}/accept", {"version": "1", "visit": "1"})
    with app.app_context():
        t = community_session("comm-a").query(Ticket).filter_by(number=normal).one()
        assert (t.status, t.visits) == ("accepted", 1)
        assert [e.action for e in t.events][-2:] == ["visit", "accept"]
    # A refused step counts no trip either (found by the long fuzz run: the trip used to commit on its own first).
    refused = auth.post(f"/c/comm-a/tickets/{normal}/accept", {"version": "2", "visit": "1"})
    assert refused.status_code == 303
    with app.app_context():
        t = community_session("comm-a").query(Ticket).filter_by(number=normal).one()
        assert (t.status, t.visits, t.version) == ("accepted", 1, 2)
        assert [e.action for e in t.events][-2:] == ["visit", "accept"]


def test_head_edits_local_working_days_and_due_dates_follow(app, client, auth, menu, submit, monkeypatch):
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from community_hall.window import services

    auth.login("staff-a")
    assert client.get("/c/comm-a/calendar").status_code == 403
    auth.logout()
    auth.login("head-a")
    assert client.get("/c/comm-a/calendar").status_code == 200
    bad = auth.post("/c/comm-a/calendar", {"day": "2026-11-25", "kind": "closed", "note": ""})
    assert bad.status_code == 200 and 'class="error-summary"' in bad.get_data(as_text=True)
    ok = auth.post("/c/comm-a/calendar", {"day": "2026-11-25", "kind": "closed", "note": "停电检修"})
    assert ok.status_code == 303
    assert "停电检修" in client.get("/c/comm-a/calendar").get_data(as_text=True)
    ticket = submit(item_code="ZJ-001")
    moment = datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)
    app_clock.set_now(moment)
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        t = services.accept(session, community, session.get(Ticket, ticket.id), services.Actor(None, "x"))
        due = t.due_at if t.due_at.tzinfo else t.due_at.replace(tzinfo=UTC)
        assert due.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat() == "2026-11-26"
    assert auth.post("/c/comm-a/calendar/2026-11-25/delete").status_code == 303
    assert "停电检修" not in client.get("/c/comm-a/calendar").get_data(as_text=True)
