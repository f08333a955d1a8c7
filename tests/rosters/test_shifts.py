"""Shifts: the head adds, edits and deletes; every refusal changes nothing; swaps move a shift once approved."""

from __future__ import annotations

import pytest

from community_hall.audit import AuditEvent
from community_hall.rosters.models import Shift, ShiftSwap
from community_hall.tenancy import community_session
from tests.rosters.conftest import rows, tomorrow, uid


def _add(auth, **data):
    return auth.post("/c/comm-a/rosters/shifts", data)


def test_the_head_adds_a_late_shift_and_it_shows_in_the_month(app, client, auth, roster):
    day = tomorrow(app, 3)
    auth.login("head-a")
    response = _add(auth, user=str(uid(app, "staff-a")), day=day.isoformat(), start="10:00", end="19:00", kind="late")
    assert response.status_code == 303 and f"month={day:%Y-%m}" in response.headers["Location"]
    (shift,) = rows(app, Shift)
    assert (shift["day"], shift["start"], shift["end"], shift["kind"], shift["published"]) == (
        day, "10:00", "19:00", "late", True)
    page = client.get(f"/c/comm-a/rosters/shifts?month={day:%Y-%m}").get_data(as_text=True)
    assert "10:00–19:00" in page and "员工a" in page
    assert any(e["action"] == "rosters.shift" for e in rows(app, AuditEvent))


@pytest.mark.parametrize("bad", [
    {"start": "17:30", "end": "08:30"},       # start after end
    {"start": "09:00", "end": "09:00"},       # empty shift
    {"start": "8h", "end": "17:30"},          # not HH:MM
    {"start": "08:30", "end": "25:00"},
    {"day": "2026-02-30"},
    {"user": "res-a"},                        # not staff
    {"user": "staff-b"},                      # staff of another community
    {"kind": "night"},
    {"start": "12:00", "end": "20:00"},       # overlaps the existing shift
])
def test_refused_shifts_change_nothing(app, client, auth, roster, add_shift, bad):
    day = tomorrow(app, 3)
    add_shift("staff-a", day, "08:30", "17:30")
    before = rows(app, Shift)
    auth.login("head-a")
    data = {"user": "staff-a", "day": day.isoformat(), "start": "18:00", "end": "20:00", "kind": "regular", **bad}
    data["user"] = str(uid(app, data["user"]))
    response = _add(auth, **data)
    assert response.status_code == 200 and "error-summary" in response.get_data(as_text=True)
    assert rows(app, Shift) == before


def test_the_head_edits_and_deletes_a_shift_staff_cannot(app, client, auth, roster, add_shift):
    day = tomorrow(app, 3)
    shift_id = add_shift("staff-a", day)
    other = add_shift("staff-a2", day)
    auth.login("staff-a")
    assert client.get(f"/c/comm-a/rosters/shifts?month={day:%Y-%m}").status_code == 200
    assert _add(auth, user=str(uid(app, "staff-a")), day=day.isoformat(), start="18:00", end="20:00",
                kind="regular").status_code == 403
    assert client.get(f"/c/comm-a/rosters/shifts/{shift_id}").status_code == 403
    assert auth.post(f"/c/comm-a/rosters/shifts/{shift_id}/delete").status_code == 403
    auth.logout()
    auth.login("head-a")
    edit = {"user": str(uid(app, "staff-a")), "day": day.isoformat(), "start": "09:00", "end": "18:00", "kind": "regular"}
    assert auth.post(f"/c/comm-a/rosters/shifts/{shift_id}", edit).status_code == 303
    assert rows(app, Shift, id=shift_id)[0]["start"] == "09:00"
    # moving it onto staff-a2, who already works then, is refused
    assert auth.post(f"/c/comm-a/rosters/shifts/{shift_id}", {**edit, "user": str(uid(app, "staff-a2"))}).status_code == 200
    assert rows(app, Shift, id=shift_id)[0]["user_id"] == uid(app, "staff-a")
    assert auth.post(f"/c/comm-a/rosters/shifts/{other}/delete").status_code == 303
    assert [s["id"] for s in rows(app, Shift)] == [shift_id]


def test_residents_and_other_communities_are_kept_out(app, client, auth, roster):
    auth.login("res-a")
    for path in ("shifts", "leave", "outreach", "swaps", "mine", "import", "export/shifts.csv"):
        assert client.get(f"/c/comm-a/rosters/{path}").status_code == 403, path
    auth.logout()
    auth.login("staff-b")
    for path in ("shifts", "leave", "outreach", "swaps", "mine"):
        assert client.get(f"/c/comm-a/rosters/{path}").status_code == 404, path


