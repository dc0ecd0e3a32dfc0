"""The forms of messages and help requests: parsing only (the rules live in the services)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, TextAreaField, widgets

from lms.conversations.models import ANSWER_MAX, MESSAGE_MAX, QUESTION_MAX, REVIEW_REASON_MAX
from lms.conversations.office_hours import WEEKDAYS
from lms.school.forms import choices


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Message"), render_kw={"rows": 3, "maxlength": MESSAGE_MAX, "required": True})


class ReviewForm(FlaskForm):
    reason = StringField(_l("Why do you need to read this conversation?"),
                         render_kw={"maxlength": REVIEW_REASON_MAX, "required": True})


class OfficeHoursForm(FlaskForm):
    enabled = BooleanField(_l("Parents can send me messages"))
    days = SelectMultipleField(_l("Office hours on"), choices=choices((str(i), day) for i, day in enumerate(WEEKDAYS)),
                               option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False),
                               validate_choice=False)
    start = StringField(_l("From"), render_kw={"type": "time"})
    end = StringField(_l("Until"), render_kw={"type": "time"})


class HelpRequestForm(FlaskForm):
    question = TextAreaField(_l("What do you need help with?"),
                             render_kw={"rows": 3, "maxlength": QUESTION_MAX, "required": True})


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Your answer"), render_kw={"rows": 4, "maxlength": ANSWER_MAX, "required": True})
