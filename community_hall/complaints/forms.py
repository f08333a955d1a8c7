"""Forms for a complaint, a 办不成事反映, and the handler's written answer."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..window.forms import REQUIRED, ResidentForm


class _Resident(ResidentForm):
    """Who reports (the window's resident fields), and the service it is about."""

    # Services and people are filled in per request; the service checks the choice and says what is wrong.
    item_code = SelectField(_l("Service"), choices=[], validate_choice=False)


class ComplaintForm(_Resident):
    """A complaint (投诉) about a service or a member of staff."""

    about = RadioField(_l("What is the complaint about?"), validators=[DataRequired(REQUIRED)], default="service",
                       choices=[SelectChoice("service", _l("A service or one of my requests")),
                                SelectChoice("staff", _l("A member of staff"))])
    ticket_number = StringField(_l("Number of the earlier request (optional)"), validators=[Optional(), Length(max=60)],
                                description=_l("On your receipt, for example YANGLIU-20261122-0001."),
                                render_kw={"autocapitalize": "characters"})
    staff_user_id = SelectField(_l("Member of staff"), choices=[], validate_choice=False)
    details = TextAreaField(_l("What happened?"), validators=[DataRequired(REQUIRED), Length(max=2000)])


class UnresolvedForm(_Resident):
    """A matter the resident could not get done anywhere (办不成事反映)."""

    details = TextAreaField(_l("What did you need done?"), validators=[DataRequired(REQUIRED), Length(max=2000)])
    where_tried = TextAreaField(_l("Where did you already go, and what happened there?"),
                                validators=[DataRequired(REQUIRED), Length(max=2000)])
