"""Working-day calendar: China's public holidays and make-up workdays (调休) plus local overrides.

Pure functions of dates: no Flask, no database. The caller loads a community's overrides and passes
them to :class:`WorkCalendar`; deadlines are stored in UTC and computed in the community's zone.
"""

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

import chinese_calendar

OFFICE_OPENS = time(8, 30)
OFFICE_CLOSES = time(17, 30)
DEFAULT_TZ = "Asia/Shanghai"

Unit = Literal["workdays", "hours"]


def _as_date(d: date) -> date:
    # datetime is a subclass of date; compare and look up by the calendar day only.
    return d.date() if isinstance(d, datetime) else d


# chinese_calendar rescans its whole table on every call (~50 µs); deadline loops ask about the same days.
@lru_cache(maxsize=8192)
def _national_is_workday(d: date) -> bool:
    try:
        return chinese_calendar.is_workday(d)
    except NotImplementedError:
        # A year the library has no arrangements for (the State Council publishes each year's in
        # November): assume a plain Monday–Friday week until the package is updated.
        return d.weekday() < 5


class WorkCalendar:
    """National working days (China) with a community's local overrides on top."""

    def __init__(self, overrides: Mapping[date, bool] | None = None):
        self.overrides = dict(overrides or {})

    def is_workday(self, d: date) -> bool:
        """Whether d is a working day: local override, else chinese_calendar, else Mon–Fri outside its years."""
        d = _as_date(d)
        if d in self.overrides:
            return self.overrides[d]
        return _national_is_workday(d)

    def next_workday(self, d: date) -> date:
        """The first working day strictly after d."""
        d = _as_date(d) + timedelta(days=1)
        while not self.is_workday(d):
            d += timedelta(days=1)
        return d

    def add_workdays(self, start: datetime | date, n: int) -> date:
        """The date n working days after start's (local) date, which itself does not count; n=0: on or after it."""
        if n < 0:
            raise ValueError("n must be >= 0")
        d = _as_date(start)
        if n == 0:
            return d if self.is_workday(d) else self.next_workday(d)
        for _ in range(n):
            d = self.next_workday(d)
        return d

    def workdays_between(self, a: date, b: date) -> int:
        """Number of working days in (a, b]; 0 when b <= a."""
        a, b = _as_date(a), _as_date(b)
        return sum(self.is_workday(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))

    def add_workhours(
        self, start: datetime, hours: float, day_start: time = OFFICE_OPENS, day_end: time = OFFICE_CLOSES
    ) -> datetime:
        """The moment `hours` office hours after start, counting only day_start–day_end on working days."""
        if hours < 0:
            raise ValueError("hours must be >= 0")
        tz = start.tzinfo

        def opening(d: date) -> datetime:
            return datetime.combine(d, day_start, tzinfo=tz)

        # Outside office hours the clock starts at the next opening.
        if not self.is_workday(start) or start.time() >= day_end:
            current = opening(self.next_workday(start))
        else:
            current = max(start, opening(start.date()))
        remaining = timedelta(hours=hours)
        while True:
            closing = datetime.combine(current.date(), day_end, tzinfo=tz)
            # "<=": a limit that runs out exactly at closing time is due that evening, not next morning.
            if remaining <= closing - current:
                return current + remaining
            remaining -= closing - current
            current = opening(self.next_workday(current))

    def due_date(
        self,
        accepted_at: datetime,
        limit: int,
        unit: Unit = "workdays",
        tz: str = DEFAULT_TZ,
        paused_workdays: int = 0,
    ) -> datetime:
        """When an item accepted at accepted_at (aware) falls due, as an aware UTC datetime."""
        if accepted_at.tzinfo is None:
            raise ValueError("accepted_at must be timezone-aware (times are stored in UTC)")
        zone = ZoneInfo(tz)
        local = accepted_at.astimezone(zone)
        if unit == "workdays":
            # The working day is counted in the community's zone, and runs until the office closes.
            day = self.add_workdays(local.date(), limit + paused_workdays)
            return datetime.combine(day, OFFICE_CLOSES, tzinfo=zone).astimezone(UTC)
        if unit == "hours":
            # A paused working day is worth one full office day of the hours limit.
            office_day = datetime.combine(date.min, OFFICE_CLOSES) - datetime.combine(date.min, OFFICE_OPENS)
            hours = limit + paused_workdays * office_day / timedelta(hours=1)
            return self.add_workhours(local, hours).astimezone(UTC)
        raise ValueError(f"unknown time-limit unit {unit!r}")

    def holiday_name(self, d: date) -> str | None:
        """Chinese name of the public holiday that makes d a day off ("国庆节"), else None."""
        d = _as_date(d)
        if self.is_workday(d):
            return None
        try:
            is_holiday, name = chinese_calendar.get_holiday_detail(d)
        except NotImplementedError:
            return None
        # The library names ordinary weekends None and make-up workdays after their holiday; only days off count.
        if not is_holiday or name is None:
            return None
        return chinese_calendar.Holiday(name).chinese


DEFAULT = WorkCalendar()
