"""Teaching-session jobs: each does its work once and changes nothing more when run again."""

from datetime import timedelta

from lms.common.types import utcnow
from lms.teaching import jobs
from lms.teaching.models import (
    CourseSession,
    CourseSessionAnnouncement,
    CourseSessionAttendance,
    CourseSessionMeeting,
)
from tests.conftest import email_text


def _run(app, job):
    with app.app_context():
        return job()


def test_expiry_only_for_published_auto_expiring_sessions_past_their_end(app, make, db):
    now = utcnow()
    past = dict(start=now - timedelta(days=10), end=now - timedelta(minutes=1))
    due = make.course_session(name="Due", **past)
    manual = make.course_session(name="Manual", **past)
    with app.app_context():
        from lms.extensions import db as _db

        _db.session.get(CourseSession, manual.id).auto_expire_enabled = False
        _db.session.commit()
    draft = make.course_session(name="Draft", status="DRAFT", **past)
    running = make.course_session(name="Running")
    assert _run(app, jobs.expire_course_sessions) == 1
    assert _run(app, jobs.expire_course_sessions) == 0
    statuses = {s.id: s.status for s in db.scalars(db_select(CourseSession))}
    assert statuses == {due.id: "EXPIRED", manual.id: "PUBLISHED", draft.id: "DRAFT", running.id: "PUBLISHED"}


def db_select(model):
    from sqlalchemy import select

    return select(model)


def test_expiry_reminders_go_out_once(app, make, outbox):
    teacher = make.teacher()
    soon = make.course_session(teacher, name="Ends soon", end=utcnow() + timedelta(days=3), reminder_days_before_expiry=5)
    student = make.student("P1/1")
    make.enrollment(soon, student)
    make.enrollment(soon, status="DROPPED")
    make.course_session(teacher, name="Ends later", end=utcnow() + timedelta(days=20))
    make.course_session(teacher, name="No reminders", end=utcnow() + timedelta(days=1), send_reminder_emails=False)
    assert _run(app, jobs.send_expiry_reminders) == 2
    assert sorted(m["To"] for m in outbox) == sorted([teacher.email, student.email])
    assert "Ends soon" in outbox[0]["Subject"]
    assert _run(app, jobs.send_expiry_reminders) == 0 and len(outbox) == 2


