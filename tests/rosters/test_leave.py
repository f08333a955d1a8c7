"""Leave: requests, the head's decision, cancelling; approved leave hands the post to B. Outreach. My duty."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from community_hall.rosters import services
from community_hall.rosters.models import Leave, Outreach, Post
from community_hall.tenancy import community_session, get_community
from tests.rosters.conftest import rows, tomorrow, uid


def _ask(auth, first, last, kind="annual", reason="回老家"):
    return auth.post("/c/comm-a/rosters/leave", {"first_day": str(first), "last_day": str(last), "kind": kind,
                                                 "reason": reason})


def _responsible(app, post_id, day):
    with app.app_context():
        session = community_session("comm-a")
        at = datetime.combine(day, time(10, 0), tzinfo=ZoneInfo("Asia/Shanghai"))
        return services.responsible_for(session, get_community("comm-a"), session.get(Post, post_id), at)


@pytest.fixture
def holders(app, roster, add_shift):
    """SB held by staff-a (A) and staff-a2 (B), both on shift on a day five days ahead; returns that day."""
    with app.app_context():
        session = community_session("comm-a")
        post = session.get(Post, roster)
        post.a_holder_id, post.b_holder_id = uid(app, "staff-a"), uid(app, "staff-a2")
        session.commit()
    day = tomorrow(app, 5)
    add_shift("staff-a", day)
    add_shift("staff-a2", day, "10:00", "19:00", "late")
    return day


def test_approved_leave_hands_the_post_to_b_a_requested_one_does_not(app, client, auth, roster, holders):
    day = holders
    assert (_responsible(app, roster, day).role, _responsible(app, roster, day).reason) == ("A", "a_on_duty")
    auth.login("staff-a")
    assert _ask(auth, day, day + timedelta(days=1)).status_code == 303
    (leave,) = rows(app, Leave)
    assert leave["status"] == "requested" and leave["user_id"] == uid(app, "staff-a")
    assert _responsible(app, roster, day).role == "A"  # only approved leave counts
    assert auth.post(f"/c/comm-a/rosters/leave/{leave['id']}/decide", {"decision": "approve"}).status_code == 403
    auth.logout()
    auth.login("head-a")
    page = client.get("/c/comm-a/rosters/leave").get_data(as_text=True)
    assert "回老家" in page and f"/rosters/leave/{leave['id']}/decide" in page
    assert auth.post(f"/c/comm-a/rosters/leave/{leave['id']}/decide",
                     {"decision": "approve", "note": "工作已交接"}).status_code == 303
    decided = rows(app, Leave)[0]
    assert decided["status"] == "approved" and decided["decided_by"] == uid(app, "head-a")
    assert decided["decision_note"] == "工作已交接" and decided["decided_at"] is not None
    decision = _responsible(app, roster, day)
    assert (decision.user_id, decision.role, decision.reason) == (uid(app, "staff-a2"), "B", "a_on_leave")
    assert "工作已交接" in client.get("/c/comm-a/rosters/leave").get_data(as_text=True)


def test_a_declined_request_keeps_a_on_duty(app, client, auth, roster, holders):
    auth.login("staff-a")
    _ask(auth, holders, holders)
    auth.logout()
    auth.login("head-a")
    leave_id = rows(app, Leave)[0]["id"]
    auth.post(f"/c/comm-a/rosters/leave/{leave_id}/decide", {"decision": "decline", "note": "人手不足"})
    assert rows(app, Leave)[0]["status"] == "declined"
    assert _responsible(app, roster, holders).role == "A"


def test_refused_leave_changes_nothing(app, client, auth, roster):
    day = tomorrow(app, 10)
    auth.login("staff-a")
    assert _ask(auth, day, day + timedelta(days=2)).status_code == 303
    before = rows(app, Leave)
    for first, last, kind in ((day + timedelta(days=5), day + timedelta(days=4), "annual"),   # to before from
                              (day + timedelta(days=2), day + timedelta(days=3), "annual"),   # overlaps own leave
                              (day - timedelta(days=1), day, "sick"),                         # overlaps too
                              ("2026-13-01", day, "annual"), (day, day, "holiday")):
        response = _ask(auth, first, last, kind)
        assert response.status_code == 200 and "error-summary" in response.get_data(as_text=True)
    assert rows(app, Leave) == before
    auth.logout()
    auth.login("staff-a2")  # another person's leave on the same days is fine
    assert _ask(auth, day, day).status_code == 303
    assert len(rows(app, Leave)) == 2


def test_staff_cancel_leave_not_yet_started_only_their_own(app, client, auth, roster):
    with app.app_context():
        session = community_session("comm-a")
        started = Leave(user_id=uid(app, "staff-a"), first_day=tomorrow(app, 0), last_day=tomorrow(app, 2),
                        status="approved")
        session.add(started)
        session.commit()
        started_id = started.id
    auth.login("staff-a")
    _ask(auth, tomorrow(app, 8), tomorrow(app, 9))
    future_id = rows(app, Leave)[-1]["id"]
    auth.logout()
    auth.login("staff-a2")
    auth.post(f"/c/comm-a/rosters/leave/{future_id}/cancel")
    assert rows(app, Leave, id=future_id)[0]["status"] == "requested"
    auth.logout()
    auth.login("staff-a")
    mine = client.get("/c/comm-a/rosters/mine").get_data(as_text=True)
    assert f"/rosters/leave/{future_id}/cancel" in mine and f"/rosters/leave/{started_id}/cancel" not in mine
    auth.post(f"/c/comm-a/rosters/leave/{started_id}/cancel")
    assert rows(app, Leave, id=started_id)[0]["status"] == "approved"
    assert auth.post(f"/c/comm-a/rosters/leave/{future_id}/cancel").status_code == 303
    assert rows(app, Leave, id=future_id)[0]["status"] == "cancelled"


def _local(days: int, hour: int) -> str:
    return f"{datetime.now(ZoneInfo('Asia/Shanghai')).date() + timedelta(days=days)}T{hour:02d}:00"


def test_outreach_takes_a_holder_out_and_ends_early(app, client, auth, roster, holders):
    day = holders
    auth.login("staff-a")
    assert client.get("/c/comm-a/rosters/outreach").status_code == 200
    for start, end in ((_local(5, 12), _local(5, 9)), (_local(-3, 9), _local(-2, 9)), ("明天", _local(5, 12)),
                       (_local(1, 9), _local(20, 9))):
        assert auth.post("/c/comm-a/rosters/outreach", {"starts_at": start, "ends_at": end}).status_code == 200
    assert not rows(app, Outreach)
    assert auth.post("/c/comm-a/rosters/outreach", {"starts_at": f"{day}T09:00", "ends_at": f"{day}T12:00",
                                                    "note": "3号楼入户"}).status_code == 303
    assert auth.post("/c/comm-a/rosters/outreach", {"starts_at": f"{day}T11:00",
                                                    "ends_at": f"{day}T13:00"}).status_code == 200  # overlaps
    decision = _responsible(app, roster, day)
    assert (decision.role, decision.reason) == ("B", "a_out")
    (trip,) = rows(app, Outreach)
    assert "3号楼入户" in client.get("/c/comm-a/rosters/outreach").get_data(as_text=True)
    auth.logout()
    auth.login("staff-a2")
    auth.post(f"/c/comm-a/rosters/outreach/{trip['id']}/end")  # not theirs
    assert rows(app, Outreach)[0]["ends_at"] == trip["ends_at"]
    auth.logout()
    auth.login("staff-a")
    assert auth.post(f"/c/comm-a/rosters/outreach/{trip['id']}/end").status_code == 303
    assert _responsible(app, roster, day).role == "A"  # a trip not begun, ended now, takes no time at all
    assert auth.post("/c/comm-a/rosters/outreach", {"starts_at": f"{day}T11:00", "ends_at": f"{day}T13:00"}
                     ).status_code == 303


def test_my_duty_shows_my_shifts_posts_and_leave(app, client, auth, roster, holders):
    auth.login("staff-a")
    _ask(auth, holders + timedelta(days=2), holders + timedelta(days=2))
    page = client.get("/c/comm-a/rosters/mine").get_data(as_text=True)
    assert holders.isoformat() in page and "08:30–17:30" in page and "社会保障岗" in page
    assert (holders + timedelta(days=2)).isoformat() in page
    auth.logout()
    auth.login("district")
    assert client.get("/c/comm-a/rosters/mine").status_code == 403  # district admins have no duty here


def test_the_head_enters_approved_leave_for_a_member_of_staff(app, client, auth, roster, holders):
    def enter(**data):
        token = auth.csrf_token("/")
        return client.post("/c/comm-a/rosters/leave/enter", data={
            "entry-csrf_token": token, "entry-user": str(uid(app, "staff-a")), "entry-first_day": str(holders),
            "entry-last_day": str(holders), "entry-kind": "sick", "entry-reason": "电话请病假", **data})

    auth.login("staff-a")
    assert enter().status_code == 403
    auth.logout()
    auth.login("head-a")
    assert enter(**{"entry-user": str(uid(app, "res-a"))}).status_code == 200
    assert enter(**{"entry-last_day": str(holders - timedelta(days=1))}).status_code == 200
    assert not rows(app, Leave)
    assert enter().status_code == 303
    (leave,) = rows(app, Leave)
    assert (leave["status"], leave["kind"], leave["decided_by"]) == ("approved", "sick", uid(app, "head-a"))
    assert _responsible(app, roster, holders).reason == "a_on_leave"
    page = enter().get_data(as_text=True)  # the same days again overlap
    assert "error-summary" in page and len(rows(app, Leave)) == 1
