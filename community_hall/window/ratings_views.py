"""Ratings (好差评): the resident rates a finished ticket; the head follows up bad ratings; in-app notifications."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, render_template, request, url_for
from flask import session as cookie_session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, IntegerField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from ..accounts.models import User
from ..accounts.policy import can, community_public, requires
from ..errors import MAX_ID, HallError, copy_error
from ..htmx import redirect_to
from ..tenancy import community_session, registry_session
from . import notify, ratings
from .models import Ticket
from .ratings_models import FollowUp, Rating
from .services import Actor, ticket_by_number

bp = Blueprint("ratings", __name__, url_prefix="/c/<slug>")

TRACKED = "tracked"   # session key where the tracking page keeps the ticket numbers this browser has proved


def _int_or_none(value):
    # Radios arrive as text; a missing or odd value becomes None and the service says what is wrong.
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _one_to_five(message):
    def check(form, field):
        if field.data not in (1, 2, 3, 4, 5):
            raise ValidationError(str(message))

    return check


def _radios(label, message):
    # The form names every missing answer at once; the service checks them again as the rule's owner.
    return RadioField(label, coerce=_int_or_none, validate_choice=False, validators=[_one_to_five(message)],
                      choices=[SelectChoice(str(n), ratings.LEVEL_LABELS[n]) for n in (5, 4, 3, 2, 1)])


class RatingForm(FlaskForm):
    """Five levels, three sub-scores (named by channel) and a comment."""

    level = _radios(_l("Overall, how satisfied are you with this service?"), ratings.LEVEL_MESSAGE)
    score_1 = _radios("", ratings.SCORE_MESSAGE)
    score_2 = _radios("", ratings.SCORE_MESSAGE)
    score_3 = _radios("", ratings.SCORE_MESSAGE)
    comment = TextAreaField(_l("Comments"), validators=[Optional(), Length(max=ratings.COMMENT_MAX)],
                            description=_l("If you are not satisfied, tell us what went wrong (up to 500 characters)."))

    def name_scores(self, channel: str) -> None:
        """Label the sub-scores for the rating channel (offline or online)."""
        for f, text in zip((self.score_1, self.score_2, self.score_3), ratings.subscore_labels(channel), strict=True):
            f.label.text = text


class StepForm(FlaskForm):
    """One step of a follow-up: what was done, and for verification whether the complaint was justified."""

    step = HiddenField()
    note = TextAreaField(_l("Note"))
    justified = RadioField(_l("Was the complaint justified?"), validate_choice=False,
                           choices=[SelectChoice("yes", _l("Yes, it was justified")),
                                    SelectChoice("no", _l("No, it was not justified"))])


class ReadForm(FlaskForm):
    """Mark one notification (or, without an id, all of them) as read."""

    notification_id = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])   # past it: the driver fails


STEP_NOTE_LABELS = {
    "contact": _l("What did the resident tell you?"),
    "verify": _l("What did you find?"),
    "rectify": _l("What has been put right?"),
    "close": _l("Reply to the resident"),
}


def _db():
    return community_session(g.community.slug)


def _who_rates(ticket: Ticket) -> tuple[str, Actor] | None:
    """The resident (own ticket, or proved on the tracking page) or staff at the window; None for anyone else."""
    if ticket.kind != "request":
        return None  # complaints are not rated: a bad rating's follow-up would show them to the head
    user_id = current_user.id if current_user.is_authenticated else None
    if user_id is not None and ticket.resident_user_id == user_id:
        return "resident", Actor(user_id, ticket.resident_name, "resident")
    if ticket.number in cookie_session.get(TRACKED, []):
        return "resident", Actor(user_id, ticket.resident_name, "resident")
    if can(g.roles, "ratings.on_behalf"):
        return "staff_on_behalf", Actor(user_id, current_user.display_name, "staff")
    return None


@bp.route("/rate/<number>", methods=["GET", "POST"])
@community_public
def rate(slug, number):
    """Rate a finished ticket once (the resident, or staff at the window on their behalf); then a thank-you."""
    ticket = ticket_by_number(_db(), number)
    who = _who_rates(ticket) if ticket is not None else None
    if who is None:
        abort(404)  # a stranger learns nothing, not even that the number exists
    rater, actor = who
    channel = ratings.channel_for(ticket, rater)
    form = RatingForm()
    form.name_scores(channel)
    rating = ratings.rating_of(_db(), ticket.id)
    finished = ticket.status in ratings.RATABLE_STATES
    if request.method == "POST" and (rating is not None or not finished):
        flash(_("This request has already been rated. Thank you.") if rating is not None
              else _("A request can be rated once it is finished."), "error")
    elif form.validate_on_submit():
        try:
            ratings.rate_ticket(_db(), ticket, form.level.data,
                                [form.score_1.data, form.score_2.data, form.score_3.data], form.comment.data,
                                channel, rater, actor=actor, tz=g.community.timezone)
        except HallError as err:
            copy_error(form, err)
            rating = ratings.rating_of(_db(), ticket.id)  # someone else may have rated it meanwhile
        else:
            flash(_("Thank you for your rating."), "success")
            return redirect_to(url_for("ratings.rate", slug=slug, number=ticket.number))
    followup = _db().scalar(select(FollowUp).where(FollowUp.rating_id == rating.id)) if rating else None
    return render_template("window/rate.html", t=ticket, form=form, rating=rating, followup=followup,
                           finished=finished, rater=rater, score_labels=ratings.subscore_labels(
                               rating.channel if rating else channel), level_label=ratings.level_label)


@bp.route("/followups")
@requires("ratings.followup")
def followups(slug):
    """Follow-ups of bad ratings, open ones first with the overdue marked; this quarter's figures."""
    period = ratings.quarter_to_date(g.community.timezone)
    return render_template("window/followups.html", rows=ratings.followup_list(_db(), current_user.id),
                           figures=ratings.figures(_db(), period.start, period.end), period=period,
                           is_overdue=ratings.is_followup_overdue, level_label=ratings.level_label,
                           state_labels=ratings.FOLLOWUP_STATE_LABELS)


