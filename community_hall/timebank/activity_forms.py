"""The form for publishing an activity (attendance rows post plain fields; CSRF is checked app-wide)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from .forms import REQUIRED, SKILL_NAMES, CheckboxesField


class ActivityForm(FlaskForm):
    """An activity: what, when, where, how many places, skills wanted, team and hours credited."""

    title = StringField(_l("Activity title"), validators=[DataRequired(REQUIRED), Length(max=100)])
    description = TextAreaField(_l("What volunteers will do"), validators=[Optional(), Length(max=2000)])
    starts_at = StringField(_l("Starts"), validators=[DataRequired(REQUIRED), Length(max=16)],
                            render_kw={"type": "datetime-local"}, description=_l("For example 2026-12-05 09:00."))
    ends_at = StringField(_l("Ends"), validators=[DataRequired(REQUIRED), Length(max=16)],
                          render_kw={"type": "datetime-local"})
    place = StringField(_l("Place"), validators=[DataRequired(REQUIRED), Length(max=200)])
    slots = StringField(_l("Number of places"), validators=[DataRequired(REQUIRED), Length(max=4)],
                        render_kw={"inputmode": "numeric"})
    hours = StringField(_l("Hours credited to each volunteer"), validators=[DataRequired(REQUIRED), Length(max=8)],
                        render_kw={"inputmode": "decimal"}, description=_l("For example 2 or 1.5."))
    skills = CheckboxesField(_l("Skills wanted"), choices=[SelectChoice(k, v) for k, v in SKILL_NAMES.items()])
    team = SelectField(_l("Team"), choices=[], validate_choice=False)

