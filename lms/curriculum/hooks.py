"""How the curriculum plugs into other domains' signals (``connect_signals``, when its blueprint is
registered): a student who has opened lessons or has lesson progress cannot be deleted."""

from __future__ import annotations

from flask_babel import gettext as _

from lms.common.sql import reasons_present
from lms.core import signals
from lms.curriculum.models import SectionProgress, SectionVisit


def _student_history(student) -> list[str]:
    return reasons_present((SectionVisit.student_id == student.id, _("has opened lessons")),
                           (SectionProgress.student_id == student.id, _("has lesson progress")))


def connect_signals() -> None:
    signals.student_history.connect(_student_history)
