"""Background work for teaching sessions.  Every job is idempotent: running it twice changes nothing more.

Periodic (``lms/periodic.py``):

* ``expire_course_sessions``: PUBLISHED sessions past ``end_date`` with auto-expire → EXPIRED.
* ``send_expiry_reminders``: ``reminder_days_before_expiry`` days before the end, the teacher and the
  enrolled students get one email (``reminder_sent_at`` records it).
* ``deliver_due_session_announcements``: urgent announcements whose ``scheduled_for`` came are emailed.
* ``apply_default_attendance``: ended meetings get the session's default status for unmarked students
  (those enrolled before the meeting ended).
* ``alert_parents_of_absences``: a student's second absence in a row emails their parents (once per
  streak: the absence that made it two records ``parent_alerted_at``).

On demand: ``email_urgent_announcement(announcement_id)``.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select, update

from lms.audit.services import record
from lms.auth.models import User
from lms.common.markdown import render_markdown
from lms.common.sql import claim
from lms.common.types import utcnow
from lms.communication import email_preferences
from lms.communication.email_preferences import send_optional_email
from lms.communication.models import EmailKind
from lms.communication.text import plain_text
from lms.extensions import db
from lms.jobs import background_job, committed, enqueue
from lms.mail import absolute_url
from lms.school.services import parents_of
from lms.teaching.models import (
    AttendanceSource,
    AttendanceStatus,
    CourseSession,
    CourseSessionAnnouncement,
    CourseSessionAttendance,
    CourseSessionEnrollment,
    CourseSessionMeeting,
    CourseSessionSettings,
)
from lms.teaching.models import CourseSessionStatus as Status
from lms.teaching.models import SessionEnrollmentStatus as Enr

log = logging.getLogger(__name__)
ALERT_LOOKBACK = timedelta(days=60)


def _enrolled_users(session_id: int):
    return select(User).join(CourseSessionEnrollment, CourseSessionEnrollment.student_id == User.id).where(
        CourseSessionEnrollment.course_session_id == session_id,
        CourseSessionEnrollment.enrollment_status == Enr.ENROLLED, User.active.is_(True))


def _link(endpoint: str, **values) -> str:
    try:
        return absolute_url(endpoint, **values)
    except Exception:
        return absolute_url("home.index")


@background_job
def expire_course_sessions() -> int:
    now = utcnow()
    ids = list(db.session.scalars(select(CourseSession.id).where(
        CourseSession.status == Status.PUBLISHED, CourseSession.auto_expire_enabled.is_(True),
        CourseSession.is_deleted.is_(False), CourseSession.end_date <= now)))
    if ids:
        db.session.execute(update(CourseSession).where(CourseSession.id.in_(ids),
                                                       CourseSession.status == Status.PUBLISHED)
                           .values(status=Status.EXPIRED, expired_at=now).execution_options(synchronize_session=False))

        for session_id in ids:
            record(None, "course_session.expire", None, session_id=session_id, by="job")
    return committed(len(ids))


@background_job
def send_expiry_reminders() -> int:
    now = utcnow()
    rows = db.session.execute(
        select(CourseSession, CourseSessionSettings.reminder_days_before_expiry)
        .join(CourseSessionSettings, CourseSessionSettings.course_session_id == CourseSession.id)
        .where(CourseSession.status == Status.PUBLISHED, CourseSession.is_deleted.is_(False),
               CourseSession.reminder_sent_at.is_(None), CourseSession.end_date > now,
               CourseSessionSettings.send_reminder_emails.is_(True),
               CourseSession.end_date <= now + timedelta(days=30))).all()
    sent = 0
    for course_session, days in rows:
        if course_session.end_date > now + timedelta(days=days):
            continue
        if not claim(CourseSession.reminder_sent_at, course_session.id, now):
            continue
        teacher = db.session.get(User, course_session.teacher_id)
        people = [teacher, *db.session.scalars(_enrolled_users(course_session.id))]
        for person in people:
            if person is None or not person.active:
                continue
            link = _link("teaching.sessions.detail", session_id=course_session.id) if person.id == teacher.id \
                else _link("teaching.student.detail", session_id=course_session.id)
            sent += send_optional_email(person, EmailKind.SESSION_REMINDERS,
                                        _l("“%(name)s” ends soon", name=course_session.session_name),
                                        "teaching_reminder", course_session=course_session, link=link)
    return committed(sent)


@background_job
def email_urgent_announcement(announcement_id: int) -> int:
    """Email an urgent announcement to the session's enrolled students, once, when it is visible."""
    now = utcnow()
    if not claim(CourseSessionAnnouncement.emailed_at, announcement_id, now,
                 CourseSessionAnnouncement.is_urgent.is_(True), CourseSessionAnnouncement.is_deleted.is_(False),
                 (CourseSessionAnnouncement.scheduled_for.is_(None)) | (CourseSessionAnnouncement.scheduled_for <= now)):
        db.session.rollback()
        return 0
    announcement = db.session.get(CourseSessionAnnouncement, announcement_id)
    course_session = db.session.get(CourseSession, announcement.course_session_id)
    link = _link("teaching.student.detail", session_id=course_session.id)
    body_html = render_markdown(announcement.message)
    body_text = plain_text(announcement.message)
    count = 0
    for user in db.session.scalars(_enrolled_users(course_session.id).where(
            email_preferences.receives(EmailKind.ANNOUNCEMENTS))):
        count += send_optional_email(user, EmailKind.ANNOUNCEMENTS, _l("Urgent: %(title)s", title=announcement.title),
                                     "teaching_announcement", announcement=announcement,
                                     course_session=course_session, link=link, body_html=body_html,
                                     body_text=body_text)
    return committed(count)  # emails are dispatched after this commit (lms.jobs defers them)


