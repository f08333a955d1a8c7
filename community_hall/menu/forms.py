"""The form heads use to create and edit a service item."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

REQUIRED = _l("This field is required.")


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (large targets, no pop-up list)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        # WTForms' own message for this is not translated into Chinese (its catalogue marks it fuzzy).
        kwargs.setdefault("invalid_choice_message", _l("Choose only from the options shown."))
        super().__init__(*args, **kwargs)


class ItemForm(FlaskForm):
    """Everything a service item holds; materials one per line."""

    code = StringField(_l("Code"), validators=[DataRequired(REQUIRED), Length(max=20)],
                       description=_l("Letters, digits or '-', for example SB-001."))
    name = StringField(_l("Service name"), validators=[DataRequired(REQUIRED), Length(max=100)])
    category = SelectField(_l("Category"), validators=[DataRequired(REQUIRED)], choices=[])
    description = TextAreaField(_l("What it is"), validators=[Optional(), Length(max=5000)])
    qualifications = TextAreaField(_l("Who qualifies"), validators=[Optional(), Length(max=5000)])
    materials = TextAreaField(
        _l("Materials to bring"), validators=[Optional(), Length(max=5000)],
        description=_l("One per line: name | 原件, 复印件 or 原件和复印件 | note. "
                       "For example: 身份证 | 原件和复印件 | 本人"))
    steps = TextAreaField(_l("Steps"), validators=[Optional(), Length(max=5000)],
                          description=_l("One step per line."))
    time_limit = IntegerField(_l("Promised time limit"), validators=[Optional(), NumberRange(min=0, max=365)],
                              render_kw={"inputmode": "numeric"})
    time_unit = SelectField(_l("Time limit counted in"), choices=[])
    post = SelectField(_l("Responsible post"), choices=[])
    channels = CheckboxesField(_l("Channels offered"), choices=[])
    fee_kind = SelectField(_l("Fee"), choices=[])
    fee_note = StringField(_l("Fee note"), validators=[Optional(), Length(max=200)])
    duty_list = SelectField(_l("Duty list"), choices=[])
    provider = SelectField(_l("Provided by"), choices=[])
    provider_name = StringField(_l("Provider name"), validators=[Optional(), Length(max=100)])
    keywords = StringField(_l("Other names residents use"), validators=[Optional(), Length(max=200)],
                           description=_l("Comma-separated, for example 最低生活保障, 救助."))
    published = BooleanField(_l("Published on the public menu"), default=True)
