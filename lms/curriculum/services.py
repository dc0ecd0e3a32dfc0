"""Curriculum rules: visibility, core subjects, subjects and their teachers, progress.

Visibility (other domains use these; never trust an id without them):

* ``visible_subjects(actor)`` (a SELECT) / ``get_subject_for(actor, subject_id)`` (404)
* ``get_unit_for`` / ``get_part_for`` / ``get_section_for(actor, id)`` (404)
* ``visible_sections(actor)`` (a SELECT of the sections ``actor`` may read)
* ``can_edit_subject(actor, subject)`` / ``require_edit(actor, subject)`` (403)
* ``progress_of(student, subject)``

Admins see everything.  A teacher sees the subjects they teach (``SubjectTeacher``).  A
student sees the subjects of their current classroom: the classroom's own subjects and those
of its whole level; a parent sees what their children see.  Students and parents see only
subjects that are not archived, and only published units/parts/sections whose ancestors are
all published.  The tree itself (units, parts, sections) is changed in
``lms.curriculum.tree``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, exists, false, func, or_, select
from sqlalchemy.exc import IntegrityError

from lms.audit.services import record
from lms.auth.models import Role, User
from lms.common.errors import BusinessRuleViolation, Conflict, Forbidden, NotFound, ValidationFailed
from lms.common.ids import as_id
from lms.common.labels import classroom_label, level_label
from lms.common.services import flush_or_raise, get_visible, is_taken
from lms.common.sql import where_given
from lms.core.academic_year import current_academic_year
from lms.curriculum.models import CoreSubject, Part, Section, SectionProgress, Subject, SubjectTeacher, Unit
from lms.extensions import db
from lms.school.models import (
    AssignmentRole,
    Classroom,
    Level,
    TeacherAssignment,
)
from lms.school.people import assign_teacher
from lms.school.services import children_ids, current_classroom_ids, require_admin

# --- visibility -----------------------------------------------------------------------------


def is_learner(actor) -> bool:
    """Students and parents: they read published content only."""
    return getattr(actor, "role", None) in (Role.STUDENT, Role.PARENT)


def _learner_classroom_ids(actor):
    """The current classrooms of a student, or of a parent's children (a SELECT of ids)."""
    return current_classroom_ids([actor.id] if actor.role == Role.STUDENT else children_ids(actor))


def subject_visibility(actor):
    """The WHERE condition on ``Subject`` for what ``actor`` may see."""
    role = getattr(actor, "role", None)
    if role == Role.ADMIN:
        return Subject.id.isnot(None)
    if role == Role.TEACHER:
        return Subject.id.in_(select(SubjectTeacher.subject_id).where(SubjectTeacher.teacher_id == actor.id))
    if role in (Role.STUDENT, Role.PARENT):
        classroom_ids = _learner_classroom_ids(actor)
        return and_(Subject.archived.is_(False), or_(
            Subject.classroom_id.in_(classroom_ids),
            and_(Subject.classroom_id.is_(None),
                 Subject.level_id.in_(select(Classroom.level_id).where(Classroom.id.in_(classroom_ids))))))
    return false()


def visible_subjects(actor):
    """A SELECT of the subjects ``actor`` may see (add your own filters and order)."""
    return select(Subject).where(subject_visibility(actor))


def _not_found(what: str):
    messages = {
        "subject": _("That subject does not exist or is not one of yours."),
        "unit": _("That unit does not exist or is not available to you."),
        "part": _("That part does not exist or is not available to you."),
        "section": _("That section does not exist or is not available to you."),
    }
    return NotFound(messages[what])



def get_subject_for(actor, subject_id) -> Subject:
    """The subject if ``actor`` may see it, else NotFound (404)."""
    return get_visible(visible_subjects(actor), Subject, subject_id, _not_found("subject"))


def _node_stmt(actor, model):
    """A SELECT of ``model`` joined up to its visible subject (published chain for learners)."""
    stmt = select(model)
    chain = {Unit: [], Part: [Unit], Section: [Part, Unit]}[model]
    joins = {Part: (Unit, Unit.id == Part.unit_id), Section: (Part, Part.id == Section.part_id)}
    current = model
    for parent in chain:
        target, on = joins[current]
        stmt = stmt.join(target, on)
        current = parent
    stmt = stmt.join(Subject, Subject.id == Unit.subject_id).where(subject_visibility(actor))
    if is_learner(actor):
        stmt = stmt.where(*(m.published.is_(True) for m in (model, *chain)))
    return stmt


