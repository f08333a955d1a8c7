"""The State Council's yearly holiday arrangements (放假安排), imported site-wide by an operator from a CSV file.

File format (UTF-8, a BOM allowed), one row per day that differs from a plain Monday–Friday week::

    date,kind,name
    2027-01-01,off,元旦
    2027-02-07,work,春节

``kind`` is ``off`` (休, a day off) or ``work`` (班, a make-up working day on a Saturday or Sunday). A year with at
least MIN_DAYS_OFF days off in the file is that year's whole arrangement and replaces what was loaded for it; fewer
rows of a year (2026-12-31 in the 2027 arrangement, a one-day correction) change only those days. A file with any
bad row is refused whole. Each import keeps the national days before and after it (NationalImport), so every
community's open deadlines can be moved from exactly the calendar they were computed on, once, even after a failure.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Boolean, Date, DateTime, Integer, String, Text, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from . import audit, clock
from .kept import kept, store
from .tenancy import RegistryBase, registry_session, utcnow
from .workdays import NATIONAL, NationalCalendar, package_knows

MAX_BYTES = 256 * 1024
KINDS = {"off": False, "休": False, "work": True, "班": True}
MIN_DAYS_OFF = 10                   # a whole year's arrangement has 25 or more; the law alone gives 11 weekdays
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
WARN_DAYS = 56                      # heads are told eight weeks ahead that days rest on the law alone
RELOAD_SECONDS = 30                 # how soon a running worker sees an arrangement another process imported


class NationalDay(RegistryBase):
    """One day of an imported arrangement: a day off, or a make-up working day."""

    __tablename__ = "national_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(20), default="")


class NationalYear(RegistryBase):
    """A year whose official arrangement has been imported (its days are then no longer provisional)."""

    __tablename__ = "national_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    source: Mapped[str] = mapped_column(String(200), default="")


class NationalImport(RegistryBase):
    """One import: the national days before and after it, so communities move their deadlines by exactly it."""

    __tablename__ = "national_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    source: Mapped[str] = mapped_column(String(200), default="")
    years: Mapped[str] = mapped_column(String(100), default="")     # the years it changed, "2026、2027"
    before: Mapped[str] = mapped_column(Text)                       # snapshot() of the tables before it
    after: Mapped[str] = mapped_column(Text)


@dataclass
class Problem:
    """One thing wrong with an arrangement file."""

    line: int
    message: str


class ArrangementRejected(ValueError):
    """The file is refused whole; `problems` says where and why."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s); nothing was imported")
        self.problems = problems


def parse(data: bytes) -> dict[int, dict[date, tuple[bool, str]]]:
    """The years of an arrangement file, or ArrangementRejected listing every bad line."""
    if len(data) > MAX_BYTES:
        raise ArrangementRejected([Problem(0, f"the file is larger than {MAX_BYTES // 1024} KB")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ArrangementRejected([Problem(0, "the file is not UTF-8 text")]) from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as err:
        raise ArrangementRejected([Problem(0, f"the file is not readable as CSV ({err})")]) from None
    if not rows or [c.strip().lower() for c in rows[0][:3]] != ["date", "kind", "name"]:
        raise ArrangementRejected([Problem(1, "the first row must be the header: date,kind,name")])
    years: dict[int, dict[date, tuple[bool, str]]] = {}
    problems: list[Problem] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) < 2 or len(row) > 3:
            problems.append(Problem(line, "expected three columns: date,kind,name"))
            continue
        raw_day, kind, name = (c.strip() for c in (row + [""])[:3])
        try:
            if not DATE_RE.fullmatch(raw_day):
                raise ValueError(raw_day)
            day = date.fromisoformat(raw_day)
        except ValueError:
            problems.append(Problem(line, f"{raw_day!r} is not a date like 2027-01-01"))
            continue
        if kind.lower() not in KINDS:
            problems.append(Problem(line, f"kind {kind!r} is not off (休) or work (班)"))
            continue
        workday = KINDS[kind.lower()]
        if workday and day.weekday() < 5:
            problems.append(Problem(line, f"{day} is a weekday: a make-up working day (work) falls on a weekend"))
            continue
        name_problem = _name_problem(name, workday)
        if name_problem:
            problems.append(Problem(line, name_problem))
            continue
        if not 2000 <= day.year <= 2200:
            problems.append(Problem(line, f"the year {day.year} is outside 2000–2200"))
            continue
        days = years.setdefault(day.year, {})
        if day in days:
            problems.append(Problem(line, f"{day} is listed twice"))
            continue
        days[day] = (workday, name)
    if not problems and not years:
        problems.append(Problem(0, "the file lists no days"))
    if problems:
        raise ArrangementRejected(problems)
    return years


def _name_problem(name: str, workday: bool) -> str | None:
    if not name and not workday:
        return "name the holiday of a day off (元旦, 春节 …)"
    if len(name) > 20:
        return "the name is longer than 20 characters"
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in name):
        return "the name contains control characters (a line break, a quote left open?)"
    if name[:1] in ("=", "+", "-", "@"):
        return "a name may not start with =, +, - or @"
    return None


