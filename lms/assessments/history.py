"""Assessments of past academic years: which years a student has work in, what a past year's
progress lists, and which assessments belong to an archived classroom's gradebook.

Subjects outlive a year (a level's subject is taught to every year's P1), so an assessment belongs
to a past year when the student (or, in a gradebook, one of the class) has an attempt at it or is
excused from it, or when its due date (publication date without one) falls within the year's
memberships — never to the next year's class that goes on with the same subject.

The same rule keeps last year's work out of this year (``of_this_year``): after a rollover an
assessment is this year's when its due date (publication date without one) is at or after the
rollover, or when the student (in a gradebook: one of the class) started an attempt at it or was
excused from it since; attempts and excusals from before the rollover stay last year's.
"""

from __future__ import annotations

from sqlalchemy import and_, exists, func, or_, select, true

from lms.assessments.models import Assessment, AssessmentExcusal, AssessmentStatus, Submission, counted
from lms.assessments.services import attached_in_subjects, home_subject_id_expr
from lms.core.academic_year import current_academic_year
from lms.curriculum.services import subjects_taught_in
from lms.extensions import db
from lms.school.history import memberships_by_year, year_window

SHOWN = (AssessmentStatus.PUBLISHED, AssessmentStatus.ARCHIVED)


def year_subjects(memberships) -> list:
    """The subjects of the classrooms of a past year (archived ones too)."""
    return subjects_taught_in({m.classroom_id: m.classroom for m in memberships}.values(), include_archived=True)


def _has_work(student, memberships) -> bool:
    subject_ids = [s.id for s in year_subjects(memberships)]
    if not subject_ids:
        return False
    return bool(db.session.scalar(select(exists().where(
        Submission.student_id == student.id, counted(),
        Submission.assessment_id.in_(select(Assessment.id).where(attached_in_subjects(subject_ids)))))))


def progress_years(student, allowed: set[str] | None = None) -> list[str]:
    """The academic years of the student's progress page, newest first: this year, then every past
    year in which they have work; only the ``allowed`` ones when given (a teacher's)."""
    current = current_academic_year()
    years = [current] if allowed is None or current in allowed else []
    for year, memberships in memberships_by_year(student).items():
        if year == current or (allowed is not None and year not in allowed):
            continue
        if _has_work(student, memberships):
            years.append(year)
    return sorted(years, reverse=True)


def in_window(assessment, window) -> bool:
    when = assessment.due_at or assessment.published_at
    return window is not None and when is not None and window[0] <= when < window[1]


def past_year_rows(student, year: str):
    """``(subjects, [(Assessment, home subject id)])`` of the student's ``year`` (not the current one)."""
    memberships = memberships_by_year(student).get(year, [])
    subjects = year_subjects(memberships)
    if not subjects:
        return [], []
    start, end = year_window(memberships)
    moment = func.coalesce(Assessment.due_at, Assessment.published_at)
    mine = or_(Assessment.id.in_(select(Submission.assessment_id).where(Submission.student_id == student.id,
                                                                         counted())),
               Assessment.id.in_(select(AssessmentExcusal.assessment_id)
                                 .where(AssessmentExcusal.student_id == student.id)))
    home = home_subject_id_expr()
    rows = db.session.execute(
        select(Assessment, home.label("home_subject_id"))
        .where(attached_in_subjects([s.id for s in subjects]), Assessment.status.in_(SHOWN),
               or_(mine, and_(moment >= start, moment < end)))
        .order_by(Assessment.due_at.is_(None), Assessment.due_at, Assessment.title, Assessment.id)).all()
    return subjects, [(assessment, subject_id) for assessment, subject_id in rows]


def of_past_class(assessments, window, worked_on: set[int]) -> list:
    """The assessments of an archived classroom's gradebook: those its students worked on (or were
    excused from) and those due within its year."""
    return [a for a in assessments if a.id in worked_on or in_window(a, window)]


def of_this_year(student_ids, start):
    """SQL condition on ``Assessment``: it belongs to this academic year for these students (a list
    or a SELECT of ids). ``start``: ``lms.school.history.current_year_start()`` (None: always true)."""
    if start is None:
        return true()
    moment = func.coalesce(Assessment.due_at, Assessment.published_at)
    return or_(moment >= start,
               Assessment.id.in_(select(Submission.assessment_id).where(
                   Submission.student_id.in_(student_ids), Submission.started_at >= start, counted())),
               Assessment.id.in_(select(AssessmentExcusal.assessment_id).where(
                   AssessmentExcusal.student_id.in_(student_ids), AssessmentExcusal.created_at >= start)))
