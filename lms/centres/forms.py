"""The centres' forms (lms.centres.operations checks every value again)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lms.auth.forms import select_choices
from lms.centres.models import CENTRE_ADDRESS_MAX, CENTRE_NAME_MAX, ROOM_CAPACITY_MAX, ROOM_NAME_MAX
from lms.core.timezones import timezone_choices


class CentreForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=CENTRE_NAME_MAX)])
    address = TextAreaField(_l("Address (optional)"), validators=[Optional(), Length(max=CENTRE_ADDRESS_MAX)])
    timezone = SelectField(_l("Timezone"), validators=[Optional()], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = select_choices([("", _l("The organization's timezone")),
                                                *((tz, tz) for tz in timezone_choices())])


class RoomForm(FlaskForm):
    name = StringField(_l("Room name"), validators=[DataRequired(), Length(max=ROOM_NAME_MAX)])
    capacity = IntegerField(_l("Capacity (optional)"), validators=[Optional(), NumberRange(1, ROOM_CAPACITY_MAX)])
