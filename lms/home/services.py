"""The home page of each role: small cards, each a fixed number of queries whatever the data size.

* ``admin_home(actor)`` — people counts, who is online now, today's teaching-session meetings
  across the school, recent audit events, shortcuts.
* ``teacher_home(actor)`` — my classes with student counts, the grading queue count, today's
  meetings of my teaching sessions (check-in code, attendance link), recent submissions.
* ``student_home(actor)`` — due soon (and overdue work still accepted late), unread
  announcements, "continue where I stopped", my teaching sessions with today's meeting.
* ``parent_home(actor, child_id)`` — the children (switcher) and, for the chosen one, recent
  grades, this month's attendance with the last absences, due and missing work.

Visibility comes from the domains' own rules (``visible_classrooms``, ``gradeable_condition``,
``manageable_sessions``, ``children_of``, the analytics scope); nothing here trusts an id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select

from lms.analytics.services import online_now
from lms.assessments.grading import QueueFilters, classrooms_by_student, queue_query
from lms.assessments.models import Assessment, Submission, SubmissionStatus, counted
from lms.assessments.services import gradeable_condition
from lms.audit.models import AuditLog
from lms.audit.reading import ReadableEntry, readable
from lms.auth.models import ROLE_VALUES, Invitation, InvitationStatus, Role, User
from lms.common.errors import NotFound
from lms.common.types import utcnow
from lms.communication.announcements import inbox, unread_announcements_count
from lms.core.localtime import local_today
from lms.curriculum.models import Subject
from lms.curriculum.visits import where_to_continue
from lms.extensions import db
from lms.home import work
from lms.school.services import active_counts, children_of, classrooms_of_year, current_classroom_of
from lms.teaching.models import (
    CourseSession,
    CourseSessionAttendance,
    CourseSessionEnrollment,
    CourseSessionMeeting,
    CourseSessionSettings,
    CourseSessionStatus,
    SessionEnrollmentStatus,
)
from lms.teaching.modes import places_for
from lms.teaching.services import enrolled_count_expr, manageable_sessions

ONLINE_LIST = 8
AUDIT_LIST = 10
MEETINGS_LIST = 20
SUBMISSIONS_LIST = 10
ANNOUNCEMENTS_LIST = 3
# The year-end rollover shortcut is offered in these months (the Thai school year ends in March and
# the new one starts in May).
ROLLOVER_MONTHS = (3, 4, 5)


# --- shared cards -------------------------------------------------------------------------------------


@dataclass
class MeetingRow:
    meeting: CourseSessionMeeting
    session_id: int
    session_name: str
    course_name: str
    teacher_name: str
    enrolled: int

    @property
    def is_now(self) -> bool:
        now = utcnow()
        return self.meeting.starts_at <= now < self.meeting.ends_at


def todays_meetings(actor, *, limit: int = MEETINGS_LIST) -> list[MeetingRow]:
    """Today's meetings (the school's calendar) of the teaching sessions ``actor`` manages (one query)."""
    rows = db.session.execute(
        select(CourseSessionMeeting, CourseSession.id, CourseSession.session_name, Subject.name, User.full_name,
               enrolled_count_expr().label("enrolled"))
        .join(CourseSession, CourseSession.id == CourseSessionMeeting.course_session_id)
        .join(Subject, Subject.id == CourseSession.course_id)
        .join(User, User.id == CourseSession.teacher_id)
        .where(manageable_sessions(actor).whereclause, CourseSessionMeeting.meeting_date == local_today())
        .order_by(CourseSessionMeeting.starts_at, CourseSessionMeeting.id).limit(limit)).all()
    return [MeetingRow(*row) for row in rows]


# --- admin -------------------------------------------------------------------------------------------


@dataclass
class PeopleCount:
    role: str
    accounts: int = 0
    signed_in: int = 0       # active accounts that have signed in at least once
    never_signed_in: int = 0  # active accounts that never signed in
    deactivated: int = 0
    invited: int = 0          # pending invitations (not expired)


COUNTED_ROLES = (Role.STUDENT, Role.TEACHER, Role.PARENT, Role.SUPERVISOR, Role.ADMIN)


def people_counts() -> list[PeopleCount]:
    """Accounts per role (two queries): signed in at least once, never signed in, deactivated, invited."""
    never = and_(User.active.is_(True), User.last_login_at.is_(None))
    rows = db.session.execute(
        select(User.role, func.count(),
               func.sum(case((and_(User.active.is_(True), User.last_login_at.is_not(None)), 1), else_=0)),
               func.sum(case((never, 1), else_=0)),
               func.sum(case((User.active.is_(False), 1), else_=0)))
        .group_by(User.role)).all()
    invited = dict(db.session.execute(
        select(Invitation.role, func.count()).where(Invitation.status == InvitationStatus.PENDING,
                                                    Invitation.expires_at > utcnow())
        .group_by(Invitation.role)).all())
    counts = {role: PeopleCount(role) for role in COUNTED_ROLES}
    for role, total, signed_in, never_count, deactivated in rows:
        if role in counts:
            counts[role] = PeopleCount(role, total, int(signed_in or 0), int(never_count or 0), int(deactivated or 0))
    for role, count in invited.items():
        if role in counts:
            counts[role].invited = count
    # Supervisors (tutoring centres) only where there are some, signed up or invited.
    return [counts[r] for r in COUNTED_ROLES if r in ROLE_VALUES
            and (r != Role.SUPERVISOR or counts[r].accounts or counts[r].invited)]


def recent_audit(limit: int = AUDIT_LIST) -> list[ReadableEntry]:
    """The latest audit entries as the audit log page shows them (labels, names, readable targets)."""
    return readable(db.session.scalars(select(AuditLog).order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
                                       .limit(limit)))


def admin_online(actor) -> dict:
    """Who is online now (login sessions with a heartbeat within the timeout): the analytics service."""
    return online_now(actor, limit=ONLINE_LIST)


def show_rollover(today: date | None = None) -> bool:
    return (today or local_today()).month in ROLLOVER_MONTHS


def admin_home(actor) -> dict:
    return {
        "people": people_counts(),
        "online": admin_online(actor),
        "meetings": todays_meetings(actor),
        "audit": recent_audit(),
        "show_rollover": show_rollover(),
    }


# --- teacher -----------------------------------------------------------------------------------------


def grading_queue_count(actor) -> int:
    """Submitted work waiting for ``actor`` to grade (the grading queue's first filter)."""
    stmt = queue_query(actor, QueueFilters(status=SubmissionStatus.SUBMITTED)).order_by(None)
    return db.session.scalar(select(func.count()).select_from(stmt.with_only_columns(Submission.id).subquery())) or 0


def recent_submissions(actor, limit: int = SUBMISSIONS_LIST) -> list[Submission]:
    """The latest submitted attempts of the assessments ``actor`` grades, newest first (one query)."""
    return list(db.session.scalars(
        select(Submission).join(Assessment, Assessment.id == Submission.assessment_id)
        .where(gradeable_condition(actor), counted(), Submission.status != SubmissionStatus.IN_PROGRESS)
        .order_by(Submission.submitted_at.desc(), Submission.id.desc()).limit(limit)))


def teacher_home(actor) -> dict:
    classes = classrooms_of_year(actor, include_archived=False)
    submissions = recent_submissions(actor)
    return {
        "classes": classes,
        "counts": active_counts(c.id for c in classes),
        "to_grade": grading_queue_count(actor),
        "meetings": todays_meetings(actor),
        "submissions": submissions,
        "classroom_names": classrooms_by_student(s.student_id for s in submissions),
    }


# --- student -----------------------------------------------------------------------------------------


@dataclass
class MySessionRow:
    course_session: CourseSession
    enrollment_status: str
    course_name: str
    meeting: CourseSessionMeeting | None
    tracking: bool            # attendance tracking on: students check in with the code
    my_mark: str | None       # my attendance mark for today's meeting

    @property
    def meeting_now(self) -> bool:
        now = utcnow()
        return self.meeting is not None and self.meeting.starts_at <= now < self.meeting.ends_at


def my_sessions_today(student, *, limit: int = MEETINGS_LIST) -> list[MySessionRow]:
    """The student's live teaching sessions, with today's meeting when there is one (one query)."""
    E, M, A = CourseSessionEnrollment, CourseSessionMeeting, CourseSessionAttendance
    now = utcnow()
    rows = db.session.execute(
        select(CourseSession, E.enrollment_status, Subject.name, M,
               func.coalesce(CourseSessionSettings.attendance_tracking_enabled, False), A.status)
        .join(E, E.course_session_id == CourseSession.id)
        .join(Subject, Subject.id == CourseSession.course_id)
        .outerjoin(CourseSessionSettings, CourseSessionSettings.course_session_id == CourseSession.id)
        .outerjoin(M, and_(M.course_session_id == CourseSession.id, M.meeting_date == local_today()))
        .outerjoin(A, and_(A.meeting_id == M.id, A.student_id == student.id))
        .where(E.student_id == student.id, CourseSession.is_deleted.is_(False),
               CourseSession.status == CourseSessionStatus.PUBLISHED, CourseSession.end_date > now,
               E.enrollment_status.in_((SessionEnrollmentStatus.PENDING, SessionEnrollmentStatus.ENROLLED)))
        .order_by(M.starts_at.is_(None), M.starts_at, CourseSession.start_date.desc(), CourseSession.id)
        .limit(limit)).all()
    # A pending student (not approved yet) sees the session's name and their status, no meetings.
    return [MySessionRow(s, status, course, meeting, bool(tracking), mark)
            if status != SessionEnrollmentStatus.PENDING else MySessionRow(s, status, course, None, False, None)
            for s, status, course, meeting, tracking, mark in rows]


def student_home(actor) -> dict:
    sessions = my_sessions_today(actor)
    return {
        "due": work.due_work(actor, overdue="late"),
        "announcements": [a for a, _read in db.session.execute(
            inbox(actor, unread_only=True).limit(ANNOUNCEMENTS_LIST)).all()],
        "unread": db.session.scalar(select(unread_announcements_count(actor))) or 0,
        "continue_at": where_to_continue(actor),
        "sessions": sessions,
        "places": places_for([row.course_session for row in sessions]),
    }


# --- parent ------------------------------------------------------------------------------------------


def choose_child(children: list, child_id) -> User | None:
    """The child asked for (404 when it is not one of the parent's), else the first."""
    if child_id in (None, ""):
        return children[0] if children else None
    chosen = next((c for c in children if str(c.id) == str(child_id)), None)
    if chosen is None:
        raise NotFound(_("That student does not exist or is not one of yours."))
    return chosen


def child_overview(parent, child) -> dict:
    """What a parent sees of one child (five queries)."""
    today = local_today()
    month_start = today.replace(day=1)
    return {
        "child": child,
        "classroom": current_classroom_of(child),
        "grades": work.graded_work(child, parent),
        "attendance": work.attendance_summary(child, month_start, today),
        "absences": work.recent_absences(child),
        "due": work.due_work(child, overdue="all"),
    }


def parent_home(actor, child_id=None) -> dict:
    children = children_of(actor)
    child = choose_child(children, child_id)
    return {"children": children, "overview": child_overview(actor, child) if child else None}

