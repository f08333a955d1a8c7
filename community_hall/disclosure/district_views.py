"""The district dashboard (/district) and its printable monthly report (/district/report), for street-office admins."""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.policy import district_communities, requires_district
from ..errors import HallError
from ..htmx import render
from ..tenancy import registry_session, utcnow
from ..timebank.figures import REGISTRATION_TARGET, TEAMS_TARGET
from . import charts, district
from .dashboard_views import Table, _period_labels, _shown, csv_response, xlsx_response
from .figures import SATISFACTION_TARGET

bp = Blueprint("district", __name__, url_prefix="/district")

# the sort key of each column of the table, in order (None: not sortable)
COLUMNS = ("rank", "name", "street", "received", "finished", "on_time", "satisfaction", "rectified", "registration",
           "teams", "staff", "hours", None)
TARGETS = {"satisfaction": SATISFACTION_TARGET, "registration": REGISTRATION_TARGET, "teams": TEAMS_TARGET}


def _against(value, unit: str, met: bool) -> str:
    return _("%(value)s, met", value=_shown(value, unit)) if met else _("%(value)s, not met", value=_shown(value, unit))


def _registration(row: district.Row) -> str:
    if row.registration_rate is None:
        return _("population not recorded")   # no made-up rate: the standard is a share of the population
    return _against(row.registration_rate, "", row.registration_met)


def _table(rows: list[district.Row]) -> Table:
    headings = [_("Rank"), _("Community"), _("Street"), _("Requests received"), _("Requests finished"),
                _("Finished on time"), _("Satisfaction (target %(target)s%%)", target=SATISFACTION_TARGET),
                _("Bad ratings put right"), _("Volunteers per 100 residents (target %(target)s)",
                                              target=REGISTRATION_TARGET),
                _("Volunteer teams (target %(target)s)", target=TEAMS_TARGET), _("Staff per 1,000 households"),
                _("Volunteer service hours"), _("Standards met")]
    body = [[_shown(r.rank), r.name, r.street or "—", _shown(r.received), _shown(r.finished),
             _shown(r.on_time_rate, "%"), _against(r.satisfaction_rate, "%", r.satisfaction_met),
             _("%(rectified)s of %(bad)s", rectified=r.rectified, bad=r.bad_ratings),
             _registration(r), _against(r.teams, "", r.teams_met),
             _shown(r.staff_per_1000), _shown(r.hours),
             _("%(met)s of %(all)s", met=r.met, all=district.STANDARDS)] for r in rows]
    return Table("district", _("Communities against the standards"), headings, body, [r.slug for r in rows])


def _chart(rows: list[district.Row], label: str):
    if not rows:
        return None
    first = rows[0]
    reaching = sum(r.satisfaction_met for r in rows)
    top = [r.name for r in rows if r.rank == first.rank]
    if len(top) > 1:   # a tie is told as a tie: nobody "ranks first" over the others
        lead = _("%(names)s are tied first, each meeting %(met)s of %(all)s standards; %(reaching)s of %(total)s "
                 "communities reach the satisfaction target of %(target)s%%.", names=_(", ").join(top),
                 met=first.met, all=district.STANDARDS, reaching=reaching, total=len(rows), target=SATISFACTION_TARGET)
    else:
        lead = _("%(name)s ranks first, meeting %(met)s of %(all)s standards; %(reaching)s of %(total)s communities "
                 "reach the satisfaction target of %(target)s%%.", name=first.name, met=first.met,
                 all=district.STANDARDS, reaching=reaching, total=len(rows), target=SATISFACTION_TARGET)
    return charts.chart(
        "chart-district", _("Satisfaction per community in rank order, %(period)s", period=label), lead,
        [charts.Bar(f"{r.rank}. {r.name}", r.satisfaction_rate, SATISFACTION_TARGET) for r in rows],
        unit="%", scale=100, value_heading=_("Satisfaction"))


def _gather(choice: str | None, month: str | None) -> dict:
    """The communities of the signed-in admin for the asked period and street; a bad filter shows the defaults."""
    communities = district_communities(current_user)
    street = (request.args.get("street") or "").strip()
    error, field, now = None, None, utcnow()
    try:
        chosen = district.choose_street(communities, street)
        period, rows = district.rows_for(registry_session(), chosen, choice, month, now)
    except HallError as err:
        error, field, street = str(err.message), err.field, ""
        period, rows = district.rows_for(registry_session(), communities, None, None, now)
    return {"communities": communities, "streets": district.streets(communities), "street": street,
            "period": period, "rows": rows, "error": error, "field": field}


@bp.route("")
@requires_district
def page():
    """The communities side by side for a period (?period=… or ?month=YYYY-MM, ?street=), sortable; or as CSV/XLSX."""
    choice, month = request.args.get("period"), (request.args.get("month") or "").strip()
    found = _gather(choice, month)
    column, direction, rows = district.sort_rows(found["rows"], request.args.get("sort"), request.args.get("dir"))
    label = found["period"].label if found["period"] else ""
    table = _table(rows)
    if request.args.get("format") == "csv" and not found["error"]:
        return csv_response(table, f"district-{label}.csv")
    if request.args.get("format") == "xlsx" and not found["error"]:
        return xlsx_response([table], f"district-{label}.xlsx")
    # Links repeat the filter only when it was valid, so they show and export what the page shows.
    shown = {} if found["error"] else {"month": month} if month else {"period": choice or "this_month"}
    if found["street"]:
        shown["street"] = found["street"]
    return render("disclosure/district.html", table=table, chart=_chart(found["rows"], label), label=label,
                  choices=_period_labels(), chosen=choice or "this_month", month=month, shown=shown,
                  column=column, direction=direction, columns=COLUMNS, defaults=district.SORTS, targets=TARGETS,
                  report_args={k: v for k, v in shown.items() if k in ("month", "street")},
                  **found), 400 if found["error"] else 200


@bp.route("/report")
@requires_district
def report():
    """The monthly report (?month=YYYY-MM, default this month; ?street=) as a page to print on A4."""
    month = (request.args.get("month") or "").strip()
    found = _gather(None, month)
    label = found["period"].label if found["period"] else ""
    shown = {} if found["error"] else {"month": month} if month else {}
    if found["street"]:
        shown["street"] = found["street"]
    return render("disclosure/district_report.html", table=_table(found["rows"]), chart=_chart(found["rows"], label),
                  label=label, month=month, shown=shown, printed_at=utcnow(), targets=TARGETS, columns=None,
                  **found), 400 if found["error"] else 200
