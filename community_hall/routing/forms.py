"""Forms of first-inquiry routing: the quick inquiry form, answering, handing over."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..window.forms import REQUIRED  # noqa: F401 - the one wording of a missing field


class InquiryForm(FlaskForm):
    """A walk-in or phone inquiry, logged in a few seconds; the service says what is missing."""

    resident_name = StringField(_l("Who is asking"), validators=[Length(max=50)],
                                render_kw={"autocomplete": "off", "accesskey": "n", "autofocus": True})
    contact_phone = StringField(_l("Contact phone (optional)"), validators=[Optional(), Length(max=20)],
                                render_kw={"inputmode": "tel", "autocomplete": "off"})
    channel = RadioField(_l("How they asked"), default="window",
                         choices=[SelectChoice("window", _l("At the window")), SelectChoice("phone", _l("By phone"))])
    # Menu items are filled in per request; the service checks the choice.
    item_code = SelectField(_l("Service on the menu"), choices=[], validate_choice=False)
    topic = StringField(_l("Or the topic"), validators=[Optional(), Length(max=100)],
                        description=_l("When the question is not about one service on the menu."))
    text = TextAreaField(_l("What they asked"), validators=[Length(max=2000)], render_kw={"rows": 3})


class AnswerForm(FlaskForm):
    """The answer the resident was given; it closes the inquiry."""

    answer = TextAreaField(_l("Answer given to the resident"), validators=[Length(max=2000)], render_kw={"rows": 3})


class HandOverForm(FlaskForm):
    """Hand a matter over: to the proposed person, or to someone else with a reason."""

    to_user_id = SelectField(_l("Hand over to"), choices=[], validate_choice=False)
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=500)], render_kw={"rows": 2},
                           description=_l("Needed when you choose someone other than the person responsible, "
                                          "and when you hand a matter back."))


class PostForm(FlaskForm):
    """The post an inquiry belongs to, when its service does not say."""

    post_id = SelectField(_l("Post"), choices=[], validate_choice=False)
