"""What earns points and badges, counted by the database.

* **Attendance**: a PRESENT or LATE mark at a teaching-session meeting that has ended (the teacher
  may still correct marks during it); one entry per meeting.
* **Sections**: a section the student marked as done (``SectionProgress``); one entry per section,
  so undoing and redoing it gives nothing new.
* **Assessments passed**: a graded (or returned) attempt scoring at least the pass percentage of
  its points, once the student may see the result (never for "results never shown", after the due
  date for "after the due date" unless the student's own extension is still running); one entry per
  assessment, however many attempts passed.  A *perfect score* is an attempt with every point.

Only active students' events count (a deactivated or erased student earns nothing more).
Entries are inserted with "on conflict do nothing" against the ledger's unique key, so two runs
at the same moment cannot give the same event twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, distinct, exists, func, literal, or_, select, true
from sqlalchemy.dialects import postgresql, sqlite

from lms.assessments.models import (
    Assessment,
    AssessmentExtension,
    ResultsVisibility,
    Submission,
    SubmissionStatus,
)
from lms.auth.models import Role, User
from lms.curriculum.models import SectionProgress
from lms.extensions import db
from lms.rewards.models import BadgeAward, Criterion, PointEntry, PointKind, RewardSettings
from lms.teaching.models import AttendanceStatus, CourseSession, CourseSessionAttendance, CourseSessionMeeting

ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
GRADED = (SubmissionStatus.GRADED, SubmissionStatus.RETURNED)


def active_student(student_id_column):
    """The condition "this id is an active student's"."""
    return exists().where(User.id == student_id_column, User.role == Role.STUDENT, User.active.is_(True))


def insert_ignoring_duplicates(model, rows: list[dict]) -> int:
    """Insert ``rows``, skipping those that would break a unique key; how many were inserted."""
    if not rows:
        return 0
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = db.session.execute(insert(model).values(rows).on_conflict_do_nothing())
    return max(result.rowcount or 0, 0)


# --- the events -----------------------------------------------------------------------------------


def attended_marks(now: datetime | None = None):
    """A SELECT of (student id, meeting id, status) of the marks that count as attended."""
    stmt = (select(CourseSessionAttendance.student_id, CourseSessionAttendance.meeting_id,
                   CourseSessionAttendance.status)
            .join(CourseSessionMeeting, CourseSessionMeeting.id == CourseSessionAttendance.meeting_id)
            .join(CourseSession, CourseSession.id == CourseSessionMeeting.course_session_id)
            .where(CourseSessionAttendance.status.in_(ATTENDED), CourseSession.is_deleted.is_(False)))
    if now is not None:
        stmt = stmt.where(CourseSessionMeeting.ends_at <= now)
    return stmt


def _result_shown(now: datetime):
    """The student may see the attempt's score (``lms.assessments.taking.results_visible`` in SQL)."""
    extended = exists().where(AssessmentExtension.assessment_id == Submission.assessment_id,
                              AssessmentExtension.student_id == Submission.student_id,
                              AssessmentExtension.due_at > now)
    return and_(Assessment.results_visibility != ResultsVisibility.NEVER,
                or_(Assessment.results_visibility != ResultsVisibility.AFTER_DUE, Assessment.due_at.is_(None),
                    and_(Assessment.due_at <= now, ~extended)))


def passed_assessments(percent: int, now: datetime):
    """A SELECT of distinct (student id, assessment id) with an attempt at ``percent``% or more."""
    return (select(Submission.student_id, Submission.assessment_id).distinct()
            .join(Assessment, Assessment.id == Submission.assessment_id)
            .where(Submission.status.in_(GRADED), Submission.max_score > 0, Submission.final_score.is_not(None),
                   Submission.final_score * 100 >= Submission.max_score * percent, _result_shown(now)))


# --- points -------------------------------------------------------------------------------------------


def _not_in_ledger(kind: PointKind, student_column, source_column):
    return ~exists().where(PointEntry.student_id == student_column, PointEntry.kind == kind.value,
                           PointEntry.source_id == source_column)


