"""Booking, refusals with their reasons, cancel, reschedule, no-shows and kiosk check-in."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest

from community_hall.appointments import services
from community_hall.appointments.models import Appointment
from community_hall.errors import HallError
from community_hall.floor import services as floor
from community_hall.floor.models import QueueNumber
from community_hall.tenancy import community_session, get_community
from community_hall.window.models import CalendarOverride

from .conftest import at

MON = date(2026, 9, 28)
NOW = at(2026, 9, 28, 8, 0)


def _book(app, item="YY-001", day=MON, start="10:00", name="王芳", phone="13800001111", user_id=None, now=NOW):
    with app.app_context():
        session = community_session("comm-a")
        appt = services.book(session, get_community("comm-a"), item, day, start, name, phone, user_id, now=now)
        return appt.code


def _count(app) -> int:
    with app.app_context():
        return community_session("comm-a").query(Appointment).count()


def test_booking_goes_to_the_window_of_the_items_post(app, bookable):
    code = _book(app)
    code2 = _book(app, item="YY-002", phone="13800002222")
    with app.app_context():
        session = community_session("comm-a")
        a, b = services.by_code(session, code), services.by_code(session, code2)
        assert (a.window_id, a.start, a.end, a.status) == (bookable.a, "10:00", "10:30", "booked")
        assert b.window_id == bookable.b          # no post: the first open window
    assert len(code) == 6 and code != code2 and not set(code) & set("01OI")


@pytest.mark.parametrize("kwargs, field, words", [
    ({"day": date(2026, 10, 1)}, "day", "国庆"),                 # a public holiday, named
    ({"day": date(2026, 9, 27), "now": at(2026, 9, 24)}, "day", "中秋"),
    ({"day": date(2026, 9, 25), "now": NOW}, "day", ""),          # a day already past
    ({"start": "08:00"}, "start", ""),                            # not a slot of the window
    ({"start": "10:15"}, "start", ""),
    ({"now": at(2026, 9, 28, 10, 5)}, "start", "10:00"),          # the slot has begun
    ({"day": date(2026, 10, 20)}, "day", "14"),                    # beyond the horizon
    ({"item": "CK-001"}, "item", ""),                              # the item takes no appointments
    ({"item": "NOPE"}, "item", ""),
    ({"phone": "12345"}, "phone", ""),
    ({"name": " "}, "name", ""),
])
def test_bad_bookings_are_refused_with_a_reason_and_store_nothing(app, bookable, kwargs, field, words):
    with pytest.raises(HallError) as err:
        _book(app, **kwargs)
    assert err.value.field == field
    with app.test_request_context(headers={"Accept-Language": "zh"}):
        assert words in str(err.value.message)
    assert _count(app) == 0


def test_make_up_workday_can_be_booked(app, bookable):
    code = _book(app, day=date(2026, 10, 10), now=at(2026, 10, 8, 9))
    assert code


def test_a_full_slot_is_refused_and_cancelling_frees_it(app, bookable):
    _book(app, phone="13800000001")
    second = _book(app, phone="13800000002")
    with pytest.raises(HallError) as err:
        _book(app, phone="13800000003")
    assert err.value.field == "start" and _count(app) == 2
    with app.app_context():
        session = community_session("comm-a")
        services.cancel(session, services.by_code(session, second))
        with pytest.raises(HallError):
            services.cancel(session, services.by_code(session, second))   # twice: refused
    assert _book(app, phone="13800000003")


def test_second_booking_of_the_same_item_by_the_same_person_on_a_day_is_refused(app, bookable):
    _book(app, user_id=7)
    with pytest.raises(HallError) as err:
        _book(app, start="14:00")                                  # same phone
    assert err.value.field == "day"
    with pytest.raises(HallError):
        _book(app, start="14:00", phone="13900009999", user_id=7)  # same signed-in person, other phone
    assert _book(app, item="YY-002", start="14:00")               # another item the same day is fine
    assert _book(app, day=date(2026, 9, 29))                      # the same item another day is fine
    assert _count(app) == 3


def test_reschedule_keeps_the_code_and_checks_like_booking(app, bookable):
    code = _book(app)
    _book(app, start="11:00", phone="13800000001")
    _book(app, start="11:00", phone="13800000002")
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        appt = services.by_code(session, code)
        with pytest.raises(HallError):
            services.reschedule(session, community, appt, MON, "11:00", now=NOW)          # full
        with pytest.raises(HallError):
            services.reschedule(session, community, appt, date(2026, 10, 2), "10:00", now=NOW)  # holiday
        services.reschedule(session, community, appt, MON, "10:00", now=NOW)   # its own place counts as free
        moved = services.reschedule(session, community, services.by_code(session, code), date(2026, 9, 29), "15:30",
                                    now=NOW)
        assert (moved.code, moved.day, moved.start, moved.end, moved.reschedules) == \
            (code, date(2026, 9, 29), "15:30", "16:00", 2)
        services.cancel(session, moved)
        with pytest.raises(HallError):
            services.reschedule(session, community, services.by_code(session, code), MON, "14:00", now=NOW)


def test_find_needs_the_code_and_the_phone(app, bookable):
    code = _book(app)
    with app.app_context():
        session = community_session("comm-a")
        assert services.find(session, code.lower(), "138 0000 1111").code == code
        for c, p in ((code, "13800001112"), ("ZZZZZZ", "13800001111"), (code, "")):
            with pytest.raises(HallError):
                services.find(session, c, p)


def test_no_shows_are_recorded_after_the_slot_and_grace(app, bookable):
    early = _book(app, start="09:00")
    late = _book(app, item="YY-002", start="10:00")
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        assert services.mark_no_shows(session, community, now=at(2026, 9, 28, 9, 40)) == 0   # within grace
        assert services.mark_no_shows(session, community, now=at(2026, 9, 28, 9, 50)) == 1
        assert services.by_code(session, early).status == "no_show"
        assert services.by_code(session, late).status == "booked"
        services.mark_no_show(session, services.by_code(session, late))
        assert services.day_counts(session, MON) == {"no_show": 2}
        with pytest.raises(HallError):
            services.mark_no_show(session, services.by_code(session, late))


def test_check_in_within_the_slot_gives_a_number_called_next(app, bookable):
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        today = services.local_now(community).date()
        # Today, whatever day the tests run: open, with a slot from 00:00 to 23:55 for these checks.
        session.merge(CalendarOverride(day=today, is_workday=True, note="test"))
        window = session.get(services.ServiceWindow, bookable.a)
        window.opening_hours, window.slot_minutes = "00:00-23:55", 1435
        session.commit()
        just_before = at(today.year, today.month, today.day, 0, 0) - timedelta(minutes=1)
        appt = services.book(session, community, "YY-001", today, "00:00", "李强", "13800005555", now=just_before)
        code = appt.code
        walk_ins = [floor.take_number(session, community, bookable.a).code for _ in range(2)]
        priority = floor.take_number(session, community, bookable.a, priority=True).code
        number = services.check_in(session, community, code.lower(), now=at(today.year, today.month, today.day, 12))
        assert number.priority and number.appointment_id == appt.id and number.code == "A004"
        assert services.by_code(session, code).status == "checked_in"
        with pytest.raises(HallError):
            services.check_in(session, community, code, now=at(today.year, today.month, today.day, 12))  # once only
        called = [floor.call_next(session, community, bookable.a, None, "员工").code for _ in range(4)]
    # The appointment first, then the priority rule as usual (first call of the day: priority goes first).
    assert called == ["A004", priority, *walk_ins]


def test_check_in_outside_the_slot_or_day_is_refused(app, bookable):
    code = _book(app)
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        cases = [(at(2026, 9, 28, 9, 40), "09:45"), (at(2026, 9, 28, 10, 31), "10:00"), (at(2026, 9, 29, 10), "2026-09-28")]
        for now, words in cases:
            with pytest.raises(HallError) as err:
                services.check_in(session, community, code, now=now)
            assert words in str(err.value.message)
        with pytest.raises(HallError):
            services.check_in(session, community, "NOPE00", now=at(2026, 9, 28, 10))
        assert services.by_code(session, code).status == "booked"
        assert session.query(QueueNumber).count() == 0


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_concurrent_bookings_never_exceed_a_slots_places(app, bookable, backend):
    booked, refused, errors = [], [], []
    lock = threading.Lock()

    def resident(i):
        with app.app_context():
            session, community = community_session("comm-a"), get_community("comm-a")
            try:
                code = services.book(session, community, "YY-001", MON, "10:00", f"居民{i}", f"1380000{i:04d}", now=NOW).code
                with lock:
                    booked.append(code)
            except HallError:
                with lock:
                    refused.append(i)
            except Exception as exc:
                errors.append(repr(exc))

    threads = [threading.Thread(target=resident, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == [] and len(booked) == 2 and len(refused) == 6
    assert _count(app) == 2