def whole_years(years: dict[int, dict[date, tuple[bool, str]]]) -> list[int]:
    """The years a file arranges whole (at least MIN_DAYS_OFF days off); its other rows are single days."""
    return sorted(y for y, days in years.items() if sum(not w for w, _ in days.values()) >= MIN_DAYS_OFF)


def snapshot(session: Session) -> str:
    """The imported national days as JSON: the years arranged whole and every day."""
    return json.dumps({
        "years": sorted(session.scalars(select(NationalYear.year))),
        "days": [[r.day.isoformat(), r.is_workday, r.name]
                 for r in session.scalars(select(NationalDay).order_by(NationalDay.day))],
    }, ensure_ascii=False)


def calendar_of(state: str) -> NationalCalendar:
    """The national calendar a snapshot describes."""
    data = json.loads(state)
    return _calendar(data["years"], [(date.fromisoformat(d), w, n) for d, w, n in data["days"]])


def _calendar(arranged, days) -> NationalCalendar:
    whole: dict[int, dict[date, tuple[bool, str | None]]] = {y: {} for y in arranged}
    single: dict[date, tuple[bool, str | None]] = {}
    for day, workday, name in days:
        (whole[day.year] if day.year in whole else single)[day] = (workday, name or None)
    return NationalCalendar(whole, single) if whole or single else NATIONAL


def import_arrangement(session: Session, years: dict[int, dict[date, tuple[bool, str]]], source: str,
                       actor_id: int | None = None) -> NationalImport:
    """Replace the years the file arranges whole and set its single days, in one transaction with the record of
    the import (the days before and after it)."""
    before = snapshot(session)
    whole = whole_years(years)
    for year in whole:
        session.execute(delete(NationalDay).where(NationalDay.year == year))
        session.execute(delete(NationalYear).where(NationalYear.year == year))
        session.add(NationalYear(year=year, source=source[:200], imported_at=utcnow()))
    session.flush()
    for year, days in sorted(years.items()):
        for d, (w, n) in days.items():
            session.merge(NationalDay(day=d, year=year, is_workday=w, name=n))
        what = "the whole arrangement" if year in whole else "single days"
        audit.record_site(session, actor_id, "calendar.import",
                          f"{year} ({what}): {sum(not w for w, _ in days.values())} days off, "
                          f"{sum(w for w, _ in days.values())} make-up working days from {source[:100]}")
    session.flush()
    record = NationalImport(source=source[:200], years="、".join(map(str, sorted(years))), before=before,
                            after=snapshot(session), imported_at=utcnow())
    session.add(record)
    session.commit()
    return record


def load(session: Session) -> NationalCalendar:
    """The national calendar with every imported arrangement (read from the registry)."""
    return calendar_of(snapshot(session))


def national() -> NationalCalendar:
    """This worker's national calendar, read again from the registry every RELOAD_SECONDS."""
    return kept("national_calendar", None, RELOAD_SECONDS, lambda: load(registry_session()))


def forget() -> None:
    """Drop this worker's copy (after an import in this process)."""
    store("national_calendar").clear()


def warning_years(tz: str | None = None) -> list[int]:
    """The provisional years in the next eight weeks, for the notice heads and the street office see."""
    return provisional_ahead(national(), tz)


def year_source(cal: NationalCalendar, year: int) -> str:
    """Where a year's days come from: "arrangement", "package" or "law" (provisional)."""
    if year in cal.arrangements:
        return "arrangement"
    return "package" if package_knows(year) else "law"


def provisional_ahead(cal: NationalCalendar, tz: str | None = None, days: int = WARN_DAYS) -> list[int]:
    """Years with no official arrangement that any of the next `days` days (from today) falls in."""
    return cal.provisional_years(clock.today(tz), days)


def year_days(cal: NationalCalendar, year: int) -> list:
    """Every day of a year that differs from a plain Monday–Friday week (days off and make-up working days)."""
    start, out = date(year, 1, 1), []
    for i in range((date(year + 1, 1, 1) - start).days):
        day = cal.day(start + timedelta(days=i))
        if day.workday != (day.day.weekday() < 5):
            out.append(day)
    return out
