"""What an invitation grants in the school: a student's classroom, a parent's children.

Grants are stored on the invitation as ``{"classroom_id": 3}`` (STUDENT) or
``{"student_ids": [4, 5]}`` (PARENT).  They are checked when the invitation is
created or sent again (a teacher may only invite students into a classroom of
their own), and applied when it is accepted.  ``connect_signals`` plugs these into the
invitation signals of ``lms.core.signals`` (when the school's blueprint is registered).
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import or_, select

from lms.auth.models import Role, User, normalise_email
from lms.common.errors import ValidationFailed
from lms.common.ids import as_id
from lms.common.labels import classroom_label, level_code_of
from lms.core import signals
from lms.core.academic_year import current_academic_year
from lms.extensions import db
from lms.school import people, services
from lms.school.models import Classroom, Level, StudentProfile

MAX_CHILDREN = 10


def classroom_by_name(name: str, academic_year: str | None = None) -> Classroom | None:
    """The current-year classroom called ``name`` ("P1/1", or as a Thai reader writes it: "ป.1/1"), or None."""
    code, _sep, number = (name or "").strip().rpartition("/")
    code, number = level_code_of(code), number.strip()
    if not code or as_id(number) is None:
        return None

    return db.session.scalar(
        select(Classroom).join(Level, Level.id == Classroom.level_id)
        .where(Level.code == code, Classroom.number == int(number),
               Classroom.academic_year == (academic_year or current_academic_year())))


def resolve_children(actor, text: str) -> list[int]:
    """Student ids from a list of student numbers or emails (comma, space or | separated)."""
    tokens = [t for t in re.split(r"[\s,;|]+", text or "") if t]
    if not tokens:
        return []
    if len(tokens) > MAX_CHILDREN:
        raise ValidationFailed(_("At most %(n)d children per invitation.", n=MAX_CHILDREN), field="children")
    emails = [normalise_email(t) for t in tokens if "@" in t]
    numbers = [t for t in tokens if "@" not in t]
    rows = db.session.execute(
        services.visible_students(actor)
        .outerjoin(StudentProfile, StudentProfile.user_id == User.id)
        .where(or_(User.email.in_(emails), StudentProfile.student_number.in_(numbers)))
        .with_only_columns(User.id, User.email, StudentProfile.student_number)
    ).all()
    found = {row.email for row in rows} | {row.student_number for row in rows if row.student_number}
    unknown = [t for t in tokens if (normalise_email(t) if "@" in t else t) not in found]
    if unknown:
        raise ValidationFailed(_("No student with the number or email %(list)s.", list=", ".join(unknown)),
                               field="children")
    return sorted({row.id for row in rows})


def grants_for(actor, role: str, *, classroom_id=None, children: str = "") -> dict:
    """The grants of an invitation form (validated by ``check_grants`` when it is created)."""
    if role == Role.STUDENT and classroom_id:
        return {"classroom_id": as_id(classroom_id) or 0}
    if role == Role.PARENT and (children or "").strip():
        return {"student_ids": resolve_children(actor, children)}
    return {}


def grants_from_text(actor, role: str, text: str) -> dict | None:
    """A bulk invitation row's last column as grants: a student's classroom or a parent's children."""
    if role == Role.STUDENT:
        classroom = classroom_by_name(text)
        if classroom is None:
            raise ValidationFailed(_("Unknown classroom %(name)s.", name=text))
        return {"classroom_id": classroom.id}
    if role == Role.PARENT:
        return {"student_ids": resolve_children(actor, text)}
    return None


def invitable_classrooms(actor) -> list[Classroom]:
    """Current, unarchived classrooms the actor may invite students into."""
    stmt = (services.visible_classrooms(actor)
            .where(Classroom.academic_year == current_academic_year(), Classroom.archived.is_(False)))
    return list(db.session.scalars(services.ordered_classrooms(stmt)))


def check_grants(actor, role: str, grants: dict) -> None:
    unknown_keys = set(grants) - {"classroom_id", "student_ids"}
    if unknown_keys:
        raise ValidationFailed(_("This invitation carries something the school does not know."))
    classroom_id = grants.get("classroom_id")
    student_ids = grants.get("student_ids") or []
    if classroom_id is not None and role != Role.STUDENT:
        raise ValidationFailed(_("Only students are invited into a classroom."), field="classroom_id")
    if student_ids and role != Role.PARENT:
        raise ValidationFailed(_("Only parents are linked to children."), field="children")
    if actor.is_teacher and role == Role.STUDENT and classroom_id is None:
        raise ValidationFailed(_("Choose one of your classrooms."), field="classroom_id")
    if classroom_id is not None:
        classroom = db.session.scalar(services.visible_classrooms(actor).where(Classroom.id == classroom_id))
        if classroom is None:
            raise ValidationFailed(_("Choose one of your classrooms."), field="classroom_id")
        if classroom.archived:
            raise ValidationFailed(_("%(name)s is archived; choose a current classroom.", name=classroom_label(classroom)),
                                   field="classroom_id")
    if student_ids:
        visible = set(db.session.scalars(
            services.visible_students(actor).where(User.id.in_(student_ids)).with_only_columns(User.id)))
        if visible != set(student_ids):
            raise ValidationFailed(_("Some of these children are not students of this school."),
                                   field="children")


def apply_grants(invitation, user: User) -> None:
    grants = invitation.grants or {}
    if user.role == Role.STUDENT:
        people.ensure_student_profile(user)
        classroom = db.session.get(Classroom, grants["classroom_id"]) if grants.get("classroom_id") else None
        if classroom is not None and not classroom.archived:
            people.enroll_student(None, user, classroom)
    elif user.role == Role.PARENT:
        for student in db.session.scalars(select(User).where(User.id.in_(grants.get("student_ids") or []),
                                                             User.role == Role.STUDENT)):
            people.link_parent(None, user, student)


def describe(grants: dict) -> str | None:
    if grants.get("classroom_id"):
        classroom = db.session.get(Classroom, grants["classroom_id"])
        return classroom_label(classroom) if classroom is not None else None
    if grants.get("student_ids"):
        names = db.session.scalars(select(User.full_name).where(User.id.in_(grants["student_ids"]))
                                   .order_by(User.full_name))
        return _("Parent of %(names)s", names=", ".join(names))
    return None


def connect_signals() -> None:
    signals.invitation_grants_checking.connect(check_grants)
    signals.invitation_accepted.connect(apply_grants)
    signals.invitation_grants_described.connect(describe)
    signals.invitation_grants_from_form.connect(grants_for)
    signals.invitation_grants_from_text.connect(grants_from_text)
    signals.invitation_classrooms.connect(invitable_classrooms)
