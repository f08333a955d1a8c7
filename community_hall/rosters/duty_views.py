"""The rota page, who is on duty now (page and JSON) and the iCal feeds (the head's dashboard is in disclosure)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, flash, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import IntegerField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, NumberRange, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from ..accounts.policy import community_public, requires
from ..errors import HallError, copy_error, parse_id
from ..glossary import SHIFT_KIND_LABELS
from ..htmx import render
from ..tenancy import community_session, utcnow
from . import coverage, ical, rota
from .models import Post

bp = Blueprint("duty", __name__, url_prefix="/c/<slug>")

REQUIRED = _l("This field is required.")
CLOCK = Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", message=_l("Enter a time as HH:MM, for example 08:30."))
COUNT = NumberRange(min=0, max=50, message=_l("The number of people must be between 0 and 50."))


# Why a holder cannot take a matter (duty.Roster.away_reason), as the coverage tables say it.
AWAY_LABELS = {"leave": _l("On leave"), "out": _l("Out visiting households"), "off_shift": _l("Off shift"),
               "none": _l("No holder set")}


@bp.context_processor
def labels():
    """Labels the duty templates use."""
    return {"away_label": lambda key: str(AWAY_LABELS.get(key, key)),
            "shift_kind": lambda key: str(SHIFT_KIND_LABELS.get(key, key))}


def db():
    """The current community's database session."""
    return community_session(g.community.slug)


def _calendar():
    # The working-day calendar with the community's overrides is kept by the window package.
    from ..window.services import calendar_for

    return calendar_for(db())


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (the menu package has the same; rosters sit below it)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        # WTForms' own message for this is not translated into Chinese (its catalogue marks it fuzzy).
        kwargs.setdefault("invalid_choice_message", _l("Choose only from the options shown."))
        super().__init__(*args, **kwargs)


class RotaForm(FlaskForm):
    """Who is on the rota and the month's rules."""

    staff = CheckboxesField(_l("Staff on the rota"), coerce=int)
    regular_start = StringField(_l("Regular shift starts"), default="08:30", validators=[InputRequired(REQUIRED), CLOCK])
    regular_end = StringField(_l("Regular shift ends"), default="17:30", validators=[InputRequired(REQUIRED), CLOCK])
    per_workday = IntegerField(_l("People on duty each working day"), default=2,
                               validators=[InputRequired(REQUIRED), COUNT])
    late_per_workday = IntegerField(_l("Of whom on the late shift (错时)"), default=1,
                                    validators=[InputRequired(REQUIRED), COUNT])
    late_start = StringField(_l("Late shift starts"), default="10:00", validators=[InputRequired(REQUIRED), CLOCK])
    late_end = StringField(_l("Late shift ends"), default="19:00", validators=[InputRequired(REQUIRED), CLOCK])
    weekend_per_day = IntegerField(_l("People on weekend duty"), default=1, validators=[InputRequired(REQUIRED), COUNT])
    holiday_per_day = IntegerField(_l("People on holiday duty"), default=1, validators=[InputRequired(REQUIRED), COUNT])
    duty_start = StringField(_l("Weekend and holiday duty starts"), default="09:00",
                             validators=[InputRequired(REQUIRED), CLOCK])
    duty_end = StringField(_l("Weekend and holiday duty ends"), default="17:00", validators=[InputRequired(REQUIRED), CLOCK])

    def rules(self) -> rota.Rules:
        """The rules as the generator takes them."""
        return rota.Rules(**{name: getattr(self, name).data for name in rota.Rules.__dataclass_fields__})


def _month():
    return rota.parse_month(request.values.get("month"), utcnow().astimezone(ZoneInfo(g.community.timezone)).date())


def _rota_page(form: RotaForm, month, status: int = 200):
    names = rota.names_of(db(), g.community)
    drafts = rota.month_shifts(db(), month, published=False)
    published = rota.month_shifts(db(), month, published=True)
    shown = drafts or published
    cal = _calendar()
    days = [(d, rota.day_kind(d, cal), cal.holiday_name(d), [s for s in shown if s.day == d])
            for d in rota.month_days(month)]
    report = rota.fairness(shown, sorted({s.user_id for s in shown}, key=lambda uid: names.get(uid, "")))
    return render("duty/rota.html", form=form, month=month, names=names, days=days, drafts=drafts,
                  published=published, report=report, spread=rota.spread(report),
                  previous=(month - timedelta(days=1)).replace(day=1), following=(month + timedelta(days=32)).replace(day=1)
                  ), status


@bp.route("/rosters/rota")
@requires("rosters.manage")
def rota_page(slug):
    """The month's rota: rules, the draft (or published) grid and the fairness report."""
    form = RotaForm(formdata=None)
    form.staff.choices = rota.station_staff(db(), g.community)
    form.staff.data = [uid for uid, _n in form.staff.choices]
    return _rota_page(form, _month())


