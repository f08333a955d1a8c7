"""A complaint or 办不成事 report never comes out through another form: an order made from a ticket, the visits
list, the desk's link to a queue number; and nobody follows up a bad rating of their own work."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community_hall.complaints.models import Complaint
from community_hall.tenancy import community_session
from community_hall.timebank.order_models import Order
from community_hall.window.models import Ticket
from tests.complaints.conftest import user_id

MARKER = "投诉正文标记QX7"


def _id(app, number: str) -> int:
    with app.app_context():
        return community_session("comm-a").scalar(select(Ticket.id).where(Ticket.number == number))


@pytest.mark.parametrize("kind", ["complaint", "unresolved"])
@pytest.mark.parametrize("who", ["staff-a", "head-a"])
def test_an_order_is_never_made_from_a_complaint(app, client, auth, complain, kind, who):
    extra = {"about": "staff", "item_code": "", "staff_user_id": user_id(app, who)} if kind == "complaint" else \
        {"kind": "unresolved", "where_tried": "街道办"}
    number = complain(details=f"{MARKER} 详情", resident_user_id=user_id(app, "res-a"), **extra)
    auth.login(who)
    response = auth.post(f"/c/comm-a/orders/from-ticket/{_id(app, number)}")
    page = client.get(response.headers.get("Location", "/c/comm-a/visits")).get_data(as_text=True)
    for text in (MARKER, "赵六", "13912340000"):
        assert text not in page
    with app.app_context():
        assert community_session("comm-a").scalars(select(Order)).all() == []
    board = client.get("/c/comm-a/orders/board").get_data(as_text=True) + \
        client.get("/c/comm-a/orders").get_data(as_text=True)
    assert MARKER not in board and "赵六" not in board


def test_a_service_complaint_about_a_ticket_the_head_handled_goes_to_the_street_office(app, client, auth, submit,
                                                                                        complain):
    from community_hall.tenancy import get_community
    from community_hall.window import services
    from community_hall.window.services import Actor

    ticket = submit()
    with app.app_context():
        session = community_session("comm-a")
        t = session.get(Ticket, ticket.id)
        head = Actor(user_id(app, "head-a"), "站长a", "staff")
        services.accept(session, get_community("comm-a"), t, head, ["身份证"])
        services.complete(session, t, head, "已办结")
    number = complain(about="service", item_code="", ticket_number=ticket.number, details=MARKER)
    with app.app_context():
        complaint = community_session("comm-a").scalar(select(Complaint))
        assert (complaint.handler_level, complaint.about_user_id) == ("district", user_id(app, "head-a"))
    auth.login("head-a")
    assert client.get(f"/c/comm-a/complaints/{number}").status_code == 404
    assert MARKER not in client.get("/c/comm-a/complaints?status=all").get_data(as_text=True)


def test_nobody_follows_up_a_bad_rating_of_their_own_work(app, client, auth, build, submit):
    from community_hall.tenancy import get_community
    from community_hall.window import ratings, services
    from community_hall.window.ratings_models import FollowUp
    from community_hall.window.services import Actor

    build.user("head-a2", "comm-a", "head", "副站长")
    ticket = submit()
    with app.app_context():
        session = community_session("comm-a")
        t = session.get(Ticket, ticket.id)
        head = Actor(user_id(app, "head-a"), "站长a", "staff")
        services.accept(session, get_community("comm-a"), t, head, ["身份证"])
        services.complete(session, t, head, "已办结")
        ratings.rate_ticket(session, t, 1, [1, 1, 1], f"{MARKER} 站长态度差", "offline", "resident", workdays=15)
        followup_id = session.scalar(select(FollowUp.id))
    auth.login("head-a")
    assert MARKER not in client.get("/c/comm-a/followups").get_data(as_text=True)
    assert client.get(f"/c/comm-a/followups/{followup_id}").status_code == 404
    assert auth.post(f"/c/comm-a/followups/{followup_id}", {"step": "contact", "note": "已联系"}).status_code == 404
    for other in ("head-a2", "district"):   # another head, or the street office above, follows it up
        auth.logout()
        auth.login(other)
        assert MARKER in client.get(f"/c/comm-a/followups/{followup_id}").get_data(as_text=True), other
