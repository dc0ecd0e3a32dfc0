"""Who an announcement is for, as SQL.

Targets are resolved when someone reads, not copied into rows when the announcement is
published.  An announcement for P1/1 is seen by whoever is in P1/1 *now*: a student who joins
later sees the class's current announcements (and can catch up), one who moves away stops
seeing them.  This keeps publishing instant (no fan-out job for 3,000 rows), keeps scheduled
announcements exact to the second without depending on the job's timing, and lets one indexed
query count a reader's unread announcements.

Four views of the same rule, kept consistent by ``tests/test_communication_audience.py``:

* ``visible_to(user)`` — a predicate on ``Announcement`` for one reader (specialised by role;
  used by the inbox and the unread count);
* ``audience_members(announcement)`` — a SELECT of the users one announcement is for (urgent
  email, the author's "who has read it" page);
* ``contains(user_table)`` — a predicate correlating ``Announcement`` with any user row (read
  counts restricted to the current audience);
* ``audience_sizes(announcements)`` — how many people each announcement is for, in a constant
  number of grouped queries (the authors' list).

Only active accounts count.  "Students" of a classroom or level are its current (ACTIVE)
memberships; their parents are included when ``include_parents`` is set.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import and_, distinct, exists, func, or_, select

from lms.auth.models import Role, User
from lms.common.types import utcnow
from lms.communication.models import Announcement, AnnouncementPerson, AnnouncementStatus, TargetKind
from lms.extensions import db
from lms.school.models import Classroom, ClassroomMembership, MembershipStatus, ParentLink

ROLE_TARGETS = {TargetKind.TEACHERS: Role.TEACHER, TargetKind.STUDENTS: Role.STUDENT,
                TargetKind.PARENTS: Role.PARENT}


def live(now: datetime | None = None):
    """Published (or scheduled and due), and not expired."""
    now = now or utcnow()
    return and_(Announcement.status != AnnouncementStatus.DRAFT, Announcement.publish_at <= now,
                or_(Announcement.expires_at.is_(None), Announcement.expires_at > now))


def _active_members():
    return ClassroomMembership.status == MembershipStatus.ACTIVE


def visible_to(user):
    """Announcements targeted at ``user`` (add ``live()`` for the ones to show now)."""
    a = Announcement
    branches = [
        a.target_kind == TargetKind.EVERYONE,
        and_(a.target_kind == TargetKind.PEOPLE,
             exists().where(AnnouncementPerson.announcement_id == a.id, AnnouncementPerson.user_id == user.id)),
    ]
    role = user.role
    for kind, target_role in ROLE_TARGETS.items():
        if role == target_role:
            branches.append(a.target_kind == kind)
    if role in (Role.STUDENT, Role.PARENT):
        if role == Role.STUDENT:
            mine, extra = ClassroomMembership.student_id == user.id, []
        else:  # a parent: their children's classrooms, for announcements that include parents
            mine = ClassroomMembership.student_id.in_(
                select(ParentLink.student_id).where(ParentLink.parent_id == user.id))
            extra = [a.include_parents.is_(True)]
        my_classrooms = select(ClassroomMembership.classroom_id).where(mine, _active_members())
        my_levels = (select(Classroom.level_id)
                     .join(ClassroomMembership, ClassroomMembership.classroom_id == Classroom.id)
                     .where(mine, _active_members()))
        branches.append(and_(a.target_kind == TargetKind.CLASSROOM, *extra, a.target_classroom_id.in_(my_classrooms)))
        branches.append(and_(a.target_kind == TargetKind.LEVEL, *extra, a.target_level_id.in_(my_levels)))
    return or_(*branches)


def _students_of(announcement_like):
    """Current student ids of the announcement's classroom or level (columns may be correlated)."""
    kind, classroom_id, level_id = announcement_like
    if kind == TargetKind.CLASSROOM:
        return select(ClassroomMembership.student_id).where(
            ClassroomMembership.classroom_id == classroom_id, _active_members())
    return (select(ClassroomMembership.student_id)
            .join(Classroom, Classroom.id == ClassroomMembership.classroom_id)
            .where(Classroom.level_id == level_id, _active_members()))


def audience_members(announcement: Announcement):
    """A SELECT of the (active) users ``announcement`` is for."""
    stmt = select(User).where(User.active.is_(True))
    kind = announcement.target_kind
    if kind == TargetKind.EVERYONE:
        return stmt
    if kind in ROLE_TARGETS:
        return stmt.where(User.role == ROLE_TARGETS[kind])
    if kind == TargetKind.PEOPLE:
        return stmt.where(User.id.in_(select(AnnouncementPerson.user_id).where(
            AnnouncementPerson.announcement_id == announcement.id)))
    if kind in (TargetKind.CLASSROOM, TargetKind.LEVEL):
        students = _students_of((kind, announcement.target_classroom_id, announcement.target_level_id))
        who = [and_(User.role == Role.STUDENT, User.id.in_(students))]
        if announcement.include_parents:
            who.append(and_(User.role == Role.PARENT, User.id.in_(
                select(ParentLink.parent_id).where(ParentLink.student_id.in_(students)))))
        return stmt.where(or_(*who))
    return stmt.where(User.id.is_(None))


