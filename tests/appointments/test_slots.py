"""Slot arithmetic: opening hours cut into slots, and which days a window can be booked across holidays."""

from __future__ import annotations

from datetime import date

import pytest

from community_hall.appointments import services, slots
from community_hall.tenancy import community_session, get_community
from community_hall.window.models import CalendarOverride

from .conftest import at


@pytest.mark.parametrize("hours, minutes, expected", [
    ("09:00-12:00,14:00-17:00", 30, 12),    # 6 in the morning, 6 in the afternoon
    ("09:00-12:00，14:00-17:00", 60, 6),     # a Chinese comma is fine
    ("14:00-17:00 09:00-10:00", 60, 4),      # spans are put in order
    ("09:00-10:10", 30, 2),                  # a remainder shorter than a slot is dropped
    ("10:00-10:20", 30, 0),
])
def test_day_slots(hours, minutes, expected):
    got = slots.day_slots(hours, minutes)
    assert len(got) == expected
    assert [s.start for s in got] == sorted(s.start for s in got)
    if got:
        assert got[0].label.count(":") == 2


def test_slot_keys_and_labels():
    first, second = slots.day_slots("09:00-10:00", 30)
    assert (first.key, first.label, second.key) == ("09:00", "09:00–09:30", "09:30")
    assert slots.find_slot("09:00-10:00", 30, "09:30") == second
    assert slots.find_slot("09:00-10:00", 30, "09:15") is None


@pytest.mark.parametrize("bad", ["", "9-12", "12:00-09:00", "09:00-12:00,11:00-13:00", "25:00-26:00", "09:00-09:00"])
def test_bad_hours_are_refused(bad):
    with pytest.raises(ValueError):
        slots.parse_hours(bad)


def test_open_days_skip_holidays_and_include_make_up_workdays(app, bookable):
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        days = services.open_days(session, community, horizon=14, now=at(2026, 9, 24, 9))
    # Mid-Autumn (25–27 Sep) and National Day (1–7 Oct) are closed; Sat 10 Oct is a make-up working day (调休).
    assert days == [date(2026, 9, 24), date(2026, 9, 28), date(2026, 9, 29), date(2026, 9, 30), date(2026, 10, 8)]
    with app.app_context():
        days = services.open_days(community_session("comm-a"), get_community("comm-a"), horizon=14,
                                  now=at(2026, 10, 1, 9))
    assert days[:3] == [date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10)]


def test_a_local_closure_removes_the_day(app, bookable):
    with app.app_context():
        session = community_session("comm-a")
        session.add(CalendarOverride(day=date(2026, 9, 29), is_workday=False, note="停电"))
        session.commit()
        days = services.open_days(session, get_community("comm-a"), horizon=7, now=at(2026, 9, 28, 9))
        window = session.get(services.ServiceWindow, bookable.a)
        assert services.day_slots(session, get_community("comm-a"), window, date(2026, 9, 29), now=at(2026, 9, 28)) == []
    assert date(2026, 9, 29) not in days and date(2026, 9, 30) in days


def test_slots_show_places_left_and_begun(app, bookable):
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        services.book(session, community, "YY-001", date(2026, 9, 28), "10:00", "王芳", "13800001111",
                      now=at(2026, 9, 28, 9, 40))
        window = session.get(services.ServiceWindow, bookable.a)
        views = {v.slot.key: v for v in services.day_slots(session, community, window, date(2026, 9, 28),
                                                            now=at(2026, 9, 28, 9, 40))}
    assert views["09:30"].past and not views["09:30"].bookable
    assert (views["10:00"].taken, views["10:00"].left, views["10:00"].bookable) == (1, 1, True)
    assert views["14:00"].left == 2 and len(views) == 12