def point_candidates(rules: RewardSettings, now: datetime, limit: int) -> list[dict]:
    """Ledger rows still to write (at most ``limit`` of each kind)."""
    rows: list[dict] = []
    if rules.points_present or rules.points_late:
        marks = attended_marks(now).subquery()
        value = case((marks.c.status == AttendanceStatus.PRESENT.value, literal(rules.points_present)),
                     else_=literal(rules.points_late))
        stmt = (select(marks.c.student_id, marks.c.meeting_id, value)
                .where(active_student(marks.c.student_id), value > 0,
                       _not_in_ledger(PointKind.ATTENDANCE, marks.c.student_id, marks.c.meeting_id)).limit(limit))
        rows += [_row(PointKind.ATTENDANCE, s, src, pts, now) for s, src, pts in db.session.execute(stmt)]
    if rules.points_section:
        stmt = (select(SectionProgress.student_id, SectionProgress.section_id)
                .where(active_student(SectionProgress.student_id),
                       _not_in_ledger(PointKind.SECTION, SectionProgress.student_id, SectionProgress.section_id))
                .limit(limit))
        rows += [_row(PointKind.SECTION, s, src, rules.points_section, now) for s, src in db.session.execute(stmt)]
    if rules.points_assessment:
        passed = passed_assessments(rules.pass_percent, now).subquery()
        stmt = (select(passed.c.student_id, passed.c.assessment_id)
                .where(active_student(passed.c.student_id),
                       _not_in_ledger(PointKind.ASSESSMENT, passed.c.student_id, passed.c.assessment_id))
                .limit(limit))
        rows += [_row(PointKind.ASSESSMENT, s, src, rules.points_assessment, now)
                 for s, src in db.session.execute(stmt)]
    return rows


def _row(kind: PointKind, student_id: int, source_id: int, points: int, now: datetime) -> dict:
    return {"student_id": student_id, "kind": kind.value, "source_id": source_id, "points": int(points),
            "awarded_at": now}


# --- badge criteria -----------------------------------------------------------------------------------


def criterion_counts(criterion: str, rules: RewardSettings, now: datetime, student_id: int | None = None):
    """A SELECT of (student id, count) for one criterion: how far each student (or only
    ``student_id``) got; students with nothing yet are not in it."""
    if criterion == Criterion.SESSIONS_ATTENDED:
        marks = attended_marks().where(_only(CourseSessionAttendance.student_id, student_id)).subquery()
        return select(marks.c.student_id, func.count(distinct(marks.c.meeting_id))).group_by(marks.c.student_id)
    if criterion == Criterion.SECTIONS_COMPLETED:
        return (select(SectionProgress.student_id, func.count(SectionProgress.id))
                .where(_only(SectionProgress.student_id, student_id)).group_by(SectionProgress.student_id))
    if criterion in (Criterion.ASSESSMENTS_PASSED, Criterion.PERFECT_SCORES):
        percent = rules.pass_percent if criterion == Criterion.ASSESSMENTS_PASSED else 100
        passed = passed_assessments(percent, now).where(_only(Submission.student_id, student_id)).subquery()
        return select(passed.c.student_id, func.count(passed.c.assessment_id)).group_by(passed.c.student_id)
    if criterion == Criterion.POINTS:
        return (select(PointEntry.student_id, func.sum(PointEntry.points))
                .where(_only(PointEntry.student_id, student_id)).group_by(PointEntry.student_id))
    raise ValueError(criterion)


def _only(column, student_id: int | None):
    return column == student_id if student_id is not None else true()


def progress_of(student_id: int, criterion: str, rules: RewardSettings, now: datetime) -> int:
    counts = criterion_counts(criterion, rules, now, student_id).subquery()
    return int(db.session.scalar(select(counts.c[1])) or 0)


def badge_candidates(badge, rules: RewardSettings, now: datetime, limit: int) -> list[int]:
    """Ids of the active students who reached ``badge``'s threshold and do not have it yet."""
    counts = criterion_counts(badge.criterion, rules, now).subquery()
    stmt = (select(counts.c.student_id)
            .where(counts.c[1] >= badge.threshold, active_student(counts.c.student_id),
                   ~exists().where(BadgeAward.badge_id == badge.id, BadgeAward.student_id == counts.c.student_id))
            .limit(limit))
    return list(db.session.scalars(stmt))
