"""Forms of the hours pages: gifts, transfers between communities, and the head's ledger actions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

REQUIRED = _l("This field is required.")
HOURS = NumberRange(min=0, max=500, message=_l("Between 0 and 500 hours."))
MINUTES = NumberRange(min=0, max=59, message=_l("Between 0 and 59 minutes."))
WHOLE = _l("Enter a whole number.")


class WholeField(IntegerField):
    """A whole number; anything else gets a message in the user's language."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = int(valuelist[0].strip())
            except ValueError:
                raise ValueError(str(WHOLE)) from None


class DonateForm(FlaskForm):
    """Give hours to the donation pool or to a member of this community."""

    target = RadioField(_l("Give the hours to"), choices=[SelectChoice("pool", _l("The donation pool (捐赠池)")),
                                                SelectChoice("person", _l("A member of this community"))],
                        default="pool", validators=[DataRequired(REQUIRED)])
    to = StringField(_l("Their username or mobile phone number"), validators=[Optional(), Length(max=40)],
                     description=_l("Only needed when giving to a person, e.g. a family member."))
    hours = WholeField(_l("Number of hours"), validators=[Optional(), HOURS], default=0, render_kw={"inputmode": "numeric"})
    minutes = WholeField(_l("Minutes"), validators=[Optional(), MINUTES], default=0,
                           render_kw={"inputmode": "numeric"})
    key = HiddenField()
    confirmed = HiddenField()


class TransferForm(FlaskForm):
    """Move own hours from this community to another one the user belongs to (通存通兑)."""

    to_community = SelectField(_l("To community"), choices=[], validate_choice=False,
                               validators=[DataRequired(REQUIRED)])
    # ids of their own: the gift form on the same page has fields named hours and minutes too
    hours = WholeField(_l("Number of hours"), validators=[Optional(), HOURS], default=0, id="transfer-hours",
                       render_kw={"inputmode": "numeric"})
    minutes = WholeField(_l("Minutes"), validators=[Optional(), MINUTES], default=0, id="transfer-minutes",
                         render_kw={"inputmode": "numeric"})
    transfer_id = HiddenField()


class ReverseForm(FlaskForm):
    """The head reverses a movement, saying why."""

    reason = TextAreaField(_l("Why is this movement reversed?"), validators=[DataRequired(REQUIRED), Length(max=500)])


class OverdraftForm(FlaskForm):
    """The head lets a person's balance go below zero, down to so many hours."""

    person = StringField(_l("Username or mobile phone number"), validators=[DataRequired(REQUIRED), Length(max=40)])
    hours = WholeField(_l("Overdraft in hours (0 to 500)"), validators=[InputRequired(WHOLE), HOURS],
                         render_kw={"inputmode": "numeric"})


class StarsForm(FlaskForm):
    """The community's five star thresholds in hours of service."""

    star1 = WholeField(_l("One star from (hours)"), validators=[InputRequired(WHOLE)])
    star2 = WholeField(_l("Two stars from (hours)"), validators=[InputRequired(WHOLE)])
    star3 = WholeField(_l("Three stars from (hours)"), validators=[InputRequired(WHOLE)])
    star4 = WholeField(_l("Four stars from (hours)"), validators=[InputRequired(WHOLE)])
    star5 = WholeField(_l("Five stars from (hours)"), validators=[InputRequired(WHOLE)])


class SinceForm(FlaskForm):
    """From which day new star levels are listed."""

    class Meta:
        csrf = False

    since = DateField(_l("Reached since"), validators=[Optional()])
