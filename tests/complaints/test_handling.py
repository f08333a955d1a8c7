"""Who sees and answers complaints: the head, or the street office when it is about the head; never the person
complained about or other staff; not in the staff queue or Open311; one community never sees another's."""

from __future__ import annotations

import pytest

from community_hall.tenancy import community_session
from community_hall.window.models import Ticket
from tests.complaints.conftest import counts, user_id


def _ticket(app, number):
    with app.app_context():
        session = community_session("comm-a")
        ticket = session.query(Ticket).filter_by(number=number).one()
        ticket.events  # noqa: B018 - load the timeline before the session goes
        session.expunge_all()
        return ticket


@pytest.fixture
def about_staff(app, complain):
    return complain(about="staff", item_code="", staff_user_id=user_id(app, "staff-a"))


@pytest.fixture
def about_head(app, complain):
    return complain(about="staff", item_code="", staff_user_id=user_id(app, "head-a"))


def _sees(client, number) -> bool:
    """Whether the signed-in person can find or open the complaint anywhere, or learn who made it."""
    pages = [client.get("/c/comm-a/complaints"), client.get(f"/c/comm-a/complaints/{number}"),
             client.get(f"/c/comm-a/tickets/{number}"), client.get("/c/comm-a/queue?status=all"),
             client.get("/c/comm-a/queue?q=2340000&status=all")]   # a phone search, not echoing the name
    text = "".join(p.get_data(as_text=True) for p in pages if p.status_code == 200)
    return number in text or "赵六" in text or "13912340000" in text


def test_the_head_handles_a_complaint_about_staff_and_the_staff_cannot_see_it(app, client, auth, build, about_staff):
    build.user("staff-a2", "comm-a", "staff", "员工乙")
    for username in ("staff-a", "staff-a2"):   # the person complained about, and an unrelated colleague
        auth.login(username)
        assert not _sees(client, about_staff), username
        assert client.get(f"/c/comm-a/complaints/{about_staff}").status_code == 403
        assert client.get(f"/c/comm-a/tickets/{about_staff}").status_code == 404
        assert auth.post(f"/c/comm-a/complaints/{about_staff}/reply", {"version": "2", "note": "x"}).status_code == 403
        assert auth.post(f"/c/comm-a/tickets/{about_staff}/complete", {"version": "2", "note": "x"}).status_code == 404
        auth.logout()
    auth.login("head-a")
    listing = client.get("/c/comm-a/complaints").get_data(as_text=True)
    assert about_staff in listing and "员工a" in listing
    page = client.get(f"/c/comm-a/complaints/{about_staff}").get_data(as_text=True)
    assert "赵六" in page and "13912340000" in page and "窗口人员态度差" in page
    # Even the handler opens it on the complaint page only: the window's ticket page is for requests.
    assert client.get(f"/c/comm-a/tickets/{about_staff}").status_code == 404
    assert 'href="/c/comm-a/complaints"' in client.get("/c/comm-a/queue").get_data(as_text=True)   # the nav link
    auth.logout()
    auth.login("district")   # not about the head: the street office leaves it to the head
    assert client.get(f"/c/comm-a/complaints/{about_staff}").status_code == 404
    assert about_staff not in client.get("/c/comm-a/complaints").get_data(as_text=True)


def test_a_complaint_about_the_head_goes_to_the_street_office(app, client, auth, about_head):
    from community_hall.complaints.models import Complaint

    with app.app_context():
        complaint = community_session("comm-a").query(Complaint).one()
        assert (complaint.about, complaint.handler_level, complaint.about_name) == ("head", "district", "站长a")
    auth.login("head-a")
    assert not _sees(client, about_head)
    assert client.get(f"/c/comm-a/complaints/{about_head}").status_code == 404
    assert auth.post(f"/c/comm-a/complaints/{about_head}/reply", {"version": "2", "note": "没问题"}).status_code == 404
    assert _ticket(app, about_head).status == "accepted"
    auth.logout()
    auth.login("district")
    assert about_head in client.get("/c/comm-a/complaints").get_data(as_text=True)
    assert "赵六" in client.get(f"/c/comm-a/complaints/{about_head}").get_data(as_text=True)
    response = auth.post(f"/c/comm-a/complaints/{about_head}/reply", {"version": "2", "note": "已约谈站长，整改。"})
    assert response.status_code == 303
    assert _ticket(app, about_head).status == "done"


