"""Routing pages: the quick form (page and htmx), acting only on one's own matters, the head's escalations, the
staff notices with their polled badge, the ticket page's routing, permissions, other communities, the CLI sweep."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from community_hall.routing import services
from community_hall.routing.models import Hop, Inquiry
from community_hall.tenancy import utcnow

FORM = {"resident_name": "王秀兰", "contact_phone": "13800138001", "channel": "window", "item_code": "SB-001",
        "topic": "", "text": "低保怎么申请？"}


def count(app, model=Inquiry) -> int:
    with app.app_context():
        from tests.routing.conftest import Station

        return Station(app).session.scalar(select(func.count()).select_from(model))


def test_staff_log_an_inquiry_in_one_post_and_own_it(app, client, auth, station):
    auth.login("staff-g")
    page = client.get("/c/comm-a/inquiries")
    assert page.status_code == 200 and 'accesskey="n"' in page.get_data(as_text=True)
    response = auth.post("/c/comm-a/inquiries", FORM, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and "王秀兰" in html   # the work block, with the row
    with app.app_context():
        inquiry = station.session.scalar(select(Inquiry))
        assert (inquiry.owner_user_id, inquiry.handler_user_id) == (station.giver, station.giver)
    mine = client.get("/c/comm-a/inquiries/mine").get_data(as_text=True)
    assert f"/c/comm-a/inquiries/{inquiry.id}" in mine


def test_bad_quick_form_is_explained_and_stores_nothing(client, auth, app, station):
    auth.login("staff-g")
    response = auth.post("/c/comm-a/inquiries", {**FORM, "resident_name": "", "contact_phone": "999"})
    assert response.status_code == 200 and "error-summary" in response.get_data(as_text=True)
    assert count(app) == 0


def test_hand_over_acknowledge_and_answer_through_the_pages(app, client, auth, station):
    auth.login("staff-g")
    auth.post("/c/comm-a/inquiries", FORM)
    with app.app_context():
        inquiry_id = station.session.scalar(select(Inquiry.id))
    page = client.get(f"/c/comm-a/inquiries/{inquiry_id}").get_data(as_text=True)
    assert "员工a" in page                                          # routing proposes the A holder, with the reason
    refused = auth.post(f"/c/comm-a/inquiries/{inquiry_id}/handover", {"to_user_id": str(station.other), "reason": ""})
    assert refused.status_code == 422 and count(app, Hop) == 0
    ok = auth.post(f"/c/comm-a/inquiries/{inquiry_id}/handover", {"to_user_id": str(station.a), "reason": ""})
    assert ok.status_code == 303
    auth.post(f"/c/comm-a/inquiries/{inquiry_id}/answer", {"answer": "我来答"})   # no longer the giver's
    with app.app_context():
        assert station.session.get(Inquiry, inquiry_id).status == "open"
    auth.logout()
    auth.login("staff-a")
    assert "<span class=\"badge\">1</span>" in client.get("/c/comm-a/staff/notices/badge").get_data(as_text=True)
    assert auth.post(f"/c/comm-a/inquiries/{inquiry_id}/acknowledge").status_code == 303
    assert auth.post(f"/c/comm-a/inquiries/{inquiry_id}/answer", {"answer": "带身份证到2号窗口"}).status_code == 303
    notices = client.get("/c/comm-a/staff/notices").get_data(as_text=True)
    assert "员工庚" in notices
    auth.post("/c/comm-a/staff/notices/read")
    assert "badge" not in client.get("/c/comm-a/staff/notices/badge").get_data(as_text=True)
    auth.logout()
    auth.login("staff-g")
    mine = client.get("/c/comm-a/inquiries/mine").get_data(as_text=True)
    assert "带身份证" not in mine and re.search(r"<strong>(已答复|Answered)</strong>", mine)


def test_the_ticket_page_shows_routing_and_hands_over(app, client, auth, station, submit):
    ticket = submit()
    auth.login("staff-a")
    page = client.get(f"/c/comm-a/tickets/{ticket.number}").get_data(as_text=True)
    assert "routing-title" in page and "员工a" in page
    response = auth.post(f"/c/comm-a/inquiries/tickets/{ticket.number}/handover",
                         {"to_user_id": str(station.b), "reason": "A岗外出"})
    assert response.status_code == 303
    with app.app_context():
        assert station.session.scalar(select(Hop.to_user_id).where(Hop.kind == "handover")) == station.b


def test_escalations_page_for_heads_and_district_only(app, client, auth, station):
    with app.app_context():
        past = utcnow() - timedelta(days=3)
        data = services.InquiryData(resident_name="王", text="问", item_code="SB-001")
        inquiry = services.log_inquiry(station.session, station.community, station.giver, data, now=past)
        services.hand_over(station.session, station.community, inquiry, station.giver, station.a, now=past)
    auth.login("head-a")
    page = client.get("/c/comm-a/inquiries/escalations")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'class="late"' in html and "员工a" in html
    fragment = client.get("/c/comm-a/inquiries/escalations", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "<h1>" in fragment and 'id="escalations-panel"' not in fragment
    with app.app_context():   # loading the head's page swept: the late hand-over went to the head
        assert station.session.get(Inquiry, inquiry.id).handler_user_id == station.head
    auth.logout()
    auth.login("staff-a")
    assert client.get("/c/comm-a/inquiries/escalations").status_code == 403
    auth.logout()
    auth.login("district")
    assert client.get("/c/comm-a/inquiries/escalations").status_code == 200


def test_residents_strangers_and_other_communities_are_kept_out(app, client, auth, station):
    with app.app_context():
        data = services.InquiryData(resident_name="王", text="问", item_code="SB-001")
        inquiry = services.log_inquiry(station.session, station.community, station.giver, data)
    auth.login("res-a")
    assert client.get("/c/comm-a/inquiries").status_code == 403
    assert client.get("/c/comm-a/staff/notices/badge").status_code == 403
    auth.logout()
    auth.login("staff-b")
    assert client.get(f"/c/comm-a/inquiries/{inquiry.id}").status_code == 404
    assert auth.post(f"/c/comm-a/inquiries/{inquiry.id}/answer", {"answer": "x"}).status_code == 404
    assert client.get(f"/c/comm-b/inquiries/{inquiry.id}").status_code == 404        # not in comm-b's archive
    auth.logout()
    auth.login("staff-d")     # a colleague who does not handle it may not act on it
    response = auth.post(f"/c/comm-a/inquiries/{inquiry.id}/answer", {"answer": "我来答"})
    assert response.status_code == 422
    with app.app_context():
        assert station.session.get(Inquiry, inquiry.id).status == "open"


def test_route_sweep_command(app, runner, station):
    with app.app_context():
        data = services.InquiryData(resident_name="王", text="问", item_code="SB-001")
        past = utcnow() - timedelta(days=3)
        inquiry = services.log_inquiry(station.session, station.community, station.giver, data, now=past)
        services.hand_over(station.session, station.community, inquiry, station.giver, station.a, now=past)
    result = runner.invoke(args=["hall", "route-sweep", "--community", "comm-a"])
    assert result.exit_code == 0 and "comm-a: 0 passed on, 1 escalated" in result.output
    result = runner.invoke(args=["hall", "route-sweep"])
    assert "comm-a: 0 passed on, 0 escalated" in result.output and "comm-b:" in result.output


def test_the_head_dashboard_loads_the_escalations_panel(client, auth, station):
    auth.login("head-a")
    page = client.get("/c/comm-a/dashboard").get_data(as_text=True)
    assert 'hx-get="/c/comm-a/inquiries/escalations?embedded=1"' in page
    panel = client.get("/c/comm-a/inquiries/escalations?embedded=1", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<h1" not in panel and "<html" not in panel and "<h2" in panel
    assert "<h1" in client.get("/c/comm-a/inquiries/escalations").get_data(as_text=True)
