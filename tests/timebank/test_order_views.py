"""Order, board, family and pool pages: the whole flow through the pages, CSRF, roles and community isolation."""

from __future__ import annotations

import re

import pytest

from community_hall.tenancy import community_session
from community_hall.timebank import ledger
from community_hall.timebank.order_models import FamilyGrant, Order, PoolEligible
from tests.timebank.orders_setup import DAY, world  # noqa: F401
from tests.timebank.orders_setup import uid as _uid


@pytest.fixture
def site(world):  # noqa: F811
    return world


def uid(app, username):
    with app.app_context():
        return _uid(username)


def _orders(app):
    with app.app_context():
        return community_session("comm-a").query(Order).order_by(Order.id).all()


def _item_id(app):
    from community_hall.timebank import orders

    with app.app_context():
        return orders.volunteer_items(community_session("comm-a"))[0].id


def _order_form(app, **changes):
    return {"item": str(_item_id(app)), "wanted_day": DAY.isoformat(), "wanted_part": "am", "address": "幸福里3号楼2单元501",
            "phone": "13800000007", "note": "水龙头漏水", **changes}


def _vid(app, username):
    from community_hall.timebank.volunteers import approved_volunteer

    with app.app_context():
        return approved_volunteer(community_session("comm-a"), _uid(username)).id


def test_the_whole_flow_through_the_pages(site, client, auth, zh):
    auth.login("res-a")
    index = client.get("/c/comm-a/orders").get_data(as_text=True)
    assert "便民维修服务" in index and f"/c/comm-a/orders/new?item={_item_id(site)}" in index
    response = auth.post("/c/comm-a/orders/new", _order_form(site))
    order = _orders(site)[0]
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/c/comm-a/orders/{order.id}")
    page = client.get(f"/c/comm-a/orders/{order.id}").get_data(as_text=True)
    assert zh("Waiting for a volunteer") in page and zh("Ordered") in page
    assert auth.post(f"/c/comm-a/orders/{order.id}/dispatch", {"volunteer": "board"}).status_code == 403
    auth.login("staff-a")
    page = client.get(f"/c/comm-a/orders/{order.id}").get_data(as_text=True)
    assert page.index("vol-2") < page.index("vol-1")             # free on Saturday morning first
    auth.post(f"/c/comm-a/orders/{order.id}/dispatch", {"volunteer": str(_vid(site, "vol-1"))})
    assert _orders(site)[0].status == "dispatched"
    auth.login("vol-2")
    assert client.get(f"/c/comm-a/orders/{order.id}").status_code == 404      # not theirs, not on the board
    auth.login("vol-1")
    auth.post(f"/c/comm-a/orders/{order.id}/accept")
    page = auth.post(f"/c/comm-a/orders/{order.id}/done", {"hours": "30", "note": ""}).get_data(as_text=True)
    assert zh("Enter the hours spent: more than 0, at most 24 (for example 1.5).") in page
    assert _orders(site)[0].status == "accepted"
    auth.post(f"/c/comm-a/orders/{order.id}/done", {"hours": "4", "note": "换了阀芯"})
    assert _orders(site)[0].minutes == 240
    auth.login("res-a")
    page = auth.post(f"/c/comm-a/orders/{order.id}/confirm", {"rating": "5", "source": "own"}).get_data(as_text=True)
    assert "3" in page and zh("Not enough hours: the balance is %(balance)s hours and this service took %(needed)s "
                              "hours. Nothing was charged.", balance="3", needed="4") in page
    assert _orders(site)[0].status == "done"
    auth.login("staff-a")
    auth.post(f"/c/comm-a/orders/{order.id}/confirm", {"rating": "4", "source": "own"})   # still not enough
    with site.app_context():
        ledger.credit_service(community_session("comm-a"), uid(site, "res-a"), 60, "activity:2", "top-up", None)
    response = auth.post(f"/c/comm-a/orders/{order.id}/confirm", {"rating": "4", "comment": "电话回访", "source": "own"})
    assert response.status_code == 303
    done = _orders(site)[0]
    assert (done.status, done.rating, done.rated_on_behalf) == ("confirmed", 4, True)
    auth.login("res-a")
    page = client.get(f"/c/comm-a/orders/{order.id}").get_data(as_text=True)
    assert zh("Confirmed and rated by staff for the resident") in page and zh("Confirmed and paid") in page


