"""Forms for ordering volunteer services, dispatching, serving, confirming, family grants and pool eligibility."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..window.ratings import LEVEL_LABELS
from .forms import PART_NAMES, REQUIRED

RELATION_NAMES = {"child": _l("Son or daughter"), "spouse": _l("Husband or wife"), "parent": _l("Father or mother"),
                  "other": _l("Other relative")}
POOL_REASON_NAMES = {"isolated": _l("Elderly person living alone without family (孤寡老人)"),
                     "empty_nest": _l("Elderly person whose children live far away (空巢老人)")}


class OrderForm(FlaskForm):
    """A resident orders a volunteer service (staff may order for a resident)."""

    resident = StringField(_l("Resident's mobile phone or username (leave empty to order for yourself)"),
                           validators=[Optional(), Length(max=40)])
    item = SelectField(_l("Service"), choices=[], validate_choice=False)
    wanted_day = DateField(_l("Day you would like it"), validators=[DataRequired(_l("Choose a day from today on."))])
    wanted_part = RadioField(_l("Part of the day"), validators=[DataRequired(_l("Choose morning, afternoon or evening."))],
                             choices=[SelectChoice(k, v) for k, v in PART_NAMES.items()])
    address = StringField(_l("Where (address, building and room)"), validators=[DataRequired(REQUIRED), Length(max=200)],
                          render_kw={"autocomplete": "street-address"})
    phone = StringField(_l("Phone for the volunteer to call"), validators=[DataRequired(REQUIRED), Length(max=20)],
                        render_kw={"autocomplete": "tel", "inputmode": "tel"})
    note = TextAreaField(_l("Anything the volunteer should know (optional)"), validators=[Optional(), Length(max=500)])
    key = HiddenField()


class DispatchForm(FlaskForm):
    """Staff send the order to a volunteer or to the board."""

    volunteer = SelectField(_l("Volunteer"), choices=[], validate_choice=False)


class DeclineForm(FlaskForm):
    """The volunteer gives an order back."""

    reason = TextAreaField(_l("Why you cannot take it"), validators=[Optional(), Length(max=500)])


class DoneForm(FlaskForm):
    """The volunteer reports the service done."""

    hours = StringField(_l("Hours spent"), validators=[DataRequired(REQUIRED), Length(max=6)],
                        description=_l("For example 1.5 for an hour and a half; at most 24."),
                        render_kw={"inputmode": "decimal"})
    note = TextAreaField(_l("What was done (optional)"), validators=[Optional(), Length(max=500)])


class ConfirmForm(FlaskForm):
    """The resident confirms, rates and chooses who pays the hours."""

    rating = RadioField(_l("How satisfied are you?"), validators=[DataRequired(_l("Choose how satisfied you are."))],
                        choices=[SelectChoice(str(k), v) for k, v in LEVEL_LABELS.items()])
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=500)])
    source = RadioField(_l("Pay the hours from"), validators=[DataRequired(_l("Choose who pays the hours."))], choices=[])


class GrantForm(FlaskForm):
    """A person lets a family member pay with their hours."""

    grantee = StringField(_l("Family member's mobile phone or username"), validators=[DataRequired(REQUIRED),
                                                                                     Length(max=40)])
    relation = RadioField(_l("They are your"), validators=[DataRequired(_l("Choose how you are related."))],
                          choices=[SelectChoice(k, v) for k, v in RELATION_NAMES.items()])
    cap_hours = StringField(_l("Monthly limit in hours (optional)"), validators=[Optional(), Length(max=6)],
                            description=_l("Leave empty for no limit."), render_kw={"inputmode": "decimal"})


class EligibleForm(FlaskForm):
    """The head marks a resident as paying from the donation pool."""

    who = StringField(_l("Resident's mobile phone or username"), validators=[DataRequired(REQUIRED), Length(max=40)])
    reason = RadioField(_l("Why"), validators=[DataRequired(_l("Choose why the resident is eligible."))],
                        choices=[SelectChoice(k, v) for k, v in POOL_REASON_NAMES.items()])


STATUS_NAMES = {"open": _l("Waiting for a volunteer"), "dispatched": _l("Sent to a volunteer"),
                "accepted": _l("Accepted by the volunteer"), "done": _l("Served, waiting for confirmation"),
                "confirmed": _l("Confirmed and paid"), "cancelled": _l("Cancelled")}
ACTION_NAMES = {"order": _l("Ordered"), "proxy_order": _l("Ordered by staff for the resident"),
                "from_ticket": _l("Made from a ticket"), "board": _l("Put on the board"), "dispatch": _l("Sent to"),
                "claim": _l("Taken from the board"), "accept": _l("Accepted"), "decline": _l("Given back"),
                "done": _l("Served"), "confirm": _l("Confirmed and rated"),
                "confirm_proxy": _l("Confirmed and rated by staff for the resident"), "cancel": _l("Cancelled")}
SOURCE_NAMES = {"own": _l("Own hours"), "family": _l("A family member's hours"), "pool": _l("Donation pool")}