def contains(user=User):
    """A predicate: row ``user`` is in the audience of (correlated) ``Announcement``."""
    a = Announcement
    branches = [a.target_kind == TargetKind.EVERYONE,
                and_(a.target_kind == TargetKind.PEOPLE,
                     exists().where(AnnouncementPerson.announcement_id == a.id,
                                    AnnouncementPerson.user_id == user.id))]
    for kind, role in ROLE_TARGETS.items():
        branches.append(and_(a.target_kind == kind, user.role == role))
    for kind in (TargetKind.CLASSROOM, TargetKind.LEVEL):
        students = _students_of((kind, a.target_classroom_id, a.target_level_id))
        branches.append(and_(a.target_kind == kind, or_(
            and_(user.role == Role.STUDENT, user.id.in_(students)),
            and_(a.include_parents.is_(True), user.role == Role.PARENT,
                 user.id.in_(select(ParentLink.parent_id).where(ParentLink.student_id.in_(students)))))))
    return and_(user.active.is_(True), or_(*branches))


def audience_sizes(announcements) -> dict[int, int]:
    """``{announcement id: number of people it is for now}`` in at most six grouped queries."""
    items = list(announcements)
    sizes: dict[int, int] = {}
    if not items:
        return sizes
    by_role = dict(db.session.execute(
        select(User.role, func.count()).where(User.active.is_(True)).group_by(User.role)).all())

    def group_counts(kind, key_column, key_values, *, parents: bool) -> dict:
        if not key_values:
            return {}
        member = ClassroomMembership
        stmt = select(key_column, func.count(distinct(ParentLink.parent_id if parents else member.student_id)))
        stmt = stmt.select_from(member)
        if kind == TargetKind.LEVEL:
            stmt = stmt.join(Classroom, Classroom.id == member.classroom_id)
        if parents:
            parent = User.__table__.alias("parent")
            stmt = (stmt.join(ParentLink, ParentLink.student_id == member.student_id)
                    .join(parent, and_(parent.c.id == ParentLink.parent_id, parent.c.active.is_(True),
                                       parent.c.role == Role.PARENT)))
        else:
            student = User.__table__.alias("student")
            stmt = stmt.join(student, and_(student.c.id == member.student_id, student.c.active.is_(True),
                                           student.c.role == Role.STUDENT))
        stmt = stmt.where(key_column.in_(key_values), _active_members()).group_by(key_column)
        return dict(db.session.execute(stmt).all())

    classroom_ids = {a.target_classroom_id for a in items if a.target_kind == TargetKind.CLASSROOM}
    level_ids = {a.target_level_id for a in items if a.target_kind == TargetKind.LEVEL}
    parents_classrooms = {a.target_classroom_id for a in items
                          if a.target_kind == TargetKind.CLASSROOM and a.include_parents}
    parents_levels = {a.target_level_id for a in items if a.target_kind == TargetKind.LEVEL and a.include_parents}
    students_by = {
        TargetKind.CLASSROOM: group_counts(TargetKind.CLASSROOM, ClassroomMembership.classroom_id, classroom_ids,
                                           parents=False),
        TargetKind.LEVEL: group_counts(TargetKind.LEVEL, Classroom.level_id, level_ids, parents=False),
    }
    parents_by = {
        TargetKind.CLASSROOM: group_counts(TargetKind.CLASSROOM, ClassroomMembership.classroom_id,
                                           parents_classrooms, parents=True),
        TargetKind.LEVEL: group_counts(TargetKind.LEVEL, Classroom.level_id, parents_levels, parents=True),
    }
    people_ids = [a.id for a in items if a.target_kind == TargetKind.PEOPLE]
    people = defaultdict(int)
    if people_ids:
        people.update(db.session.execute(
            select(AnnouncementPerson.announcement_id, func.count())
            .join(User, and_(User.id == AnnouncementPerson.user_id, User.active.is_(True)))
            .where(AnnouncementPerson.announcement_id.in_(people_ids))
            .group_by(AnnouncementPerson.announcement_id)).all())
    for a in items:
        kind = a.target_kind
        if kind == TargetKind.EVERYONE:
            sizes[a.id] = sum(by_role.values())
        elif kind in ROLE_TARGETS:
            sizes[a.id] = by_role.get(ROLE_TARGETS[kind], 0)
        elif kind == TargetKind.PEOPLE:
            sizes[a.id] = people.get(a.id, 0)
        else:
            key = a.target_classroom_id if kind == TargetKind.CLASSROOM else a.target_level_id
            size = students_by[kind].get(key, 0)
            if a.include_parents:
                size += parents_by[kind].get(key, 0)
            sizes[a.id] = size
    return sizes
