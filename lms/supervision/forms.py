from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from lms.supervision.messaging import MESSAGE_MAX


class TutorMessageForm(FlaskForm):
    text = TextAreaField(_l("Message to the tutors"), validators=[DataRequired(), Length(max=MESSAGE_MAX)])
