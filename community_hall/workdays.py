"""Working-day calendar: China's public holidays and make-up workdays (调休) plus local overrides.

Pure functions of dates: no Flask, no database. A day is decided, first match wins, by
1. a community's local override (the caller loads them and passes them to :class:`WorkCalendar`);
2. the official arrangement of its year (放假安排: days off and make-up working days), which an operator imports
   (``hall calendar import``; the caller passes them in a :class:`NationalCalendar`);
3. the ``chinese-calendar`` package, for the years it knows;
4. the law (《全国年节及纪念日放假办法》, 2024 revision): the statutory holidays, weekend days made up on the next
   working days (工作日补假), Monday–Friday otherwise. These days are *provisional*: the State Council announces each
   year's arrangement in the autumn, with make-up working days that no rule predicts.
Deadlines are stored in UTC and computed in the community's zone.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

import chinese_calendar
from lunar_python import Lunar, Solar

OFFICE_OPENS = time(8, 30)
OFFICE_CLOSES = time(17, 30)
DEFAULT_TZ = "Asia/Shanghai"

Unit = Literal["workdays", "hours"]
Source = Literal["local", "arrangement", "package", "law", "week"]


def _as_date(d: date) -> date:
    # datetime is a subclass of date; compare and look up by the calendar day only.
    return d.date() if isinstance(d, datetime) else d


@dataclass(frozen=True)
class Day:
    """What the calendar says of one day, and why."""

    day: date
    workday: bool
    source: Source
    name: str | None = None      # the holiday (or the holiday a make-up working day belongs to)
    provisional: bool = False    # decided by the law alone: no official arrangement is known for its year


def _solar(s: Solar) -> date:
    return date(s.getYear(), s.getMonth(), s.getDay())


def _lunar(year: int, month: int, day: int) -> date:
    return _solar(Lunar.fromYmd(year, month, day).getSolar())


@lru_cache(maxsize=64)
def statutory_days_off(year: int) -> dict[date, str]:
    """The days off the law gives in a Gregorian year (2024 revision), with 工作日补假 for weekend holidays."""
    spring = _lunar(year, 1, 1)
    # Named as chinese-calendar names them, so a year reads the same whichever source decided it.
    holidays: list[tuple[str, list[date]]] = [
        ("元旦", [date(year, 1, 1)]),
        # 春节: 除夕 to 正月初三. 除夕 is the eve of 正月初一 (腊月廿九 or 三十).
        ("春节", [spring + timedelta(days=i) for i in range(-1, 3)]),
        ("清明", [_solar(Solar.fromYmd(year, 4, 1).getLunar().getJieQiTable()["清明"])]),
        ("劳动节", [date(year, 5, 1), date(year, 5, 2)]),
        ("端午", [_lunar(year, 5, 5)]),
        ("中秋", [_lunar(year, 8, 15)]),
        ("国庆节", [date(year, 10, 1), date(year, 10, 2), date(year, 10, 3)]),
    ]
    days: dict[date, str] = {}
    for name, span in holidays:
        for d in span:
            days.setdefault(d, name)
    # 第六条: a holiday for all citizens on a Saturday or Sunday is made up on a working day. The make-up day is the
    # first weekday after the holiday that is not itself a day off, in the order of the holidays.
    for name, span in holidays:
        for d in span:
            if d.weekday() >= 5 and days.get(d) == name:
                extra = span[-1] + timedelta(days=1)
                while extra.weekday() >= 5 or extra in days:
                    extra += timedelta(days=1)
                days[extra] = name
    return {d: n for d, n in days.items() if d.year == year}


# chinese_calendar rescans its whole table on every call (~50 µs); deadline loops ask about the same days.
@lru_cache(maxsize=8192)
def _package_day(d: date) -> tuple[bool, str | None] | None:
    """(workday, holiday name) from chinese-calendar, or None for a year it has no arrangement for."""
    try:
        workday = chinese_calendar.is_workday(d)
        on_holiday, name = chinese_calendar.get_holiday_detail(d)
    except NotImplementedError:
        return None
    # The library names ordinary weekends None, and make-up workdays after their holiday.
    return workday, (chinese_calendar.Holiday(name).chinese if name else None)


@lru_cache(maxsize=256)
def package_knows(year: int) -> bool:
    """Whether chinese-calendar has the official arrangement of this year."""
    return _package_day(date(year, 6, 30)) is not None


class NationalCalendar:
    """The national working days: imported official arrangements, else the package, else the law."""

    def __init__(self, arrangements: Mapping[int, Mapping[date, tuple[bool, str | None]]] | None = None,
                 single_days: Mapping[date, tuple[bool, str | None]] | None = None):
        # year -> {day: (workday, name)}; a year present here is fully arranged: other days follow the week.
        self.arrangements = {y: dict(days) for y, days in (arrangements or {}).items()}
        # Official days of years not arranged whole (2026-12-31 in the 2027 arrangement): those days only.
        self.single_days = dict(single_days or {})
        self._days: dict[date, Day] = {}

    def day(self, d: date) -> Day:
        """The national answer for one day, with its source."""
        d = _as_date(d)
        found = self._days.get(d)
        if found is None:
            if len(self._days) > 20_000:    # bounded: deadline loops only ever ask about a few years
                self._days.clear()
            found = self._days[d] = self._decide(d)
        return found

    def _decide(self, d: date) -> Day:
        year = self.arrangements.get(d.year)
        if year is not None:
            if d in year:
                workday, name = year[d]
                return Day(d, workday, "arrangement", name)
            return Day(d, d.weekday() < 5, "week")
        if d in self.single_days:
            workday, name = self.single_days[d]
            return Day(d, workday, "arrangement", name)
        package = _package_day(d)
        if package is not None:
            return Day(d, package[0], "package", package[1])
        name = statutory_days_off(d.year).get(d)
        if name is not None:
            return Day(d, False, "law", name, provisional=True)
        return Day(d, d.weekday() < 5, "week", provisional=True)

    def is_provisional_year(self, year: int) -> bool:
        """Whether a year's days rest on the law alone (no arrangement imported, none in the package)."""
        return year not in self.arrangements and not package_knows(year)

    def provisional_years(self, start: date, days: int) -> list[int]:
        """The years of the days start … start + days - 1 that have no official arrangement, in order."""
        years = range(start.year, (start + timedelta(days=max(days - 1, 0))).year + 1)
        return [y for y in years if self.is_provisional_year(y)]


