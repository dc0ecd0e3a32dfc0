"""How the curriculum plugs into other domains' signals (``connect_signals``, when its blueprint is
registered): a student who has opened lessons or has lesson progress cannot be deleted."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import exists, select

from lms.core import signals
from lms.curriculum.models import SectionProgress, SectionVisit
from lms.extensions import db


def _student_history(student) -> list[str]:
    reasons = []
    if db.session.scalar(select(exists().where(SectionVisit.student_id == student.id))):
        reasons.append(_("has opened lessons"))
    if db.session.scalar(select(exists().where(SectionProgress.student_id == student.id))):
        reasons.append(_("has lesson progress"))
    return reasons


def connect_signals() -> None:
    signals.student_history.connect(_student_history)
