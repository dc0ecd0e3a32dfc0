"""Demo school (a ``DEMO_STEPS`` step): two classrooms per level with a few students each.

Keeps the demo accounts the README lists: teacher@ is homeroom teacher of P1/1, teacher2@ of
P2/1, student@ is in P1/1, student2@ in P2/1, parent@ follows student@.  Idempotent; no password
hashing per student (the extra students share student@'s hash, so they sign in with the demo password).
"""

from __future__ import annotations

from sqlalchemy import insert, select

from lms.auth.models import Role, User
from lms.common.types import utcnow
from lms.core.academic_year import current_academic_year
from lms.core.localtime import local_today
from lms.extensions import db
from lms.school.models import (
    AssignmentRole,
    Classroom,
    ClassroomMembership,
    MembershipStatus,
    ParentLink,
    StudentProfile,
    TeacherAssignment,
)
from lms.school.services import ensure_levels, ensure_organization

CLASSES_PER_LEVEL = 2
EXTRA_STUDENTS_PER_CLASS = 3
FIRST_NAMES = ["Anong", "Boonmee", "Chai", "Darunee", "Ekkachai", "Fah", "Kanya", "Kittisak", "Lek",
               "Malee", "Niran", "Pim", "Rattana", "Somchai", "Suda", "Tawan", "Wichai", "Yupin"]
LAST_NAMES = ["Jaidee", "Srisuk", "Rungrot", "Chaiyaporn", "Thongdee", "Wongsa", "Kaewmanee", "Saetang"]


def seed_school(users: dict[str, User]) -> None:
    org = ensure_organization()
    year = org.academic_year or current_academic_year()
    levels = ensure_levels()
    rooms = {(c.level_id, c.number): c for c in db.session.scalars(
        select(Classroom).where(Classroom.academic_year == year))}
    for level in levels:
        for number in range(1, CLASSES_PER_LEVEL + 1):
            if (level.id, number) not in rooms:
                rooms[(level.id, number)] = Classroom(level=level, number=number, academic_year=year)
                db.session.add(rooms[(level.id, number)])
    db.session.flush()
    by_name = {c.name: c for c in rooms.values()}

    _homeroom(users["teacher@example.org"], by_name["P1/1"])
    _homeroom(users["teacher2@example.org"], by_name["P2/1"])

    today, now = local_today(), utcnow()
    placed = set(db.session.scalars(select(ClassroomMembership.student_id).where(
        ClassroomMembership.academic_year == year, ClassroomMembership.status == MembershipStatus.ACTIVE)))
    profiles = set(db.session.scalars(select(StudentProfile.user_id)))
    existing = {u.email: u for u in db.session.scalars(select(User).where(User.email.like("%@demo.example.org")))}
    password_hash = users["student@example.org"].password_hash

    new_users = []
    # The stable P1/1 pupil without email: signs in with the username ``pupil1`` (the README names it).
    pupil = db.session.scalar(select(User).where(User.username == DEMO_PUPIL_USERNAME))
    if pupil is None:
        pupil = User(email=None, username=DEMO_PUPIL_USERNAME, full_name="Ploy Pupil", role=Role.STUDENT,
                     password_hash=password_hash)
        new_users.append(pupil)
    wanted = [(users["student@example.org"], by_name["P1/1"], "D0001"),
              (users["student2@example.org"], by_name["P2/1"], "D0002"),
              (pupil, by_name["P1/1"], "D0003")]
    serial = 100
    for level in levels:
        for number in range(1, CLASSES_PER_LEVEL + 1):
            classroom = rooms[(level.id, number)]
            for i in range(1, EXTRA_STUDENTS_PER_CLASS + 1):
                serial += 1
                email = f"{level.code.lower()}-{number}-{i}@demo.example.org"
                user = existing.get(email)
                if user is None:
                    first = FIRST_NAMES[serial % len(FIRST_NAMES)]
                    last = LAST_NAMES[serial % len(LAST_NAMES)]
                    user = User(email=email, full_name=f"{first} {last}", role=Role.STUDENT,
                                password_hash=password_hash)
                    new_users.append(user)
                wanted.append((user, classroom, f"D{serial:04d}"))
    db.session.add_all(new_users)
    db.session.flush()

    profile_rows = [{"user_id": u.id, "student_number": number, "created_at": now, "updated_at": now}
                    for u, _c, number in wanted if u.id not in profiles]
    if profile_rows:
        db.session.execute(insert(StudentProfile), profile_rows)
    member_rows = [{"student_id": u.id, "classroom_id": c.id, "academic_year": year,
                    "status": MembershipStatus.ACTIVE.value, "started_on": today, "created_at": now}
                   for u, c, _n in wanted if u.id not in placed]
    if member_rows:
        db.session.execute(insert(ClassroomMembership), member_rows)

    parent, child = users["parent@example.org"], users["student@example.org"]
    if not db.session.scalar(select(ParentLink.id).where(ParentLink.parent_id == parent.id,
                                                         ParentLink.student_id == child.id)):
        db.session.add(ParentLink(parent_id=parent.id, student_id=child.id))
    db.session.flush()


DEMO_PUPIL_USERNAME = "pupil1"


def _homeroom(teacher: User, classroom: Classroom) -> None:
    exists = db.session.scalar(select(TeacherAssignment.id).where(
        TeacherAssignment.classroom_id == classroom.id, TeacherAssignment.role == AssignmentRole.HOMEROOM))
    if not exists:
        db.session.add(TeacherAssignment(teacher_id=teacher.id, classroom_id=classroom.id,
                                         role=AssignmentRole.HOMEROOM, subject_name=""))
