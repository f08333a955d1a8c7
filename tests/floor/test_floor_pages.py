"""The kiosk, slips, the board and its JSON, and the calling desk over HTTP."""

from __future__ import annotations

import re

import pytest

from community_hall.floor import services
from community_hall.floor.models import QueueNumber
from community_hall.tenancy import community_session, get_community
from tests.menu.conftest import menu  # noqa: F401 - the community and its menu


@pytest.fixture
def floor(app, build, menu):  # noqa: F811 - the imported fixture
    """comm-a (from the menu fixture) with windows A and B."""
    with app.app_context():
        session = community_session("comm-a")
        a = services.create_window(session, "A", "1号窗口", "综合受理")
        b = services.create_window(session, "B", "2号窗口", "社会保障")
        session.commit()
        return a.id, b.id


def _take(client, auth, window_id, priority=False):
    data = {"window": str(window_id)}
    if priority:
        data["priority"] = "1"
    response = auth.post("/c/comm-a/kiosk/take", data)
    assert response.status_code == 303
    return response.headers["Location"]


def test_kiosk_gives_a_slip_with_qr_and_people_ahead(app, client, auth, floor):
    page = client.get("/c/comm-a/kiosk").get_data(as_text=True)
    assert 'class="elderly"' in page and "1号窗口" in page   # elderly mode by default at the kiosk
    _take(client, auth, floor[0])
    slip = client.get(_take(client, auth, floor[0])).get_data(as_text=True)
    assert "A002" in slip and "<svg" in slip and re.search(r"1\D{0,12}(人|person)", slip)
    assert auth.post("/c/comm-a/kiosk/take", {"window": "999"}).status_code == 303  # refused, back to the kiosk
    with app.app_context():
        assert community_session("comm-a").query(QueueNumber).count() == 2


def test_board_json_has_no_personal_data(app, client, auth, floor):
    _take(client, auth, floor[0])
    auth.login("staff-a")
    auth.post(f"/c/comm-a/desk/{floor[0]}/call")
    data = client.get("/c/comm-a/queue/board.json").get_json()
    assert set(data) == {"windows", "recent", "updated_at"}
    a = next(w for w in data["windows"] if w["code"] == "A")
    assert a == {"code": "A", "name": "1号窗口", "calling": "A001", "waiting": 0, "estimated_wait_minutes": 0}
    assert data["recent"][0]["number"] == "A001"
    html = client.get("/c/comm-a/queue/board", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "A001" in html and "<html" not in html


def test_desk_calls_serves_opens_a_ticket_and_finishes(app, client, auth, floor):
    location = _take(client, auth, floor[0])
    token = location.rsplit("/", 1)[1]
    auth.login("staff-a")
    auth.post(f"/c/comm-a/desk/{floor[0]}/call")
    desk = client.get(f"/c/comm-a/desk?window={floor[0]}").get_data(as_text=True)
    assert "A001" in desk
    with app.app_context():
        number = community_session("comm-a").query(QueueNumber).filter_by(token=token).one()
    follow = client.get(f"/c/comm-a/q/{token}").get_data(as_text=True)
    assert "1号窗口" in follow
    opened = auth.post(f"/c/comm-a/desk/{floor[0]}/numbers/{number.id}/serve", {"open_ticket": "1"})
    assert opened.status_code == 303 and f"queue={number.id}" in opened.headers["Location"]
    made = auth.post(f"/c/comm-a/tickets/new?queue={number.id}", {
        "item_code": "ZJ-001", "channel": "window", "resident_name": "王秀兰", "resident_phone": "13800138001",
        "idem_key": "q1", "queue": str(number.id)})
    assert made.status_code == 303
    with app.app_context():
        linked = community_session("comm-a").get(QueueNumber, number.id)
        assert linked.status == "serving" and linked.ticket_id is not None
    auth.post(f"/c/comm-a/desk/{floor[0]}/numbers/{number.id}/finish")
    with app.app_context():
        assert community_session("comm-a").get(QueueNumber, number.id).status == "done"


def test_desk_transfer_and_no_show(app, client, auth, floor):
    _take(client, auth, floor[0])
    _take(client, auth, floor[0])
    auth.login("staff-a")
    auth.post(f"/c/comm-a/desk/{floor[0]}/call")
    with app.app_context():
        first = community_session("comm-a").query(QueueNumber).filter_by(code="A001").one()
    auth.post(f"/c/comm-a/desk/{floor[0]}/numbers/{first.id}/transfer", {"to_window": str(floor[1])})
    with app.app_context():
        moved = community_session("comm-a").get(QueueNumber, first.id)
        assert (moved.window_id, moved.status) == (floor[1], "waiting")
    auth.post(f"/c/comm-a/desk/{floor[0]}/call")
    with app.app_context():
        second = community_session("comm-a").query(QueueNumber).filter_by(code="A002").one()
    auth.post(f"/c/comm-a/desk/{floor[0]}/numbers/{second.id}/no_show")
    with app.app_context():
        assert community_session("comm-a").get(QueueNumber, second.id).status == "no_show"


def test_only_staff_call_and_only_heads_add_windows(app, client, auth, floor):
    auth.login("res-a")
    assert client.get("/c/comm-a/desk").status_code == 403
    auth.logout()
    auth.login("staff-a")
    assert client.get("/c/comm-a/windows").status_code == 403
    auth.logout()
    auth.login("head-a")
    assert auth.post("/c/comm-a/windows", {"prefix": "C", "name": "3号窗口"}).status_code == 303
    assert auth.post("/c/comm-a/windows", {"prefix": "C", "name": "重复"}).status_code == 303
    with app.app_context():
        assert [w.prefix for w in services.windows(community_session("comm-a"))] == ["A", "B", "C"]


def test_hall_figures_per_window_and_week_for_staff_and_heads(app, client, auth, floor):
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        for _ in range(3):
            services.take_number(session, community, floor[0])
        services.take_number(session, community, floor[1])
        first = services.call_next(session, community, floor[0], None, "员工")
        services.start_serving(session, first.id)
        services.finish(session, first.id)
        second = services.call_next(session, community, floor[0], None, "员工")
        services.mark_no_show(session, second.id)
        day = services.today(community)
    auth.login("res-a")
    assert client.get("/c/comm-a/floor/figures").status_code == 403
    auth.login("head-a")
    iso = f"{day[:4]}-{day[4:6]}-{day[6:]}"
    page = client.get(f"/c/comm-a/floor/figures?day={iso}").get_data(as_text=True)
    row = re.search(r"<td>1号窗口</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>", page)
    assert row and row.groups() == ("3", "1", "1")
    week = re.search(rf"<td>{iso}</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>", page)
    assert week and week.groups() == ("4", "1", "1")
    empty = client.get("/c/comm-a/floor/figures?day=2026-01-05").get_data(as_text=True)
    assert "<td>1号窗口</td>" not in empty
