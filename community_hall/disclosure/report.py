"""The monthly report of a community (月度报告) and the XLSX workbook of the dashboard's tables.

The report reuses the dashboard's figures (figures_for with the trend ending at the chosen month) and adds what
only a closed month has: complaints by their state, volunteer orders, and the requests overdue at the month's
end (open then and past due: still accepted or in progress, or finished or declined only after the month).
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ..errors import HallError
from ..tenancy import Community, utcnow
from ..timebank import figures as timebank
from ..window.models import Ticket
from . import dashboard
from .figures import Period, _utc, period_of

LOWEST_YEAR = 2000
BAD_QUARTER = _l("Choose a quarter as YYYY-Qn (for example 2026-Q3).")


def month_bounds(session: Session, community: Community, now: datetime | None = None) -> tuple[Period, Period]:
    """The first and last months a report may cover: the community's (or its oldest ticket's) first, and this one."""
    now = now or utcnow()
    oldest = session.scalar(select(func.min(Ticket.submitted_at)))
    created = community.created_at or now
    firsts = [created if created.tzinfo else created.replace(tzinfo=ZoneInfo("UTC"))]
    if oldest is not None:
        firsts.append(oldest if oldest.tzinfo else oldest.replace(tzinfo=ZoneInfo("UTC")))
    first = period_of(community, "month", min(firsts))
    if first.start.year < LOWEST_YEAR:
        first = period_of(community, "month", datetime(LOWEST_YEAR, 1, 15, tzinfo=ZoneInfo(community.timezone)))
    return first, period_of(community, "month", now)


def parse_month(session: Session, community: Community, month: str | None, now: datetime | None = None) -> Period:
    """The month of ?month=YYYY-MM (this month when empty); HallError when malformed, in the future or too old."""
    now = now or utcnow()
    first, last = month_bounds(session, community, now)
    if not month:
        return last
    error = HallError(_l("Choose a month as YYYY-MM from %(first)s to %(last)s (for example %(last)s).",
                         first=first.label, last=last.label), "month")
    try:
        period = dashboard.parse_period(community, None, month, now)
    except HallError:
        raise error from None
    if period.start > last.start or period.start < first.start:
        raise error
    return period


def parse_public(community: Community, month: str | None, quarter: str | None, now: datetime | None = None) -> Period:
    """The public page's period: ?month=YYYY-MM or ?quarter=YYYY-Qn, 2000 to now; HallError when bad."""
    now = now or utcnow()
    if quarter:
        text = quarter.strip().upper()
        try:
            year, q = int(text[:4]), int(text[6:])
            if len(text) != 7 or text[4:6] != "-Q" or not 1 <= q <= 4:
                raise ValueError(text)
        except ValueError:
            raise HallError(BAD_QUARTER, "quarter") from None
        zone = ZoneInfo(community.timezone)
        period = period_of(community, "quarter", datetime(year, (q - 1) * 3 + 2, 15, 12, tzinfo=zone))
        if year < LOWEST_YEAR or period.start > period_of(community, "quarter", now).start:
            raise HallError(BAD_QUARTER, "quarter")
        return period
    period = dashboard.parse_period(community, None, month, now)
    if period.start > period_of(community, "month", now).start:
        raise HallError(dashboard.BAD_PERIOD, "month")
    return period


def overdue_at(session: Session, end: datetime) -> int:
    """Requests open and past due at `end`: still accepted or in progress, or finished or declined after it."""
    at = _utc(end)
    open_then = or_(Ticket.status.in_(dashboard.LATE_STATES),
                    and_(Ticket.status.in_(("done", "declined")), Ticket.finished_at >= at))
    return session.scalar(select(func.count(Ticket.id)).where(
        Ticket.kind == "request", Ticket.submitted_at < at, Ticket.due_at < at, open_then)) or 0


def complaints_by_status(session: Session, period: Period) -> list[tuple[str, int]]:
    """Complaints submitted in the month, counted per state they are in now."""
    rows = session.execute(select(Ticket.status, func.count(Ticket.id))
                           .where(Ticket.kind == "complaint", Ticket.submitted_at >= _utc(period.start),
                                  Ticket.submitted_at < _utc(period.end))
                           .group_by(Ticket.status).order_by(Ticket.status))
    return [(status, count) for status, count in rows]


def report(session: Session, registry: Session, community: Community, period: Period, people: dict[int, str],
           no_post: str, now: datetime | None = None) -> dict:
    """Everything of the monthly report: the dashboard's figures for the month (trend ending with it) and more."""
    now = now or utcnow()
    # The trend's "now" is the middle of the chosen month, so its 12 months end with that month.
    found = dashboard.figures_for(session, registry, community, period, people, no_post,
                                  period.start + timedelta(days=14))
    _volunteers, _residents, rate = timebank.registration(session, registry, community)
    end = min(period.end, now)
    return {**found, "teams": session.scalar(select(func.count()).select_from(timebank.Team)) or 0,
            "registration_rate": rate, "orders": timebank.orders_done(session, period.start, period.end),
            "complaint_states": complaints_by_status(session, period), "overdue_at_end": overdue_at(session, end),
            "overdue_end": end}


def workbook(tables: list) -> bytes:
    """The tables as one XLSX workbook, a sheet each (named by the table), bold headings; text never a formula."""
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for table in tables:
        ws = wb.create_sheet(table.name[:31])
        for c, heading in enumerate(table.headings, start=1):
            _text(ws, 1, c, heading).font = bold
        for r, row in enumerate(table.rows, start=2):
            for c, value in enumerate(row, start=1):
                _text(ws, r, c, value)
        ws.freeze_panes = "A2"
        for c in range(1, len(table.headings) + 1):
            ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = 18
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _text(ws, row: int, column: int, value):
    cell = ws.cell(row=row, column=column, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    cell.data_type = "s"   # "=..." stays text, as in menu.transfer.write_xlsx
    return cell