@background_job
def deliver_due_session_announcements() -> int:
    now = utcnow()
    due = list(db.session.scalars(select(CourseSessionAnnouncement.id).where(
        CourseSessionAnnouncement.is_urgent.is_(True), CourseSessionAnnouncement.emailed_at.is_(None),
        CourseSessionAnnouncement.is_deleted.is_(False), CourseSessionAnnouncement.scheduled_for <= now)))
    for announcement_id in due:
        enqueue(email_urgent_announcement, announcement_id)
    return committed(len(due))


@background_job
def apply_default_attendance() -> int:
    """Ended meetings: unmarked enrolled students get the session's default status (tracking on)."""
    now = utcnow()
    meetings = db.session.execute(
        select(CourseSessionMeeting.id, CourseSessionMeeting.course_session_id,
               CourseSessionSettings.attendance_tracking_enabled, CourseSessionSettings.default_attendance_status,
               CourseSessionMeeting.ends_at)
        .join(CourseSessionSettings, CourseSessionSettings.course_session_id == CourseSessionMeeting.course_session_id)
        .where(CourseSessionMeeting.finalized_at.is_(None), CourseSessionMeeting.ends_at <= now)).all()
    added = 0
    for meeting_id, session_id, tracking, default_status, ends_at in meetings:
        if not claim(CourseSessionMeeting.finalized_at, meeting_id, now) or not tracking:
            continue
        marked = select(CourseSessionAttendance.student_id).where(CourseSessionAttendance.meeting_id == meeting_id)
        students = list(db.session.scalars(select(CourseSessionEnrollment.student_id).where(
            CourseSessionEnrollment.course_session_id == session_id,
            CourseSessionEnrollment.enrollment_status == Enr.ENROLLED,
            # enrolled before the meeting ended: a student who joined later was not expected there
            func.coalesce(CourseSessionEnrollment.approved_at, CourseSessionEnrollment.enrolled_at) <= ends_at,
            CourseSessionEnrollment.student_id.not_in(marked))))
        if students:
            db.session.execute(insert(CourseSessionAttendance), [
                {"meeting_id": meeting_id, "student_id": s, "status": default_status,
                 "source": AttendanceSource.DEFAULT.value, "marked_at": now} for s in students])
            added += len(students)
    return committed(added)


@background_job
def alert_parents_of_absences() -> int:
    """Email parents when an absence makes two in a row (the previous meeting absent, the one before not)."""
    now = utcnow()
    candidates = db.session.execute(
        select(CourseSessionAttendance, CourseSessionMeeting)
        .join(CourseSessionMeeting, CourseSessionMeeting.id == CourseSessionAttendance.meeting_id)
        .join(CourseSessionSettings, CourseSessionSettings.course_session_id == CourseSessionMeeting.course_session_id)
        .where(CourseSessionAttendance.status == AttendanceStatus.ABSENT,
               CourseSessionAttendance.parent_alerted_at.is_(None),
               CourseSessionSettings.attendance_tracking_enabled.is_(True),
               CourseSessionMeeting.starts_at <= now, CourseSessionMeeting.starts_at >= now - ALERT_LOOKBACK)
        .order_by(CourseSessionMeeting.starts_at)).all()
    sent = 0
    for attendance, meeting in candidates:
        earlier = list(db.session.scalars(
            select(CourseSessionAttendance.status)
            .join(CourseSessionMeeting, CourseSessionMeeting.id == CourseSessionAttendance.meeting_id)
            .where(CourseSessionMeeting.course_session_id == meeting.course_session_id,
                   CourseSessionAttendance.student_id == attendance.student_id,
                   CourseSessionMeeting.starts_at < meeting.starts_at)
            .order_by(CourseSessionMeeting.starts_at.desc()).limit(2)))
        if not earlier or earlier[0] != AttendanceStatus.ABSENT or (len(earlier) > 1 and earlier[1] == "ABSENT"):
            continue
        if not claim(CourseSessionAttendance.parent_alerted_at, attendance.id, now):
            continue
        student = db.session.get(User, attendance.student_id)
        course_session = db.session.get(CourseSession, meeting.course_session_id)
        for parent in parents_of(student):
            if parent.active:
                sent += send_optional_email(parent, EmailKind.ABSENCE_ALERTS,
                                            _l("%(name)s missed two sessions in a row", name=student.full_name),
                                            "teaching_absences", student=student, course_session=course_session,
                                            meeting=meeting, link=_link("home.index"))
    return committed(sent)
