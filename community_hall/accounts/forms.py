"""Forms for signing in, signing up, changing passwords and creating members."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

REQUIRED = _l("This field is required.")


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(_l("Username"), validators=[DataRequired(REQUIRED), Length(max=40)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})


class PersonFields(FlaskForm):
    """Fields shared by sign-up and member creation."""

    real_name = StringField(_l("Real name"), validators=[DataRequired(REQUIRED), Length(max=50)],
                            render_kw={"autocomplete": "name"})
    phone = StringField(_l("Mobile phone"), validators=[Optional(), Length(max=20)],
                        description=_l("11 digits, for example 13800138000. Optional."),
                        render_kw={"autocomplete": "tel", "inputmode": "tel"})
    username = StringField(_l("Username"), validators=[DataRequired(REQUIRED), Length(max=40)],
                           description=_l(
                               "3-40 characters: lowercase letters, digits, '.', '_' or '-'. You sign in with it."),
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=200)],
                             description=_l("At least 8 characters."),
                             render_kw={"autocomplete": "new-password"})


class SignupForm(PersonFields):
    """A resident registers into a community."""

    address = StringField(_l("Address in the community"), validators=[Optional(), Length(max=200)],
                          description=_l("Building, unit and room, for example 3-2-501. Optional."),
                          render_kw={"autocomplete": "street-address"})
    confirm = PasswordField(_l("Repeat password"),
                            validators=[DataRequired(REQUIRED), EqualTo("password", _l("Passwords do not match."))],
                            render_kw={"autocomplete": "new-password"})


class JoinForm(FlaskForm):
    """A signed-in person joins another community as a resident."""

    real_name = PersonFields.real_name
    phone = PersonFields.phone
    address = SignupForm.address


class MemberForm(PersonFields):
    """A head creates staff; a district admin creates heads."""

    role = RadioField(_l("Role"), validators=[DataRequired(REQUIRED)], choices=[])


class PasswordForm(FlaskForm):
    """Change one's own password."""

    old_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)],
                                 render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED), Length(max=200)],
                                 description=_l("At least 8 characters."),
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat new password"),
                            validators=[DataRequired(REQUIRED),
                                        EqualTo("new_password", _l("Passwords do not match."))],
                            render_kw={"autocomplete": "new-password"})
