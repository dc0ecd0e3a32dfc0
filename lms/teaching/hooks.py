"""How teaching sessions plug into other domains' signals (``connect_signals``, when the teaching
blueprint is registered): a student enrolled in a teaching session (now or before) or with
attendance marks cannot be deleted."""

from __future__ import annotations

from flask_babel import gettext as _

from lms.common.sql import reasons_present
from lms.core import signals
from lms.teaching.models import CourseSessionAttendance, CourseSessionEnrollment


def _student_history(student) -> list[str]:
    return reasons_present((CourseSessionEnrollment.student_id == student.id,
                            _("is or was enrolled in a teaching session")),
                           (CourseSessionAttendance.student_id == student.id, _("has attendance marks")))


def connect_signals() -> None:
    signals.student_history.connect(_student_history)
