"""A student's work at a glance: what is due, what is missing, grades returned, attendance.

Used by the student's and the parent's home pages and by the weekly parent digest
(``lms.digest``).  Every function is one SQL statement (``due_work``: two, with the year's
start) whatever the number of assessments, submissions or meetings, and works for any
student (the visibility rules of ``lms.assessments.services`` are applied with the student as
the actor, so a parent is shown exactly what their child can see).

* ``due_work(student, ...)`` — published assessments of the student's subjects due soon that
  they have not submitted (nor been excused from), and overdue ones (all of them for parents,
  "missing"; only those still accepting late work for the student). Last year's work of the
  student's subjects is left out (``lms.assessments.history.of_this_year``).
* ``graded_work(student, viewer, ...)`` — graded or returned attempts, newest first, with the
  score only when ``viewer`` may see it (the assessment's results visibility).
* ``attendance_summary(student, first_day, last_day)`` / ``recent_absences(student)`` —
  teaching-session attendance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select

from lms.assessments.history import of_this_year
from lms.assessments.models import (
    Assessment,
    AssessmentExcusal,
    AssessmentExtension,
    LatePolicy,
    Submission,
    SubmissionStatus,
)
from lms.assessments.services import home_subject_id_expr, visibility_condition
from lms.assessments.taking import FINISHED, GRADED, results_visible
from lms.common.types import UTCDateTime, utcnow
from lms.curriculum.models import Subject
from lms.extensions import db
from lms.school.history import current_year_start
from lms.teaching.models import (
    AttendanceStatus,
    CourseSession,
    CourseSessionAttendance,
    CourseSessionMeeting,
)

DUE_AHEAD = timedelta(days=7)          # "due soon"
OVERDUE_LOOKBACK = timedelta(days=30)  # older missing work is left to the progress page
LIST_LIMIT = 10
ATTENDED = (AttendanceStatus.PRESENT.value, AttendanceStatus.LATE.value)


# --- due and missing work ---------------------------------------------------------------------


@dataclass
class WorkItem:
    assessment: Assessment
    subject_name: str | None
    in_progress: bool
    now: datetime
    due_at: datetime | None = None   # the student's due date (their extension's, else the assessment's)

    def __post_init__(self):
        if self.due_at is None:
            self.due_at = self.assessment.due_at

    @property
    def extended(self) -> bool:
        return self.due_at != self.assessment.due_at

    @property
    def overdue(self) -> bool:
        return self.due_at < self.now

    @property
    def late_accepted(self) -> bool:
        return self.assessment.late_policy == LatePolicy.ACCEPT


def _subject_name():
    return select(Subject.name).where(Subject.id == home_subject_id_expr()).scalar_subquery()


def due_work(student, *, now: datetime | None = None, ahead: timedelta = DUE_AHEAD,
             lookback: timedelta = OVERDUE_LOOKBACK, overdue: str = "late", limit: int = LIST_LIMIT) -> list[WorkItem]:
    """Work ``student`` has not submitted: due within ``ahead`` from now, and overdue within
    ``lookback``: ``overdue="late"`` keeps only overdue work that still accepts late submissions
    (what the student can still do), ``"all"`` keeps every missing one (what parents are told),
    ``"none"`` none.  Overdue first (oldest first), then by due date."""
    now = now or utcnow()
    finished = exists().where(Submission.assessment_id == Assessment.id, Submission.student_id == student.id,
                              Submission.status.in_(FINISHED))
    excused = exists().where(AssessmentExcusal.assessment_id == Assessment.id,
                             AssessmentExcusal.student_id == student.id)
    in_progress = exists().where(Submission.assessment_id == Assessment.id, Submission.student_id == student.id,
                                 Submission.status == SubmissionStatus.IN_PROGRESS)
    due = func.coalesce(select(AssessmentExtension.due_at).where(
        AssessmentExtension.assessment_id == Assessment.id, AssessmentExtension.student_id == student.id)
        .scalar_subquery(), Assessment.due_at, type_=UTCDateTime())
    upcoming = and_(due >= now, due <= now + ahead)
    if overdue == "none":
        window = upcoming
    else:
        late = and_(due < now, due >= now - lookback)
        if overdue == "late":
            late = and_(late, Assessment.late_policy == LatePolicy.ACCEPT)
        window = or_(upcoming, late)
    rows = db.session.execute(
        select(Assessment, _subject_name().label("subject_name"), in_progress.label("in_progress"),
               due.label("due"))
        .where(visibility_condition(student), Assessment.due_at.is_not(None), window, ~finished, ~excused,
               of_this_year([student.id], current_year_start()))
        .order_by(due, Assessment.id).limit(limit)).all()
    return [WorkItem(a, subject, bool(busy), now, due_at) for a, subject, busy, due_at in rows]


# --- grades -------------------------------------------------------------------------------------


@dataclass
class GradedItem:
    submission: Submission
    subject_name: str | None
    visible: bool  # may the viewer see the score?

    @property
    def assessment(self) -> Assessment:
        return self.submission.assessment

    @property
    def when(self) -> datetime | None:
        return self.submission.returned_at or self.submission.graded_at

    @property
    def percent(self) -> float | None:
        s = self.submission
        if not self.visible or s.final_score is None or not s.max_score:
            return None
        return round(100 * s.final_score / s.max_score)


def graded_work(student, viewer, *, since: datetime | None = None, limit: int = 5) -> list[GradedItem]:
    """Graded or returned attempts of ``student`` (graded or returned since ``since``), newest first."""
    when = func.coalesce(Submission.returned_at, Submission.graded_at)
    stmt = (select(Submission, _subject_name().label("subject_name"))
            .join(Assessment, Assessment.id == Submission.assessment_id)
            .where(Submission.student_id == student.id, Submission.status.in_(GRADED)))
    if since is not None:
        stmt = stmt.where(when >= since)
    rows = db.session.execute(stmt.order_by(when.desc(), Submission.id.desc()).limit(limit)).all()
    now = utcnow()
    return [GradedItem(s, subject, results_visible(s.assessment, s, viewer, now)) for s, subject in rows]


# --- attendance ---------------------------------------------------------------------------------


@dataclass
class AttendanceSummary:
    first_day: date
    last_day: date
    counts: dict = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def attended(self) -> int:
        return sum(self.counts.get(s, 0) for s in ATTENDED)

    @property
    def rate(self) -> int | None:
        return round(100 * self.attended / self.total) if self.total else None

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)


def _live_sessions():
    return CourseSession.is_deleted.is_(False)


def attendance_summary(student, first_day: date, last_day: date) -> AttendanceSummary:
    """Marks per status for the meetings dated ``first_day``…``last_day`` (local dates)."""
    rows = db.session.execute(
        select(CourseSessionAttendance.status, func.count())
        .join(CourseSessionMeeting, CourseSessionMeeting.id == CourseSessionAttendance.meeting_id)
        .join(CourseSession, CourseSession.id == CourseSessionMeeting.course_session_id)
        .where(CourseSessionAttendance.student_id == student.id, _live_sessions(),
               CourseSessionMeeting.meeting_date >= first_day, CourseSessionMeeting.meeting_date <= last_day)
        .group_by(CourseSessionAttendance.status)).all()
    return AttendanceSummary(first_day, last_day, {status: count for status, count in rows})


def recent_absences(student, *, limit: int = 3) -> list[tuple[CourseSessionMeeting, str, int]]:
    """The last absences: (meeting, teaching-session name, session id), newest first."""
    rows = db.session.execute(
        select(CourseSessionMeeting, CourseSession.session_name, CourseSession.id)
        .join(CourseSessionAttendance, CourseSessionAttendance.meeting_id == CourseSessionMeeting.id)
        .join(CourseSession, CourseSession.id == CourseSessionMeeting.course_session_id)
        .where(CourseSessionAttendance.student_id == student.id, _live_sessions(),
               CourseSessionAttendance.status == AttendanceStatus.ABSENT)
        .order_by(CourseSessionMeeting.starts_at.desc(), CourseSessionMeeting.id.desc()).limit(limit)).all()
    return [(meeting, name, session_id) for meeting, name, session_id in rows]
