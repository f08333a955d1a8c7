"""Appointments over HTTP: booking with htmx-refreshed times, finding, changing, cancelling, kiosk check-in,
the staff day list and the head's hours form."""

from __future__ import annotations

import pytest

from community_hall.appointments import services
from community_hall.appointments.models import Appointment
from community_hall.floor.models import QueueNumber, ServiceWindow
from community_hall.tenancy import community_session, get_community
from community_hall.window.models import CalendarOverride
from tests.helpers import site_token


def _free(app, window_id, skip=0):
    """A day and time that can be booked now at the window (the tests run at any hour of any day)."""
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        window = session.get(ServiceWindow, window_id)
        free = [(d, v.slot.key) for d in services.open_days(session, community)[:3]
                for v in services.day_slots(session, community, window, d) if v.bookable]
        day, start = free[skip]
        return day.isoformat(), start


def _appointments(app):
    with app.app_context():
        return community_session("comm-a").query(Appointment).order_by(Appointment.id).all()


def _book(auth, day, start, phone="13800001111", item="YY-001", name="王芳"):
    return auth.post("/c/comm-a/appointments/book", {"item": item, "day": day, "start": start, "name": name,
                                                     "phone": phone})


def test_index_lists_only_bookable_items(client, bookable):
    page = client.get("/c/comm-a/appointments").get_data(as_text=True)
    assert "居住证明预约办理" in page and "老年证办理" in page and "只在窗口办理" not in page
    item = client.get("/c/comm-a/menu/YY-001").get_data(as_text=True)
    assert "/c/comm-a/appointments/book?item=YY-001" in item
    assert "appointments/book" not in client.get("/c/comm-a/menu/CK-001").get_data(as_text=True)


