"""Forms of the roster pages; the rules are checked by the services, which the views copy onto these forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..glossary import LEAVE_KIND_LABELS, SHIFT_KIND_LABELS


class PostForm(FlaskForm):
    """A post's name, window and holders (choices: the station's staff, set by the view)."""

    name = StringField(_l("Name of the post"), validators=[InputRequired(_l("Enter the name of the post.")),
                                                           Length(max=100)])
    window = StringField(_l("Window"), validators=[Optional(), Length(max=50)],
                         description=_l("The window of the hall where the post receives residents, e.g. 2号窗口."))
    a_holder = SelectField(_l("A holder"), validators=[Optional()],
                           description=_l("Receives residents at the post. Not set: the station head stands in."))
    b_holder = SelectField(_l("B holder"), validators=[Optional()],
                           description=_l("Stands in when the A holder is away; a different person from the A holder."))


class ShiftForm(FlaskForm):
    """One shift of one person."""

    user = SelectField(_l("Member of staff"), validators=[Optional()])
    day = StringField(_l("Day"), validators=[Optional(), Length(max=10)], render_kw={"type": "date"})
    start = StringField(_l("Start"), validators=[Optional(), Length(max=5)], render_kw={"type": "time"},
                        description=_l("HH:MM, e.g. 08:30"))
    end = StringField(_l("End"), validators=[Optional(), Length(max=5)], render_kw={"type": "time"},
                      description=_l("HH:MM, e.g. 17:30"))
    kind = SelectField(_l("Kind of shift"), validators=[Optional()],
                       choices=[SelectChoice(k, v) for k, v in SHIFT_KIND_LABELS.items()])


class LeaveForm(FlaskForm):
    """A leave request for oneself."""

    first_day = StringField(_l("From"), validators=[Optional(), Length(max=10)], render_kw={"type": "date"})
    last_day = StringField(_l("To (inclusive)"), validators=[Optional(), Length(max=10)], render_kw={"type": "date"})
    kind = SelectField(_l("Kind of leave"), validators=[Optional()],
                       choices=[SelectChoice(k, v) for k, v in LEAVE_KIND_LABELS.items()])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=1000)])


class LeaveEntryForm(LeaveForm):
    """Leave the head enters for a member of staff (e.g. sick leave phoned in): approved at once."""

    user = SelectField(_l("Member of staff"), validators=[Optional()])


class DecisionForm(FlaskForm):
    """The head's decision on a request, with a note (the button pressed says approve or decline)."""

    note = StringField(_l("Note"), validators=[Optional(), Length(max=1000)])


class OutreachForm(FlaskForm):
    """Out visiting households from one moment to another."""

    starts_at = StringField(_l("From"), validators=[Optional(), Length(max=16)], render_kw={"type": "datetime-local"})
    ends_at = StringField(_l("Until"), validators=[Optional(), Length(max=16)], render_kw={"type": "datetime-local"})
    note = StringField(_l("Where and why"), validators=[Optional(), Length(max=200)],
                       description=_l("e.g. 3号楼 高龄老人入户走访"))


class SwapForm(FlaskForm):
    """Give one of one's future shifts to a colleague (choices set by the view)."""

    shift = SelectField(_l("Your shift"), validators=[Optional()])
    to_user = SelectField(_l("Colleague who takes it"), validators=[Optional()])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=1000)])


class ImportForm(FlaskForm):
    """One CSV file of posts, shifts or leave."""

    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a .csv file."))],
                     description=_l("UTF-8 (with or without BOM); the first row names the columns."),
                     render_kw={"accept": ".csv,text/csv"})
