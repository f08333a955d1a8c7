"""The head's dashboard page (/c/<slug>/dashboard): figures of a period, per post and staff, trend, overdue, gaps; CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask import Blueprint, Response, g, request
from flask_babel import gettext as _

from ..accounts.policy import requires
from ..errors import HallError
from ..formatting import localtime, spreadsheet_cell
from ..htmx import render
from ..rosters import coverage
from ..rosters.duty_views import AWAY_LABELS
from ..routing.services import names_of, station_people
from ..tenancy import community_session, registry_session, utcnow
from . import charts, dashboard, figures, report

bp = Blueprint("dashboard", __name__, url_prefix="/c/<slug>")

TABLES = ("summary", "posts", "staff", "trend", "overdue", "gaps")


@dataclass
class Table:
    """A table as shown and as exported: caption, headings and rows of text; `links` for the first cells."""

    name: str
    caption: str
    headings: list[str]
    rows: list[list[str]]
    links: list[str | None] = field(default_factory=list)


def _shown(value, unit: str = "") -> str:
    return "—" if value is None else f"{value:g}{unit}" if isinstance(value, float) else f"{value}{unit}"


def _period_labels() -> dict[str, str]:
    return {"this_month": _("This month"), "last_month": _("Last month"), "this_quarter": _("This quarter"),
            "last_quarter": _("Last quarter")}


def _tables(found: dict, total: int, late: list, gaps: list) -> list[Table]:
    public = found["public"]
    t = public["tickets"]
    summary = Table("summary", _("Figures of the period"), [_("Figure"), _("Value")], [
        [_("Requests received"), _shown(t["received"])], [_("Requests finished"), _shown(t["finished"])],
        [_("Finished on time"), _shown(t["on_time_rate"], "%")], [_("Average days to finish"), _shown(t["avg_days"])],
        [_("Finished online"), _shown(t["online_rate"], "%")], [_("At most one trip"), _shown(t["one_trip_rate"], "%")],
        [_("Ratings received"), _shown(public["ratings"])],
        [_("Satisfaction rate"), _shown(public["satisfaction_rate"], "%")],
        [_("Bad ratings"), _shown(public["bad_ratings"]["received"])],
        [_("Bad ratings put right"), _shown(public["bad_ratings"]["rectified"])],
        [_("Complaints received"), _shown(public["complaints"]["received"])],
        [_("Complaints answered"), _shown(public["complaints"]["answered"])],
        [_("Registered volunteers"), _shown(public["volunteers"]["registered"])],
        [_("Volunteer service hours"), _shown(public["volunteers"]["hours"])]])
    posts = Table("posts", _("Per post"), [_("Post"), _("Received"), _("Number finished"), _("On time"),
                                           _("Average days"), _("Ratings"), _("Satisfaction")],
                  [[p.name, _shown(p.received), _shown(p.handled), _shown(p.on_time_rate, "%"), _shown(p.avg_days),
                    _shown(p.ratings), _shown(p.satisfaction_rate, "%")] for p in found["posts"]])
    staff = Table("staff", _("Per member of staff"),
                  [_("Name"), _("Handled"), _("On time"), _("Satisfaction"), _("First inquiries"),
                   _("Of which answered"), _("Average minutes to acknowledge a hand-over"), _("Hand-backs")],
                  [[s.name, _shown(s.handled), _shown(s.on_time_rate, "%"), _shown(s.satisfaction_rate, "%"),
                    _shown(s.inquiries), _shown(s.inquiries_answered), _shown(s.ack_minutes), _shown(s.handbacks)]
                   for s in found["staff"]])
    trend = Table("trend", _("The last 12 months"), [_("Month"), _("Received"), _("Number finished"), _("On time"),
                                                     _("Satisfaction")],
                  [[m.label, _shown(m.received), _shown(m.finished), _shown(m.on_time_rate, "%"),
                    _shown(m.satisfaction_rate, "%")] for m in found["trend"]])
    names = names_of(t.handler_user_id for t in late)
    overdue = Table("overdue", _("Overdue requests: %(shown)s of %(total)s, most overdue first", shown=len(late),
                                 total=total),
                    [_("Ticket"), _("Service"), _("Post"), _("Handler"), _("Due")],
                    [[t.number, t.item_name, t.post_name or "—", names.get(t.handler_user_id, "—"),
                      localtime(t.due_at)] for t in late])
    gap_rows = Table("gaps", _("Coverage gaps (next 14 days)"),
                     [_("Post"), _("From"), _("Until"), _("A holder"), _("B holder")],
                     [[f"{gap.post_name} ({gap.post_code})", gap.start.strftime("%Y-%m-%d %H:%M"),
                       gap.end.strftime("%Y-%m-%d %H:%M"), str(AWAY_LABELS.get(gap.a_away, gap.a_away)),
                       str(AWAY_LABELS.get(gap.b_away, gap.b_away))] for gap in gaps])
    return [summary, posts, staff, trend, overdue, gap_rows]


def _charts(found: dict, period: figures.Period) -> dict:
    months = found["trend"]
    first, last = months[0], months[-1]
    trend = charts.chart(
        "chart-trend", _("Requests finished per month, %(first)s to %(last)s", first=first.label, last=last.label),
        _("%(last)s: %(finished)s requests finished, %(received)s received; %(total)s finished in the 12 months.",
          last=last.label, finished=last.finished, received=last.received, total=sum(m.finished for m in months)),
        [charts.Bar(m.label, m.finished) for m in months], value_heading=_("Number finished"))
    posts = found["posts"]
    busiest = max(posts, key=lambda p: p.handled, default=None)
    per_post = charts.chart(
        "chart-posts", _("Requests finished per post, %(period)s", period=period.label),
        _("%(post)s finished the most: %(finished)s.", post=busiest.name, finished=busiest.handled)
        if busiest is not None and busiest.handled else _("No post finished a request in this period."),
        [charts.Bar(p.name, p.handled) for p in posts], value_heading=_("Number finished"))
    return {"trend": trend, "posts": per_post}


def csv_response(table: Table, filename: str) -> Response:
    """A table as a CSV download (UTF-8 with BOM for spreadsheets; cells that would be formulas neutralised)."""
    cell = spreadsheet_cell
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([cell(h) for h in table.headings])
    writer.writerows([cell(c) for c in row] for row in table.rows)
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "private, no-store"})


def _csv(table: Table, slug: str, period: figures.Period) -> Response:
    return csv_response(table, f"dashboard-{slug}-{table.name}-{period.label}.csv")


def xlsx_response(tables: list[Table], filename: str) -> Response:
    """Tables as an XLSX download, a sheet each (text cells never become formulas)."""
    return Response(report.workbook(tables), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "private, no-store"})


def _xlsx(tables: list[Table], slug: str, period: figures.Period, name: str) -> Response:
    return xlsx_response(tables, f"dashboard-{slug}-{name}-{period.label}.xlsx")


@bp.route("/dashboard")
@requires("dashboard.view")
def page(slug):
    """The head's dashboard for a period (?period=… or ?month=YYYY-MM), or one or all of its tables as CSV or XLSX."""
    error, status, now = None, 200, utcnow()
    try:
        period = dashboard.parse_period(g.community, request.args.get("period"), request.args.get("month"), now)
    except HallError as err:
        error, status = str(err.message), 400
        period = dashboard.parse_period(g.community, None, None, now)
    session = community_session(slug)
    found = dashboard.figures_for(session, registry_session(), g.community, period, station_people(g.community),
                                  _("No post"), now)
    total, late = dashboard.overdue(session, now)
    gaps = coverage.coverage_gaps(session, g.community)
    tables = _tables(found, total, late, gaps)
    wanted = request.args.get("format")
    if wanted in ("csv", "xlsx") and status == 200:
        chosen = next((t for t in tables if t.name == request.args.get("table")), None)
        if chosen is not None:
            return _csv(chosen, slug, period) if wanted == "csv" else _xlsx([chosen], slug, period, chosen.name)
        if wanted == "xlsx" and not request.args.get("table"):
            return _xlsx(tables, slug, period, "all")
        error, status = _("There is no table of that name to export; choose one of the links below a table."), 400
    by_name = {t.name: t for t in tables}
    by_name["overdue"].links = [t.number for t in late]
    month, chosen = request.args.get("month", ""), request.args.get("period", "this_month")
    # The CSV links repeat the filter only when it was valid, so they export what the page shows.
    shown = {} if error else {"month": month.strip()} if month else {"period": chosen}
    return render("disclosure/dashboard.html", period=period, found=found, tables=by_name,
                  charts=_charts(found, period), gaps=gaps, error=error, choices=_period_labels(),
                  chosen=chosen, month=month, shown=shown,
                  away_label=lambda key: str(AWAY_LABELS.get(key, key))), status


# The monthly report is a route of this blueprint; importing it here registers it.
from . import report_views  # noqa: E402, F401
