"""Forms for planning a home visit and recording its outcome (rows and buttons are written in the templates)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional


class AssignForm(FlaskForm):
    """The head plans a visit: day, building (楼栋), grid (网格) and visitor; checked by services.assign."""

    day = StringField(_l("Day"), validators=[Optional(), Length(max=10)])
    building = StringField(_l("Building"), validators=[Optional(), Length(max=50)])
    grid = StringField(_l("Grid"), validators=[Optional(), Length(max=50)])
    visitor = StringField(_l("Visitor"), validators=[Optional(), Length(max=12)])


class OutcomeForm(FlaskForm):
    """What came of a visit and its text (reply, missing materials, reason or note)."""

    outcome = StringField(_l("Outcome"), validators=[Optional(), Length(max=20)])
    text = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
