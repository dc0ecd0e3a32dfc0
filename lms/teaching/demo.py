"""Demo teaching session (a ``DEMO_STEPS`` step; idempotent).

teacher@example.org's published "Mathematics P1 — Tens" on the subject "Mathematics P1", join code
``MATHSTAR``, attendance tracking on; student@example.org is enrolled and works on "Counting in tens"
with an exercise of their own (the notes are shared with parent@example.org);
a meeting today 08:00–16:00 (school time) and the same time next week; one announcement.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from lms.auth.models import User
from lms.common.types import utcnow
from lms.core.localtime import local_today, zone
from lms.core.organization import current_organization
from lms.curriculum.models import Section, Subject
from lms.extensions import db
from lms.teaching.codes import random_code
from lms.teaching.models import (
    CourseSession,
    CourseSessionAnnouncement,
    CourseSessionEnrollment,
    CourseSessionMeeting,
    CourseSessionSettings,
)

DEMO_CODE = "MATHSTAR"
DEMO_NAME = "Mathematics P1 — Tens"


def seed_teaching(users: dict[str, User]) -> None:
    if db.session.scalar(select(CourseSession.id).where(CourseSession.session_code == DEMO_CODE)):
        return
    teacher, student = users["teacher@example.org"], users["student@example.org"]
    subject = db.session.scalar(select(Subject).where(Subject.name == "Mathematics P1"))
    section = db.session.scalar(select(Section).where(Section.title == "Counting in tens"))
    if subject is None:
        return
    tz, today = zone(), local_today()
    start = datetime.combine(today, time.min, tzinfo=tz).astimezone(UTC)
    now = utcnow()
    course_session = CourseSession(
        tenant_id=current_organization().id, session_name=DEMO_NAME,
        session_description="Counting in tens and comparing numbers, in small groups.", teacher_id=teacher.id,
        course_id=subject.id, status="PUBLISHED", start_date=start, end_date=start + timedelta(days=90),
        max_students=30, session_code=DEMO_CODE, published_at=now, created_by=teacher.id)
    db.session.add(course_session)
    db.session.flush()
    db.session.add(CourseSessionSettings(tenant_id=course_session.tenant_id, course_session_id=course_session.id,
                                         attendance_tracking_enabled=True, created_by=teacher.id,
                                         grading_scale={"A": {"min": 80, "max": 100}, "B": {"min": 70, "max": 79},
                                                        "C": {"min": 60, "max": 69}, "D": {"min": 0, "max": 59}}))
    db.session.add(CourseSessionEnrollment(
        tenant_id=course_session.tenant_id, course_session_id=course_session.id, student_id=student.id,
        enrolled_at=now, approved_at=now, enrollment_status="ENROLLED", completion_percentage=20,
        assigned_subject_id=subject.id, assigned_section_id=section.id if section else None,
        notes="Count the dots in tens, then try the worksheet.", notes_shared_with_parents=True,
        exercise_content="Count the **tens** in 40, 70 and 90, then write each number in words.",
        work_assigned_at=now, created_by=teacher.id))
    for day in (today, today + timedelta(days=7)):
        db.session.add(CourseSessionMeeting(
            course_session_id=course_session.id, meeting_date=day,
            starts_at=datetime.combine(day, time(8, 0), tzinfo=tz).astimezone(UTC),
            ends_at=datetime.combine(day, time(16, 0), tzinfo=tz).astimezone(UTC),
            checkin_code=random_code(4), created_by=teacher.id))
    db.session.add(CourseSessionAnnouncement(
        tenant_id=course_session.tenant_id, course_session_id=course_session.id, title="Bring counters",
        message="Please bring 30 counters or buttons to our next meeting.", created_by=teacher.id))
    db.session.flush()