@bp.route("/rosters/rota/generate", methods=["POST"])
@requires("rosters.manage")
def rota_generate(slug):
    """Generate the month again; replaces its drafts only."""
    month = _month()
    form = RotaForm()
    form.staff.choices = rota.station_staff(db(), g.community)
    if not form.validate():
        return _rota_page(form, month, 400)
    try:
        result = rota.generate_drafts(db(), g.community, month, form.staff.data or [], form.rules(), _calendar(),
                                      current_user.id)
    except HallError as err:
        db().rollback()
        copy_error(form, err)
        return _rota_page(form, month, 400)
    flash(_("A draft rota of %(n)s shifts has been made. Check it, then publish it.", n=len(result.shifts)), "success")
    for short in result.shortfalls:
        flash(_("%(day)s: %(got)s of %(needed)s people available.", day=short.day.isoformat(), got=short.got,
                needed=short.needed), "error")
    return redirect(url_for("duty.rota_page", slug=slug, month=f"{month:%Y-%m}"), code=303)


@bp.route("/rosters/rota/shifts/<int:shift_id>/delete", methods=["POST"])
@requires("rosters.manage")
def draft_delete(slug, shift_id):
    """Remove a draft shift."""
    try:
        shift = rota.delete_draft(db(), shift_id, current_user.id)
    except HallError as err:
        db().rollback()
        flash(str(err.message), "error")
        return redirect(url_for("duty.rota_page", slug=slug, month=request.form.get("month", "")), code=303)
    flash(_("The draft shift has been removed."), "success")
    return redirect(url_for("duty.rota_page", slug=slug, month=f"{shift.day:%Y-%m}"), code=303)


@bp.route("/rosters/rota/shifts/<int:shift_id>/reassign", methods=["POST"])
@requires("rosters.manage")
def draft_reassign(slug, shift_id):
    """Give a draft shift to someone else."""
    month = request.form.get("month", "")
    user_id = parse_id(request.form.get("user_id")) or 0
    try:
        rota.reassign_draft(db(), g.community, shift_id, user_id, current_user.id)
    except HallError as err:
        db().rollback()
        flash(str(err.message), "error")
    else:
        flash(_("The draft shift has been given to %(name)s.", name=rota.names_of(db(), g.community)[user_id]),
              "success")
    return redirect(url_for("duty.rota_page", slug=slug, month=month), code=303)


@bp.route("/rosters/rota/publish", methods=["POST"])
@requires("rosters.manage")
def rota_publish(slug):
    """Publish the month's drafts and show the coverage gaps the published rota leaves."""
    month = _month()
    try:
        count, gaps = coverage.publish_month(db(), g.community, month, current_user.id)
    except HallError as err:
        db().rollback()
        flash(str(err.message), "error")
        return redirect(url_for("duty.rota_page", slug=slug, month=f"{month:%Y-%m}"), code=303)
    start, end = coverage.month_span(g.community, month)
    return render("duty/published.html", month=month, count=count, gaps=gaps, checked=start < end)


def _on_duty_rows():
    """Per post: (post, decision, name of the person on duty), as of now."""
    at = utcnow()
    return at, coverage.on_duty_now(db(), g.community, at)


@bp.route("/rosters/duty")
@community_public
def on_duty(slug):
    """Who serves at each post now, why, and until when; refreshes itself (names only)."""
    at, rows = _on_duty_rows()
    return render("duty/on_duty.html", block="duty", at=at, rows=rows)


@bp.route("/rosters/duty.json")
@community_public
def on_duty_json(slug):
    """The same for the station's screens."""
    at, rows = _on_duty_rows()
    zone = ZoneInfo(g.community.timezone)

    def iso(moment):
        return moment.astimezone(zone).isoformat(timespec="seconds") if moment is not None else None

    posts = [{"code": post.code, "name": post.name, "window": post.window,
              "on_duty": {"name": name, "role": decision.role} if decision.user_id is not None else None,
              "reason": decision.reason, "until": iso(decision.until)} for post, decision, name in rows]
    return jsonify({"posts": posts, "at": iso(at)})


@bp.route("/rosters/calendar")
@requires("rosters.view")
def my_calendar(slug):
    """My calendar: the secret address of my duty feed, to subscribe to on a phone."""
    token = ical.token_for(db(), current_user.id)
    return render("duty/my_calendar.html", feed=url_for("duty.staff_ical", slug=slug, token=token, _external=True))


@bp.route("/rosters/calendar/regenerate", methods=["POST"])
@requires("rosters.view")
def regenerate_calendar(slug):
    """Replace my feed's address: the old one stops working."""
    ical.regenerate(db(), current_user.id)
    flash(_("Your calendar has a new address. Subscribe to it again on your phone."), "success")
    return redirect(url_for("duty.my_calendar", slug=slug), code=303)


def _ics(body: bytes, name: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{name}.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/rosters/ical/<token>.ics")
@community_public
def staff_ical(slug, token):
    """A member of staff's feed; the token is the only key (404 when it is wrong)."""
    user_id = ical.user_for_token(db(), token)
    if user_id is None:
        abort(404)
    name = rota.names_of(db(), g.community).get(user_id, "")
    return _ics(ical.staff_feed(db(), g.community, user_id, name), "duty")


@bp.route("/rosters/posts/<code>.ics")
@requires("rosters.view")
def post_ical(slug, code):
    """A post's duty feed, for staff."""
    post = db().scalar(select(Post).where(Post.code == code.upper()))
    if post is None:
        abort(404)
    return _ics(ical.post_feed(db(), g.community, post, rota.names_of(db(), g.community)), post.code)
