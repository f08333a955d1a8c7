"""Volunteer applications, the head's decisions, the volunteer card and its public check, and teams."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from ..accounts.policy import can, community_public, requires
from ..errors import HallError, copy_error, parse_id
from ..htmx import render
from ..qr import qr_svg
from ..tenancy import community_session
from . import teams as team_services
from . import volunteers as services
from .forms import DAY_NAMES, PART_NAMES, SKILL_NAMES, DecisionForm, TeamForm, VolunteerForm
from .volunteer_models import DAYS, PARTS, Team, Volunteer

bp = Blueprint("timebank", __name__, url_prefix="/c/<slug>")


def db():
    """The current community's database session."""
    return community_session(g.community.slug)


def _names() -> dict:
    return {"skill_names": SKILL_NAMES, "day_names": DAY_NAMES, "part_names": PART_NAMES, "days": DAYS, "parts": PARTS}


@bp.route("/timebank/apply", methods=["GET", "POST"])
@requires("community.member")
def apply(slug):
    """A signed-in resident applies to volunteer (or sees where their application stands)."""
    latest = services.current_application(db(), current_user.id)
    form = VolunteerForm()
    form.teams.choices = [SelectChoice(t.name, t.name) for t in team_services.teams(db())]
    if request.method == "GET" and latest is None:
        form.real_name.data = current_user.display_name
    may_apply = latest is None or latest.status == "declined"
    if may_apply and form.validate_on_submit():
        try:
            services.apply(db(), current_user.id, services.Application(
                real_name=form.real_name.data, phone=form.phone.data, id_number=form.id_number.data or "",
                skills=form.skills.data or [], skills_other=form.skills_other.data or "",
                availability=form.availability.data or [], teams_wanted=form.teams.data or [],
                emergency_name=form.emergency_name.data, emergency_phone=form.emergency_phone.data,
                consent=bool(form.consent.data)))
        except HallError as err:
            db().rollback()
            copy_error(form, err)
        else:
            flash(_("Thank you. Your application has been sent to the station head."), "success")
            return redirect(url_for("timebank.apply", slug=slug), code=303)
    elif request.method == "POST" and not may_apply:
        form.form_errors.append(_("You have already applied; one application per person."))
    chosen = set(form.availability.data or [])
    return render("timebank/apply.html", form=form, latest=latest, may_apply=may_apply, chosen=chosen, **_names())


@bp.route("/timebank/applications")
@requires("timebank.manage")
def applications(slug):
    """The head's list of applications, pending first."""
    return render("timebank/applications.html", applications=services.applications(db()), form=DecisionForm(),
                  **_names())


@bp.route("/timebank/applications/<int:volunteer_id>/<decision>", methods=["POST"])
@requires("timebank.manage")
def decide(slug, volunteer_id, decision):
    """Approve (giving a volunteer number) or decline with a reason."""
    form = DecisionForm()
    if decision not in ("approve", "decline"):
        abort(404)
    if not form.validate_on_submit():
        flash(_("The form has expired; please try again."), "error")
        return redirect(url_for("timebank.applications", slug=slug), code=303)
    try:
        if decision == "approve":
            volunteer = services.approve(db(), g.community, volunteer_id, current_user.id)
            flash(_("Approved: volunteer number %(number)s.", number=volunteer.number), "success")
        else:
            services.decline(db(), volunteer_id, current_user.id, form.reason.data or "")
            flash(_("The application was declined; the applicant sees your reason."), "success")
    except HallError as err:
        db().rollback()
        flash(str(err.message), "error")
    return redirect(url_for("timebank.applications", slug=slug), code=303)


@bp.route("/timebank/card")
@requires("community.member")
def card(slug):
    """A volunteer's own card (the head may open anyone's with ?number=)."""
    number = request.args.get("number", "")
    if number and can(g.roles, "timebank.manage"):
        volunteer = services.by_number(db(), number)
    else:
        volunteer = services.approved_volunteer(db(), current_user.id)
    if volunteer is None:
        if number:
            abort(404)
        return redirect(url_for("timebank.apply", slug=slug), code=303)
    verify_url = url_for("timebank.verify", slug=slug, number=volunteer.number, _external=True)
    qr = qr_svg(verify_url)
    from .hours import hours_text, stars_of

    return render("timebank/card.html", v=volunteer, qr=qr, verify_url=verify_url,
                  teams=team_services.teams_of(db(), volunteer.id), stars=stars_of(db(), volunteer.user_id),
                  hm=hours_text)