def test_the_same_order_form_sent_twice_places_one_order(site, client, auth):
    auth.login("res-a")
    key = client.get("/c/comm-a/orders/new").get_data(as_text=True).split('name="key" type="hidden" value="')[1][:32]
    first = auth.post("/c/comm-a/orders/new", _order_form(site, key=key))
    again = auth.post("/c/comm-a/orders/new", _order_form(site, key=key))        # a double click, a retried request
    orders = _orders(site)
    assert len(orders) == 1 and orders[0].request_key == key
    assert first.headers["Location"] == again.headers["Location"]
    auth.login("staff-a")       # a key is only ever found for the person who placed it
    page = auth.post("/c/comm-a/orders/new", _order_form(site, key=key)).get_data(as_text=True)
    assert "请重新打开下单页面" in page and len(_orders(site)) == 1
    auth.login("res-a")
    auth.post("/c/comm-a/orders/new", _order_form(site, key="another-form"))    # a new form is a new order
    assert len(_orders(site)) == 2


def test_staff_order_by_proxy_for_a_resident_by_phone(site, client, auth, zh):
    auth.login("staff-a")
    page = auth.post("/c/comm-a/orders/new", _order_form(site, resident="13900000099")).get_data(as_text=True)
    assert zh("Nobody with this phone or username is registered in this community.") in page and _orders(site) == []
    auth.post("/c/comm-a/orders/new", _order_form(site, resident="13800000007"))
    order = _orders(site)[0]
    assert (order.resident_user_id, order.by_proxy, order.placed_by_name) == (uid(site, "res-a"), True, "员工a")


def test_a_resident_cannot_order_for_someone_else(site, client, auth):
    auth.login("res-a")
    auth.post("/c/comm-a/orders/new", _order_form(site, resident="13900000013"))
    assert [(o.resident_user_id, o.by_proxy) for o in _orders(site)] == [(uid(site, "res-a"), False)]


def test_posts_without_csrf_change_nothing(site, client, auth):
    auth.login("res-a")
    assert client.post("/c/comm-a/orders/new", data=_order_form(site)).status_code == 400
    assert _orders(site) == []
    assert client.post("/c/comm-a/orders/family", data={"grantee": "son-a", "relation": "child"}).status_code == 400
    with site.app_context():
        assert community_session("comm-a").query(FamilyGrant).count() == 0


def test_board_claim_through_the_pages_and_isolation(site, client, auth):
    auth.login("res-a")
    auth.post("/c/comm-a/orders/new", _order_form(site))
    oid = _orders(site)[0].id
    auth.login("staff-a")
    auth.post(f"/c/comm-a/orders/{oid}/dispatch", {"volunteer": "board"})
    auth.login("vol-2")
    assert f"/c/comm-a/orders/{oid}/claim" in client.get("/c/comm-a/orders/board").get_data(as_text=True)
    auth.post(f"/c/comm-a/orders/{oid}/claim")
    assert _orders(site)[0].volunteer_id == _vid(site, "vol-2")
    auth.login("head-b")
    assert client.get(f"/c/comm-a/orders/{oid}").status_code == 404
    assert auth.post(f"/c/comm-a/orders/{oid}/cancel").status_code == 404
    assert client.get(f"/c/comm-b/orders/{oid}").status_code == 404          # comm-b has no such order
    auth.login("vol-b")
    assert auth.post(f"/c/comm-a/orders/{oid}/claim").status_code == 404
    auth.logout()
    assert client.get("/c/comm-a/orders").status_code == 302
    assert _orders(site)[0].status == "accepted"


