"""Teaching-session forms: parsing and rendering only (rules and messages live in the services).

Dates and times are typed in the school's timezone (``datetime-local``) and handed to the services
as aware UTC, in the same dict shape the API sends.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import Optional

from lms.common.ids import as_id
from lms.core.localtime import to_utc
from lms.teaching.settings import BOOLEAN_FIELDS

FORMAT = "%Y-%m-%dT%H:%M"


def typed_datetime(field):
    """Aware UTC from a ``datetime-local`` field.  What the field could not take (not a date and
    time, or a year outside 1900–2200) goes to the service as typed, which names the problem."""
    if field.data is not None and not field.process_errors:
        return to_utc(field.data)
    raw = field.raw_data
    return raw[0] if raw and raw[0] else None



class SessionForm(FlaskForm):
    session_name = StringField(_l("Session name"), render_kw={"maxlength": 255, "required": True})
    session_description = TextAreaField(_l("Description"), render_kw={"rows": 3})
    teacher_id = SelectField(_l("Teacher"), coerce=as_id, validate_choice=False)
    course_id = SelectField(_l("Course (subject)"), coerce=as_id, validate_choice=False)
    start_date = DateTimeLocalField(_l("Starts"), format=FORMAT, validators=[Optional()])
    end_date = DateTimeLocalField(_l("Ends"), format=FORMAT, validators=[Optional()])
    max_students = IntegerField(_l("Most students (empty: no limit)"), validators=[Optional()])
    enrollment_deadline = DateTimeLocalField(_l("Enrollment deadline (optional)"), format=FORMAT,
                                             validators=[Optional()])
    auto_expire_enabled = BooleanField(_l("Expire automatically after the end"), default=True)
    mode = SelectField(_l("Meets"), validate_choice=False, default="ONLINE")
    centre_id = SelectField(_l("Centre"), coerce=as_id, validate_choice=False)
    room_id = SelectField(_l("Room"), coerce=as_id, validate_choice=False)
    meeting_link = URLField(_l("Meeting link"),
                            render_kw={"maxlength": 500, "inputmode": "url", "autocomplete": "off"})
    publish_now = BooleanField(_l("Publish now (students can join with the code)"))

    def to_data(self, *, editing_published: bool = False) -> dict:
        data = {
            "session_name": self.session_name.data or "",
            "session_description": self.session_description.data or "",
            "end_date": typed_datetime(self.end_date),
            "max_students": self._raw("max_students"),
            "enrollment_deadline": typed_datetime(self.enrollment_deadline),
            "auto_expire_enabled": bool(self.auto_expire_enabled.data),
            "mode": self.mode.data or "ONLINE",
            "centre_id": self.centre_id.data,
            # an online session has no room: a room chosen before switching to online is dropped
            "room_id": None if (self.mode.data or "ONLINE") == "ONLINE" else self.room_id.data,
            "meeting_link": self.meeting_link.data or "",
        }
        if not editing_published:
            data["course_id"] = self.course_id.data
            data["start_date"] = typed_datetime(self.start_date)
            if self.teacher_id.data:
                data["teacher_id"] = self.teacher_id.data
        if self.publish_now.data:
            data["course_session_status"] = "PUBLISHED"
        return data

    def _raw(self, name: str):
        """A value the field could not parse goes to the service, which names the problem."""
        raw = self[name].raw_data
        return raw[0] if raw and raw[0] else None


class AnnouncementForm(FlaskForm):
    title = StringField(_l("Title"), render_kw={"maxlength": 255, "required": True})
    message = TextAreaField(_l("Message"), render_kw={"rows": 5, "maxlength": 2000})
    is_urgent = BooleanField(_l("Urgent (also emailed to the enrolled students)"))
    scheduled_for = DateTimeLocalField(_l("Show from (optional)"), format=FORMAT, validators=[Optional()])
    expires_at = DateTimeLocalField(_l("Hide after (optional)"), format=FORMAT, validators=[Optional()])

    def to_data(self) -> dict:
        return {"title": self.title.data or "", "message": self.message.data or "",
                "is_urgent": bool(self.is_urgent.data), "scheduled_for": typed_datetime(self.scheduled_for),
                "expires_at": typed_datetime(self.expires_at)}


class SettingsForm(FlaskForm):
    allow_late_enrollment = BooleanField(_l("Allow joining after the enrollment deadline"))
    require_approval_for_enrollment = BooleanField(_l("Students who join wait for my approval"))
    allow_student_discussions = BooleanField(_l("Allow student discussions"))
    allow_student_drop = BooleanField(_l("Students may leave the session themselves"))
    send_reminder_emails = BooleanField(_l("Send a reminder email before the session ends"))
    reminder_days_before_expiry = IntegerField(_l("Days before the end (1–30)"), validators=[Optional()])
    attendance_tracking_enabled = BooleanField(_l("Track attendance"))
    points_present = IntegerField(_l("Points: present"), validators=[Optional()])
    points_late = IntegerField(_l("Points: late"), validators=[Optional()])
    points_excused = IntegerField(_l("Points: excused"), validators=[Optional()])
    points_absent = IntegerField(_l("Points: absent"), validators=[Optional()])
    default_attendance_status = SelectField(_l("Students left unmarked when a meeting ends are"),
                                            validate_choice=False)
    grading_scale = TextAreaField(_l("Grading scale (one per line: A 85-100)"), render_kw={"rows": 5})

    def to_data(self) -> dict:
        data = {name: bool(self[name].data) for name in BOOLEAN_FIELDS}
        data["reminder_days_before_expiry"] = self._raw("reminder_days_before_expiry")
        data["attendance_points"] = {status: self._raw(f"points_{status.lower()}")
                                     for status in ("PRESENT", "LATE", "EXCUSED", "ABSENT")}
        data["default_attendance_status"] = self.default_attendance_status.data
        data["grading_scale"] = parse_scale_text(self.grading_scale.data or "")
        return data

    def _raw(self, name: str):
        raw = self[name].raw_data
        return raw[0] if raw else self[name].data


def parse_scale_text(text: str):
    """"A 85-100" lines → ``{"A": {"min": 85, "max": 100}}`` (anything unparsable is passed on as text so
    the service names the problem)."""
    import re

    scale = {}
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        match = re.match(r"^(\S{1,5})\s*[:=]?\s*(-?\d+)\s*[-–]\s*(-?\d+)$", line)
        if not match:
            return line
        scale[match.group(1)] = {"min": int(match.group(2)), "max": int(match.group(3))}
    return scale or None


def scale_text(scale: dict | None) -> str:
    return "\n".join(f"{letter} {b['min']}-{b['max']}" for letter, b in (scale or {}).items())


class MeetingForm(FlaskForm):
    meeting_date = DateField(_l("Date"), validators=[Optional()])
    start_time = TimeField(_l("Starts at"), validators=[Optional()])
    end_time = TimeField(_l("Ends at"), validators=[Optional()])
    repeat_until = DateField(_l("Repeat weekly until (optional)"), validators=[Optional()])


class JoinForm(FlaskForm):
    session_code = StringField(_l("Session code"), render_kw={"maxlength": 14, "autocomplete": "off",
                                                              "autocapitalize": "characters", "required": True})


class CheckInForm(FlaskForm):
    code = StringField(_l("Meeting code"), render_kw={"maxlength": 8, "autocomplete": "off",
                                                      "autocapitalize": "characters", "required": True})


class AddStudentForm(FlaskForm):
    student = StringField(_l("Student's email or number"), render_kw={"maxlength": 254})


class ContentForm(FlaskForm):
    subject_id = SelectField(_l("Subject"), coerce=as_id, validate_choice=False)
    section_id = SelectField(_l("Section"), coerce=as_id, validate_choice=False)
    notes = TextAreaField(_l("Notes for the student"), render_kw={"rows": 2, "maxlength": 2000})
