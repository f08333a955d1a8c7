"""Forms for issuing, requesting and revoking certificates, and for the ledger export's date range."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional


class IssueForm(FlaskForm):
    """The head issues a certificate to a volunteer."""

    volunteer = SelectField(_l("Volunteer"), choices=[], coerce=int,
                            description=_l("The certificate lists their confirmed service hours as of today."))


class RequestForm(FlaskForm):
    """A volunteer asks for a certificate (nothing to fill in)."""


class RevokeForm(FlaskForm):
    """The head revokes a certificate with a reason shown on the public check."""

    reason = TextAreaField(_l("Reason for revoking (shown on the public check)"),
                           validators=[Optional(), Length(max=500)])


class ExportForm(FlaskForm):
    """An optional date range for the ledger export (a GET form: nothing changes)."""

    class Meta:
        csrf = False

    date_from = StringField(_l("From (optional)"), validators=[Optional(), Length(max=10)], render_kw={"type": "date"})
    date_to = StringField(_l("To (optional)"), validators=[Optional(), Length(max=10)], render_kw={"type": "date"})