def test_family_page_grant_and_revoke(site, client, auth, zh):
    auth.login("son-a")
    page = auth.post("/c/comm-a/orders/family", {"grantee": "nobody", "relation": "child"}).get_data(as_text=True)
    assert zh("Nobody with this phone or username is registered in this community.") in page
    auth.post("/c/comm-a/orders/family", {"grantee": "res-a", "relation": "child", "cap_hours": "2"})
    with site.app_context():
        grant = community_session("comm-a").query(FamilyGrant).one()
    assert grant.monthly_cap_minutes == 120
    auth.login("res-a")
    page = client.get("/c/comm-a/orders/family").get_data(as_text=True)
    assert "居民a之子" in page
    assert auth.post(f"/c/comm-a/orders/family/{grant.id}/revoke").status_code == 303
    with site.app_context():
        assert community_session("comm-a").get(FamilyGrant, grant.id).active     # only the grantor may revoke
    auth.login("son-a")
    auth.post(f"/c/comm-a/orders/family/{grant.id}/revoke")
    with site.app_context():
        assert not community_session("comm-a").get(FamilyGrant, grant.id).active


def test_pool_page_is_for_the_head_only(site, client, auth):
    auth.login("staff-a")
    assert client.get("/c/comm-a/orders/pool").status_code == 403
    assert auth.post("/c/comm-a/orders/pool", {"who": "res-a", "reason": "isolated"}).status_code == 403
    auth.login("head-a")
    assert "4" in client.get("/c/comm-a/orders/pool").get_data(as_text=True)
    auth.post("/c/comm-a/orders/pool", {"who": "res-a", "reason": "isolated"})
    with site.app_context():
        assert community_session("comm-a").get(PoolEligible, uid(site, "res-a")).reason == "isolated"
    auth.post(f"/c/comm-a/orders/pool/{uid(site, 'res-a')}/remove")
    with site.app_context():
        assert community_session("comm-a").get(PoolEligible, uid(site, "res-a")) is None


def test_the_pool_is_preselected_for_a_listed_resident_whose_own_hours_are_short(site, client, auth):
    from tests.timebank.orders_setup import served_order

    def checked(order_id):
        page = client.get(f"/c/comm-a/orders/{order_id}").get_data(as_text=True)
        return re.search(r'<input checked[^>]*name="source"[^>]*>', page).group(0)

    with site.app_context():
        short, covered = served_order(hours="4").id, served_order(hours="2").id    # res-a holds 3 hours
    auth.login("res-a")
    assert 'value="own"' in checked(short)                  # not on the pool list yet
    with site.app_context():
        from community_hall.timebank import orders
        from tests.timebank.orders_setup import HEAD

        orders.mark_eligible(community_session("comm-a"), "res-a", "isolated", HEAD)
    assert 'value="pool"' in checked(short)
    assert 'value="own"' in checked(covered)                # own hours cover it: still their own first


def test_a_home_visit_ticket_is_dispatched_from_the_visits_list(site, client, auth):
    from community_hall.tenancy import get_community
    from community_hall.visits import services as visit_services
    from community_hall.window.services import Actor, Submission, submit_ticket

    with site.app_context():
        session = community_session("comm-a")
        ticket = submit_ticket(session, get_community("comm-a"), Submission(
            item_code="JJ-004", resident_name="居民a", resident_phone="13800000007", channel="home_visit",
            home_address="幸福里3号楼", resident_user_id=uid(site, "res-a")), Actor(None, "居民a", "resident"))
        if hasattr(visit_services, "sync_visits"):
            visit_services.sync_visits(session)
    auth.login("head-a")
    listing = client.get("/c/comm-a/visits").get_data(as_text=True)
    assert f"/c/comm-a/orders/from-ticket/{ticket.id}" in listing
    response = auth.post(f"/c/comm-a/orders/from-ticket/{ticket.id}")
    order = _orders(site)[0]
    assert response.status_code == 303 and order.ticket_id == ticket.id
    auth.login("res-a")
    assert auth.post(f"/c/comm-a/orders/from-ticket/{ticket.id}").status_code == 403


def test_teams_page_links_to_orders(site, client, auth):
    auth.login("res-a")
    assert "/c/comm-a/orders" in client.get("/c/comm-a/timebank/teams").get_data(as_text=True)


def test_demo_has_orders_once(app, runner):
    assert runner.invoke(args=["hall", "seed-demo"]).exit_code == 0
    assert runner.invoke(args=["hall", "seed-demo"]).exit_code == 0   # seeding twice adds nothing
    with app.app_context():
        for slug in ("yangliu", "qinghe", "jinxiu"):
            rows = community_session(slug).query(Order).order_by(Order.id).all()
            assert [(o.status, o.on_board) for o in rows] == [("open", True), ("dispatched", False)]
