"""Local working-day overrides: a head opens the station on a day off or closes it on a working day."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import audit
from ..errors import HallError
from .models import CalendarOverride
from .services import calendar_for


def overrides(session: Session) -> list[CalendarOverride]:
    """Every local override, by date."""
    return list(session.scalars(select(CalendarOverride).order_by(CalendarOverride.day)))


def set_override(session: Session, day: date, is_workday: bool, note: str, actor_id: int | None) -> CalendarOverride:
    """Add or change the override of one day (due dates computed from now on use it)."""
    note = (note or "").strip()
    if not note:
        raise HallError(_l("Say why, for example 停电检修 or 社区活动日加班."), "note")
    if len(note) > 100:
        raise HallError(_l("This is longer than %(n)s characters.", n=100), "note")
    row = session.get(CalendarOverride, day)
    if row is None:
        row = CalendarOverride(day=day)
        session.add(row)
    row.is_workday, row.note = is_workday, note
    audit.record(session, actor_id, "calendar.set", f"{day.isoformat()} {'open' if is_workday else 'closed'} {note}")
    session.commit()
    return row


def remove_override(session: Session, day: date, actor_id: int | None) -> None:
    """Go back to the national calendar for that day."""
    session.execute(delete(CalendarOverride).where(CalendarOverride.day == day))
    audit.record(session, actor_id, "calendar.remove", day.isoformat())
    session.commit()


def upcoming_days_off(session: Session, start: date, days: int = 45) -> list[tuple[date, bool, str | None, bool]]:
    """The next days that differ from a plain Monday-Friday week: (day, is_workday, holiday name, provisional)."""
    cal = calendar_for(session)
    out = []
    for i in range(days):
        d = start + timedelta(days=i)
        workday = cal.is_workday(d)
        if workday != (d.weekday() < 5) or d in cal.overrides:
            out.append((d, workday, cal.holiday_name(d), cal.describe(d).provisional))
    return out