def test_scheduled_urgent_announcements_are_emailed_once_when_due(app, make, db, outbox):
    course_session = make.course_session()
    student = make.student("P1/1")
    make.enrollment(course_session, student)
    with app.app_context():
        from lms.extensions import db as _db

        _db.session.add(CourseSessionAnnouncement(
            tenant_id=course_session.tenant_id, course_session_id=course_session.id, title="Due now",
            message="The room changed to **B12**.", is_urgent=True, scheduled_for=utcnow() - timedelta(minutes=1),
            created_by=course_session.teacher_id))
        _db.session.add(CourseSessionAnnouncement(
            tenant_id=course_session.tenant_id, course_session_id=course_session.id, title="Tomorrow",
            message="Tomorrow we meet outside.", is_urgent=True, scheduled_for=utcnow() + timedelta(days=1),
            created_by=course_session.teacher_id))
        _db.session.commit()
    assert _run(app, jobs.deliver_due_session_announcements) == 1
    assert [m["To"] for m in outbox] == [student.email] and "The room changed to B12." in email_text(outbox[0])
    assert str(outbox[0]["List-Unsubscribe"]).strip().startswith(f"<{app.config['BASE_URL'].rstrip('/')}/unsubscribe/")
    assert outbox[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert _run(app, jobs.deliver_due_session_announcements) == 0 and len(outbox) == 1


def _enrolled_since(app, course_session, when, student=None):
    from sqlalchemy import update

    from lms.extensions import db as _db
    from lms.teaching.models import CourseSessionEnrollment as E

    with app.app_context():
        stmt = update(E).where(E.course_session_id == course_session.id)
        if student is not None:
            stmt = stmt.where(E.student_id == student.id)
        _db.session.execute(stmt.values(enrolled_at=when, approved_at=when))
        _db.session.commit()


def test_default_attendance_is_not_given_to_students_enrolled_after_the_meeting(app, make, db):
    course_session = make.course_session(attendance_tracking_enabled=True, default_attendance_status="ABSENT")
    before, after = make.student("P1/1"), make.student("P1/1")
    make.enrollment(course_session, before)
    make.enrollment(course_session, after)
    ended = make.meeting(course_session, starts_at=utcnow() - timedelta(days=2))
    _enrolled_since(app, course_session, utcnow() - timedelta(days=3), before)
    _enrolled_since(app, course_session, utcnow() - timedelta(days=1), after)
    assert _run(app, jobs.apply_default_attendance) == 1
    rows = {(r.meeting_id, r.student_id): r.status for r in db.scalars(db_select(CourseSessionAttendance))}
    assert rows == {(ended.id, before.id): "ABSENT"}


def test_attendance_points_count_only_meetings_already_held(app, make, db):
    from lms.teaching import attendance

    course_session = make.course_session(attendance_tracking_enabled=True)
    student = make.student("P1/1")
    make.enrollment(course_session, student)
    held = make.meeting(course_session, starts_at=utcnow() - timedelta(days=1))
    make.meeting(course_session, starts_at=utcnow() + timedelta(days=6), code="EFGH")
    make.meeting(course_session, starts_at=utcnow() + timedelta(days=13), code="IJKL")
    make.attendance(held, student, "PRESENT")
    with app.app_context():
        from lms.extensions import db as _db

        report = attendance.report(_db.session.get(CourseSession, course_session.id))
    assert report["max_points"] == 2  # PRESENT is worth 2; the two meetings to come are not counted yet
    assert report["students"][0].points == 2


def test_default_attendance_for_ended_meetings(app, make, db):
    course_session = make.course_session(attendance_tracking_enabled=True, default_attendance_status="EXCUSED")
    marked, unmarked = make.student("P1/1"), make.student("P1/1")
    make.enrollment(course_session, marked)
    make.enrollment(course_session, unmarked)
    make.enrollment(course_session, status="PENDING")
    _enrolled_since(app, course_session, utcnow() - timedelta(days=1))
    ended = make.meeting(course_session, starts_at=utcnow() - timedelta(hours=3))
    running = make.meeting(course_session, starts_at=utcnow() - timedelta(minutes=10), code="EFGH")
    make.attendance(ended, marked, "PRESENT")
    assert _run(app, jobs.apply_default_attendance) == 1
    assert _run(app, jobs.apply_default_attendance) == 0
    rows = {(r.meeting_id, r.student_id): (r.status, r.source) for r in db.scalars(db_select(CourseSessionAttendance))}
    assert rows == {(ended.id, marked.id): ("PRESENT", "TEACHER"), (ended.id, unmarked.id): ("EXCUSED", "DEFAULT")}
    assert db.get(CourseSessionMeeting, running.id).finalized_at is None


def test_parents_hear_about_two_absences_in_a_row_once_per_streak(app, make, db, outbox):
    course_session = make.course_session(attendance_tracking_enabled=True)
    student = make.student("P1/1")
    parent = make.parent_of(student)
    make.enrollment(course_session, student)
    start = utcnow() - timedelta(days=30)
    meetings = [make.meeting(course_session, starts_at=start + timedelta(days=7 * i), code=f"CD{i}X")
                for i in range(4)]
    for meeting, status in zip(meetings[:3], ("ABSENT", "ABSENT", "ABSENT"), strict=True):
        make.attendance(meeting, student, status)
    assert _run(app, jobs.alert_parents_of_absences) == 1
    assert [m["To"] for m in outbox] == [parent.email]
    assert "missed two sessions in a row" in outbox[0]["Subject"]
    assert _run(app, jobs.alert_parents_of_absences) == 0  # the third absence continues the same streak
    make.attendance(meetings[3], student, "PRESENT")
    assert _run(app, jobs.alert_parents_of_absences) == 0 and len(outbox) == 1
