"""How the school answers auth's sign-in signals (``connect_signals``, when the school's blueprint
is registered): students sign in with their number too, a class-code registration waits for
approval, an account created by single sign-on for a student gets a profile, picture passwords
follow the student's level, a teacher resets only their own students' pictures, and an erased
student's account is never reactivated."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.auth.models import User
from lms.core import signals
from lms.extensions import db
from lms.school.class_codes import is_pending
from lms.school.models import StudentProfile
from lms.school.services import current_classroom_of, get_student_for


def _student_number_condition(text: str):
    return User.id.in_(select(StudentProfile.user_id).where(func.lower(StudentProfile.student_number) == text))


def _add_student_profile(user: User) -> None:
    if user.is_student:
        db.session.add(StudentProfile(user_id=user.id))


def _current_level_code(user: User) -> str | None:
    classroom = current_classroom_of(user)
    return classroom.level.code if classroom is not None else None


def _erased(user: User) -> str | None:
    if db.session.scalar(select(StudentProfile.erased_at).where(StudentProfile.user_id == user.id)):
        return _("This student's personal data was erased: the account cannot be used again.")
    return None


def connect_signals() -> None:
    signals.sign_in_name_condition.connect(_student_number_condition)
    signals.registration_pending.connect(is_pending)
    signals.sso_account_created.connect(_add_student_profile)
    signals.current_level_code.connect(_current_level_code)
    signals.visible_student.connect(get_student_for)
    signals.reactivation_refused.connect(_erased)
