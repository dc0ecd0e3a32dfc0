from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class EraseStudentForm(FlaskForm):
    confirmation = StringField(_l("Type the student's number or full name to confirm"),
                               validators=[DataRequired(), Length(max=200)])
