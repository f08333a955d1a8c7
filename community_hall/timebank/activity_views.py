"""Volunteer activities: the public list, publishing, signing up and withdrawing, attendance and confirming."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from ..accounts.policy import can, community_public, requires
from ..errors import HallError, copy_error, parse_id
from ..htmx import is_htmx, render
from ..rosters.leave import parse_moment
from ..tenancy import community_session, utcnow
from . import activities as services
from . import teams as team_services
from . import volunteers as volunteer_services
from .activity_forms import ActivityForm
from .activity_models import Activity, ActivitySignup
from .forms import SKILL_NAMES
from .volunteer_models import Team

bp = Blueprint("activities", __name__, url_prefix="/c/<slug>")


def db():
    """The current community's database session."""
    return community_session(g.community.slug)


def _organiser() -> bool:
    return can(g.roles, "timebank.organise")


def _me():
    """The signed-in member's approved volunteer record, if any."""
    if not (current_user.is_authenticated and g.roles):
        return None
    return volunteer_services.approved_volunteer(db(), current_user.id)


def _actor():
    return SimpleNamespace(user_id=current_user.id, name=current_user.display_name)


def _activity_or_404(activity_id: int) -> Activity:
    activity = db().get(Activity, activity_id)
    if activity is None:
        abort(404)
    return activity


def _may_organise(activity: Activity) -> bool:
    return services.may_organise(db(), activity, current_user.id, _organiser())


def _states(volunteer, activity_ids) -> dict[int, str]:
    if volunteer is None or not activity_ids:
        return {}
    return {s.activity_id: s.status for s in db().query(ActivitySignup).filter(
        ActivitySignup.volunteer_id == volunteer.id, ActivitySignup.activity_id.in_(activity_ids))}


@bp.route("/timebank/activities")
@community_public
def index(slug):
    """Upcoming activities for everyone (places left, no names); volunteers sign up from here."""
    me = _me()
    rows = services.upcoming(db())
    signed_in = current_user.is_authenticated and bool(g.roles)
    return render("timebank/activities.html", rows=rows, me=me, states=_states(me, [r.activity.id for r in rows]),
                  teams={t.id: t.name for t in team_services.teams(db())}, skill_names=SKILL_NAMES,
                  publisher=signed_in and services.may_publish(db(), current_user.id, _organiser()),
                  to_close=services.to_close(db(), current_user.id, _organiser()) if signed_in else [])


@bp.route("/timebank/activities/<int:activity_id>")
@community_public
def show(slug, activity_id):
    """One activity: what, when, where, places left; the organiser sees who signed up."""
    activity = _activity_or_404(activity_id)
    me = _me()
    signed_in = current_user.is_authenticated and bool(g.roles)
    organises = signed_in and _may_organise(activity)
    team = db().get(Team, activity.team_id) if activity.team_id else None
    return render("timebank/activity.html", r=services.row(db(), activity), me=me, team=team,
                  state=_states(me, [activity.id]).get(activity.id), skill_names=SKILL_NAMES, organises=organises,
                  people=services.attendance(db(), activity.id) if organises else [])


@bp.route("/timebank/activities/mine")
@requires("community.member")
def mine(slug):
    """A volunteer's own activities: signed up, attended (with hours) and did not come."""
    me = _me()
    if me is None:
        return redirect(url_for("timebank.apply", slug=slug), code=303)
    history = services.history(db(), me.id)
    return render("timebank/activities_mine.html", history=history,
                  attended=sum(1 for s, _a in history if s.status == "attended"),
                  no_shows=sum(1 for s, _a in history if s.status == "no_show"))


@bp.route("/timebank/activities/new", methods=["GET", "POST"])
@requires("community.member")
def new(slug):
    """Staff, the head or a team leader publishes an activity."""
    organiser = _organiser()
    if not services.may_publish(db(), current_user.id, organiser):
        abort(403)
    form = ActivityForm()
    teams = team_services.teams(db()) if organiser else services.led_teams(db(), current_user.id)
    form.team.choices = ([SelectChoice("", _("No team"))] if organiser else []) + \
        [SelectChoice(str(t.id), t.name) for t in teams]
    if form.validate_on_submit():
        try:
            draft = services.Draft(
                title=form.title.data, description=form.description.data or "",
                starts_at=parse_moment(g.community, form.starts_at.data, "starts_at"),
                ends_at=parse_moment(g.community, form.ends_at.data, "ends_at"), place=form.place.data,
                slots=parse_id(form.slots.data),
                hours=form.hours.data, skills=form.skills.data or [],
                team_id=parse_id(form.team.data))
            activity = services.publish(db(), draft, current_user.id, current_user.display_name, organiser)
        except HallError as err:
            db().rollback()
            copy_error(form, err)
        else:
            flash(_("The activity is published."), "success")
            return redirect(url_for("activities.show", slug=slug, activity_id=activity.id), code=303)
    return render("timebank/activity_form.html", form=form)


