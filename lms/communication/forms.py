"""The announcement form: parsing only (the rules and their messages live in the services)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from lms.common.ids import as_id
from lms.communication.announcements import AnnouncementInput
from lms.communication.labels import BODY_FORMAT, TARGET_KIND
from lms.communication.models import BodyFormat
from lms.core.localtime import DATETIME_FORMAT, to_utc
from lms.school.forms import choices

TARGET_LABELS = TARGET_KIND
FORMAT_LABELS = BODY_FORMAT



class AnnouncementForm(FlaskForm):
    title = StringField(_l("Title"), render_kw={"maxlength": 200, "required": True})
    body = TextAreaField(_l("Message"), render_kw={"rows": 8})
    body_format = RadioField(_l("Format"), choices=choices(list(FORMAT_LABELS.items())),
                             default=BodyFormat.MARKDOWN.value, validate_choice=False)
    target_kind = SelectField(_l("For"), validate_choice=False)
    level_id = SelectField(_l("Level"), coerce=as_id, validate_choice=False)
    classroom_id = SelectField(_l("Classroom"), coerce=as_id, validate_choice=False)
    include_parents = BooleanField(_l("Also their parents"))
    people = TextAreaField(_l("Email addresses"), render_kw={"rows": 3})
    urgent = BooleanField(_l("Urgent (also sent by email)"))
    publish_at = DateTimeLocalField(_l("Publish at"), format=DATETIME_FORMAT, validators=[Optional()])
    expires_at = DateTimeLocalField(_l("Hide after"), format=DATETIME_FORMAT, validators=[Optional()])

    def to_input(self) -> AnnouncementInput:
        return AnnouncementInput(
            title=self.title.data or "", body=self.body.data or "", body_format=self.body_format.data or "",
            target_kind=self.target_kind.data or "", level_id=self.level_id.data,
            classroom_id=self.classroom_id.data, include_parents=bool(self.include_parents.data),
            people=self.people.data or "", urgent=bool(self.urgent.data),
            publish_at=to_utc(self.publish_at.data), expires_at=to_utc(self.expires_at.data))


class EmailPreferencesForm(FlaskForm):
    """The optional emails a person wants (checked = wanted; ``lms.communication.email_preferences``).
    The ids say "email-": a plain ``id="messages"`` would be the page's flash messages' id too."""

    announcements = BooleanField(_l("Urgent announcements"), id="email-announcements")
    session_reminders = BooleanField(_l("Teaching session reminders"), id="email-session-reminders")
    absence_alerts = BooleanField(_l("Absence alerts"), id="email-absence-alerts")
    messages = BooleanField(_l("Messages and help requests"), id="email-messages")
