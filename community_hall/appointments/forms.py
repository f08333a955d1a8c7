"""Forms for booking, finding and rescheduling an appointment, and a window's appointment hours."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

REQUIRED = _l("This field is required.")


class SlotForm(FlaskForm):
    """A day and a time (choices filled by the view from the window's slots)."""

    day = SelectField(_l("Day"), validators=[DataRequired(_l("Choose a day."))], choices=[], validate_choice=False)
    start = RadioField(_l("Time"), validators=[DataRequired(_l("Choose a time."))], choices=[],
                       validate_choice=False)


class BookForm(SlotForm):
    """Book a service: which, when, and who (prefilled for a signed-in resident)."""

    item = SelectField(_l("Service"), validators=[DataRequired(_l("Choose a service."))], choices=[],
                       validate_choice=False)
    name = StringField(_l("Your name"), validators=[DataRequired(_l("Please enter your name.")), Length(max=50)],
                       render_kw={"autocomplete": "name"})
    phone = StringField(_l("Mobile phone"), validators=[DataRequired(_l("Please enter your mobile number.")),
                                                        Length(max=20)],
                        description=_l("With the confirmation code it lets you change or cancel the booking."),
                        render_kw={"autocomplete": "tel", "inputmode": "tel"})


class FindForm(FlaskForm):
    """Find a booking by its confirmation code and phone."""

    code = StringField(_l("Confirmation code"), validators=[DataRequired(_l("Enter the confirmation code.")),
                                                            Length(max=8)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters"})
    phone = StringField(_l("Mobile phone"), validators=[DataRequired(_l("Please enter your mobile number.")),
                                                        Length(max=20)],
                        render_kw={"autocomplete": "tel", "inputmode": "tel"})


class CheckInForm(FlaskForm):
    """At the kiosk: the confirmation code."""

    code = StringField(_l("Confirmation code"), validators=[DataRequired(_l("Enter the confirmation code.")),
                                                            Length(max=8)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters"})


class HoursForm(FlaskForm):
    """A window's opening hours for appointments, slot length and places per slot."""

    opening_hours = StringField(_l("Opening hours for appointments"), validators=[DataRequired(REQUIRED),
                                                                                 Length(max=100)],
                                description=_l("For example 09:00-12:00,14:00-17:00"))
    slot_minutes = IntegerField(_l("Minutes per slot"), validators=[InputRequired(REQUIRED)])
    slot_capacity = IntegerField(_l("Bookings per slot"), validators=[InputRequired(REQUIRED)])
