"""The printable monthly report (/c/<slug>/report?month=YYYY-MM), a route of the dashboard's blueprint."""

from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _
from flask_login import current_user

from .. import audit
from ..accounts.policy import requires
from ..errors import HallError
from ..glossary import STATUS_LABELS
from ..htmx import render
from ..routing.services import station_people
from ..tenancy import community_session, registry_session, tenancy, utcnow
from ..timebank.figures import REGISTRATION_TARGET, TEAMS_TARGET
from . import figures, report
from .dashboard_views import Table, _charts, _shown, _tables, bp


def _met(value, target, at_least: bool = True) -> str:
    if value is None:
        return "—"
    return _("Met") if (value >= target if at_least else value == target) else _("Not met")


def _targets(found: dict) -> Table:
    public = found["public"]
    rows = [
        [_("Satisfaction rate"), _shown(public["satisfaction_rate"], "%"), f"≥ {figures.SATISFACTION_TARGET}%",
         _met(public["satisfaction_rate"], figures.SATISFACTION_TARGET)],
        [_("Bad ratings put right"), _shown(public["rectified_rate"], "%"), f"{figures.RECTIFY_TARGET}%",
         _met(public["rectified_rate"], figures.RECTIFY_TARGET, at_least=False)],
        [_("Volunteer registration rate"), _shown(found["registration_rate"], "%")
         if found["registration_rate"] is not None else _("population not recorded"), f"≥ {REGISTRATION_TARGET}%",
         _met(found["registration_rate"], REGISTRATION_TARGET)],
        [_("Volunteer service teams"), _shown(found["teams"]), f"≥ {TEAMS_TARGET}", _met(found["teams"], TEAMS_TARGET)],
    ]
    return Table("targets", _("Figures against their targets"), [_("Figure"), _("Value"), _("Target"), _("Result")],
                 rows)


def _more(found: dict) -> list[Table]:
    public = found["public"]
    complaints = Table("complaints", _("Complaints and their handling"), [_("State now"), _("Complaints")],
                       [[str(STATUS_LABELS.get(s, s)), str(n)] for s, n in found["complaint_states"]])
    orders, rating = found["orders"]
    volunteers = Table("volunteers", _("Volunteer service"), [_("Figure"), _("Value")], [
        [_("Volunteer service hours"), _shown(public["volunteers"]["hours"])],
        [_("Service orders confirmed"), _shown(orders)], [_("Average rating of the orders"), _shown(rating)],
        [_("Registered volunteers"), _shown(public["volunteers"]["registered"])]])
    return [complaints, volunteers]


def _summary(found: dict) -> str:
    t = found["public"]["tickets"]
    text = _("This month %(received)s requests were received and %(finished)s finished; the on-time rate was "
             "%(on_time)s.", received=t["received"], finished=t["finished"], on_time=_shown(t["on_time_rate"], "%"))
    c = found["public"]["complaints"]
    text += " " + _("%(complaints)s complaints were received and %(answered)s answered; %(overdue)s requests were "
                    "overdue at the end of the month.", complaints=c["received"], answered=c["answered"],
                    overdue=found["overdue_at_end"])
    return text


@bp.route("/report")
@requires("dashboard.view")
def report_page(slug):
    """The monthly report of ?month=YYYY-MM (this month by default), laid out for printing on A4."""
    error, status, now = None, 200, utcnow()
    session = community_session(slug)
    month = request.args.get("month", "").strip()
    try:
        period = report.parse_month(session, g.community, month, now)
    except HallError as err:
        error, status = str(err.message), 400
        period = report.parse_month(session, g.community, None, now)
    found = report.report(session, registry_session(), g.community, period, station_people(g.community),
                          _("No post"), now)
    # The report names staff: who read it is recorded (apart: this request only reads).
    audit.record_apart(tenancy().community_engine(slug), current_user.id, "report.view", period.label)
    shown = {t.name: t for t in _tables(found, 0, [], [])}
    tables = {"targets": _targets(found), **{name: shown[name] for name in ("summary", "posts", "staff")},
              **{t.name: t for t in _more(found)}}
    return render("disclosure/report.html", period=period, found=found, tables=tables, summary=_summary(found),
                  charts=_charts(found, period), error=error, month=month if error else period.label,
                  generated=now), status
