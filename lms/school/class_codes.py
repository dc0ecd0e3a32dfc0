"""Self-registration with a class code (off by default).

A teacher of a classroom (or an administrator) turns registration on and gets a code of 8
characters from an alphabet without 0/O/1/I, valid for 1–30 days; ``/join/<code>`` lets a student
make an account that waits, PENDING, for the teacher's approval.

Decisions:

* The code is stored in plain text with a unique constraint: the teacher is shown it again and
  again, and it is not a credential (it only lets someone *ask* to join; nothing is visible
  before a teacher approves).  Regenerating replaces it; turning off deletes it.
* A pending student **cannot sign in** until approved: the account is inactive (``User.active``
  false, so every sign-in path, page and API refuses it) and a ``StudentRegistration`` row says
  why; after the correct password the sign-in form says "waiting for your teacher's approval".
  Nothing of the school is ever shown to a pending account.
* The **username is made by the server** from the student number it assigns (``20260042``),
  never chosen on the form, and the form asks no email: the anonymous page cannot be used to find
  out which usernames or emails have accounts.  The student sees the username on the waiting page
  and adds an email on their profile after approval (where it is confirmed by a link).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from lms.audit.services import record
from lms.auth.models import Role, User
from lms.auth.services import check_new_password
from lms.common.errors import BusinessRuleViolation, Conflict, NotFound, ValidationFailed
from lms.common.ids import as_id
from lms.common.labels import classroom_label
from lms.common.types import utcnow
from lms.communication.notifications import notify, register_kind
from lms.extensions import db
from lms.school.models import ClassCode, Classroom, StudentProfile, StudentRegistration, TeacherAssignment
from lms.school.people import _clean_name, enroll_student
from lms.school.sign_in_names import next_student_numbers, username_from_number

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O/1/I: read aloud and typed by children
CODE_LENGTH = 8
MIN_DAYS, MAX_DAYS, DEFAULT_DAYS = 1, 30, 7

STUDENT_REGISTERED = register_kind(
    "student_registered", _l("%(name)s asked to join %(classroom)s with the class code; approve or reject."))


def normalise_code(text: str | None) -> str:
    """Upper case, without spaces or dashes (as a teacher may write it on the board)."""
    return "".join(ch for ch in (text or "").upper() if ch not in " -")[:32]


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.scalar(select(ClassCode.id).where(ClassCode.code == code)) is None:
            return code


def code_of(classroom: Classroom) -> ClassCode | None:
    return db.session.scalar(select(ClassCode).where(ClassCode.classroom_id == classroom.id))


def is_expired(class_code: ClassCode) -> bool:
    return class_code.expires_at <= utcnow()


def turn_on(actor, classroom: Classroom, days: int | None) -> ClassCode:
    """Turn registration on, or regenerate the code (the old one stops working at once)."""
    if days is None or not MIN_DAYS <= days <= MAX_DAYS:
        raise ValidationFailed(_("Choose between %(low)d and %(high)d days.", low=MIN_DAYS, high=MAX_DAYS),
                               field="days")
    if classroom.archived:
        raise BusinessRuleViolation(_("%(name)s is archived.", name=classroom_label(classroom)))
    class_code = code_of(classroom)
    regenerated = class_code is not None
    code = _new_code()
    if class_code is None:
        class_code = ClassCode(classroom_id=classroom.id, code=code)
        db.session.add(class_code)
    class_code.code = code
    class_code.expires_at = utcnow() + timedelta(days=days)
    class_code.created_by_id = getattr(actor, "id", None)
    class_code.created_at = utcnow()
    db.session.flush()
    record(actor, "class_code.regenerate" if regenerated else "class_code.enable", classroom,
           days=days, expires_at=class_code.expires_at)
    return class_code


def turn_off(actor, classroom: Classroom) -> None:
    class_code = code_of(classroom)
    if class_code is not None:
        db.session.delete(class_code)
        db.session.flush()
        record(actor, "class_code.disable", classroom)


def usable_code(text: str | None) -> ClassCode:
    """The class code named by ``text`` if it can be used now; else NotFound with one message for
    wrong, expired and turned-off codes alike (nothing about the school leaks)."""
    code = normalise_code(text)
    class_code = None
    if len(code) == CODE_LENGTH:
        class_code = db.session.scalar(select(ClassCode).where(ClassCode.code == code))
    if class_code is None or is_expired(class_code) or class_code.classroom.archived:
        raise NotFound(_("This class code does not work. It may be mistyped, expired or turned off: "
                         "ask your teacher for the current code."))
    return class_code


def register(class_code: ClassCode, full_name: str, password: str) -> User:
    """A PENDING student account for ``class_code``'s classroom (caller commits), with a student
    number and a username made from it.

    # Hook: "or a picture password" — when picture passwords exist, accept one here instead of
    # ``password`` (for the levels where that is the rule) and store it the same way.
    """
    name = _clean_name(full_name)
    check_new_password(password, "")
    user, number = _new_pending_student(name, password)
    classroom = class_code.classroom
    db.session.add(StudentRegistration(user_id=user.id, classroom_id=classroom.id))
    db.session.flush()
    record(None, "class_code.register", user, classroom_id=classroom.id, classroom=classroom_label(classroom),
           username=user.username, student_number=number)
    teacher_ids = db.session.scalars(select(TeacherAssignment.teacher_id)
                                     .where(TeacherAssignment.classroom_id == classroom.id)).all()
    from flask import url_for

    notify(teacher_ids, STUDENT_REGISTERED.code, url_for("school.classrooms.detail", classroom_id=classroom.id),
           name=name, classroom=classroom_label(classroom))
    return user


def _new_pending_student(name: str, password: str, attempts: int = 5) -> tuple[User, str]:
    """An inactive student with the next student number and the username made from it.  Two
    registrations at the same moment may pick the same number: the unique constraints refuse the
    second one (in a savepoint) and it takes the next."""
    for _attempt in range(attempts):
        number = next_student_numbers(1)[0]
        username = username_from_number(number)
        if username is None:
            break
        try:
            with db.session.begin_nested():
                user = User(full_name=name, username=username, role=Role.STUDENT, active=False)
                user.set_password(password)
                db.session.add(user)
                db.session.flush()
                db.session.add(StudentProfile(user_id=user.id, student_number=number))
                db.session.flush()
            return user, number
        except IntegrityError:
            continue
    raise Conflict(_("Your account could not be made just now; please try again."))


def is_pending(user: User) -> bool:
    return db.session.get(StudentRegistration, user.id) is not None


def pending_of(classroom: Classroom) -> list[StudentRegistration]:
    return list(db.session.scalars(select(StudentRegistration)
                                   .where(StudentRegistration.classroom_id == classroom.id)
                                   .order_by(StudentRegistration.created_at, StudentRegistration.user_id)))


def get_pending(classroom: Classroom, user_id) -> StudentRegistration:
    ident = as_id(user_id)
    registration = db.session.get(StudentRegistration, ident) if ident else None
    if registration is None or registration.classroom_id != classroom.id:
        raise NotFound(_("That registration does not exist or was already handled."))
    return registration


def approve(actor, registration: StudentRegistration) -> User:
    """Activate the account and place the student in the classroom (its academic year)."""
    user, classroom = registration.user, registration.classroom
    user.active = True
    db.session.delete(registration)
    db.session.flush()
    enroll_student(None, user, classroom)
    record(actor, "class_code.approve", user, classroom_id=classroom.id, classroom=classroom_label(classroom))
    return user


def reject(actor, registration: StudentRegistration) -> str:
    """Delete the pending account (it never saw anything); returns the name for the message."""
    user, classroom = registration.user, registration.classroom
    name = user.full_name
    record(actor, "class_code.reject", user, classroom_id=classroom.id, full_name=name, username=user.username)
    user_id = user.id
    db.session.expunge(registration)
    db.session.expunge(user)
    # One DELETE: the profile, the registration and any failed sign-in attempts go with it (CASCADE).
    db.session.execute(delete(User).where(User.id == user_id))
    return name