def visible_units(actor):
    return _node_stmt(actor, Unit)


def visible_parts(actor):
    return _node_stmt(actor, Part)


def visible_sections(actor):
    """A SELECT of the sections ``actor`` may read (learners: published chain only)."""
    return _node_stmt(actor, Section)


def get_unit_for(actor, unit_id) -> Unit:
    return get_visible(visible_units(actor), Unit, unit_id, _not_found("unit"))


def get_part_for(actor, part_id) -> Part:
    return get_visible(visible_parts(actor), Part, part_id, _not_found("part"))


def get_section_for(actor, section_id) -> Section:
    return get_visible(visible_sections(actor), Section, section_id, _not_found("section"))


def get_node_for(actor, kind: str, node_id):
    """``kind`` is "unit", "part" or "section"."""
    getter = {"unit": get_unit_for, "part": get_part_for, "section": get_section_for}.get(kind)
    if getter is None:
        raise NotFound(_("That page does not exist."))
    return getter(actor, node_id)


def subject_of(node) -> Subject:
    if isinstance(node, Subject):
        return node
    if isinstance(node, Unit):
        return node.subject
    if isinstance(node, Part):
        return node.unit.subject
    return node.part.unit.subject


def can_edit_subject(actor, subject: Subject) -> bool:
    """Admins and the subject's teachers may change it."""
    if actor is None or not getattr(actor, "is_authenticated", True):
        return False
    if actor.role == Role.ADMIN:
        return True
    return actor.role == Role.TEACHER and any(link.teacher_id == actor.id for link in subject.teacher_links)


def require_edit(actor, subject: Subject) -> None:
    if not can_edit_subject(actor, subject):
        raise Forbidden(_("Only the subject's teachers or an administrator can change it."))


# --- core subjects ----------------------------------------------------------------------------


def _clean_text(value, field: str, maximum: int, *, required: bool = True, label: str = "") -> str:
    text = " ".join((value or "").split())
    if required and not text:
        raise ValidationFailed(_("Give the %(what)s.", what=label or field), field=field)
    if len(text) > maximum:
        raise ValidationFailed(_("That is too long (%(max)s characters at most).", max=maximum), field=field)
    return text


def list_core_subjects(*, include_archived: bool = True) -> list[CoreSubject]:
    stmt = select(CoreSubject).order_by(func.lower(CoreSubject.name))
    if not include_archived:
        stmt = stmt.where(CoreSubject.archived.is_(False))
    return list(db.session.scalars(stmt))


def get_core_subject(core_id) -> CoreSubject:
    ident = as_id(core_id)
    core = db.session.get(CoreSubject, ident) if ident else None
    if core is None:
        raise NotFound(_("That core subject does not exist."))
    return core


def _core_name_taken(name: str, except_id: int | None = None) -> bool:
    return is_taken(CoreSubject.id, func.lower(CoreSubject.name) == name.lower(), except_id=except_id)


def create_core_subject(actor, name: str, description: str = "") -> CoreSubject:
    require_admin(actor)
    name = _clean_text(name, "name", 100, label=_("name"))
    if _core_name_taken(name):
        raise ValidationFailed(_("There is already a core subject called %(name)s.", name=name), field="name")
    core = CoreSubject(name=name, description=(description or "").strip())
    with flush_or_raise(Conflict(_("There is already a core subject called %(name)s.", name=name))):
        db.session.add(core)
    record(actor, "core_subject.create", core, name=name)
    return core


def update_core_subject(actor, core: CoreSubject, name: str, description: str = "",
                        archived: bool | None = None) -> CoreSubject:
    require_admin(actor)
    name = _clean_text(name, "name", 100, label=_("name"))
    if _core_name_taken(name, core.id):
        raise ValidationFailed(_("There is already a core subject called %(name)s.", name=name), field="name")
    before = {"name": core.name, "archived": core.archived}
    with flush_or_raise(Conflict(_("There is already a core subject called %(name)s.", name=name))):
        core.name, core.description = name, (description or "").strip()
        if archived is not None:
            core.archived = archived
    record(actor, "core_subject.update", core, before=before, name=name, archived=core.archived)
    return core


def delete_core_subject(actor, core: CoreSubject) -> None:
    require_admin(actor)
    used = db.session.scalar(select(func.count()).select_from(Subject).where(Subject.core_subject_id == core.id))
    if used:
        raise BusinessRuleViolation(
            _("%(name)s has subjects, so it cannot be deleted. Archive it instead.", name=core.name))
    record(actor, "core_subject.delete", core, name=core.name)
    db.session.delete(core)
    db.session.flush()


