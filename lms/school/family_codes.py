"""Family codes: a one-time code the school prints (or emails) for a student, which a signed-in
parent enters to link that child to their account.

* Only admins issue codes (as only admins link parents); issuing a new code replaces the student's
  unused one.  The code is shown once; only its SHA-256 is stored.
* A code expires (``FAMILY_CODE_DAYS``, 30 by default) and is used once: the first parent who enters
  it is linked, and it is consumed in the same transaction (a conditional UPDATE, so two parents
  racing with one code cannot both succeed).
* A wrong, expired or used code stores nothing and says which it is; the view is rate-limited per
  parent and per address.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from lms.audit.services import record
from lms.auth.models import Role, User
from lms.auth.tokens import hash_token
from lms.common.errors import Forbidden, ValidationFailed
from lms.common.types import utcnow
from lms.extensions import db
from lms.school import people
from lms.school.models import FamilyCode, ParentLink

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from paper
CODE_LENGTH = 12
DEFAULT_DAYS = 30


def _days() -> int:
    return int(current_app.config.get("FAMILY_CODE_DAYS") or DEFAULT_DAYS)


def normalise_code(text: str | None) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[:40]


def format_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def issue(actor: User, student: User) -> tuple[FamilyCode, str]:
    """A new code for ``student`` (the unused previous one stops working): ``(row, "ABCD-EFGH-JKLM")``."""
    if not actor.is_admin:
        raise Forbidden(_("Only an administrator can do that."))
    if student.role != Role.STUDENT:
        raise ValidationFailed(_("Parents can only be linked to students."))
    db.session.execute(delete(FamilyCode).where(FamilyCode.student_id == student.id, FamilyCode.used_at.is_(None)))
    code = "".join(secrets.choice(ALPHABET) for _i in range(CODE_LENGTH))
    now = utcnow()
    row = FamilyCode(student_id=student.id, code_hash=hash_token(code), created_by_id=actor.id, created_at=now,
                     expires_at=now + timedelta(days=_days()))
    db.session.add(row)
    db.session.flush()
    record(actor, "family_code.issued", student, student=student.full_name, expires_at=row.expires_at)
    return row, format_code(code)


def current_code(student: User) -> FamilyCode | None:
    """The student's unused code (for "issued on …, expires on …"), or None."""
    return db.session.scalar(select(FamilyCode).where(FamilyCode.student_id == student.id,
                                                      FamilyCode.used_at.is_(None))
                             .order_by(FamilyCode.created_at.desc()).limit(1))


def redeem(parent: User, text: str) -> User:
    """Link the student of this code to ``parent`` and consume the code; ValidationFailed otherwise."""
    if not parent.is_parent:
        raise Forbidden(_("Only parent accounts can link a child."))
    code = normalise_code(text)
    if not code:
        raise ValidationFailed(_("Enter the family code from the school's letter."), field="code")
    row = db.session.scalar(select(FamilyCode).where(FamilyCode.code_hash == hash_token(code)))
    if row is None:
        raise ValidationFailed(_("This family code is not valid. Check it, or ask the school for a new one."),
                               field="code")
    if row.used_at is not None:
        raise ValidationFailed(_("This family code has already been used. Ask the school for a new one."),
                               field="code")
    now = utcnow()
    if row.expires_at <= now:
        raise ValidationFailed(_("This family code has expired. Ask the school for a new one."), field="code")
    student = db.session.get(User, row.student_id)
    if student is None or student.role != Role.STUDENT:
        raise ValidationFailed(_("This family code is not valid. Check it, or ask the school for a new one."),
                               field="code")
    already = db.session.scalar(select(ParentLink.id).where(ParentLink.parent_id == parent.id,
                                                            ParentLink.student_id == student.id))
    if already is not None:
        raise ValidationFailed(_("%(name)s is already linked to your account.", name=student.full_name),
                               field="code")
    consumed = db.session.execute(
        update(FamilyCode).where(FamilyCode.id == row.id, FamilyCode.used_at.is_(None))
        .values(used_at=now, used_by_id=parent.id).execution_options(synchronize_session=False)).rowcount
    if consumed != 1:
        raise ValidationFailed(_("This family code has already been used. Ask the school for a new one."),
                               field="code")
    people.link_parent(None, parent, student)
    record(parent, "family_code.used", student, student=student.full_name, parent=parent.email)
    return student
