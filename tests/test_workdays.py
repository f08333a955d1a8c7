"""The working-day calendar, checked against the real 2025–2026 arrangements in chinese_calendar 1.11.0.

Facts these tests rely on (printed from chinese_calendar.get_holiday_detail while writing them):
- 春节 2026: Sun 15 Feb – Mon 23 Feb off; make-up workdays (调休) Sat 14 Feb and Sat 28 Feb.
- 中秋 2026: Fri 25 Sep – Sun 27 Sep off.
- 国庆节 2026: Thu 1 Oct – Wed 7 Oct off; make-up workdays Sun 20 Sep and Sat 10 Oct (Sun 11 Oct is an ordinary weekend).
- 2026 has 248 working days. The library knows 2004–2026 and raises NotImplementedError for other years.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from community_hall.workdays import DEFAULT, WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _fixed_day(clock):
    """The calendar is a pure function of the dates given; the app's clock is fixed all the same, so no date here
    is ever compared with the real today."""
    clock.set_now(datetime(2026, 11, 23, 9, tzinfo=SHANGHAI))


def shanghai(*args) -> datetime:
    """An aware UTC datetime given as Asia/Shanghai wall-clock time, as the database stores it."""
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2026, 2, 14), True),  # Saturday, 调休 for 春节
        (date(2026, 2, 16), False),  # Monday inside 春节
        (date(2026, 2, 28), True),  # Saturday, 调休 for 春节
        (date(2026, 9, 20), True),  # Sunday, 调休 for 国庆节
        (date(2026, 9, 25), False),  # Friday, 中秋
        (date(2026, 10, 7), False),  # Wednesday, last day of 国庆节
        (date(2026, 10, 10), True),  # Saturday, 调休 for 国庆节
        (date(2026, 10, 11), False),  # ordinary Sunday
        (date(2026, 3, 3), True),  # ordinary Tuesday
        (datetime(2026, 10, 10, 23, 59), True),  # a datetime counts by its date
    ],
)
def test_is_workday_follows_the_national_calendar(d, expected):
    assert DEFAULT.is_workday(d) is expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # 春节: the 调休 Saturday before the holiday counts, the nine days off do not.
        (date(2026, 2, 12), 1, date(2026, 2, 13)),
        (date(2026, 2, 12), 2, date(2026, 2, 14)),
        (date(2026, 2, 12), 3, date(2026, 2, 24)),
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # Friday before a 调休 Saturday lands on the Saturday
        (date(2026, 2, 14), 1, date(2026, 2, 24)),  # accepted on the 调休 Saturday itself
        (date(2026, 2, 18), 1, date(2026, 2, 24)),  # accepted during the holiday
        (date(2026, 2, 25), 3, date(2026, 2, 28)),  # the 调休 Saturday after the holiday
        (date(2026, 2, 25), 4, date(2026, 3, 2)),
        # 中秋 + 国庆节: Fri 25 Sep is itself a day off, so 3 days from it end on Wed 30 Sep.
        (date(2026, 9, 25), 3, date(2026, 9, 30)),
        (date(2026, 9, 25), 4, date(2026, 10, 8)),  # 1–7 Oct off
        (date(2026, 9, 25), 6, date(2026, 10, 10)),  # Sat 10 Oct is 调休
        (date(2026, 9, 25), 7, date(2026, 10, 12)),  # Sun 11 Oct is not
        (date(2026, 9, 18), 1, date(2026, 9, 20)),  # Sat 19 Sep off, Sun 20 Sep is 调休
        (date(2026, 9, 30), 1, date(2026, 10, 8)),
        (datetime(2026, 9, 30, 16, 0), 1, date(2026, 10, 8)),
    ],
)
def test_add_workdays_across_holidays(start, n, expected):
    assert DEFAULT.add_workdays(start, n) == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2026, 3, 3), date(2026, 3, 3)),  # a working day: itself
        (datetime(2026, 3, 3, 20, 0), date(2026, 3, 3)),  # even after office hours
        (date(2026, 3, 7), date(2026, 3, 9)),  # Saturday: the Monday
        (date(2026, 10, 1), date(2026, 10, 8)),  # 国庆节: the first day back
        (date(2026, 10, 10), date(2026, 10, 10)),  # a 调休 Saturday is a working day
    ],
)
def test_add_zero_workdays_is_the_first_working_day_on_or_after_start(start, expected):
    assert DEFAULT.add_workdays(start, 0) == expected


def test_negative_limits_are_refused():
    with pytest.raises(ValueError):
        DEFAULT.add_workdays(date(2026, 3, 3), -1)
    with pytest.raises(ValueError):
        DEFAULT.add_workhours(datetime(2026, 3, 3, 9), -1)


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2026, 2, 13), date(2026, 2, 14)),
        (date(2026, 2, 14), date(2026, 2, 24)),
        (date(2026, 10, 9), date(2026, 10, 10)),
        (date(2026, 10, 10), date(2026, 10, 12)),
    ],
)
def test_next_workday_is_strictly_after(d, expected):
    assert DEFAULT.next_workday(d) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (date(2026, 2, 13), date(2026, 2, 24), 2),  # 14 Feb (调休) and 24 Feb
        (date(2026, 9, 30), date(2026, 10, 8), 1),  # the whole 国庆节 week is worth one day
        (date(2026, 9, 18), date(2026, 9, 21), 2),  # Sun 20 Sep (调休) and Mon 21 Sep
        (date(2026, 9, 24), date(2026, 10, 12), 7),  # 28–30 Sep, 8–10 Oct, 12 Oct
        (date(2025, 12, 31), date(2026, 12, 31), 248),  # all of 2026
        (date(2026, 3, 3), date(2026, 3, 3), 0),
        (date(2026, 3, 9), date(2026, 3, 3), 0),  # b before a
    ],
)
def test_workdays_between_counts_the_half_open_interval(a, b, expected):
    assert DEFAULT.workdays_between(a, b) == expected


def test_local_override_closes_a_weekday():
    # The station closes on Wednesday 4 March 2026 for a community event.
    calendar = WorkCalendar({date(2026, 3, 4): False})
    assert not calendar.is_workday(date(2026, 3, 4))
    assert calendar.add_workdays(date(2026, 3, 3), 1) == date(2026, 3, 5)
    assert DEFAULT.add_workdays(date(2026, 3, 3), 1) == date(2026, 3, 4)
    assert calendar.workdays_between(date(2026, 3, 2), date(2026, 3, 6)) == 3


def test_local_override_opens_a_saturday():
    calendar = WorkCalendar({date(2026, 3, 7): True})
    assert calendar.add_workdays(date(2026, 3, 6), 1) == date(2026, 3, 7)
    assert DEFAULT.add_workdays(date(2026, 3, 6), 1) == date(2026, 3, 9)


def test_local_overrides_beat_the_national_calendar():
    # Open on a 国庆节 day, closed on its 调休 Saturday.
    calendar = WorkCalendar({date(2026, 10, 3): True, date(2026, 10, 10): False})
    assert calendar.is_workday(date(2026, 10, 3))
    assert not calendar.is_workday(date(2026, 10, 10))
    assert calendar.add_workdays(date(2026, 9, 30), 2) == date(2026, 10, 8)
    assert calendar.holiday_name(date(2026, 10, 3)) is None  # not a day off here


@pytest.mark.parametrize(
    ("accepted_at", "limit", "expected"),
    [
        # 春节: 13 Feb, 14 Feb (调休), 24, 25, 26 Feb.
        (shanghai(2026, 2, 12, 9, 0), 5, datetime(2026, 2, 26, 9, 30, tzinfo=UTC)),
        # Accepted on 中秋 with a 3-working-day limit: 28, 29, 30 Sep, just before 国庆节.
        (shanghai(2026, 9, 25, 10, 0), 3, datetime(2026, 9, 30, 9, 30, tzinfo=UTC)),
        # 国庆节: 30 Sep, then 8 and 9 Oct.
        (shanghai(2026, 9, 29, 15, 0), 3, datetime(2026, 10, 9, 9, 30, tzinfo=UTC)),
        # Limit 0: the end of the same office day.
        (shanghai(2026, 3, 3, 9, 0), 0, datetime(2026, 3, 3, 9, 30, tzinfo=UTC)),
        # 17:00 UTC on Fri 13 Feb is already Sat 14 Feb (调休) in Shanghai: days count from the local date.
        (datetime(2026, 2, 13, 17, 0, tzinfo=UTC), 1, datetime(2026, 2, 24, 9, 30, tzinfo=UTC)),
    ],
)
def test_due_date_in_workdays(accepted_at, limit, expected):
    assert DEFAULT.due_date(accepted_at, limit, "workdays") == expected


def test_due_date_is_office_closing_time_in_the_community_zone_returned_as_utc():
    due = DEFAULT.due_date(shanghai(2026, 3, 2, 10, 0), 1)
    assert due == datetime(2026, 3, 3, 9, 30, tzinfo=UTC)
    assert due.utcoffset() == timedelta(0)
    assert due.astimezone(SHANGHAI).time() == time(17, 30)
    # Another zone moves the UTC moment with it.
    assert DEFAULT.due_date(shanghai(2026, 3, 2, 10, 0), 1, tz="Asia/Urumqi") == datetime(2026, 3, 3, 11, 30, tzinfo=UTC)


def test_due_date_refuses_naive_datetimes():
    with pytest.raises(ValueError):
        DEFAULT.due_date(datetime(2026, 3, 2, 10, 0), 1)


@pytest.mark.parametrize(
    ("paused", "expected"),
    [
        (0, datetime(2026, 9, 30, 9, 30, tzinfo=UTC)),  # Mon 28 Sep + 2: 29, 30 Sep
        (1, datetime(2026, 10, 8, 9, 30, tzinfo=UTC)),  # one paused day jumps 国庆节
        (3, datetime(2026, 10, 10, 9, 30, tzinfo=UTC)),  # onto the 调休 Saturday
    ],
)
def test_paused_workdays_push_the_due_date(paused, expected):
    assert DEFAULT.due_date(shanghai(2026, 9, 28, 10, 0), 2, "workdays", paused_workdays=paused) == expected


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (datetime(2026, 3, 3, 10, 0), 2, datetime(2026, 3, 3, 12, 0)),  # within one day
        (datetime(2026, 3, 3, 15, 0), 4, datetime(2026, 3, 4, 10, 0)),  # 2.5 h, a night, 1.5 h
        (datetime(2026, 3, 6, 16, 0), 4, datetime(2026, 3, 9, 11, 0)),  # Friday, a weekend, Monday
        (datetime(2026, 3, 4, 7, 0), 2, datetime(2026, 3, 4, 10, 30)),  # before opening
        (datetime(2026, 3, 4, 19, 0), 2, datetime(2026, 3, 5, 10, 30)),  # after closing
        (datetime(2026, 3, 7, 11, 0), 1, datetime(2026, 3, 9, 9, 30)),  # on a Saturday
        (datetime(2026, 3, 3, 8, 30), 9, datetime(2026, 3, 3, 17, 30)),  # a full day ends at closing, not next morning
        (datetime(2026, 9, 30, 16, 30), 3, datetime(2026, 10, 8, 10, 30)),  # across 国庆节
        (datetime(2026, 10, 9, 17, 0), 1, datetime(2026, 10, 10, 9, 0)),  # into the 调休 Saturday
    ],
)
def test_add_workhours_counts_office_hours_only(start, hours, expected):
    assert DEFAULT.add_workhours(start, hours) == expected


def test_add_workhours_keeps_the_time_zone_and_honours_custom_hours():
    start = datetime(2026, 3, 3, 15, 0, tzinfo=SHANGHAI)
    assert DEFAULT.add_workhours(start, 4, day_start=time(9, 0), day_end=time(17, 0)) == datetime(
        2026, 3, 4, 11, 0, tzinfo=SHANGHAI
    )


@pytest.mark.parametrize(
    ("accepted_at", "hours", "paused", "expected"),
    [
        # Fri 16:00 local + 4 office hours → Mon 11:00 local = 03:00 UTC.
        (shanghai(2026, 3, 6, 16, 0), 4, 0, datetime(2026, 3, 9, 3, 0, tzinfo=UTC)),
        # Tue 15:00 local + 4 office hours → Wed 10:00 local.
        (shanghai(2026, 3, 3, 15, 0), 4, 0, datetime(2026, 3, 4, 2, 0, tzinfo=UTC)),
        # A paused working day adds one full office day (9 h): Fri 1.5 h, Mon 9 h, Tue 2.5 h.
        (shanghai(2026, 3, 6, 16, 0), 4, 1, datetime(2026, 3, 10, 3, 0, tzinfo=UTC)),
    ],
)
def test_due_date_in_hours(accepted_at, hours, paused, expected):
    assert DEFAULT.due_date(accepted_at, hours, "hours", paused_workdays=paused) == expected


def test_due_date_refuses_unknown_units():
    with pytest.raises(ValueError):
        DEFAULT.due_date(shanghai(2026, 3, 3, 9, 0), 1, "weeks")


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2026, 10, 1), "国庆节"),
        (date(2026, 2, 17), "春节"),
        (date(2026, 9, 25), "中秋"),
        (date(2026, 10, 10), None),  # 调休 workday: the library labels it 国庆节, but it is not a day off
        (date(2026, 10, 11), None),  # ordinary weekend
        (date(2026, 3, 3), None),
        (date(2035, 10, 1), "国庆节"),  # outside the library's years: the law's holidays
        (date(2035, 10, 8), None),
    ],
)
def test_holiday_name(d, expected):
    assert DEFAULT.holiday_name(d) == expected


@pytest.mark.parametrize("year", [2003, 2035])
def test_years_outside_the_library_are_monday_to_friday_between_holidays(year):
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(year, 1, 6))
    # March has no statutory holiday (the law's days off are tested in tests/test_calendar.py).
    first_monday = next(date(year, 3, day) for day in range(1, 8) if date(year, 3, day).weekday() == 0)
    week = [first_monday + timedelta(days=i) for i in range(7)]
    assert [DEFAULT.is_workday(d) for d in week] == [True] * 5 + [False] * 2
    assert DEFAULT.add_workdays(week[4], 1) == week[0] + timedelta(days=7)  # Friday → next Monday
    assert DEFAULT.workdays_between(week[0] - timedelta(days=1), week[6]) == 5


def test_fallback_still_honours_overrides():
    # 2035 has no national arrangement yet; a community can enter a day off by hand.
    calendar = WorkCalendar({date(2035, 3, 6): False})
    assert not calendar.is_workday(date(2035, 3, 6))  # a Tuesday
    assert calendar.add_workdays(date(2035, 3, 5), 1) == date(2035, 3, 7)


def test_add_workdays_lands_on_the_nth_working_day_throughout_2025_and_2026():
    day = date(2025, 1, 1)
    while day <= date(2026, 11, 30):
        for n in range(1, 16):
            due = DEFAULT.add_workdays(day, n)
            assert DEFAULT.is_workday(due), (day, n)
            assert DEFAULT.workdays_between(day, due) == n, (day, n)
            # ... and it is the first such day, not a later one.
            assert DEFAULT.workdays_between(day, due - timedelta(days=1)) == n - 1, (day, n)
        first = DEFAULT.add_workdays(day, 0)
        assert DEFAULT.is_workday(first) and DEFAULT.workdays_between(day, first) == (0 if first == day else 1)
        day += timedelta(days=1)


def test_add_workhours_always_ends_within_office_hours_of_a_working_day():
    # Starts every 97 minutes through September and October 2026, so at all hours and across 国庆节.
    for minutes in range(0, 61 * 24 * 60, 97):
        begin = datetime(2026, 9, 1) + timedelta(minutes=minutes)
        for hours in (1, 5, 9, 20):
            end = DEFAULT.add_workhours(begin, hours)
            assert DEFAULT.is_workday(end) and time(8, 30) < end.time() <= time(17, 30), (begin, hours)