def test_the_written_reply_closes_it_and_the_resident_reads_it(app, client, auth, menu):
    number = auth.post("/c/comm-a/complaints/new", {
        "resident_name": "赵六", "resident_phone": "13912340000", "idem_key": "", "about": "service",
        "item_code": "SB-001", "ticket_number": "", "staff_user_id": "", "details": "等了两个小时。"},
    ).headers["Location"].rsplit("/", 1)[1]
    resident = client                 # the anonymous complainant's browser has proved the number
    head = app.test_client()
    from tests.conftest import AuthActions

    head_auth = AuthActions(head)
    head_auth.login("head-a")
    empty = head_auth.post(f"/c/comm-a/complaints/{number}/reply", {"version": "2", "note": "  "})
    assert empty.status_code == 303 and _ticket(app, number).status == "accepted"   # refused: no reply written
    done = head_auth.post(f"/c/comm-a/complaints/{number}/reply", {"version": "2", "note": "已增加窗口，向您致歉。"})
    assert done.status_code == 303
    ticket = _ticket(app, number)
    assert ticket.status == "done" and ticket.reply == "已增加窗口，向您致歉。"
    assert [e.action for e in ticket.events] == ["submit", "accept", "complete"]
    assert ticket.events[-1].actor_name == "站长a"
    page = resident.get(f"/c/comm-a/track/{number}").get_data(as_text=True)
    assert "已增加窗口，向您致歉。" in page
    assert "/rate/" not in page   # complaints are not rated
    assert resident.get(f"/c/comm-a/rate/{number}").status_code == 404


def test_the_handler_may_decline_with_a_reason(app, client, auth, complain):
    number = complain()
    auth.login("head-a")
    assert auth.post(f"/c/comm-a/complaints/{number}/decline", {"version": "2", "note": "重复投诉，已于昨日答复。"}
                     ).status_code == 303
    ticket = _ticket(app, number)
    assert ticket.status == "declined" and ticket.decline_reason == "重复投诉，已于昨日答复。"
    assert auth.post(f"/c/comm-a/complaints/{number}/withdraw", {"version": "3"}).status_code == 404


def test_complaints_stay_out_of_the_queue_and_open311(app, client, auth, complain, submit):
    request = submit().number
    number = complain()
    auth.login("head-a")
    queue = client.get("/c/comm-a/queue?status=all").get_data(as_text=True)
    assert request in queue and number not in queue
    listing = client.get("/open311/v2/requests.json?jurisdiction_id=comm-a").get_json()
    assert [r["service_request_id"] for r in listing] == [request]
    assert client.get(f"/open311/v2/requests/{number}.json?jurisdiction_id=comm-a").status_code == 404
    by_number = client.get(f"/open311/v2/requests.json?jurisdiction_id=comm-a&service_request_id={number}").get_json()
    assert by_number == []


def test_one_community_never_sees_another_communitys_complaints(app, client, auth, about_head, complain):
    auth.login("head-b")
    assert client.get(f"/c/comm-a/complaints/{about_head}").status_code == 404
    assert client.get("/c/comm-a/complaints").status_code == 404
    assert client.get(f"/c/comm-b/complaints/{about_head}").status_code == 404
    assert about_head not in client.get("/c/comm-b/complaints").get_data(as_text=True)
    auth.logout()
    auth.login("district")   # district of both: the comm-a complaint shows under comm-a only
    assert client.get(f"/c/comm-b/complaints/{about_head}").status_code == 404
    assert about_head not in client.get("/c/comm-b/complaints").get_data(as_text=True)
    assert counts(app, "comm-b") == (0, 0)


def test_a_signed_in_complainant_is_told_of_the_answer_and_not_asked_to_rate(app, client, auth, menu):
    from community_hall.window import notify

    auth.login("res-a")
    number = auth.post("/c/comm-a/complaints/new", {
        "resident_name": "居民a", "resident_phone": "13800000007", "idem_key": "", "about": "service",
        "item_code": "SB-001", "ticket_number": "", "staff_user_id": "", "details": "等了两个小时。"},
    ).headers["Location"].rsplit("/", 1)[1]
    head = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(head).login("head-a")
    assert AuthActions(head).post(f"/c/comm-a/complaints/{number}/reply",
                                  {"version": "2", "note": "已整改。"}).status_code == 303
    with app.app_context():
        rows = notify.inbox(community_session("comm-a"), user_id(app, "res-a"))
        answered = [r for r in rows if r.notification.kind == "answered"]
        assert len(answered) == 1 and not any(r.can_rate for r in rows)
        assert "已整改。" in answered[0].notification.message and "评价" not in answered[0].notification.message
    inbox = client.get("/c/comm-a/notifications").get_data(as_text=True)
    assert "已整改。" in inbox and "/rate/" not in inbox
