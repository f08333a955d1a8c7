"""Residents complain or report a matter nobody would handle: signed in or not, refused when unclear, due in 5 days."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from community_hall import clock as app_clock
from community_hall.complaints.models import Complaint
from community_hall.tenancy import community_session, get_community
from community_hall.window import services as window
from community_hall.window.models import Ticket
from tests.complaints.conftest import COMPLAINANT, counts, user_id

FORM = {**COMPLAINANT, "idem_key": "", "about": "service", "item_code": "SB-001", "ticket_number": "",
        "staff_user_id": "", "details": "窗口人员态度差。"}
UNRESOLVED = {**COMPLAINANT, "idem_key": "", "item_code": "", "details": "想办理老年证。",
              "where_tried": "街道说找社区，社区说找街道，跑了三趟都没办成。"}


def _stored(app, number):
    with app.app_context():
        session = community_session("comm-a")
        ticket = session.query(Ticket).filter_by(number=number).one()
        complaint = session.query(Complaint).filter_by(ticket_id=ticket.id).one()
        session.expunge_all()
        return ticket, complaint


def _number(response):
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


def test_a_signed_in_resident_complains_with_name_and_phone_prefilled(app, client, auth, build, menu):
    build.user("staff-a3", "comm-a", "staff", "员工丙", phone="13711112222")
    auth.login("res-a")
    page = client.get("/c/comm-a/complaints/new").get_data(as_text=True)
    assert 'value="居民a"' in page and 'value="13800000007"' in page
    people = re.search(r'<select id="staff_user_id".*?</select>', page, re.S).group(0)
    assert "员工a" in people and "员工丙" in people and "站长a" in people   # the people one may name …
    assert "13711112222" not in page and "居民a" not in people             # … staff only, no contact data
    number = _number(auth.post("/c/comm-a/complaints/new", {**FORM, "resident_name": "居民a",
                                                              "resident_phone": "13800000007"}))
    ticket, complaint = _stored(app, number)
    assert ticket.kind == "complaint" and ticket.item_code == "TS" and ticket.item_name == "投诉"
    assert ticket.status == "accepted" and ticket.due_at is not None
    assert ticket.resident_user_id == user_id(app, "res-a")
    assert (complaint.about, complaint.about_item_name, complaint.handler_level) == ("service", "最低生活保障申请", "head")
    receipt = client.get(f"/c/comm-a/receipt/{number}").get_data(as_text=True)
    assert number in receipt
    assert "投诉" in client.get(f"/c/comm-a/track/{number}").get_data(as_text=True)


def test_an_anonymous_resident_complains_about_a_member_of_staff(app, client, auth, menu):
    staff = user_id(app, "staff-a")
    number = _number(auth.post("/c/comm-a/complaints/new", {**FORM, "about": "staff", "item_code": "",
                                                              "staff_user_id": str(staff)}))
    ticket, complaint = _stored(app, number)
    assert ticket.resident_user_id is None and ticket.resident_name == "赵六"
    assert (complaint.about, complaint.about_user_id, complaint.about_name) == ("staff", staff, "员工a")
    assert complaint.handler_level == "head"
    # The anonymous complainant follows it like any request: number + last four digits.
    stranger = app.test_client()
    assert stranger.get(f"/c/comm-a/track/{number}").status_code == 303
    assert client.get(f"/c/comm-a/track/{number}").status_code == 200


def test_a_complaint_may_name_an_earlier_request_by_its_number(app, menu, complain):
    with app.app_context():
        earlier = window.submit_ticket(community_session("comm-a"), get_community("comm-a"),
                                       window.Submission(item_code="ZJ-001", **COMPLAINANT),
                                       window.Actor(None, "赵六", "resident")).number
    number = complain(item_code="", ticket_number=earlier.lower())
    _ticket, complaint = _stored(app, number)
    assert complaint.about_ticket_number == earlier and complaint.about_item_name == "开具居住证明"


def test_a_matter_nobody_would_handle_lands_with_the_head(app, client, auth, menu):
    page = client.get("/c/comm-a/unresolved/new").get_data(as_text=True)
    assert 'name="where_tried"' in page
    number = _number(auth.post("/c/comm-a/unresolved/new", UNRESOLVED))
    ticket, complaint = _stored(app, number)
    assert (ticket.kind, ticket.item_code, ticket.item_name, ticket.status) == \
        ("unresolved", "BCS", "办不成事反映", "accepted")
    assert complaint.handler_level == "head" and complaint.where_tried.startswith("街道说找社区")


@pytest.mark.parametrize("path, change, field", [
    ("complaints", {"details": ""}, "details"),
    ("complaints", {"item_code": ""}, "item_code"),                        # about a service, but which?
    ("complaints", {"item_code": "DB-999"}, "item_code"),                  # not published
    ("complaints", {"item_code": "", "ticket_number": "COMM-A-20000101-0001"}, "ticket_number"),
    ("complaints", {"about": "staff", "staff_user_id": ""}, "staff_user_id"),
    ("complaints", {"about": "staff", "staff_user_id": "RES"}, "staff_user_id"),     # a resident is not staff
    ("complaints", {"about": "staff", "staff_user_id": "STAFF-B"}, "staff_user_id"),  # staff of another community
    ("complaints", {"about": "neighbour"}, "about"),
    ("complaints", {"resident_phone": "12345"}, "resident_phone"),
    ("complaints", {"resident_name": ""}, "resident_name"),
    ("unresolved", {"where_tried": ""}, "where_tried"),
    ("unresolved", {"details": "x" * 2001}, "details"),
])
def test_bad_input_is_refused_clearly_and_nothing_is_stored(app, client, auth, menu, path, change, field):
    people = {"RES": str(user_id(app, "res-a")), "STAFF-B": str(user_id(app, "staff-b"))}
    change = {k: people.get(v, v) for k, v in change.items()}
    response = auth.post(f"/c/comm-a/{path}/new", {**(FORM if path == "complaints" else UNRESOLVED), **change})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'class="error-summary"' in page
    assert f'id="{field}-error"' in page or (field == "about" and "error-message" in page)
    assert counts(app) == (0, 0)


def _at(monkeypatch, when: str):
    moment = datetime.fromisoformat(when).replace(tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)
    app_clock.set_now(moment)


def _local(dt):
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")


def test_the_due_date_is_five_working_days_across_a_holiday(app, auth, menu, monkeypatch):
    # Tue 29 Sep 2026: 30 Sep, then 国庆 1-7 Oct → 8, 9, Sat 10 (调休), Mon 12 Oct.
    _at(monkeypatch, "2026-09-29 09:00")
    ticket, _c = _stored(app, _number(auth.post("/c/comm-a/complaints/new", FORM)))
    assert _local(ticket.due_at) == "2026-10-12 17:30"
    app.config["COMPLAINT_WORKDAYS"] = 1   # the setting, not the menu, sets the time limit
    ticket, _c = _stored(app, _number(auth.post("/c/comm-a/unresolved/new", UNRESOLVED)))
    assert _local(ticket.due_at) == "2026-09-30 17:30"


def test_the_anonymous_forms_are_rate_limited(app, client, auth, menu):
    app.config["PUBLIC_FORM_RATE_LIMIT"] = "2 per hour"
    for _ in range(2):
        assert auth.post("/c/comm-a/complaints/new", FORM).status_code == 303
    assert auth.post("/c/comm-a/complaints/new", FORM).status_code == 429
    assert counts(app) == (2, 2)


def test_a_resent_form_creates_one_complaint(app, client, auth, menu):
    page = client.get("/c/comm-a/complaints/new").get_data(as_text=True)
    key = re.search(r'id="idem_key" name="idem_key" type="hidden" value="([0-9a-f]+)"', page).group(1)
    first = auth.post("/c/comm-a/complaints/new", {**FORM, "idem_key": key})
    second = auth.post("/c/comm-a/complaints/new", {**FORM, "idem_key": key})
    assert first.headers["Location"] == second.headers["Location"]
    assert counts(app) == (1, 1)
