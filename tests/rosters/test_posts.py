"""Posts page: who sees and edits posts, holders two different people of the staff, every change in the history."""

from __future__ import annotations

from community_hall.audit import AuditEvent
from community_hall.menu import services as menu_services
from community_hall.rosters.models import Post
from community_hall.tenancy import community_session
from tests.rosters.conftest import post_of, rows, uid


def _edit(auth, post_id, **data):
    return auth.post(f"/c/comm-a/rosters/posts/{post_id}", {"name": "社会保障岗", "window": "2号窗口",
                                                            "a_holder": "", "b_holder": "", **data})


def test_the_head_sets_the_holders_and_the_change_is_recorded_and_shown(app, client, auth, roster):
    auth.login("head-a")
    page = client.get("/c/comm-a/rosters/posts").get_data(as_text=True)
    assert "社会保障岗" in page and page.count("由站长站长a兜底") == 2  # unset holders: the head stands in, by name
    response = _edit(auth, roster, window="3号窗口", a_holder=str(uid(app, "staff-a")),
                     b_holder=str(uid(app, "staff-a2")))
    assert response.status_code == 303
    post = post_of(app, roster)
    assert (post["window"], post["a_holder_id"], post["b_holder_id"]) == (
        "3号窗口", uid(app, "staff-a"), uid(app, "staff-a2"))
    history = client.get(f"/c/comm-a/rosters/posts/{roster}").get_data(as_text=True)
    assert "2号窗口 → 3号窗口" in history and "— → 员工a" in history and "— → 员工二" in history
    assert "<td>站长a</td>" in history  # who changed it
    assert any(e["action"] == "rosters.post" and f'"post": {roster}' in e["detail"] for e in rows(app, AuditEvent))
    listing = client.get("/c/comm-a/rosters/posts").get_data(as_text=True)
    assert "员工a" in listing and "员工二" in listing


def test_the_same_person_as_a_and_b_is_refused_and_changes_nothing(app, client, auth, roster):
    auth.login("head-a")
    staff = str(uid(app, "staff-a"))
    page = _edit(auth, roster, name="新名字", a_holder=staff, b_holder=staff).get_data(as_text=True)
    assert "two different people" in page or "不能是同一人" in page
    post = post_of(app, roster)
    assert post["name"] == "社会保障岗" and post["a_holder_id"] is None
    assert not rows(app, AuditEvent, action="rosters.post")


def test_holders_must_be_staff_of_the_community(app, client, auth, roster):
    auth.login("head-a")
    for stranger in ("res-a", "staff-b"):
        page = _edit(auth, roster, a_holder=str(uid(app, stranger)))
        assert page.status_code == 200
    assert post_of(app, roster)["a_holder_id"] is None
    assert _edit(auth, roster, name="").status_code == 200 and post_of(app, roster)["name"] == "社会保障岗"


def test_the_menu_items_of_a_post_are_listed(app, client, auth, roster):
    with app.app_context():
        session = community_session("comm-a")
        menu_services.create_item(session, menu_services.clean_item(
            {"code": "SB-001", "name": "失业登记", "category": "就业", "post": "SB"}))
        session.commit()
    auth.login("staff-a")
    assert "失业登记" in client.get("/c/comm-a/rosters/posts").get_data(as_text=True)


def test_staff_view_but_cannot_edit_residents_are_refused_other_communities_do_not_see(app, client, auth, roster):
    auth.login("staff-a")
    page = client.get(f"/c/comm-a/rosters/posts/{roster}").get_data(as_text=True)
    assert "社会保障岗" in page and 'name="a_holder"' not in page
    assert 'href="/c/comm-a/rosters/shifts"' in page and 'href="/c/comm-a/rosters/mine"' in page  # navigation
    assert _edit(auth, roster, window="9号窗口").status_code == 403
    assert post_of(app, roster)["window"] == "2号窗口"
    auth.logout()
    auth.login("res-a")
    assert client.get("/c/comm-a/rosters/posts").status_code == 403
    assert 'href="/c/comm-a/rosters/shifts"' not in client.get("/c/comm-a/").get_data(as_text=True)
    auth.logout()
    auth.login("head-b")
    assert client.get("/c/comm-a/rosters/posts").status_code == 404
    assert _edit(auth, roster, window="9号窗口").status_code == 404
    auth.logout()
    auth.login("district")
    assert client.get("/c/comm-a/rosters/posts").status_code == 200


def test_a_holder_who_left_the_staff_does_not_block_other_changes(app, client, auth, roster):
    gone = uid(app, "res-a")  # e.g. a former member of staff, now only a resident
    with app.app_context():
        session = community_session("comm-a")
        session.get(Post, roster).a_holder_id = gone
        session.commit()
    auth.login("head-a")
    assert _edit(auth, roster, window="8号窗口", a_holder=str(gone)).status_code == 303
    assert (post_of(app, roster)["window"], post_of(app, roster)["a_holder_id"]) == ("8号窗口", gone)
