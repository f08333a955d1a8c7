"""The public disclosure page (居务公开) of a community and the same figures as JSON; no login, no personal data."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, g, jsonify, request
from flask_babel import gettext as _

from ..accounts.policy import community_public
from ..errors import HallError
from ..htmx import render
from ..menu.services import menu_by_category
from ..pagecache import cached
from ..rosters.coverage import on_duty_now
from ..tenancy import community_session, registry_session
from ..timebank.figures import REGISTRATION_TARGET
from . import charts, figures, report

bp = Blueprint("disclosure", __name__, url_prefix="/c/<slug>")

# The keys of disclosure.json, in the order the issue gives them; page-only figures stay off the JSON.
JSON_KEYS = ("period", "tickets", "satisfaction_rate", "bad_ratings", "complaints", "volunteers", "updated_at")


def _period() -> tuple[figures.Period, str | None]:
    """The period asked for and an error message when ?month= or ?quarter= was bad (then this month)."""
    month, quarter = request.args.get("month", "").strip(), request.args.get("quarter", "").strip()
    if month or quarter:
        try:
            return report.parse_public(g.community, month, quarter), None
        except HallError as err:
            return figures.period_of(g.community, "month"), str(err.message)
    # An unknown ?period= shows the month rather than an error: it is a plain link people may mistype.
    kind = request.args.get("period", "month")
    return figures.period_of(g.community, kind if kind in figures.PERIOD_KINDS else "month"), None


def _found(period: figures.Period) -> dict:
    return figures.cached_disclosure(community_session(g.community.slug), registry_session(), g.community, period)


def _shown(value, unit: str = "%") -> str:
    return "—" if value is None else f"{value:g}{unit}"


def _charts(found: dict, period: figures.Period) -> list:
    t, c, bad = found["tickets"], found["complaints"], found["bad_ratings"]
    counts = charts.chart(
        "chart-counts", _("Requests and complaints, %(period)s", period=period.label),
        _("%(received)s requests received and %(finished)s finished; %(complaints)s complaints received and "
          "%(answered)s answered.", received=t["received"], finished=t["finished"], complaints=c["received"],
          answered=c["answered"]),
        [charts.Bar(_("Requests received"), t["received"]), charts.Bar(_("Requests finished"), t["finished"]),
         charts.Bar(_("Complaints received"), c["received"]), charts.Bar(_("Complaints answered"), c["answered"])],
        value_heading=_("How many"))
    rates = charts.chart(
        "chart-rates", _("How well requests were served, %(period)s", period=period.label),
        _("Finished on time: %(on_time)s. Satisfied ratings: %(satisfied)s (target %(target)s). Bad ratings put "
          "right: %(rectified)s of %(bad)s. Finished online: %(online)s. At most one trip: %(one_trip)s.",
          on_time=_shown(t["on_time_rate"]), satisfied=_shown(found["satisfaction_rate"]),
          target=_shown(figures.SATISFACTION_TARGET), rectified=bad["rectified"], bad=bad["received"],
          online=_shown(t["online_rate"]), one_trip=_shown(t["one_trip_rate"])),
        [charts.Bar(_("Finished on time"), t["on_time_rate"]),
         charts.Bar(_("Satisfied ratings"), found["satisfaction_rate"], figures.SATISFACTION_TARGET),
         charts.Bar(_("Bad ratings put right"), found["rectified_rate"], figures.RECTIFY_TARGET),
         charts.Bar(_("Finished online"), t["online_rate"]),
         charts.Bar(_("At most one trip"), t["one_trip_rate"])],
        unit="%", scale=100, value_heading=_("Share"))
    return [counts, rates]


@bp.route("/disclosure")
@community_public
def page(slug):
    """This or a past month's or quarter's service results, with charts, the menu and who is on duty now."""
    period, error = _period()
    found = _found(period)
    session = community_session(slug)
    current = figures.period_of(g.community, period.kind).start == period.start
    return render("disclosure/page.html", period=period, found=found, charts=_charts(found, period),
                  groups=menu_by_category(session), duty_rows=on_duty_now(session, g.community),
                  shown=_shown, kinds=figures.PERIOD_KINDS, current=current, error=error,
                  month=request.args.get("month", "").strip(), quarter=request.args.get("quarter", "").strip(),
                  targets={"satisfaction": figures.SATISFACTION_TARGET, "registration": REGISTRATION_TARGET}), \
        400 if error else 200


@bp.route("/disclosure.json")
@community_public
@cached((), minute=True)    # the figures themselves are kept a minute (figures.cached)
def page_json(slug):
    """The same figures for other sites and screens (?period=quarter, ?month=YYYY-MM or ?quarter=YYYY-Qn)."""
    period, error = _period()
    found = _found(period)
    data = {key: found[key] for key in JSON_KEYS}
    data["updated_at"] = found["updated_at"].astimezone(ZoneInfo(g.community.timezone)).isoformat(timespec="seconds")
    if error:
        # Like the page: this month's figures, with the reason the asked-for period was refused.
        data["error"] = error
        response = jsonify(data)
        response.status_code = 400
        return response
    response = jsonify(data)
    response.headers["Cache-Control"] = f"public, max-age={figures.CACHE_SECONDS}"
    return response
