"""Per-session settings (as the JSON API exposes them) and the grading scale for final grades."""

from __future__ import annotations

from flask_babel import gettext as _

from lms.audit.services import record
from lms.common.errors import ValidationFailed
from lms.extensions import db
from lms.teaching import rules
from lms.teaching.models import AttendanceStatus, CourseSession, CourseSessionSettings
from lms.teaching.services import get_session_for, settings_of

BOOLEAN_FIELDS = ("allow_late_enrollment", "require_approval_for_enrollment", "allow_student_discussions",
                  "send_reminder_emails", "attendance_tracking_enabled", "allow_student_drop")
POINT_FIELDS = {"PRESENT": "points_present", "LATE": "points_late", "EXCUSED": "points_excused",
                "ABSENT": "points_absent"}
MAX_GRADES = 20
DEFAULT_SCALE = {"A": {"min": 80, "max": 100}, "B": {"min": 70, "max": 79}, "C": {"min": 60, "max": 69},
                 "D": {"min": 50, "max": 59}, "F": {"min": 0, "max": 49}}


def validate_grading_scale(value) -> dict | None:
    """``{"A": {"min": 85, "max": 100}, ...}``: letters map to ranges within 0–100 that do not overlap."""
    if value is None or value == {} or value == "":
        return None
    field = "grading_scale"
    if not isinstance(value, dict):
        raise ValidationFailed(_("grading_scale must be an object like {\"A\": {\"min\": 85, \"max\": 100}}"),
                               field=field)
    if len(value) > MAX_GRADES:
        raise ValidationFailed(_("grading_scale can have at most %(n)d grades", n=MAX_GRADES), field=field)
    ranges = []
    clean = {}
    for letter, bounds in value.items():
        name = str(letter).strip()
        if not name or len(name) > 5:
            raise ValidationFailed(_("Each grade needs a name of 1 to 5 characters"), field=field)
        if not isinstance(bounds, dict) or set(bounds) != {"min", "max"}:
            raise ValidationFailed(_("Grade %(grade)s needs exactly a min and a max", grade=name), field=field)
        message = _("Grade %(grade)s: min and max must be numbers from 0 to 100, min not above max", grade=name)
        low = rules.parse_int(bounds["min"], field, message, minimum=0, maximum=100)
        high = rules.parse_int(bounds["max"], field, message, minimum=0, maximum=100)
        if low > high:
            raise ValidationFailed(message, field=field)
        for other, (olow, ohigh) in ranges:
            if low <= ohigh and olow <= high:
                raise ValidationFailed(_("Grades %(a)s and %(b)s overlap", a=other, b=name), field=field)
        ranges.append((name, (low, high)))
        clean[name] = {"min": low, "max": high}
    return clean


def letter_for(scale: dict | None, grade: int | None) -> str | None:
    """The letter whose range holds ``grade`` (None without a scale, a grade, or a matching range)."""
    if not scale or grade is None:
        return None
    for letter, bounds in scale.items():
        if bounds.get("min", 0) <= grade <= bounds.get("max", -1):
            return letter
    return None


def update_settings(actor, course_session: CourseSession, data: dict) -> CourseSessionSettings:
    """Replace the settings given in ``data`` (the API's PUT; the page sends every field)."""
    get_session_for(actor, course_session.id, api=True)
    found = settings_of(course_session)
    if "reminder_days_before_expiry" not in data:
        raise ValidationFailed(_("reminder_days_before_expiry is required"), field="reminder_days_before_expiry")
    changes = {}
    for name in BOOLEAN_FIELDS:
        if name in data and data[name] is not None:
            changes[name] = rules.parse_bool(data[name], name)
    changes["reminder_days_before_expiry"] = rules.parse_int(
        data["reminder_days_before_expiry"], "reminder_days_before_expiry",
        _("reminder_days_before_expiry must be an integer from 1 to 30"), minimum=1, maximum=30)
    if "grading_scale" in data:
        changes["grading_scale"] = validate_grading_scale(data["grading_scale"])
    points = data.get("attendance_points")
    if points is not None:
        if not isinstance(points, dict) or not set(points) <= set(POINT_FIELDS):
            raise ValidationFailed(_("attendance_points must be an object with PRESENT, LATE, EXCUSED and ABSENT"),
                                   field="attendance_points")
        for status, value in points.items():
            changes[POINT_FIELDS[status]] = rules.parse_int(
                value, "attendance_points", _("Attendance points must be whole numbers from 0 to 100"),
                minimum=0, maximum=100)
    if data.get("default_attendance_status") not in (None, ""):
        changes["default_attendance_status"] = rules.parse_choice(
            data["default_attendance_status"], "default_attendance_status", AttendanceStatus,
            _("default_attendance_status must be one of PRESENT, LATE, EXCUSED, ABSENT"))
    before = {k: getattr(found, k) for k in changes}
    for key, value in changes.items():
        setattr(found, key, value)
    found.updated_by, found.updated_ip = actor.id, rules.client_ip()
    db.session.flush()
    record(actor, "course_session.settings", course_session, before=before, after=changes)
    return found
