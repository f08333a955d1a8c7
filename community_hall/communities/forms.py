"""Form for creating a community."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

REQUIRED = _l("This field is required.")


class CommunityForm(FlaskForm):
    """A street-office admin registers a community."""

    name = StringField(_l("Community name"), validators=[DataRequired(REQUIRED), Length(max=100)],
                       description=_l("For example 杨柳社区."))
    slug = StringField(_l("Short name for web addresses"), validators=[DataRequired(REQUIRED), Length(max=40)],
                       description=_l("2-40 lowercase letters a-z, digits or '-', for example yangliu."),
                       render_kw={"autocapitalize": "none"})
    street = StringField(_l("Street office"), validators=[Optional(), Length(max=100)])
    households = IntegerField(_l("Households"), validators=[Optional(), NumberRange(min=0, max=1_000_000)],
                              render_kw={"inputmode": "numeric"})
    residents = IntegerField(_l("Residents"), validators=[Optional(), NumberRange(min=0, max=10_000_000)],
                             render_kw={"inputmode": "numeric"})
