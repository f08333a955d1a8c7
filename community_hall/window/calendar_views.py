"""The head's page for local working-day overrides."""

from __future__ import annotations

from datetime import date

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from .. import clock
from ..accounts.policy import requires
from ..errors import HallError, copy_error
from . import calendar
from .views import bp, db

REQUIRED = _l("This field is required.")


class OverrideForm(FlaskForm):
    """One day that differs from the national calendar."""

    day = DateField(_l("Date"), validators=[DataRequired(REQUIRED)], description=_l("For example 2026-12-31."))
    kind = RadioField(_l("The station is"), validators=[DataRequired(REQUIRED)], default="closed",
                      choices=[SelectChoice("closed", _l("Closed that day")), SelectChoice("open", _l("Open that day"))])
    note = StringField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=100)])


@bp.route("/calendar", methods=["GET", "POST"])
@requires("calendar.manage")
def calendar_page(slug):
    """List and add local overrides; show the coming holidays and make-up working days."""
    form = OverrideForm()
    if form.validate_on_submit():
        try:
            calendar.set_override(db(), form.day.data, form.kind.data == "open", form.note.data, current_user.id)
        except HallError as err:
            db().rollback()
            copy_error(form, err)
        else:
            flash(_("Saved. Due dates set from now on count this day."), "success")
            return redirect(url_for("window.calendar_page", slug=slug), code=303)
    today = clock.today(g.community.timezone)
    return render_template("window/calendar.html", form=form, overrides=calendar.overrides(db()),
                           upcoming=calendar.upcoming_days_off(db(), today))


@bp.route("/calendar/<day>/delete", methods=["POST"])
@requires("calendar.manage")
def calendar_delete(slug, day):
    """Remove an override (the national calendar applies again)."""
    try:
        calendar.remove_override(db(), date.fromisoformat(day), current_user.id)
    except ValueError:  # not a date: nothing to remove
        return redirect(url_for("window.calendar_page", slug=slug), code=303)
    flash(_("Removed."), "success")
    return redirect(url_for("window.calendar_page", slug=slug), code=303)
