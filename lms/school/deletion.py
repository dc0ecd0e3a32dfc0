"""Deleting a student created by mistake.  Anyone with work or history is only deactivated.

A student can be deleted when the account has **no work and no history**:

* never signed in (no login session, no last sign-in);
* no work or history in another domain (each answers the ``student_history`` signal:
  submissions and excusals, section visits and progress, teaching-session enrollments and
  attendance marks);
* no classroom history: at most one classroom row, and that one is the current placement in
  this academic year (the placement made by mistake), not an ended or earlier-year row.

What goes with the account: its student profile (number, date of birth, notes), that current
classroom placement and its parent links (the parents' accounts stay).  Failed sign-in
attempts, notifications and tokens of the account go too.  Invitations it accepted keep
their record (the link to the account is cleared).

The database backs this up: the work and history tables refer to the account with
``ON DELETE RESTRICT`` (login sessions, classroom memberships, submissions, excusals,
enrollments, attendance, section visits and progress, rollover moves), so a delete that
skipped these checks fails instead of erasing history.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, exists, select

from lms.audit.services import record
from lms.auth.models import Role, User, UserSession
from lms.common.errors import BusinessRuleViolation
from lms.common.services import flush_or_raise
from lms.core import signals
from lms.core.academic_year import current_academic_year
from lms.extensions import db
from lms.school.models import ClassroomMembership, MembershipStatus, ParentLink, StudentProfile
from lms.school.services import parents_of, require_admin


def deletion_blockers(student: User) -> list[str]:
    """Why this student cannot be deleted (empty: they can), as readable reasons."""
    reasons = []
    if student.role != Role.STUDENT:
        return [_("this account is not a student")]
    if student.last_login_at is not None or db.session.scalar(
            select(exists().where(UserSession.user_id == student.id))):
        reasons.append(_("has signed in"))
    for answer in signals.answers(signals.student_history, student):
        reasons += [reason for reason in answer if reason not in reasons]
    year = current_academic_year()
    rows = db.session.execute(select(ClassroomMembership.status, ClassroomMembership.academic_year)
                              .where(ClassroomMembership.student_id == student.id)).all()
    if len(rows) > 1 or any(status != MembershipStatus.ACTIVE or row_year != year for status, row_year in rows):
        reasons.append(_("has a classroom history"))
    return reasons


def what_goes(student: User) -> dict:
    """What a delete removes, for the confirmation page."""
    membership = db.session.scalar(select(ClassroomMembership).where(
        ClassroomMembership.student_id == student.id, ClassroomMembership.status == MembershipStatus.ACTIVE))
    return {"classroom": membership.classroom if membership else None, "parents": parents_of(student),
            "profile": db.session.get(StudentProfile, student.id)}


def delete_student(actor, student: User) -> None:
    """Delete a student with no work and no history (BusinessRuleViolation otherwise)."""
    require_admin(actor)
    reasons = deletion_blockers(student)
    if reasons:
        raise BusinessRuleViolation(
            _("%(name)s cannot be deleted: %(reasons)s. Deactivate the account instead (set the status "
              "to Left).", name=student.full_name, reasons=", ".join(reasons)), code="HAS_HISTORY")
    goes = what_goes(student)
    profile = goes["profile"]
    record(actor, "student.delete", student, full_name=student.full_name, email=student.email,
           student_number=profile.student_number if profile else None,
           classroom=goes["classroom"].name if goes["classroom"] else None,
           parents=[p.email for p in goes["parents"]])
    student_id = student.id
    db.session.execute(delete(ParentLink).where(ParentLink.student_id == student_id))
    db.session.execute(delete(ClassroomMembership).where(ClassroomMembership.student_id == student_id))
    db.session.execute(delete(StudentProfile).where(StudentProfile.user_id == student_id))
    # A RESTRICT on history the checks above did not know about refuses the delete.
    with flush_or_raise(BusinessRuleViolation(_("%(name)s has records elsewhere, so the account cannot be "
                                                "deleted. Deactivate it instead.", name=student.full_name),
                                              code="HAS_HISTORY")):
        db.session.delete(student)

