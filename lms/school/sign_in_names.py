"""Student numbers and usernames: what a student signs in with when there is no email.

Student numbers are generated as ``<first year of the academic year><4-digit running number>``
("20260001", "20260002", ...): sortable, unique (the column's unique constraint), and readable on a
login card. Usernames are proposed from the student number (lower-case, "/" becomes "-"); their
form and uniqueness are ``lms.auth.usernames``'.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.auth.models import normalise_username
from lms.auth.usernames import USERNAME_RE, username_taken
from lms.common.errors import ValidationFailed
from lms.core.academic_year import current_academic_year
from lms.core.localtime import local_today
from lms.extensions import db
from lms.school.models import StudentProfile

RUNNING_DIGITS = 4


def number_prefix() -> str:
    match = re.match(r"\d{4}", current_academic_year() or "")
    if match:
        return match.group(0)

    return str(local_today().year)


def next_student_numbers(count: int = 1, prefix: str | None = None, also_taken=()) -> list[str]:
    """The next ``count`` free generated numbers, after every such number in the school and in
    ``also_taken`` (the caller inserts them; see ``assign_student_number``)."""
    prefix = prefix or number_prefix()
    width = len(prefix) + RUNNING_DIGITS
    taken = list(db.session.scalars(
        select(StudentProfile.student_number)
        .where(StudentProfile.student_number.like(prefix + "%"),
               func.length(StudentProfile.student_number) == width)).all())
    taken += [n for n in also_taken if n.startswith(prefix) and len(n) == width]
    running = max((int(n[len(prefix):]) for n in taken if n[len(prefix):].isdigit()), default=0)
    return [f"{prefix}{running + i:0{RUNNING_DIGITS}d}" for i in range(1, count + 1)]


def assign_student_number(profile: StudentProfile, attempts: int = 5) -> str:
    """Give ``profile`` the next generated number; a concurrent creation that took the same number
    makes the unique constraint refuse it, and the next one is tried (in a savepoint)."""
    for _attempt in range(attempts):
        number = next_student_numbers(1)[0]
        try:
            with db.session.begin_nested():
                profile.student_number = number
                db.session.flush()
            return number
        except IntegrityError:
            profile.student_number = None
    raise ValidationFailed(_("No free student number could be generated; please try again."),
                           field="student_number")


def username_from_number(number: str | None) -> str | None:
    """A username proposed from a student number, or None when it cannot make one."""
    base = normalise_username((number or "").replace("/", "-"))
    if len(base) < 3:
        base = ("s-" + base) if base else ""
    base = base[:36]
    if not base or not USERNAME_RE.match(base):
        return None
    candidate, suffix = base, 1
    while username_taken(candidate):
        suffix += 1
        candidate = f"{base}-{suffix}"
    return candidate
