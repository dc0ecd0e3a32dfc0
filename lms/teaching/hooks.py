"""How teaching sessions plug into other domains' signals (``connect_signals``, when the teaching
blueprint is registered): a student enrolled in a teaching session (now or before) or with
attendance marks cannot be deleted."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import exists, select

from lms.core import signals
from lms.extensions import db
from lms.teaching.models import CourseSessionAttendance, CourseSessionEnrollment


def _student_history(student) -> list[str]:
    reasons = []
    if db.session.scalar(select(exists().where(CourseSessionEnrollment.student_id == student.id))):
        reasons.append(_("is or was enrolled in a teaching session"))
    if db.session.scalar(select(exists().where(CourseSessionAttendance.student_id == student.id))):
        reasons.append(_("has attendance marks"))
    return reasons


def connect_signals() -> None:
    signals.student_history.connect(_student_history)
