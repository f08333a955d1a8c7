"""Home visit pages: who sees and plans the list, recording outcomes over HTTP, the day sheet, housebound."""

from __future__ import annotations

from community_hall.tenancy import community_session
from community_hall.visits.models import HomeVisit
from community_hall.window.models import Ticket
from tests.visits.conftest import plan, synced_visit, uid


def _visit(app, visit_id):
    with app.app_context():
        return community_session("comm-a").get(HomeVisit, visit_id)


def _status(app, ticket_id):
    with app.app_context():
        return community_session("comm-a").get(Ticket, ticket_id).status


def test_staff_see_the_list_with_its_groups_and_the_nav_link(app, client, auth, home_ticket):
    t = home_ticket()
    auth.login("staff-a")
    page = client.get("/c/comm-a/visits").get_data(as_text=True)
    assert t.number in page and "幸福里3号楼2单元501" in page and "/c/comm-a/visits/sheet" in page
    assert 'href="/c/comm-a/visits"' in page  # in the staff navigation
    assert "13800138001" not in page  # the list masks phones; the day sheet shows them to the visitor
    assert "visits/1/assign" not in page  # staff do not plan


def test_residents_strangers_and_other_communities_are_kept_out(app, client, auth, home_ticket):
    home_ticket()
    assert client.get("/c/comm-a/visits").status_code == 302  # to the login page
    auth.login("res-a")
    assert client.get("/c/comm-a/visits").status_code == 403
    assert client.get("/c/comm-a/visits/sheet").status_code == 403
    assert 'href="/c/comm-a/visits"' not in client.get("/c/comm-a/").get_data(as_text=True)
    auth.logout()
    auth.login("staff-b")
    assert client.get("/c/comm-a/visits").status_code == 404
    assert client.get("/c/comm-a/visits/1").status_code == 404


