"""Badge definitions (administrators) and manual badges (teachers).

* Administrators create, edit, archive and restore badge definitions: a name (unique, whatever the
  case), a description, an icon from ``ICONS``, a criterion and its threshold (1–1000; none for a
  MANUAL badge).  A badge somebody earned keeps its criterion (a new badge is made instead), and
  an archived badge is no longer awarded; the badges students earned stay theirs.
* A teacher gives a MANUAL badge, with a reason, to one of their own students: a student of one of
  their classrooms (``visible_students``) or enrolled in one of their teaching sessions.  Anyone
  else's student is 404.  They may take back (revoke) a manual badge from such a student; badges
  earned by a criterion are not revoked by hand (the job would give them again).  Both are audited.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import exists, select

from lms.audit.services import record
from lms.auth.models import Role, User
from lms.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from lms.common.ids import as_id
from lms.common.services import flush_or_raise, is_taken
from lms.common.types import utcnow
from lms.extensions import db
from lms.rewards.models import (
    BADGE_DESCRIPTION_MAX,
    BADGE_NAME_MAX,
    ICONS,
    REASON_MAX,
    THRESHOLD_MAX,
    Badge,
    BadgeAward,
    Criterion,
)
from lms.school.services import require_admin, visible_students
from lms.teaching.models import CourseSession, CourseSessionEnrollment, SessionEnrollmentStatus
from lms.teaching.rules import parse_int

TAUGHT = (SessionEnrollmentStatus.ENROLLED, SessionEnrollmentStatus.COMPLETED)


def _text(value) -> str:
    text = " ".join(str(value or "").split()) if isinstance(value, str) or value is None else None
    if text is None or "\x00" in text:
        raise ValidationFailed(_("Enter text."))
    return text


# --- definitions ------------------------------------------------------------------------------------


def all_badges(*, archived: bool = False) -> list[Badge]:
    stmt = select(Badge).where(Badge.archived_at.is_not(None) if archived else Badge.archived_at.is_(None))
    return list(db.session.scalars(stmt.order_by(Badge.name_key, Badge.id)))


def get_badge(actor, badge_id) -> Badge:
    require_admin(actor)
    ident = as_id(badge_id)
    badge = db.session.get(Badge, ident) if ident else None
    if badge is None:
        raise NotFound(_("That badge does not exist."))
    return badge


def validate_badge(values: dict) -> dict:
    """Checked definition fields; ValidationFailed names the first bad field."""
    try:
        name = _text(values.get("name"))
        description = _text(values.get("description"))
    except ValidationFailed as err:
        raise ValidationFailed(err.message, field="name") from err
    if not name or len(name) > BADGE_NAME_MAX:
        raise ValidationFailed(_("Give a name of 1 to %(max)d characters.", max=BADGE_NAME_MAX), field="name")
    if len(description) > BADGE_DESCRIPTION_MAX:
        raise ValidationFailed(_("The description can have at most %(max)d characters.", max=BADGE_DESCRIPTION_MAX),
                               field="description")
    icon = values.get("icon")
    if icon not in ICONS:
        raise ValidationFailed(_("Choose one of the icons."), field="icon")
    criterion = values.get("criterion")
    if criterion not in set(Criterion):
        raise ValidationFailed(_("Choose how the badge is earned."), field="criterion")
    threshold = None
    if criterion != Criterion.MANUAL:
        threshold = parse_int(values.get("threshold"), "threshold",
                              _("Enter a whole number from 1 to %(max)d.", max=THRESHOLD_MAX),
                              minimum=1, maximum=THRESHOLD_MAX)
    return {"name": name, "name_key": name.casefold(), "description": description, "icon": icon,
            "criterion": str(criterion), "threshold": threshold}


def _name_clash() -> Conflict:
    return Conflict(_("Another badge already has that name."))


def create_badge(actor, values: dict) -> Badge:
    require_admin(actor)
    cleaned = validate_badge(values)
    if is_taken(Badge.id, Badge.name_key == cleaned["name_key"]):
        raise ValidationFailed(_("Another badge already has that name."), field="name")
    badge = Badge(created_by_id=actor.id, **cleaned)
    with flush_or_raise(_name_clash()):
        db.session.add(badge)
    record(actor, "rewards.badge.create", badge, name=badge.name, criterion=badge.criterion,
           threshold=badge.threshold)
    return badge


def has_awards(badge: Badge) -> bool:
    return bool(db.session.scalar(select(exists().where(BadgeAward.badge_id == badge.id))))


def update_badge(actor, badge: Badge, values: dict) -> Badge:
    require_admin(actor)
    cleaned = validate_badge(values)
    if is_taken(Badge.id, Badge.name_key == cleaned["name_key"], except_id=badge.id):
        raise ValidationFailed(_("Another badge already has that name."), field="name")
    if cleaned["criterion"] != badge.criterion and has_awards(badge):
        raise ValidationFailed(_("Students already earned this badge, so how it is earned cannot change. "
                                 "Archive it and make a new badge instead."), field="criterion")
    changed = {k: v for k, v in cleaned.items() if getattr(badge, k) != v and k != "name_key"}
    with flush_or_raise(_name_clash()):
        for key, value in cleaned.items():
            setattr(badge, key, value)
    if changed:
        record(actor, "rewards.badge.update", badge, **changed)
    return badge


def set_archived(actor, badge: Badge, archived: bool) -> bool:
    """Archive (no more awards) or restore a badge; True when it changed."""
    require_admin(actor)
    if (badge.archived_at is not None) == archived:
        return False
    badge.archived_at = utcnow() if archived else None
    record(actor, "rewards.badge.archive" if archived else "rewards.badge.restore", badge, name=badge.name)
    return True


# --- manual badges -----------------------------------------------------------------------------------


def _session_students(teacher):
    return select(CourseSessionEnrollment.student_id).join(
        CourseSession, CourseSession.id == CourseSessionEnrollment.course_session_id).where(
        CourseSession.teacher_id == teacher.id, CourseSession.is_deleted.is_(False),
        CourseSessionEnrollment.enrollment_status.in_(TAUGHT))


def get_own_student(actor, student_id) -> User:
    """The student if ``actor`` teaches them (an administrator: any student), else NotFound (404)."""
    ident = as_id(student_id)
    role = getattr(actor, "role", None)
    stmt = visible_students(actor)
    if role == Role.TEACHER:
        stmt = select(User).where(User.role == Role.STUDENT, User.id.in_(
            visible_students(actor).with_only_columns(User.id).union(_session_students(actor))))
    elif role != Role.ADMIN:
        stmt = stmt.where(User.id.is_(None))
    student = db.session.scalar(stmt.where(User.id == ident)) if ident else None
    if student is None:
        raise NotFound(_("That student does not exist or is not one of yours."))
    return student


def manual_badges() -> list[Badge]:
    return [b for b in all_badges() if b.is_manual]


def award_manual(actor, student: User, badge_id, reason) -> BadgeAward:
    """Give ``student`` (checked with ``get_own_student``) a manual badge with a reason."""
    if getattr(actor, "role", None) not in (Role.ADMIN, Role.TEACHER):
        raise Forbidden(_("Only teachers give badges."))
    ident = as_id(badge_id)
    badge = db.session.get(Badge, ident) if ident else None
    if badge is None or not badge.is_manual or badge.archived_at is not None:
        raise ValidationFailed(_("Choose one of the badges teachers give."), field="badge_id")
    try:
        reason = _text(reason)
    except ValidationFailed as err:
        raise ValidationFailed(err.message, field="reason") from err
    if not reason or len(reason) > REASON_MAX:
        raise ValidationFailed(_("Say why, in 1 to %(max)d characters.", max=REASON_MAX), field="reason")
    taken = Conflict(_("%(name)s already has the badge “%(badge)s”.", name=student.full_name, badge=badge.name))
    if is_taken(BadgeAward.id, BadgeAward.badge_id == badge.id, BadgeAward.student_id == student.id):
        raise taken
    award = BadgeAward(badge_id=badge.id, student_id=student.id, awarded_by_id=actor.id, reason=reason)
    with flush_or_raise(taken):
        db.session.add(award)
    record(actor, "rewards.badge.award", award, badge=badge.name, student_id=student.id)
    return award


def get_award(student: User, award_id) -> BadgeAward:
    """One of ``student``'s badges, else NotFound (404)."""
    ident = as_id(award_id)
    award = db.session.get(BadgeAward, ident) if ident else None
    if award is None or award.student_id != student.id:
        raise NotFound(_("That badge is not one of this student's."))
    return award


def revoke_manual(actor, student: User, award: BadgeAward) -> str:
    """Take back a manual badge of ``student`` (checked with ``get_own_student``); the badge's name."""
    if not award.badge.is_manual:
        raise Forbidden(_("Badges earned by reaching a goal cannot be taken back."))
    name = award.badge.name
    record(actor, "rewards.badge.revoke", award, badge=name, student_id=student.id)
    db.session.delete(award)
    db.session.flush()
    return name