@bp.route("/timebank/volunteers/<number>")
@community_public
def verify(slug, number):
    """Public check of a volunteer card: masked name, number, status and community only."""
    volunteer = services.by_number(db(), number)
    if volunteer is None:
        abort(404)
    return render("timebank/verify.html", v=volunteer)


@bp.route("/timebank/teams")
@community_public
def teams(slug):
    """The public list of teams with what they do and how many members they have."""
    mine = services.approved_volunteer(db(), current_user.id) if current_user.is_authenticated and g.roles else None
    joined = {t.id: status for t, status in team_services.teams_of(db(), mine.id)} if mine else {}
    return render("timebank/teams.html", rows=team_services.team_rows(db()), mine=mine, joined=joined)


def _team_or_404(team_id: int) -> Team:
    team = db().get(Team, team_id)
    if team is None:
        abort(404)
    return team


@bp.route("/timebank/teams/<int:team_id>/join", methods=["POST"])
@requires("community.member")
def join(slug, team_id):
    """An approved volunteer asks to join a team."""
    _team_or_404(team_id)
    try:
        team_services.ask_to_join(db(), team_id, services.approved_volunteer(db(), current_user.id))
        db().commit()
    except HallError as err:
        db().rollback()
        flash(str(err.message), "error")
    else:
        flash(_("Your request to join was sent to the team leader."), "success")
    return redirect(url_for("timebank.teams", slug=slug), code=303)


@bp.route("/timebank/teams/<int:team_id>")
@requires("community.member")
def team(slug, team_id):
    """A team's page for members of the community; its leader and the head see requests to join."""
    t = _team_or_404(team_id)
    leads = team_services.may_lead(db(), team_id, current_user.id, can(g.roles, "timebank.manage"))
    return render("timebank/team.html", t=t, leader=db().get(Volunteer, t.leader_id) if t.leader_id else None,
                  members=team_services.members(db(), team_id), leads=leads,
                  pending=team_services.members(db(), team_id, "pending") if leads else [])


@bp.route("/timebank/teams/<int:team_id>/requests/<int:volunteer_id>/<decision>", methods=["POST"])
@requires("community.member")
def decide_join(slug, team_id, volunteer_id, decision):
    """The leader or the head accepts or turns down a request to join."""
    _team_or_404(team_id)
    if decision not in ("accept", "refuse"):
        abort(404)
    if not team_services.may_lead(db(), team_id, current_user.id, can(g.roles, "timebank.manage")):
        abort(403)
    try:
        team_services.decide_join(db(), team_id, volunteer_id, decision == "accept")
        db().commit()
    except HallError as err:
        db().rollback()
        flash(str(err.message), "error")
    else:
        flash(_("Accepted into the team.") if decision == "accept" else _("The request was turned down."), "success")
    return redirect(url_for("timebank.team", slug=slug, team_id=team_id), code=303)


def _team_form(team: Team | None) -> TeamForm:
    form = TeamForm()
    people = services.approved(db())
    form.leader.choices = [SelectChoice("", _("No leader yet"))] + \
        [SelectChoice(str(v.id), f"{v.number} {v.real_name}") for v in people]
    form.members.choices = [SelectChoice(v.id, f"{v.number} {v.real_name}") for v in people]
    if request.method == "GET" and team is not None:
        form.name.data, form.description.data = team.name, team.description
        form.leader.data = str(team.leader_id or "")
        form.members.data = [v.id for v in team_services.members(db(), team.id)]
    return form


@bp.route("/timebank/teams/new", methods=["GET", "POST"], defaults={"team_id": None})
@bp.route("/timebank/teams/<int:team_id>/edit", methods=["GET", "POST"])
@requires("timebank.manage")
def edit_team(slug, team_id):
    """The head creates or edits a team: name, what it does, leader, members."""
    t = _team_or_404(team_id) if team_id is not None else None
    form = _team_form(t)
    if form.validate_on_submit():
        leader = (parse_id(form.leader.data) or -1) if form.leader.data else None   # -1: no volunteer has it
        try:
            saved = team_services.save_team(db(), form.name.data, form.description.data or "", leader,
                                            form.members.data or [], team_id)
            db().commit()
        except HallError as err:
            db().rollback()
            copy_error(form, err)
        else:
            flash(_("Team saved."), "success")
            return redirect(url_for("timebank.team", slug=slug, team_id=saved.id), code=303)
    return render("timebank/team_form.html", form=form, t=t)
