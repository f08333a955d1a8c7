"""The routing rule as a table: who is responsible for a post, why, and until when."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from community_hall.rosters import duty
from community_hall.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
A, B, HEAD, OTHER = 1, 2, 9, 5
HOLDERS = duty.Holders(A, B, HEAD)


def at(d: date, clock: str) -> datetime:
    return datetime.combine(d, time.fromisoformat(clock), tzinfo=TZ)


def week_of_shifts(first: date, days: int = 14, who=(A, B, OTHER), cal: WorkCalendar | None = None):
    """Regular 08:30–17:30 shifts on working days for everyone; B works the late shift 10:00–19:00."""
    cal = cal or WorkCalendar()
    spans = []
    for i in range(days):
        d = first + timedelta(days=i)
        if not cal.is_workday(d):
            continue
        for person in who:
            start, end = ("10:00", "19:00") if person == B else ("08:30", "17:30")
            spans.append(duty.Span(person, at(d, start), at(d, end), "late" if person == B else "regular"))
    return spans


MON = date(2026, 9, 28)          # a Monday before National Day
MID_AUTUMN = date(2026, 9, 25)   # Friday, a public holiday
MAKE_UP_SAT = date(2026, 10, 10)  # 调休: a Saturday that is a working day


def roster(leave=(), out=(), first=date(2026, 9, 20)):
    return duty.Roster(week_of_shifts(first, 30), list(leave), list(out))


def day_span(person, first: date, last: date):
    return duty.Span(person, at(first, "00:00"), at(last + timedelta(days=1), "00:00"), "annual")


@pytest.mark.parametrize("situation, r, when, expected", [
    ("A on shift and present", roster(), at(MON, "09:00"), (A, "A", duty.A_ON_DUTY)),
    ("A on leave", roster(leave=[day_span(A, MON, MON)]), at(MON, "11:00"), (B, "B", duty.A_ON_LEAVE)),
    ("A out visiting households", roster(out=[duty.Span(A, at(MON, "10:30"), at(MON, "12:00"))]), at(MON, "11:00"),
     (B, "B", duty.A_OUT)),
    ("A off shift, B's late shift", roster(), at(MON, "18:00"), (B, "B", duty.A_OFF_SHIFT)),
    ("both away", roster(leave=[day_span(A, MON, MON)], out=[duty.Span(B, at(MON, "10:00"), at(MON, "12:00"))]),
     at(MON, "11:00"), (HEAD, "head", duty.BOTH_AWAY)),
    ("A on leave, B not yet in: the head", roster(leave=[day_span(A, MON, MON)]), at(MON, "09:00"),
     (HEAD, "head", duty.BOTH_AWAY)),
    ("outside hours: A opens next morning", roster(), at(MON, "20:00"), (A, "A", duty.CLOSED)),
    ("a holiday: the next working day's A", roster(), at(MID_AUTUMN, "10:00"), (A, "A", duty.CLOSED)),
    ("a 调休 Saturday is a working day", roster(), at(MAKE_UP_SAT, "09:00"), (A, "A", duty.A_ON_DUTY)),
    ("an ordinary Sunday is closed", roster(), at(date(2026, 10, 11), "09:00"), (A, "A", duty.CLOSED)),
    ("A on leave all next day: B opens it", roster(leave=[day_span(A, MON, MON)]), at(date(2026, 9, 27), "21:00"),
     (B, "B", duty.CLOSED)),
])
def test_routing_table(situation, r, when, expected):
    d = duty.responsible(HOLDERS, r, when)
    assert (d.user_id, d.role, d.reason) == expected, situation


def test_until_is_the_next_change_of_person():
    r = roster(out=[duty.Span(A, at(MON, "10:30"), at(MON, "12:00"))])
    assert duty.responsible(HOLDERS, r, at(MON, "09:00")).until == at(MON, "10:30")     # A goes out
    assert duty.responsible(HOLDERS, r, at(MON, "11:00")).until == at(MON, "12:00")     # A is back
    assert duty.responsible(HOLDERS, r, at(MON, "17:45")).until == at(MON, "19:00")     # B's late shift ends
    closed = duty.responsible(HOLDERS, r, at(MON, "20:00"))
    assert closed.until == at(MON + timedelta(days=1), "08:30")                          # when A opens
    holiday = duty.responsible(HOLDERS, roster(), at(date(2026, 10, 1), "10:00"))
    assert holiday.until == at(date(2026, 10, 8), "08:30")                               # after National Day


def test_missing_holders_and_no_roster():
    r = roster()
    d = duty.responsible(duty.Holders(None, B, HEAD), r, at(MON, "11:00"))
    assert (d.user_id, d.reason) == (B, duty.NO_A_HOLDER)
    d = duty.responsible(duty.Holders(None, None, HEAD), r, at(MON, "11:00"))
    assert (d.user_id, d.role) == (HEAD, "head")
    empty = duty.responsible(HOLDERS, duty.Roster(), at(MON, "11:00"))
    assert (empty.user_id, empty.role, empty.reason) == (A, "A", duty.NO_ROSTER)
    assert duty.responsible(duty.Holders(None, None, HEAD), duty.Roster(), at(MON, "11:00")).user_id == HEAD


def test_leave_that_is_only_requested_does_not_count():
    # Only approved leave reaches the roster (services.load_roster filters); a roster without it keeps A.
    assert duty.responsible(HOLDERS, roster(), at(MON, "11:00")).user_id == A
