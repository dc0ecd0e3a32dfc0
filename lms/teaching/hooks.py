"""How teaching sessions plug into other domains' signals (``connect_signals``, when the teaching
blueprint is registered): a student enrolled in a teaching session (now or before) or with
attendance marks cannot be deleted; a student may take the assessment their tutor gave them alone
(``lms.teaching.work``)."""

from __future__ import annotations

from flask_babel import gettext as _

from lms.auth.models import Role
from lms.common.sql import reasons_present
from lms.core import signals
from lms.teaching.models import CourseSessionAttendance, CourseSessionEnrollment
from lms.teaching.work import granted_assessment_ids


def _student_history(student) -> list[str]:
    return reasons_present((CourseSessionEnrollment.student_id == student.id,
                            _("is or was enrolled in a teaching session")),
                           (CourseSessionAttendance.student_id == student.id, _("has attendance marks")))


def _assessment_grants(actor):
    return granted_assessment_ids(actor) if getattr(actor, "role", None) == Role.STUDENT else None


def connect_signals() -> None:
    signals.student_history.connect(_student_history)
    signals.assessment_grants.connect(_assessment_grants)
