"""Home visits for staff: the list by day and building, planning (head), the outcome, the visitor's day sheet."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.policy import can, requires
from ..errors import HallError, parse_id
from ..glossary import visit_outcome_label
from ..htmx import is_htmx, render
from ..security import safe_next
from ..tenancy import community_session
from ..window.services import Actor
from . import services
from .forms import AssignForm, OutcomeForm
from .models import HomeVisit

bp = Blueprint("visits", __name__, url_prefix="/c/<slug>")


def db():
    """The current community's database session."""
    return community_session(g.community.slug)


def staff_actor() -> Actor:
    """The signed-in member of staff as a ticket actor."""
    return Actor(current_user.id, current_user.display_name, "staff")


def _int_arg(name: str) -> int | None:
    return parse_id(request.args.get(name))


def _filter_from_args() -> services.VisitFilter:
    day = request.args.get("day", "")[:10]
    if day not in ("", "unplanned"):
        try:
            services.parse_day(day)
        except HallError:
            day = ""
    return services.VisitFilter(day=day, assignee_id=_int_arg("visitor"))


def _list_context(announce: str = "", announce_ok: bool = True) -> dict:
    f = _filter_from_args()
    services.sync_visits(db())
    return {"groups": services.group_visits(services.pending_visits(db(), f)), "f": f,
            "visitors": services.visitors(db(), g.community), "today": services.today(g.community),
            "days": services.planned_days(db()),
            "me": current_user.id, "announce": announce, "announce_ok": announce_ok}


@bp.route("/visits")
@requires("visits.view")
def index(slug):
    """Tickets that need a home visit, by day (unplanned first) and building or grid; htmx asks for the list."""
    return render("visits/index.html", block="groups", **_list_context())


def _visit_or_404(visit_id: int) -> HomeVisit:
    visit = services.visit_or_none(db(), visit_id)
    if visit is None:
        abort(404)
    return visit


@bp.route("/visits/<int:visit_id>/assign", methods=["POST"])
@requires("visits.assign")
def assign(slug, visit_id):
    """The head plans a visit; htmx gets the list back with the outcome announced, a browser a redirect."""
    visit = _visit_or_404(visit_id)
    form = AssignForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        visit = services.assign(db(), g.community, visit, staff_actor(), form.day.data or "", form.building.data or "",
                                form.grid.data or "", parse_id(form.visitor.data))
    except HallError as err:
        db().rollback()
        message, ok = str(err.message), False
    else:
        message, ok = _("%(number)s: visit planned for %(day)s with %(name)s.", number=visit.ticket.number,
                        day=visit.planned_day.isoformat(), name=visit.assignee_name), True
    if is_htmx():
        return render("visits/index.html", block="groups", **_list_context(message, ok))
    flash(message, "success" if ok else "error")
    back = safe_next(request.form.get("next"))  # the list with the filters the head was using
    return redirect(back if back and back.startswith(f"/c/{slug}/visits") else url_for("visits.index", slug=slug),
                    code=303)


@bp.route("/visits/<int:visit_id>")
@requires("visits.view")
def visit(slug, visit_id):
    """One visit: the ticket, where and when, and the outcome buttons for whoever may record it."""
    v = _visit_or_404(visit_id)
    may_record = can(g.roles, "visits.record") and (can(g.roles, "visits.record_any")
                                                   or v.assignee_user_id == current_user.id)
    entry = services.day_entry(db(), v)
    return render("visits/visit.html", v=v, entry=entry, may_record=may_record and not v.is_finished
                  and v.ticket.is_open)


@bp.route("/visits/<int:visit_id>/outcome", methods=["POST"])
@requires("visits.record")
def record(slug, visit_id):
    """The visitor records what came of the visit; a refusal is shown on the visit and changes nothing."""
    v = _visit_or_404(visit_id)
    form = OutcomeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        v = services.record_outcome(db(), g.community, v, staff_actor(), form.outcome.data or "", form.text.data or "",
                                    may_record_any=can(g.roles, "visits.record_any"))
    except HallError as err:
        db().rollback()
        flash(str(err.message), "error")
        return redirect(url_for("visits.visit", slug=slug, visit_id=visit_id), code=303)
    flash(_("%(number)s: %(outcome)s recorded.", number=v.ticket.number, outcome=visit_outcome_label(v.outcome)),
          "success")
    return redirect(url_for("visits.index", slug=slug), code=303)


@bp.route("/visits/sheet")
@requires("visits.view")
def sheet(slug):
    """The printable day sheet for a visitor (A4): where to go, whom to call, what to bring, room to sign."""
    try:
        day = services.parse_day(request.args.get("day", "")) if request.args.get("day") else services.today(g.community)
    except HallError:
        day = services.today(g.community)
    visitor_id = _int_arg("visitor")
    entries = services.day_sheet(db(), day, visitor_id)
    visitor = next((p for p in services.visitors(db(), g.community) if p.user_id == visitor_id), None)
    return render("visits/sheet.html", entries=entries, day=day, visitor=visitor,
                  visitors=services.visitors(db(), g.community))