def test_booking_page_shows_times_and_htmx_refreshes_them(app, client, bookable):
    day, start = _free(app, bookable.a)
    page = client.get(f"/c/comm-a/appointments/book?item=YY-001&day={day}").get_data(as_text=True)
    assert f'value="{start}"' in page and "身份证" in page          # the times and what to bring
    fragment = client.get(f"/c/comm-a/appointments/book?item=YY-002&day={day}", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and html.lstrip().startswith('<div id="slots">') and "<html" not in html
    assert "HX-Request" in fragment.headers.get("Vary", "")
    assert 'hx-get="/c/comm-a/appointments/book"' in html         # the refreshed day list refreshes again


def test_book_show_find_reschedule_cancel(app, client, auth, bookable):
    day, start = _free(app, bookable.a)
    response = _book(auth, day, start)
    assert response.status_code == 303
    code = _appointments(app)[0].code
    assert response.headers["Location"].endswith(f"/c/comm-a/appointments/{code}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert code in page and "138****1111" in page and "13800001111" not in page and "身份证" in page

    stranger = app.test_client()
    assert stranger.get(f"/c/comm-a/appointments/{code}").status_code == 303     # not proved: back to the index
    token = site_token(stranger, "/")
    wrong = stranger.post("/c/comm-a/appointments/find", data={"code": code, "phone": "13800001112",
                                                               "csrf_token": token})
    assert wrong.status_code == 422 and "没有" in wrong.get_data(as_text=True)
    assert stranger.post(f"/c/comm-a/appointments/{code}/cancel", data={"csrf_token": token}).status_code == 404
    right = stranger.post("/c/comm-a/appointments/find", data={"code": code.lower(), "phone": "13800001111",
                                                               "csrf_token": token})
    assert right.status_code == 303 and stranger.get(f"/c/comm-a/appointments/{code}").status_code == 200

    new_day, new_start = _free(app, bookable.a, skip=1)
    moved = auth.post(f"/c/comm-a/appointments/{code}/reschedule", {"day": new_day, "start": new_start})
    assert moved.status_code == 303
    a = _appointments(app)[0]
    assert (a.day.isoformat(), a.start, a.code) == (new_day, new_start, code)
    assert auth.post(f"/c/comm-a/appointments/{code}/cancel").status_code == 303
    assert _appointments(app)[0].status == "cancelled"
    assert "已取消" in client.get(f"/c/comm-a/appointments/{code}").get_data(as_text=True)


def test_booking_errors_are_shown_in_chinese_and_store_nothing(app, client, auth, bookable):
    day, start = _free(app, bookable.a)
    cases = [({"phone": "123"}, "11位"), ({"start": "03:17"}, "时间"), ({"name": ""}, "姓名"),
             ({"day": "2020-01-01"}, "已过")]
    for change, words in cases:
        data = {"item": "YY-001", "day": day, "start": start, "name": "王芳", "phone": "13800001111", **change}
        response = auth.post("/c/comm-a/appointments/book", data)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "error-summary" in html and words in html, change
    assert _appointments(app) == []


def test_a_full_slot_is_refused_over_http(app, client, auth, bookable):
    day, start = _free(app, bookable.a)
    assert _book(auth, day, start, phone="13800000001").status_code == 303
    assert _book(auth, day, start, phone="13800000002").status_code == 303
    third = _book(auth, day, start, phone="13800000003")
    assert third.status_code == 200 and "已约满" in third.get_data(as_text=True)
    assert len(_appointments(app)) == 2


def test_signed_in_resident_sees_own_appointments(app, client, auth, bookable):
    auth.login("res-a")
    page = client.get("/c/comm-a/appointments/book?item=YY-001").get_data(as_text=True)
    assert 'value="居民a"' in page                                  # prefilled from the profile
    day, start = _free(app, bookable.a)
    assert _book(auth, day, start, phone="13800000007", name="居民a").status_code == 303
    code = _appointments(app)[0].code
    assert code in client.get("/c/comm-a/appointments").get_data(as_text=True)


@pytest.fixture
def open_today(app, bookable):
    """Today is a working day for window A, with one slot from 00:00 to 23:55 (tests run at any hour)."""
    with app.app_context():
        session = community_session("comm-a")
        today = services.local_now(get_community("comm-a")).date()
        session.merge(CalendarOverride(day=today, is_workday=True, note="test"))
        window = session.get(ServiceWindow, bookable.a)
        window.opening_hours, window.slot_minutes = "00:00-23:55", 1435
        code = "TEST42"
        session.add(Appointment(code=code, item_code="YY-001", item_name="居住证明预约办理", window_id=bookable.a,
                                day=today, start="00:00", end="23:55", name="李强", phone="13800005555",
                                status="booked", reschedules=0))
        session.commit()
        return code


def test_kiosk_check_in_gives_a_slip_and_refuses_clearly(app, client, auth, open_today):
    kiosk = client.get("/c/comm-a/kiosk").get_data(as_text=True)
    assert "/c/comm-a/kiosk/check-in" in kiosk
    page = client.get("/c/comm-a/kiosk/check-in").get_data(as_text=True)
    assert 'class="elderly"' in page
    bad = auth.post("/c/comm-a/kiosk/check-in", {"code": "NOPE99"})
    assert bad.status_code == 200 and "预约码" in bad.get_data(as_text=True)
    good = auth.post("/c/comm-a/kiosk/check-in", {"code": open_today.lower()})
    assert good.status_code == 303 and "/kiosk/slip/" in good.headers["Location"]
    slip = client.get(good.headers["Location"]).get_data(as_text=True)
    assert "A001" in slip
    again = auth.post("/c/comm-a/kiosk/check-in", {"code": open_today})
    assert again.status_code == 200 and "已签到" in again.get_data(as_text=True)
    with app.app_context():
        numbers = community_session("comm-a").query(QueueNumber).all()
        assert len(numbers) == 1 and numbers[0].appointment_id is not None


def test_staff_day_list_check_in_and_no_show(app, client, auth, open_today):
    auth.login("res-a")
    assert client.get("/c/comm-a/appointments/day").status_code == 403
    auth.login("staff-a")
    page = client.get("/c/comm-a/appointments/day").get_data(as_text=True)
    assert "李强" in page and "138****5555" in page and "13800005555" not in page
    assert auth.post(f"/c/comm-a/appointments/{open_today}/staff/no-show").status_code == 303
    assert _appointments(app)[0].status == "no_show"
    response = auth.post(f"/c/comm-a/appointments/{open_today}/staff/check-in", follow_redirects=True)
    assert "已爽约" in response.get_data(as_text=True) or "爽约" in response.get_data(as_text=True)
    with app.app_context():
        assert community_session("comm-a").query(QueueNumber).count() == 0


def test_head_sets_window_hours_and_bad_hours_are_refused(app, client, auth, bookable):
    auth.login("staff-a")
    assert client.get(f"/c/comm-a/windows/{bookable.a}/hours").status_code == 403
    auth.login("head-a")
    bad = auth.post(f"/c/comm-a/windows/{bookable.a}/hours", {"opening_hours": "9点到12点", "slot_minutes": "30",
                                                         "slot_capacity": "2"})
    assert bad.status_code == 200 and "09:00-12:00" in bad.get_data(as_text=True)
    zero = auth.post(f"/c/comm-a/windows/{bookable.a}/hours", {"opening_hours": "09:00-12:00", "slot_minutes": "30",
                                                          "slot_capacity": "0"})
    assert zero.status_code == 200
    ok = auth.post(f"/c/comm-a/windows/{bookable.a}/hours", {"opening_hours": "08:30-11:30", "slot_minutes": "20",
                                                        "slot_capacity": "3"})
    assert ok.status_code == 303
    with app.app_context():
        w = community_session("comm-a").get(ServiceWindow, bookable.a)
        assert (w.opening_hours, w.slot_minutes, w.slot_capacity) == ("08:30-11:30", 20, 3)
    assert "08:30-11:30" in client.get("/c/comm-a/windows").get_data(as_text=True)


def test_finding_a_booking_is_rate_limited(client, bookable):
    token = site_token(client, "/")
    codes = [client.post("/c/comm-a/appointments/find", data={"code": "ABCDEF", "phone": "13800001111",
                                                              "csrf_token": token}).status_code for _ in range(11)]
    assert codes[:10] == [422] * 10 and codes[10] == 429