def test_an_approved_swap_moves_the_shift_a_declined_one_does_not(app, client, auth, roster, add_shift):
    day = tomorrow(app, 5)
    first, second = add_shift("staff-a", day), add_shift("staff-a", tomorrow(app, 6))
    auth.login("staff-a")
    page = client.get("/c/comm-a/rosters/swaps").get_data(as_text=True)
    assert f'value="{first}"' in page
    to = str(uid(app, "staff-a2"))
    assert auth.post("/c/comm-a/rosters/swaps", {"shift": first, "to_user": to, "reason": "孩子家长会"}).status_code == 303
    assert auth.post("/c/comm-a/rosters/swaps", {"shift": second, "to_user": to, "reason": "体检"}).status_code == 303
    (swap1, swap2) = rows(app, ShiftSwap)
    assert auth.post(f"/c/comm-a/rosters/swaps/{swap1['id']}/decide", {"decision": "approve"}).status_code == 403
    assert rows(app, Shift, id=first)[0]["user_id"] == uid(app, "staff-a")
    auth.logout()
    auth.login("head-a")
    assert auth.post(f"/c/comm-a/rosters/swaps/{swap1['id']}/decide", {"decision": "approve"}).status_code == 303
    assert auth.post(f"/c/comm-a/rosters/swaps/{swap2['id']}/decide", {"decision": "decline"}).status_code == 303
    assert rows(app, Shift, id=first)[0]["user_id"] == uid(app, "staff-a2")
    assert rows(app, Shift, id=second)[0]["user_id"] == uid(app, "staff-a")
    decided = {s["id"]: s for s in rows(app, ShiftSwap)}
    assert decided[swap1["id"]]["status"] == "approved" and decided[swap1["id"]]["decided_by"] == uid(app, "head-a")
    assert decided[swap2["id"]]["status"] == "declined"
    assert any(e["action"] == "rosters.swap" for e in rows(app, AuditEvent))
    # deciding again is refused
    auth.post(f"/c/comm-a/rosters/swaps/{swap2['id']}/decide", {"decision": "approve"})
    assert rows(app, Shift, id=second)[0]["user_id"] == uid(app, "staff-a")
    auth.logout()
    auth.login("staff-a2")
    mine = client.get("/c/comm-a/rosters/mine").get_data(as_text=True)
    assert day.isoformat() in mine


def test_refused_swaps_store_nothing(app, client, auth, roster, add_shift):
    past = add_shift("staff-a", tomorrow(app, -1))
    draft = add_shift("staff-a", tomorrow(app, 7))
    with app.app_context():
        session = community_session("comm-a")
        session.get(Shift, draft).published = False  # a draft of the rota generator is not yet anybody's duty
        session.commit()
    today = add_shift("staff-a", tomorrow(app, 0))
    theirs = add_shift("staff-a2", tomorrow(app, 4))
    future = add_shift("staff-a", tomorrow(app, 4))
    auth.login("staff-a")
    to = str(uid(app, "staff-a2"))
    for data in ({"shift": past, "to_user": to, "reason": "x"}, {"shift": today, "to_user": to, "reason": "x"},
                 {"shift": draft, "to_user": to, "reason": "x"},
                 {"shift": theirs, "to_user": to, "reason": "x"},
                 {"shift": future, "to_user": str(uid(app, "staff-a")), "reason": "x"},
                 {"shift": future, "to_user": str(uid(app, "res-a")), "reason": "x"},
                 {"shift": future, "to_user": to, "reason": " "}):
        assert auth.post("/c/comm-a/rosters/swaps", data).status_code == 200, data
    assert not rows(app, ShiftSwap)
    # approving a swap onto a colleague who meanwhile works then is refused and leaves the shift alone
    assert auth.post("/c/comm-a/rosters/swaps", {"shift": future, "to_user": to, "reason": "x"}).status_code == 303
    auth.logout()
    auth.login("head-a")
    (swap,) = rows(app, ShiftSwap)
    auth.post(f"/c/comm-a/rosters/swaps/{swap['id']}/decide", {"decision": "approve"})
    assert rows(app, Shift, id=future)[0]["user_id"] == uid(app, "staff-a")
    assert rows(app, ShiftSwap)[0]["status"] == "requested"
