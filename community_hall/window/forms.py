"""Forms for submitting a request, tracking it, and staff actions on a ticket."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

REQUIRED = _l("This field is required.")


class ResidentForm(FlaskForm):
    """Who asks: name and phone (prefilled for a signed-in resident), and a one-time key against resent forms."""

    idem_key = HiddenField()
    resident_name = StringField(_l("Your name"), validators=[DataRequired(REQUIRED), Length(max=50)],
                                render_kw={"autocomplete": "name"})
    resident_phone = StringField(_l("Mobile phone"), validators=[DataRequired(REQUIRED), Length(max=20)],
                                 description=_l("We use it to reach you; its last four digits let you track the request."),
                                 render_kw={"autocomplete": "tel", "inputmode": "tel"})


class ApplyForm(ResidentForm):
    """A resident's online request for one menu item."""

    details = TextAreaField(_l("What do you need? (optional)"), validators=[Optional(), Length(max=2000)])
    aged_70 = BooleanField(_l("I am 70 or older"))
    disabled = BooleanField(_l("I have a disability"))
    pregnant = BooleanField(_l("I am pregnant"))
    home_visit = BooleanField(_l("Please visit me at home (for residents who cannot come)"))
    home_address = StringField(_l("Home address"), validators=[Optional(), Length(max=200)],
                               description=_l("Only needed for a home visit."))


class WindowTicketForm(ApplyForm):
    """Staff open a ticket at the window, by phone, on a home visit or for a proxy (代办)."""

    item_code = SelectField(_l("Service"), validators=[DataRequired(REQUIRED)], choices=[])
    channel = SelectField(_l("Channel"), choices=[])
    id_number = StringField(_l("ID number (optional)"), validators=[Optional(), Length(max=18)])
    urgent = BooleanField(_l("Urgent (急事急办)"))
    proxy_name = StringField(_l("Authoriser's name (for proxy handling)"), validators=[Optional(), Length(max=50)])
    proxy_relation = StringField(_l("Relationship to the authoriser"), validators=[Optional(), Length(max=50)])


class TrackForm(FlaskForm):
    """Ticket number and the last four digits of the phone given with it."""

    number = StringField(_l("Ticket number"), validators=[DataRequired(REQUIRED), Length(max=60)],
                         description=_l("On your receipt, for example YANGLIU-20261122-0001."),
                         render_kw={"autocapitalize": "characters"})
    digits = StringField(_l("Last four digits of your phone"),
                         validators=[DataRequired(REQUIRED), Regexp(r"^\d{4}$", message=_l("Enter four digits."))],
                         render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 4})


class ActionForm(FlaskForm):
    """A staff action on a ticket; version is the state the member of staff saw."""

    version = IntegerField(validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