def subject_counts_by_core() -> dict[int, int]:
    rows = db.session.execute(select(Subject.core_subject_id, func.count()).group_by(Subject.core_subject_id))
    return {core_id: count for core_id, count in rows}


# --- subjects -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """Who a subject is for: a whole level, or one classroom of it."""

    level: Level
    classroom: Classroom | None = None

    @property
    def value(self) -> str:
        return f"classroom:{self.classroom.id}" if self.classroom else f"level:{self.level.id}"

    @property
    def label(self) -> str:
        if self.classroom and self.classroom.academic_year != current_academic_year():
            return _("%(classroom)s of %(year)s only", classroom=classroom_label(self.classroom),
                     year=self.classroom.academic_year)
        if self.classroom:
            return _("%(classroom)s only", classroom=classroom_label(self.classroom))
        return _("All of %(level)s", level=level_label(self.level))


def audiences_for(actor, *, any_year: bool = False) -> list[Audience]:
    """What ``actor`` may create a subject for: admins any level or current classroom;
    teachers the classrooms they teach this year and those classrooms' levels.  ``any_year``:
    the classrooms of every year that are not archived (next year's, made before the rollover),
    this year's first."""
    year = current_academic_year()
    stmt = (select(Classroom).join(Level, Level.id == Classroom.level_id)
            .where(Classroom.archived.is_(False)))
    if not any_year:
        stmt = stmt.where(Classroom.academic_year == year)
    if actor.role == Role.TEACHER:
        stmt = stmt.where(Classroom.id.in_(
            select(TeacherAssignment.classroom_id).where(TeacherAssignment.teacher_id == actor.id)))
    elif actor.role != Role.ADMIN:
        return []
    classrooms = list(db.session.scalars(stmt.order_by(Classroom.academic_year != year, Classroom.academic_year,
                                                       Level.position, Classroom.number)))
    if actor.role == Role.ADMIN:
        levels = list(db.session.scalars(select(Level).order_by(Level.position)))
    else:
        seen: dict[int, Level] = {}
        for classroom in classrooms:
            seen.setdefault(classroom.level_id, classroom.level)
        levels = list(seen.values())
    result = []
    for level in levels:
        result.append(Audience(level))
        result.extend(Audience(level, c) for c in classrooms if c.level_id == level.id)
    return result


def resolve_audience(actor, value: str, *, any_year: bool = False) -> Audience:
    for audience in audiences_for(actor, any_year=any_year):
        if audience.value == value:
            return audience
    raise ValidationFailed(_("Choose a level or a classroom you teach."), field="audience")


def _assignment_for(subject: Subject, teacher_id: int, name: str | None = None):
    return db.session.scalar(select(TeacherAssignment).where(
        TeacherAssignment.classroom_id == subject.classroom_id, TeacherAssignment.teacher_id == teacher_id,
        TeacherAssignment.role == AssignmentRole.SUBJECT,
        TeacherAssignment.subject_name == (subject.name if name is None else name)))


def _record_classroom_assignment(subject: Subject, teacher: User) -> None:
    """A classroom's subject teacher is also a subject teacher of the classroom (school records)."""
    if subject.classroom_id is None:
        return

    # The system acts here: who may teach the subject was decided by the caller.
    assign_teacher(None, teacher, subject.classroom, AssignmentRole.SUBJECT, subject.name)


def _drop_classroom_assignment(subject: Subject, teacher_id: int, *, classroom_id=None, name=None) -> None:
    classroom_id = subject.classroom_id if classroom_id is None else classroom_id
    if not classroom_id:
        return
    name = subject.name if name is None else name
    # Another subject of the same name and classroom taught by the teacher keeps it.
    others = db.session.scalar(select(func.count()).select_from(SubjectTeacher)
                               .join(Subject, Subject.id == SubjectTeacher.subject_id)
                               .where(SubjectTeacher.teacher_id == teacher_id, Subject.id != subject.id,
                                      Subject.classroom_id == classroom_id, Subject.name == name))
    if others:
        return
    assignment = db.session.scalar(select(TeacherAssignment).where(
        TeacherAssignment.classroom_id == classroom_id, TeacherAssignment.teacher_id == teacher_id,
        TeacherAssignment.role == AssignmentRole.SUBJECT, TeacherAssignment.subject_name == name))
    if assignment is not None:
        db.session.delete(assignment)
        db.session.flush()


