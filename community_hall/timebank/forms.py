"""Forms for applying to volunteer, deciding applications and editing teams."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from .volunteer_models import DAYS, PARTS

REQUIRED = _l("This field is required.")

SKILL_NAMES = {
    "medical": _l("Medical care"), "legal": _l("Legal advice"), "repair": _l("Household repairs"),
    "computer": _l("Phones and computers"), "teaching": _l("Tutoring"), "cooking": _l("Cooking"),
    "driving": _l("Driving"), "art": _l("Arts and performance"), "care": _l("Caring for the elderly"),
    "language": _l("Sign language or dialect"),
}
DAY_NAMES = {"mon": _l("Monday"), "tue": _l("Tuesday"), "wed": _l("Wednesday"), "thu": _l("Thursday"),
             "fri": _l("Friday"), "sat": _l("Saturday"), "sun": _l("Sunday")}
PART_NAMES = {"am": _l("Morning"), "pm": _l("Afternoon"), "eve": _l("Evening")}


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (large targets, no pop-up list)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        # WTForms' own message for this is not translated into Chinese (its catalogue marks it fuzzy).
        kwargs.setdefault("invalid_choice_message", _l("Choose only from the options shown."))
        super().__init__(*args, **kwargs)


class VolunteerForm(FlaskForm):
    """A resident's application to volunteer."""

    real_name = StringField(_l("Real name"), validators=[DataRequired(REQUIRED), Length(max=50)],
                            render_kw={"autocomplete": "name"})
    phone = StringField(_l("Mobile phone"), validators=[DataRequired(REQUIRED), Length(max=20)],
                        render_kw={"autocomplete": "tel", "inputmode": "tel"})
    id_number = StringField(_l("ID number (optional)"), validators=[Optional(), Length(max=18)],
                            description=_l("Kept by the station; pages only ever show its first and last four characters."))
    skills = CheckboxesField(_l("Skills"), choices=[SelectChoice(k, v) for k, v in SKILL_NAMES.items()])
    skills_other = StringField(_l("Other skills (optional)"), validators=[Optional(), Length(max=200)])
    availability = SelectMultipleField(_l("When you are free"), choices=[
        SelectChoice(f"{d}-{p}", f"{DAY_NAMES[d]} {PART_NAMES[p]}") for d in DAYS for p in PARTS],
        invalid_choice_message=_l("Choose only from the options shown."))
    teams = CheckboxesField(_l("Teams you would like to join"), choices=[])
    emergency_name = StringField(_l("Emergency contact's name"), validators=[DataRequired(REQUIRED), Length(max=50)])
    emergency_phone = StringField(_l("Emergency contact's phone"), validators=[DataRequired(REQUIRED), Length(max=20)],
                                  render_kw={"inputmode": "tel"})
    consent = BooleanField(_l("I have read and agree to the privacy terms above"))


class DecisionForm(FlaskForm):
    """The head's decision on one application."""

    reason = TextAreaField(_l("Reason for declining (shown to the applicant)"), validators=[Optional(), Length(max=500)])


class TeamForm(FlaskForm):
    """A team's name, what it does, its leader and members."""

    name = StringField(_l("Team name"), validators=[DataRequired(REQUIRED), Length(max=50)])
    description = TextAreaField(_l("What the team does"), validators=[Optional(), Length(max=2000)])
    leader = SelectField(_l("Leader"), choices=[], validate_choice=False)
    members = CheckboxesField(_l("Members"), choices=[], coerce=int)
