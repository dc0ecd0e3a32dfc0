"""At-risk students in a supervisor's scope, each with the reasons in plain language.

Three signals, each one aggregate query over every student in scope (never one per student):

* attendance: below ``LOW_ATTENDANCE_PERCENT`` over the last 4 weeks, or falling: the last 2 weeks at
  least ``FALLING_ATTENDANCE_POINTS`` below the 4 weeks before them (sessions in scope only);
* overdue work: published assessments of a session's course (attached where its students can read
  them), or given to the student alone in the session, past the student's due date (their extension's, else the assessment's), within
  ``OVERDUE_LOOKBACK_DAYS``, with nothing submitted and no excusal;
* falling grades: the average of the latest ``RECENT_GRADES`` graded results at least
  ``FALLING_GRADE_POINTS`` below the average of up to ``EARLIER_GRADES`` results before them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, case, exists, func, or_, select

from lms.assessments.models import (
    Assessment,
    AssessmentExcusal,
    AssessmentExtension,
    AssessmentStatus,
    Submission,
)
from lms.assessments.services import home_subject_id_expr
from lms.assessments.taking import FINISHED, GRADED
from lms.auth.models import User
from lms.common.types import UTCDateTime, utcnow
from lms.core.localtime import local_today
from lms.curriculum.models import Part, Section, Unit
from lms.extensions import db
from lms.supervision.scope import TAKING_PART, Scope
from lms.supervision.trends import ATTENDED, percent
from lms.teaching.models import (
    CourseSession,
    CourseSessionAttendance,
    CourseSessionEnrollment,
    CourseSessionMeeting,
)

LOW_ATTENDANCE_PERCENT = 75       # over the last 4 weeks
FALLING_ATTENDANCE_POINTS = 20    # the last 2 weeks against the 4 weeks before them
MIN_MARKS = 2                     # marks needed in a period before it says anything
OVERDUE_LOOKBACK_DAYS = 30
FALLING_GRADE_POINTS = 15
RECENT_GRADES = 2
EARLIER_GRADES = 5
MIN_EARLIER_GRADES = 2
TITLES_SHOWN = 3

ATTENDANCE_LOW, ATTENDANCE_FALLING, OVERDUE_WORK, GRADES_FALLING = (
    "attendance_low", "attendance_falling", "overdue_work", "grades_falling")


@dataclass
class Reason:
    code: str
    text: str


@dataclass
class AtRisk:
    student: User
    reasons: list[Reason] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return "; ".join(r.text for r in self.reasons)


# --- attendance ---------------------------------------------------------------------------------


@dataclass
class _Periods:
    """Attended and all marks in the last 2 weeks (0), the 2 weeks before (1) and the 2 before those (2)."""
    attended: list[int] = field(default_factory=lambda: [0, 0, 0])
    marks: list[int] = field(default_factory=lambda: [0, 0, 0])

    def rate(self, *periods: int) -> tuple[int | None, int]:
        marks = sum(self.marks[p] for p in periods)
        return percent(sum(self.attended[p] for p in periods), marks), marks


def _attendance(scope: Scope, students, today: date) -> dict[int, _Periods]:
    day = CourseSessionMeeting.meeting_date
    period = case((day > today - timedelta(days=14), 0), (day > today - timedelta(days=28), 1), else_=2)
    attended = func.sum(case((CourseSessionAttendance.status.in_(ATTENDED), 1), else_=0))
    found: dict[int, _Periods] = defaultdict(_Periods)
    for student_id, p, yes, marks in db.session.execute(
            select(CourseSessionAttendance.student_id, period, attended, func.count())
            .join(CourseSessionMeeting, CourseSessionMeeting.id == CourseSessionAttendance.meeting_id)
            .join(CourseSession, CourseSession.id == CourseSessionMeeting.course_session_id)
            .where(scope.sessions_condition(), CourseSessionAttendance.student_id.in_(students),
                   day > today - timedelta(days=42), day <= today)
            .group_by(CourseSessionAttendance.student_id, period)):
        found[student_id].attended[int(p)] += int(yes or 0)
        found[student_id].marks[int(p)] += int(marks)
    return found


def attendance_reasons(periods: _Periods) -> list[Reason]:
    reasons = []
    last_four, marks = periods.rate(0, 1)
    if last_four is not None and marks >= MIN_MARKS and last_four < LOW_ATTENDANCE_PERCENT:
        reasons.append(Reason(ATTENDANCE_LOW, _(
            "Attendance %(rate)d%% over the last 4 weeks (below %(threshold)d%%)",
            rate=last_four, threshold=LOW_ATTENDANCE_PERCENT)))
    recent, recent_marks = periods.rate(0)
    before, before_marks = periods.rate(1, 2)
    if (recent is not None and before is not None and recent_marks >= MIN_MARKS and before_marks >= MIN_MARKS
            and recent <= before - FALLING_ATTENDANCE_POINTS):
        reasons.append(Reason(ATTENDANCE_FALLING, _(
            "Attendance %(now)d%% in the last 2 weeks, was %(before)d%%", now=recent, before=before)))
    return reasons


# --- overdue work -------------------------------------------------------------------------------


def readable_attachment():
    """SQL: the assessment is attached to its subject, or to a unit, part or section its students can
    read (published, with every node above it published)."""
    unit_ok = select(Unit.id).where(Unit.published.is_(True))
    part_ok = select(Part.id).join(Unit, Unit.id == Part.unit_id).where(Part.published.is_(True), Unit.published.is_(True))
    section_ok = (select(Section.id).join(Part, Part.id == Section.part_id).join(Unit, Unit.id == Part.unit_id)
                  .where(Section.published.is_(True), Part.published.is_(True), Unit.published.is_(True)))
    return or_(Assessment.subject_id.is_not(None), Assessment.unit_id.in_(unit_ok), Assessment.part_id.in_(part_ok),
               Assessment.section_id.in_(section_ok))


def _overdue(scope: Scope, students, now: datetime) -> dict[int, list[str]]:
    """Student id -> titles of their overdue assessments, oldest due first."""
    student = CourseSessionEnrollment.student_id
    due = func.coalesce(select(AssessmentExtension.due_at).where(
        AssessmentExtension.assessment_id == Assessment.id, AssessmentExtension.student_id == student)
        .scalar_subquery(), Assessment.due_at, type_=UTCDateTime())
    finished = exists().where(Submission.assessment_id == Assessment.id, Submission.student_id == student,
                              Submission.status.in_(FINISHED))
    excused = exists().where(AssessmentExcusal.assessment_id == Assessment.id, AssessmentExcusal.student_id == student)
    rows = db.session.execute(
        select(student, Assessment.id, Assessment.title, func.min(due).label("due"))
        .join(CourseSession, CourseSession.id == CourseSessionEnrollment.course_session_id)
        .join(Assessment, or_(Assessment.id == CourseSessionEnrollment.assigned_assessment_id,
                              and_(home_subject_id_expr() == CourseSession.course_id, readable_attachment())))
        .where(scope.sessions_condition(), student.in_(students), CourseSessionEnrollment.deleted_at.is_(None),
               CourseSessionEnrollment.enrollment_status.in_(TAKING_PART),
               Assessment.status == AssessmentStatus.PUBLISHED, Assessment.due_at.is_not(None),
               due < now, due >= now - timedelta(days=OVERDUE_LOOKBACK_DAYS), ~finished, ~excused)
        .group_by(student, Assessment.id, Assessment.title)
        .order_by(student, "due", Assessment.id)).all()
    found: dict[int, list[str]] = defaultdict(list)
    for student_id, _id, title, _due in rows:
        found[student_id].append(title)
    return found


def overdue_reason(titles: list[str]) -> Reason:
    shown = ", ".join(f"“{t}”" for t in titles[:TITLES_SHOWN]) + (", …" if len(titles) > TITLES_SHOWN else "")
    return Reason(OVERDUE_WORK, ngettext("%(num)d overdue assessment: %(titles)s",
                                         "%(num)d overdue assessments: %(titles)s", len(titles), titles=shown))


# --- grades -------------------------------------------------------------------------------------


def graded_percent():
    return 100.0 * Submission.final_score / Submission.max_score


def graded_results(students, limit: int):
    """A SELECT of (student id, percent, rank) of graded results, newest first per student (rank 1)."""
    when = func.coalesce(Submission.submitted_at, Submission.graded_at)
    rank = func.row_number().over(partition_by=Submission.student_id,
                                  order_by=(when.desc(), Submission.id.desc())).label("rank")
    ranked = (select(Submission.student_id, graded_percent().label("score"), rank)
              .where(Submission.student_id.in_(students), Submission.status.in_(GRADED),
                     Submission.final_score.is_not(None), Submission.max_score > 0)
              .subquery())
    return select(ranked.c.student_id, ranked.c.score, ranked.c.rank).where(ranked.c.rank <= limit)


def _grades(students) -> dict[int, list[float]]:
    found: dict[int, list[float]] = defaultdict(list)
    for student_id, score, _rank in db.session.execute(
            graded_results(students, RECENT_GRADES + EARLIER_GRADES).order_by("student_id", "rank")):
        found[student_id].append(float(score))
    return found


def grades_reason(scores: list[float]) -> Reason | None:
    """``scores`` newest first."""
    recent, earlier = scores[:RECENT_GRADES], scores[RECENT_GRADES:]
    if len(recent) < RECENT_GRADES or len(earlier) < MIN_EARLIER_GRADES:
        return None
    now, before = round(sum(recent) / len(recent)), round(sum(earlier) / len(earlier))
    if now > before - FALLING_GRADE_POINTS:
        return None
    return Reason(GRADES_FALLING, _("Latest grades average %(now)d%%, was %(before)d%%", now=now, before=before))


# --- all together -------------------------------------------------------------------------------


def at_risk(scope: Scope, *, student_id: int | None = None, today: date | None = None,
            now: datetime | None = None) -> list[AtRisk]:
    """Students in scope (or just ``student_id``) with at least one reason, most reasons first, then by name."""
    if scope.empty:
        return []
    today, now = today or local_today(), now or utcnow()
    students = scope.student_ids()
    if student_id is not None:
        students = select(User.id).where(User.id == student_id, User.id.in_(students))
    attendance, overdue, grades = _attendance(scope, students, today), _overdue(scope, students, now), _grades(students)
    reasons: dict[int, list[Reason]] = defaultdict(list)
    for sid, periods in attendance.items():
        reasons[sid].extend(attendance_reasons(periods))
    for sid, titles in overdue.items():
        reasons[sid].append(overdue_reason(titles))
    for sid, scores in grades.items():
        reason = grades_reason(scores)
        if reason:
            reasons[sid].append(reason)
    flagged = {sid: found for sid, found in reasons.items() if found}
    if not flagged:
        return []
    people = db.session.scalars(select(User).where(User.id.in_(sorted(flagged)), User.active.is_(True)))
    result = [AtRisk(person, flagged[person.id]) for person in people]
    return sorted(result, key=lambda r: (-len(r.reasons), r.student.full_name.casefold(), r.student.id))


def recent_grades(student_id: int, limit: int = 10):
    """The student's latest graded results: (assessment title, percent, when), newest first."""
    when = func.coalesce(Submission.submitted_at, Submission.graded_at)
    return db.session.execute(
        select(Assessment.title, graded_percent(), when)
        .join(Assessment, Assessment.id == Submission.assessment_id)
        .where(Submission.student_id == student_id, Submission.status.in_(GRADED),
               Submission.final_score.is_not(None), Submission.max_score > 0)
        .order_by(when.desc(), Submission.id.desc()).limit(limit)).all()