def create_subject(actor, core: CoreSubject, audience: Audience, name: str = "", description: str = "",
                   teachers: list[User] | None = None) -> Subject:
    """A new subject; a teacher who creates one teaches it."""
    if actor.role not in (Role.ADMIN, Role.TEACHER):
        raise Forbidden(_("Only teachers and administrators can create subjects."))
    if core.archived:
        raise ValidationFailed(_("%(name)s is archived; choose another core subject.", name=core.name),
                               field="core_subject_id")
    name = _clean_text(name, "name", 100, required=False) or f"{core.name} {audience.classroom.name if audience.classroom else audience.level.code}"
    subject = Subject(core_subject=core, level=audience.level, classroom=audience.classroom, name=name[:100],
                      description=(description or "").strip(), created_by_id=actor.id)
    db.session.add(subject)
    db.session.flush()
    wanted = list(teachers or [])
    if actor.role == Role.TEACHER and all(t.id != actor.id for t in wanted):
        wanted.insert(0, actor)
    for teacher in wanted:
        _add_teacher(subject, teacher)
    record(actor, "subject.create", subject, name=subject.name, audience=subject.audience)
    return subject


def update_subject(actor, subject: Subject, *, name: str, description: str, core: CoreSubject,
                   audience: Audience | None = None) -> Subject:
    require_edit(actor, subject)
    name = _clean_text(name, "name", 100, label=_("name"))
    old_name, old_classroom_id = subject.name, subject.classroom_id
    teacher_ids = [link.teacher_id for link in subject.teacher_links]
    if core.id != subject.core_subject_id and core.archived:
        raise ValidationFailed(_("%(name)s is archived; choose another core subject.", name=core.name),
                               field="core_subject_id")
    changed_audience = audience is not None and (audience.level.id, getattr(audience.classroom, "id", None)) != (
        subject.level_id, subject.classroom_id)
    if changed_audience or name != old_name:
        for teacher_id in teacher_ids:
            _drop_classroom_assignment(subject, teacher_id, classroom_id=old_classroom_id, name=old_name)
    subject.name, subject.description, subject.core_subject = name, (description or "").strip(), core
    if changed_audience:
        subject.level, subject.classroom = audience.level, audience.classroom
    db.session.flush()
    if changed_audience or name != old_name:
        for link in subject.teacher_links:
            _record_classroom_assignment(subject, link.teacher)
    record(actor, "subject.update", subject, name=name, before={"name": old_name}, audience=subject.audience)
    return subject


def set_subject_archived(actor, subject: Subject, archived: bool) -> None:
    require_edit(actor, subject)
    if subject.archived == archived:
        return
    subject.archived = archived
    db.session.flush()
    record(actor, "subject.archive" if archived else "subject.unarchive", subject, name=subject.name)


def _add_teacher(subject: Subject, teacher: User) -> SubjectTeacher:
    if teacher.role != Role.TEACHER:
        raise ValidationFailed(_("Only teacher accounts can teach a subject."), field="teacher_id")
    existing = next((link for link in subject.teacher_links if link.teacher_id == teacher.id), None)
    if existing:
        return existing
    with flush_or_raise(Conflict(_("%(name)s already teaches this subject.", name=teacher.full_name))):
        link = SubjectTeacher(subject=subject, teacher=teacher)
        db.session.add(link)
    _record_classroom_assignment(subject, teacher)
    return link


def add_subject_teacher(actor, subject: Subject, teacher: User) -> SubjectTeacher:
    require_admin(actor)
    link = _add_teacher(subject, teacher)
    record(actor, "subject.add_teacher", subject, teacher=teacher.email)
    return link


def remove_subject_teacher(actor, subject: Subject, teacher_id: int) -> None:
    require_admin(actor)
    link = next((lk for lk in subject.teacher_links if lk.teacher_id == teacher_id), None)
    if link is None:
        raise NotFound(_("That teacher does not teach this subject."))
    email = link.teacher.email
    subject.teacher_links.remove(link)
    db.session.flush()
    _drop_classroom_assignment(subject, teacher_id)
    record(actor, "subject.remove_teacher", subject, teacher=email)


def list_teachers() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == Role.TEACHER, User.active.is_(True))
                                   .order_by(User.full_name, User.id)))


