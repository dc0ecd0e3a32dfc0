"""Resource forms (Flask-WTF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from lms.resources.models import LABEL_MAX


class ResourceForm(FlaskForm):
    file = FileField(_l("File"))
    url = StringField(_l("…or a link (web address)"), validators=[Optional(), Length(max=2000)])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)],
                        description=_l("Leave empty to use the file name."))
    label = StringField(_l("Label"), validators=[Optional(), Length(max=LABEL_MAX)],
                        description=_l("A short name, unique within a section, e.g. “picture-1”."))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    section_id = HiddenField()


class ResourceEditForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    label = StringField(_l("Label"), validators=[Optional(), Length(max=LABEL_MAX)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
