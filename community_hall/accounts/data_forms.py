"""Forms of the personal-data pages: confirming a deletion, and a community's retention periods."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from .forms import REQUIRED
from .retention import DEFAULT_MONTHS, KIND_LABELS


class DeleteForm(FlaskForm):
    """The person confirms the deletion by typing their password."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(REQUIRED), Length(max=200)],
                             description=_l("Type your password to confirm that you want your data deleted."),
                             render_kw={"autocomplete": "current-password"})


class RetentionForm(FlaskForm):
    """Months to keep personal details, one field per kind of record."""


for _kind in DEFAULT_MONTHS:
    setattr(RetentionForm, _kind, StringField(
        KIND_LABELS[_kind], validators=[DataRequired(REQUIRED), Length(max=4)],
        description=_l("Months, from 1 to 600."), render_kw={"inputmode": "numeric"}))