NATIONAL = NationalCalendar()


class WorkCalendar:
    """National working days (China) with a community's local overrides on top."""

    def __init__(self, overrides: Mapping[date, bool] | None = None, national: NationalCalendar | None = None):
        self.overrides = dict(overrides or {})
        self.national = national or NATIONAL

    def is_workday(self, d: date) -> bool:
        """Whether d is a working day: local override, else the national calendar."""
        d = _as_date(d)
        if d in self.overrides:
            return self.overrides[d]
        return self.national.day(d).workday

    def describe(self, d: date) -> Day:
        """What decides d, local override included."""
        d = _as_date(d)
        national = self.national.day(d)
        if d in self.overrides:
            return Day(d, self.overrides[d], "local", national.name)
        return national

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
        # Ordinary weekends have no name; make-up workdays are named after their holiday but are not days off.
        national = self.national.day(d)
        return None if national.workday else national.name


DEFAULT = WorkCalendar()


def carry_over(old: WorkCalendar, new: WorkCalendar, start: date, due: date) -> date:
    """The day as many working days after start under `new` as `due` is under `old` (a deadline kept in working
    days when the calendar under it changes). A due day on or before start stays where it is."""
    start, due = _as_date(start), _as_date(due)
    if due <= start:
        return due
    counted = old.workdays_between(start, due)
    return new.add_workdays(start, counted)
