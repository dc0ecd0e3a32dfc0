"""What a supervisor oversees: ``supervised_scope(user)``, the one answer every supervision query uses.

A supervisor oversees the whole organization (``user.supervises_all``: every centre, and the teaching
sessions of no centre) or the centres they belong to (``centre_membership``). In scope are:

* teaching sessions (not deleted) of those centres;
* students who belong to those centres or are enrolled in one of those sessions;
* tutors (teachers) who belong to those centres or teach one of those sessions.

Admins assign the scope on the supervisor's admin page (``set_scope``, audited).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, delete, false, or_, select

from lms.audit.services import record
from lms.auth.models import Role, User
from lms.centres.models import Centre, CentreMembership
from lms.common.errors import Conflict, NotFound, ValidationFailed
from lms.common.ids import as_id
from lms.common.services import flush_or_raise, get_visible
from lms.extensions import db
from lms.teaching.models import CourseSession, CourseSessionEnrollment, SessionEnrollmentStatus

# Enrollments that make a student one of a session's students (for scope and counts).
TAKING_PART = (SessionEnrollmentStatus.ENROLLED.value, SessionEnrollmentStatus.COMPLETED.value)


@dataclass(frozen=True)
class Scope:
    """A supervisor's scope: everything, or these centres (possibly none)."""

    whole: bool
    centre_ids: frozenset[int]

    @property
    def empty(self) -> bool:
        return not self.whole and not self.centre_ids

    def sessions_condition(self):
        """SQL: the teaching session (``CourseSession``) is in scope (and not deleted)."""
        alive = CourseSession.is_deleted.is_(False)
        if self.whole:
            return alive
        if not self.centre_ids:
            return false()
        return and_(alive, CourseSession.centre_id.in_(sorted(self.centre_ids)))

    def session_ids(self):
        """A SELECT of the ids of the teaching sessions in scope."""
        return select(CourseSession.id).where(self.sessions_condition())

    def _members(self, role: str):
        people = select(User.id).where(User.role == role)
        if self.whole:
            return people
        return people.where(User.id.in_(select(CentreMembership.user_id)
                                        .where(CentreMembership.centre_id.in_(sorted(self.centre_ids)))))

    def student_ids(self):
        """A SELECT of the ids of the students in scope (centre members, or enrolled in a session in scope)."""
        if self.whole:
            return self._members(Role.STUDENT)
        enrolled = select(CourseSessionEnrollment.student_id).where(
            CourseSessionEnrollment.course_session_id.in_(self.session_ids()),
            CourseSessionEnrollment.deleted_at.is_(None),
            CourseSessionEnrollment.enrollment_status.in_(TAKING_PART))
        return self._members(Role.STUDENT).union(enrolled)

    def tutor_ids(self):
        """A SELECT of the ids of the tutors in scope (centre members, or teaching a session in scope)."""
        if self.whole:
            return self._members(Role.TEACHER)
        teaching = select(CourseSession.teacher_id).where(self.sessions_condition())
        return self._members(Role.TEACHER).union(teaching)


NOTHING = Scope(False, frozenset())
EVERYTHING = Scope(True, frozenset())


def supervised_scope(user) -> Scope:
    """What ``user`` oversees: admins everything, a supervisor their centres or everything, others nothing."""
    role = getattr(user, "role", None)
    if role == Role.ADMIN:
        return EVERYTHING
    if role != Role.SUPERVISOR:
        return NOTHING
    if user.supervises_all:
        return EVERYTHING
    return Scope(False, frozenset(db.session.scalars(
        select(CentreMembership.centre_id).where(CentreMembership.user_id == user.id))))


def scope_students(scope: Scope):
    """A SELECT of the students (``User``) in scope, active ones, by name."""
    return (select(User).where(User.id.in_(scope.student_ids()), User.active.is_(True))
            .order_by(User.full_name, User.id))


def get_student(user, student_id) -> User:
    """A student in ``user``'s scope, else NotFound (404)."""
    scope = supervised_scope(user)
    return get_visible(select(User).where(User.id.in_(scope.student_ids())), User, student_id,
                       _("That student does not exist or is not in your centres."))


def get_session(user, session_id) -> CourseSession:
    """A teaching session in ``user``'s scope, else NotFound (404)."""
    scope = supervised_scope(user)
    return get_visible(select(CourseSession).where(scope.sessions_condition()), CourseSession, session_id,
                       _("That teaching session does not exist or is not in your centres."))


# --- the admin's side: who supervises what ------------------------------------------------------


def get_supervisor(raw_id) -> User:
    user = db.session.get(User, as_id(raw_id) or 0)
    if user is None:
        raise NotFound(_("That account does not exist."))
    return user


def centre_choices(supervisor: User) -> list[tuple[Centre, bool]]:
    """The centres an admin may tick for ``supervisor`` (open ones, and archived ones they still
    belong to), each with whether it is ticked."""
    mine = set(db.session.scalars(select(CentreMembership.centre_id)
                                  .where(CentreMembership.user_id == supervisor.id)))
    centres = db.session.scalars(select(Centre).where(or_(Centre.archived_at.is_(None), Centre.id.in_(mine or {0})))
                                 .order_by(Centre.name_key))
    return [(centre, centre.id in mine) for centre in centres]


def _chosen_centres(raw_ids) -> set[int]:
    ids = set()
    for raw in raw_ids or ():
        ident = as_id(raw)
        if ident is None:
            raise ValidationFailed(_("Choose centres from the list."), field="centre_ids")
        ids.add(ident)
    if len(ids) > 1000:
        raise ValidationFailed(_("Choose centres from the list."), field="centre_ids")
    return ids


def set_scope(actor, supervisor: User, raw_centre_ids, whole: bool) -> Scope:
    """Make ``supervisor`` oversee the whole organization, or exactly the centres chosen; audited."""
    if supervisor.role != Role.SUPERVISOR:
        raise ValidationFailed(_("Only a supervisor oversees centres: change the role first."))
    wanted = _chosen_centres(raw_centre_ids)
    current = set(db.session.scalars(select(CentreMembership.centre_id)
                                     .where(CentreMembership.user_id == supervisor.id)))
    added = wanted - current
    if added:
        known = set(db.session.scalars(select(Centre.id).where(Centre.id.in_(sorted(added)),
                                                               Centre.archived_at.is_(None))))
        if known != added:
            raise ValidationFailed(_("Choose centres from the list."), field="centre_ids")
    removed = current - wanted
    with flush_or_raise(Conflict(_("Someone changed these centres at the same time: look again and save."))):
        if removed:
            db.session.execute(delete(CentreMembership).where(CentreMembership.user_id == supervisor.id,
                                                              CentreMembership.centre_id.in_(sorted(removed))))
        db.session.add_all(CentreMembership(centre_id=cid, user_id=supervisor.id, added_by_id=actor.id)
                           for cid in sorted(added))
        supervisor.supervises_all = bool(whole)
    record(actor, "supervision.scope_changed", supervisor, whole_organization=bool(whole),
           centre_ids=sorted(wanted), added=sorted(added), removed=sorted(removed))
    return Scope(bool(whole), frozenset(wanted))