def _names(user_ids) -> dict[int, str]:
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return dict(registry_session().execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


@bp.route("/followups/<int:followup_id>", methods=["GET", "POST"])
@requires("ratings.followup")
def followup(slug, followup_id):
    """One follow-up: the ticket, the rating, the steps recorded, and the form for the next step."""
    found = _db().get(FollowUp, followup_id)
    if found is None or not ratings.may_follow_up(_db(), found, current_user.id):
        abort(404)   # a bad rating of one's own work: another head or the street office follows it up
    form = StepForm()
    if form.validate_on_submit():
        justified = {"yes": True, "no": False}.get(form.justified.data)
        try:
            ratings.follow_up_step(_db(), found, form.step.data, form.note.data,
                                   Actor(current_user.id, current_user.display_name, "staff"), justified=justified)
        except HallError as err:
            copy_error(form, err)
            _db().refresh(found)
        else:
            flash(_("The step has been recorded."), "success")
            return redirect_to(url_for("ratings.followup", slug=slug, followup_id=found.id))
    step = ratings.next_step(found)
    form.step.data = step
    if step:
        form.note.label.text = str(STEP_NOTE_LABELS[step])
    return render_template(
        "window/followup.html", f=found, form=form, step=step, rating=_db().get(Rating, found.rating_id),
        t=_db().get(Ticket, found.ticket_id), level_label=ratings.level_label, step_labels=ratings.STEP_LABELS,
        state_labels=ratings.FOLLOWUP_STATE_LABELS, overdue=ratings.is_followup_overdue(found),
        in_time=ratings.closed_in_time(found), subscore_labels=ratings.subscore_labels,
        names=_names([found.contacted_by, found.verified_by, found.rectified_by, found.closed_by]))


@bp.route("/notifications", methods=["GET", "POST"])
@requires("community.member")
def notifications(slug):
    """The signed-in person's messages about their tickets in this community; POST marks them read."""
    form = ReadForm()
    if form.validate_on_submit():
        notify.mark_read(_db(), current_user.id, form.notification_id.data)
        return redirect_to(url_for("ratings.notifications", slug=slug))
    return render_template("window/notifications.html", rows=notify.inbox(_db(), current_user.id), form=form,
                           text=notify.notification_text)
