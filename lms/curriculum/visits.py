"""Which section a student opened last ("continue where I stopped" on the student's home page).

``record_visit(student, section)`` is one INSERT … ON CONFLICT DO UPDATE of the student × section
row (``SectionVisit``), called when a student opens a section.  ``where_to_continue(student)``
answers the section to go back to: the last one opened (still readable), or, when that one is
marked done or the student has opened nothing yet, the first published section not yet done of
their most recent subject (the subject of the last section opened, else of the last section marked
done, else their first subject by name).  At most four queries whatever the amount of content.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select

from lms.common.types import utcnow
from lms.curriculum.models import Part, Section, SectionProgress, SectionVisit, Subject, Unit
from lms.curriculum.services import Progress, progress_by_subject, visible_sections, visible_subjects
from lms.extensions import db


def record_visit(student, section: Section) -> None:
    """Remember that ``student`` opened ``section`` now (one statement, safe under concurrency)."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    now = utcnow()
    stmt = insert(SectionVisit).values(student_id=student.id, section_id=section.id, last_opened_at=now)
    db.session.execute(stmt.on_conflict_do_update(index_elements=["student_id", "section_id"],
                                                  set_={"last_opened_at": now}))


@dataclass
class ContinuePoint:
    subject_id: int
    subject_name: str
    section: Section | None   # None: every published section of the subject is done
    resumed: bool             # True: the section opened last; False: the next one to do
    progress: Progress


def _done(student):
    return exists().where(SectionProgress.section_id == Section.id, SectionProgress.student_id == student.id)


def _tree_order():
    return Unit.position, Part.position, Section.position, Section.id


def where_to_continue(student) -> ContinuePoint | None:
    """Where ``student`` should pick up (None when they have no readable section at all)."""
    last = db.session.execute(
        visible_sections(student)
        .add_columns(Subject.id.label("subject_id"), Subject.name.label("subject_name"), _done(student).label("done"))
        .join(SectionVisit, (SectionVisit.section_id == Section.id) & (SectionVisit.student_id == student.id))
        .order_by(SectionVisit.last_opened_at.desc(), SectionVisit.id.desc()).limit(1)).first()
    if last is not None:
        section, subject_id, subject_name, done = last
        if not done:
            progress = progress_by_subject(student, [subject_id])[subject_id]
            return ContinuePoint(subject_id, subject_name, section, True, progress)
    else:
        recent = db.session.execute(
            visible_sections(student).add_columns(Subject.id, Subject.name)
            .join(SectionProgress, (SectionProgress.section_id == Section.id)
                  & (SectionProgress.student_id == student.id))
            .order_by(SectionProgress.completed_at.desc(), SectionProgress.id.desc()).limit(1)).first()
        if recent is not None:
            _section, subject_id, subject_name = recent
        else:
            # Correlated EXISTS: each candidate subject stops at its first readable section.
            readable = (select(Section.id).join(Part, Part.id == Section.part_id).join(Unit, Unit.id == Part.unit_id)
                        .where(Unit.subject_id == Subject.id, Unit.published.is_(True), Part.published.is_(True),
                               Section.published.is_(True)))
            first = db.session.execute(
                visible_subjects(student).with_only_columns(Subject.id, Subject.name)
                .where(readable.exists())
                .order_by(func.lower(Subject.name), Subject.id).limit(1)).first()
            if first is None:
                return None
            subject_id, subject_name = first
    following = db.session.scalar(
        visible_sections(student).where(Unit.subject_id == subject_id, ~_done(student))
        .order_by(*_tree_order()).limit(1))
    progress = progress_by_subject(student, [subject_id])[subject_id]
    return ContinuePoint(subject_id, subject_name, following, False, progress)