def _signup_answer(slug: str, activity_id: int, error: str | None = None):
    """The sign-up fragment for htmx (with any refusal in it); otherwise back to the page with a message."""
    if is_htmx():
        me = _me()
        activity = db().get(Activity, activity_id)
        return render("timebank/activity_signup.html", r=services.row(db(), activity), me=me, error=error,
                      back=request.form.get("back"),
                      state=_states(me, [activity_id]).get(activity_id))
    if error:
        flash(error, "error")
    back = request.form.get("back") == "list"
    return redirect(url_for("activities.index", slug=slug) if back else
                    url_for("activities.show", slug=slug, activity_id=activity_id), code=303)


@bp.route("/timebank/activities/<int:activity_id>/signup", methods=["POST"])
@requires("community.member")
def sign_up(slug, activity_id):
    """An approved volunteer takes a place."""
    _activity_or_404(activity_id)
    try:
        services.sign_up(db(), activity_id, _me())
    except HallError as err:
        db().rollback()
        return _signup_answer(slug, activity_id, str(err.message))
    if not is_htmx():
        flash(_("You are signed up. Please arrive on time."), "success")
    return _signup_answer(slug, activity_id)


@bp.route("/timebank/activities/<int:activity_id>/withdraw", methods=["POST"])
@requires("community.member")
def withdraw(slug, activity_id):
    """A volunteer gives their place back before the start."""
    _activity_or_404(activity_id)
    try:
        services.withdraw(db(), activity_id, _me())
    except HallError as err:
        db().rollback()
        return _signup_answer(slug, activity_id, str(err.message))
    if not is_htmx():
        flash(_("Your sign-up is cancelled."), "success")
    return _signup_answer(slug, activity_id)


@bp.route("/timebank/activities/<int:activity_id>/cancel", methods=["POST"])
@requires("community.member")
def cancel(slug, activity_id):
    """The organiser cancels the activity before it starts (sign-ups are marked cancelled)."""
    if not _may_organise(_activity_or_404(activity_id)):
        abort(403)
    try:
        services.cancel(db(), activity_id)
    except HallError as err:
        db().rollback()
        flash(str(err.message), "error")
    else:
        flash(_("The activity is cancelled."), "success")
    return redirect(url_for("activities.show", slug=slug, activity_id=activity_id), code=303)


def _attendance_page(activity: Activity, errors: dict | None = None, values: dict | None = None):
    people = services.attendance(db(), activity.id)
    return dict(a=activity, people=people, errors=errors or {}, values=values or {},
                no_shows=services.no_show_counts(db(), [v.id for _s, v in people]),
                unmarked=sum(1 for s, _v in people if s.status == "signed_up"),
                credited=sum(1 for s, _v in people if s.movement_id is not None),
                attended=sum(1 for s, _v in people if s.status == "attended"),
                started=services.aware(activity.starts_at) <= utcnow())


@bp.route("/timebank/activities/<int:activity_id>/attendance")
@requires("community.member")
def attendance(slug, activity_id):
    """The organiser's attendance sheet: each volunteer attended (hours) or no-show, then confirm."""
    activity = _activity_or_404(activity_id)
    if not _may_organise(activity):
        abort(403)
    return render("timebank/activity_attendance.html", **_attendance_page(activity))


@bp.route("/timebank/activities/<int:activity_id>/attendance/<int:signup_id>", methods=["POST"])
@requires("community.member")
def mark(slug, activity_id, signup_id):
    """Mark one volunteer; htmx swaps just their row."""
    activity = _activity_or_404(activity_id)
    if not _may_organise(activity):
        abort(403)
    outcome = request.form.get("outcome", "")
    hours = request.form.get("hours", "")
    errors = {}
    try:
        if outcome not in ("attended", "no_show"):
            raise HallError(_("Choose attended or did not attend."))
        services.mark(db(), activity_id, signup_id, outcome == "attended", hours, by=current_user.id)
    except HallError as err:
        db().rollback()
        errors[signup_id] = str(err.message)
    db().expire_all()
    context = _attendance_page(db().get(Activity, activity_id), errors, {signup_id: hours} if errors else {})
    if is_htmx():
        pair = next((p for p in context["people"] if p[0].id == signup_id), None)
        if pair is None:
            abort(404)
        # The row, and out of band the count of rows still to mark above the confirm button.
        return render("timebank/activity_attendance.html", "row", s=pair[0], v=pair[1], **context) + \
            render("timebank/activity_attendance.html", "unmarked", oob=True, **context)
    if errors:
        flash(errors[signup_id], "error")
    return redirect(url_for("activities.attendance", slug=slug, activity_id=activity_id), code=303)


@bp.route("/timebank/activities/<int:activity_id>/confirm", methods=["POST"])
@requires("community.member")
def confirm(slug, activity_id):
    """Confirm attendance: each attendee is credited once, no-shows are recorded."""
    activity = _activity_or_404(activity_id)
    if not _may_organise(activity):
        abort(403)
    try:
        services.confirm(db(), activity_id, _actor())
    except HallError as err:
        db().rollback()
        flash(str(err.message), "error")
    else:
        flash(_("Attendance confirmed; the hours are credited."), "success")
    return redirect(url_for("activities.attendance", slug=slug, activity_id=activity_id), code=303)