def subject_list_query(actor, *, q: str = "", level_id: int | None = None, core_id: int | None = None,
                       teacher_id: int | None = None, classroom_id: int | None = None, archived: str = ""):
    """Visible subjects, filtered, in level and name order (one statement with its joins)."""
    stmt = visible_subjects(actor).join(Level, Level.id == Subject.level_id)
    q = (q or "").strip()
    if q:
        stmt = stmt.where(func.lower(Subject.name).like(f"%{q.lower()}%"))
    stmt = where_given(stmt, (Subject.level_id, level_id), (Subject.core_subject_id, core_id),
                       (Subject.classroom_id, classroom_id))
    if teacher_id:
        stmt = stmt.where(exists().where(SubjectTeacher.subject_id == Subject.id,
                                         SubjectTeacher.teacher_id == teacher_id))
    if archived == "only":
        stmt = stmt.where(Subject.archived.is_(True))
    elif archived != "all":
        stmt = stmt.where(Subject.archived.is_(False))
    return stmt.order_by(Level.position, func.lower(Subject.name), Subject.id)


def subjects_taught_in(classrooms, *, include_archived: bool = False) -> list[Subject]:
    """The subjects of these classrooms (their own and their levels'), by name. A past year's
    history includes archived subjects: the work done in them stays readable."""
    classrooms = list(classrooms)
    if not classrooms:
        return []
    stmt = select(Subject).where(or_(
        Subject.classroom_id.in_([c.id for c in classrooms]),
        and_(Subject.classroom_id.is_(None), Subject.level_id.in_({c.level_id for c in classrooms}))))
    if not include_archived:
        stmt = stmt.where(Subject.archived.is_(False))
    return list(db.session.scalars(stmt.order_by(func.lower(Subject.name), Subject.id)))


def subjects_of_classroom(actor, classroom: Classroom, *, include_archived: bool = False
                          ) -> list[tuple[Subject, bool]]:
    """The classroom's subjects (its own and its level's), each with whether ``actor`` may open it."""
    subjects = subjects_taught_in([classroom], include_archived=include_archived)
    visible = set(db.session.scalars(select(Subject.id).where(
        Subject.id.in_([s.id for s in subjects]), subject_visibility(actor)))) if subjects else set()
    return [(s, s.id in visible) for s in subjects]


# --- progress -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def _published_sections_of(subject_ids):
    return (select(Section.id, Unit.subject_id).join(Part, Part.id == Section.part_id)
            .join(Unit, Unit.id == Part.unit_id)
            .where(Unit.subject_id.in_(subject_ids), Unit.published.is_(True), Part.published.is_(True),
                   Section.published.is_(True)))


def progress_by_subject(student, subject_ids) -> dict[int, Progress]:
    """``{subject id: Progress}`` for a student (two queries whatever the number of subjects)."""
    ids = list(subject_ids)
    if not ids:
        return {}
    sections = _published_sections_of(ids).subquery()
    totals = dict(db.session.execute(select(sections.c.subject_id, func.count())
                                     .group_by(sections.c.subject_id)).all())
    done = dict(db.session.execute(
        select(sections.c.subject_id, func.count())
        .join(SectionProgress, SectionProgress.section_id == sections.c.id)
        .where(SectionProgress.student_id == student.id).group_by(sections.c.subject_id)).all())
    return {i: Progress(done.get(i, 0), totals.get(i, 0)) for i in ids}


def progress_of(student, subject: Subject) -> Progress:
    """Sections the student marked done / published sections of the subject."""
    return progress_by_subject(student, [subject.id])[subject.id]


def done_section_ids(student, section_ids) -> set[int]:
    ids = list(section_ids)
    if not ids or student is None:
        return set()
    return set(db.session.scalars(select(SectionProgress.section_id).where(
        SectionProgress.student_id == student.id, SectionProgress.section_id.in_(ids))))


def set_section_done(actor, section: Section, done: bool) -> bool:
    """A student marks a section they can read as done (or not done). Returns the new state."""
    if actor.role != Role.STUDENT:
        raise Forbidden(_("Only students mark sections as done."))
    get_section_for(actor, section.id)
    existing = db.session.scalar(select(SectionProgress).where(
        SectionProgress.section_id == section.id, SectionProgress.student_id == actor.id))
    if done and existing is None:
        try:
            with db.session.begin_nested():
                db.session.add(SectionProgress(section_id=section.id, student_id=actor.id))
        except IntegrityError:
            pass  # marked done at the same moment from another tab: already done
    elif not done and existing is not None:
        db.session.delete(existing)
        db.session.flush()
    return done
