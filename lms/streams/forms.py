"""Stream forms: parsing and rendering only (the rules and messages live in the services)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from lms.core.localtime import to_utc
from lms.school.forms import choices
from lms.streams.models import BODY_MAX, REASON_MAX, WORD_MAX
from lms.streams.moderation import MUTE_DURATIONS


class PostForm(FlaskForm):
    body = TextAreaField(_l("Write to the class"), render_kw={"rows": 3, "maxlength": BODY_MAX})
    publish_at = DateTimeLocalField(_l("Show from (optional)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])

    def when(self):
        return to_utc(self.publish_at.data) if self.publish_at.data else None


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Comment"), render_kw={"rows": 2, "maxlength": BODY_MAX})


class ReportForm(FlaskForm):
    reason = StringField(_l("What is wrong?"), render_kw={"maxlength": REASON_MAX})


class MuteForm(FlaskForm):
    duration = SelectField(_l("For"), choices=choices((k, label) for k, (_d, label) in MUTE_DURATIONS.items()),
                           validate_choice=False)


class SwitchForm(FlaskForm):
    students_may_post = BooleanField(_l("Students may post questions and comments"))


class WordForm(FlaskForm):
    word = StringField(_l("Word"), render_kw={"maxlength": WORD_MAX})