def test_the_head_plans_a_visit_inline_and_without_javascript(app, client, auth, home_ticket):
    t = home_ticket()
    visit = synced_visit(app, t.id)
    auth.login("head-a")
    page = client.get("/c/comm-a/visits").get_data(as_text=True)
    assert f"/c/comm-a/visits/{visit.id}/assign" in page and "员工a" in page
    data = {"day": "2099-01-05", "building": "3号楼", "grid": "第二网格", "visitor": str(uid(app, "staff-a"))}
    fragment = auth.post(f"/c/comm-a/visits/{visit.id}/assign", data, headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html and "2099-01-05" in html and "hx-swap-oob" in html
    assert _visit(app, visit.id).assignee_user_id == uid(app, "staff-a")
    response = auth.post(f"/c/comm-a/visits/{visit.id}/assign", {**data, "day": "2099-01-06",
                                                                 "next": "/c/comm-a/visits?day=unplanned"})
    assert response.status_code == 303 and response.headers["Location"] == "/c/comm-a/visits?day=unplanned"
    assert str(_visit(app, visit.id).planned_day) == "2099-01-06"
    of_day = client.get("/c/comm-a/visits?day=2099-01-06").get_data(as_text=True)
    assert t.number in of_day and '<option value="2099-01-06" selected>' in of_day and "3号楼 · 第二网格" in of_day
    assert t.number not in client.get("/c/comm-a/visits?day=unplanned").get_data(as_text=True)
    assert t.number not in client.get(f"/c/comm-a/visits?visitor={uid(app, 'head-a')}").get_data(as_text=True)
    assert t.number in client.get(f"/c/comm-a/visits?visitor={uid(app, 'staff-a')}").get_data(as_text=True)


def test_planning_is_for_the_head_only(app, client, auth, home_ticket):
    t = home_ticket()
    visit = synced_visit(app, t.id)
    data = {"day": "2099-01-05", "visitor": str(uid(app, "staff-a"))}
    auth.login("staff-a")
    assert auth.post(f"/c/comm-a/visits/{visit.id}/assign", data).status_code == 403
    auth.logout()
    auth.login("res-a")
    assert auth.post(f"/c/comm-a/visits/{visit.id}/assign", data).status_code == 403
    auth.logout()
    auth.login("head-b")
    assert auth.post(f"/c/comm-a/visits/{visit.id}/assign", data).status_code == 404
    assert _visit(app, visit.id).planned_day is None


def test_planning_for_someone_outside_the_station_is_refused_with_a_message(app, client, auth, home_ticket):
    t = home_ticket()
    visit = synced_visit(app, t.id)
    auth.login("head-a")
    response = auth.post(f"/c/comm-a/visits/{visit.id}/assign",
                         {"day": "2099-01-05", "visitor": str(uid(app, "res-a"))}, follow_redirects=True)
    assert "请选择本站的工作人员" in response.get_data(as_text=True)
    assert _visit(app, visit.id).assignee_user_id is None


def test_the_visitor_records_the_outcome_and_the_ticket_moves(app, client, auth, home_ticket):
    t = home_ticket()
    visit = plan(app, synced_visit(app, t.id).id)
    auth.login("staff-a")
    page = client.get(f"/c/comm-a/visits/{visit.id}").get_data(as_text=True)
    assert 'name="outcome" value="need_materials"' in page and "身份证" in page  # the item's materials
    response = auth.post(f"/c/comm-a/visits/{visit.id}/outcome", {"outcome": "done", "text": "已上门办结"})
    assert response.status_code == 303
    assert _status(app, t.id) == "done" and _visit(app, visit.id).outcome == "done"
    assert "已登记“上门办结”" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_staff_cannot_record_a_visit_sent_to_someone_else(app, client, auth, home_ticket):
    t = home_ticket()
    visit = plan(app, synced_visit(app, t.id).id, visitor="head-a")
    auth.login("staff-a")
    assert 'name="outcome"' not in client.get(f"/c/comm-a/visits/{visit.id}").get_data(as_text=True)
    response = auth.post(f"/c/comm-a/visits/{visit.id}/outcome", {"outcome": "done", "text": "已办结"},
                         follow_redirects=True)
    assert "只有被派去上门的工作人员才能登记结果" in response.get_data(as_text=True)
    assert _status(app, t.id) == "submitted"
    assert _visit(app, visit.id).outcome == ""
    auth.logout()
    auth.login("head-a")  # the head may record any visit
    auth.post(f"/c/comm-a/visits/{visit.id}/outcome", {"outcome": "not_home", "text": ""})
    assert _visit(app, visit.id).attempts == 1


def test_a_refused_outcome_shows_the_reason_and_changes_nothing(app, client, auth, home_ticket):
    t = home_ticket()
    visit = plan(app, synced_visit(app, t.id).id)
    auth.login("staff-a")
    response = auth.post(f"/c/comm-a/visits/{visit.id}/outcome", {"outcome": "need_materials", "text": ""},
                         follow_redirects=True)
    assert "请列出所缺材料" in response.get_data(as_text=True)
    assert _status(app, t.id) == "submitted" and _visit(app, visit.id).attempts == 0


def test_the_day_sheet_gives_the_visitor_everything_for_the_day(app, client, auth, home_ticket):
    t = home_ticket(details="老人行动不便")
    other = home_ticket(resident_name="李建国", resident_phone="13900139002")
    visit = plan(app, synced_visit(app, t.id).id)
    plan(app, synced_visit(app, other.id).id, visitor="head-a")
    auth.login("staff-a")
    day = visit.planned_day.isoformat()
    sheet = client.get(f"/c/comm-a/visits/sheet?day={day}&visitor={uid(app, 'staff-a')}").get_data(as_text=True)
    for text in (t.number, "最低生活保障申请", "王秀兰", "13800138001", "幸福里3号楼2单元501", "老人行动不便",
                 "户口簿", "收入证明", "sheet-box signature", "3号楼"):
        assert text in sheet, text
    assert "李建国" not in sheet  # another visitor's stop
    everyone = client.get(f"/c/comm-a/visits/sheet?day={day}").get_data(as_text=True)
    assert "李建国" in everyone and "13900139002" in everyone
    empty = client.get("/c/comm-a/visits/sheet?day=2099-12-31").get_data(as_text=True)
    assert t.number not in empty


def test_marking_a_resident_housebound_puts_their_online_ticket_on_the_list(app, client, auth, submit):
    t = submit(item_code="ZJ-001", channel="online", resident_user_id=uid(app, "res-a"))
    auth.login("staff-a")
    assert t.number not in client.get("/c/comm-a/visits").get_data(as_text=True)
    members = client.get("/c/comm-a/members").get_data(as_text=True)
    assert f"/c/comm-a/members/{uid(app, 'res-a')}/housebound" in members
    response = auth.post(f"/c/comm-a/members/{uid(app, 'res-a')}/housebound", {"on": "1"})
    assert response.status_code == 303
    assert 'aria-pressed="true"' in client.get("/c/comm-a/members").get_data(as_text=True)
    assert t.number in client.get("/c/comm-a/visits").get_data(as_text=True)


def test_only_residents_can_be_marked_and_only_by_the_station(app, client, auth, menu):
    auth.login("staff-a")
    response = auth.post(f"/c/comm-a/members/{uid(app, 'head-a')}/housebound", {"on": "1"}, follow_redirects=True)
    assert "只能为本社区居民标记行动不便" in response.get_data(as_text=True)
    auth.logout()
    auth.login("res-a")
    assert auth.post(f"/c/comm-a/members/{uid(app, 'res-a')}/housebound", {"on": "1"}).status_code == 403
    auth.logout()
    auth.login("staff-b")  # a resident of another community is not theirs to mark
    assert auth.post(f"/c/comm-a/members/{uid(app, 'res-a')}/housebound", {"on": "1"}).status_code == 404
    with app.app_context():
        from community_hall.accounts.models import Profile

        assert not community_session("comm-a").get(Profile, uid(app, "res-a")).housebound
        assert not community_session("comm-a").get(Profile, uid(app, "head-a")).housebound


def test_each_community_sees_only_its_own_visits(app, client, auth, home_ticket):
    t = home_ticket()
    auth.login("staff-b")
    assert t.number not in client.get("/c/comm-b/visits").get_data(as_text=True)
