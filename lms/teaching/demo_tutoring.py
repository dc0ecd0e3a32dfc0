"""Demo tutoring centres (a ``DEMO_STEPS`` step; idempotent).

Two centres with rooms; teacher@example.org's in-person "Maths Study Group" at the Sukhumvit centre,
room 2, every week at 16:00-17:00 (school time) with six students on different subjects, sections
and levels, and six weeks of attendance in which one student's attendance falls (absent the last three weeks); teacher2's hybrid
"English Conversation Club" at the Chiang Mai centre; the online demo session gets a meeting link;
a cohort "Olympiad maths" for enrolling in one step.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from lms.auth.models import User
from lms.centres.models import Centre, CentreMembership, Room, name_key
from lms.common.types import utcnow
from lms.core.localtime import local_today, zone
from lms.core.organization import current_organization
from lms.curriculum.models import CoreSubject, Section, Subject, SubjectTeacher
from lms.extensions import db
from lms.school.models import Cohort, CohortMembership, Level
from lms.teaching.codes import random_code
from lms.teaching.demo import DEMO_CODE
from lms.teaching.models import (
    CourseSession,
    CourseSessionAttendance,
    CourseSessionEnrollment,
    CourseSessionMeeting,
    CourseSessionSettings,
)

CENTRES = {
    "Sukhumvit centre": ("99 Sukhumvit Road, Khlong Toei, Bangkok 10110", ["Room 1", "Room 2", "Science lab"]),
    "Chiang Mai centre": ("12 Nimmanhaemin Road, Suthep, Chiang Mai 50200", ["Room A", "Room B"]),
}
STUDY_GROUP = "Maths Study Group"
CONVERSATION_CLUB = "English Conversation Club"
WEEKS_OF_HISTORY = 6
# (student, subject, section, notes): six students on different content at different levels.
STUDY_GROUP_STUDENTS = [
    ("student@example.org", "Mathematics P1", "Counting in tens", "Ahead of the class: try the tens worksheet."),
    ("pupil1", "Mathematics P1", "Comparing numbers", "Review: compare the tens first."),
    ("p1-1-1@demo.example.org", "Mathematics P1", "Flat shapes", "New topic: name the shapes."),
    ("student2@example.org", "English P2", "Saying hello", "Practise greetings aloud."),
    ("p2-1-1@demo.example.org", "English P2", "Saying goodbye", "Missed the last three weeks: catch up."),
    ("p2-2-1@demo.example.org", "English P2", "Saying hello", "Reading with a partner."),
]
# Present for three weeks, then absent three times: the supervisor's at-risk example (low and falling
# attendance, whatever the time of day the demo is looked at).
FALLING = "p2-1-1@demo.example.org"
CLUB_STUDENTS = ["p2-1-2@demo.example.org", "p2-2-2@demo.example.org", "p2-2-3@demo.example.org"]
COHORT = ("Olympiad maths", ["p1-1-2@demo.example.org", "p1-1-3@demo.example.org", "p1-2-1@demo.example.org"])


def _group_course(teacher: User) -> Subject | None:
    """The study group's own course ("Mathematics tutoring", P2): a teacher runs one active session per course."""
    level = db.session.scalar(select(Level).where(Level.code == "P2"))
    core = db.session.scalar(select(CoreSubject).where(CoreSubject.name == "Mathematics"))
    if level is None or core is None:
        return None
    subject = Subject(core_subject=core, level=level, name="Mathematics tutoring", created_by_id=teacher.id)
    db.session.add(subject)
    db.session.flush()
    db.session.add(SubjectTeacher(subject=subject, teacher=teacher))
    return subject


def _person(login: str) -> User | None:
    column = User.email if "@" in login else User.username
    return db.session.scalar(select(User).where(column == login))


def _centres(users: dict[str, User]) -> dict[str, tuple[Centre, dict[str, Room]]]:
    made = {}
    for name, (address, room_names) in CENTRES.items():
        centre = db.session.scalar(select(Centre).where(Centre.name_key == name_key(name)))
        if centre is None:
            centre = Centre(name=name, name_key=name_key(name), address=address)
            db.session.add(centre)
            db.session.flush()
            db.session.add_all(Room(centre_id=centre.id, name=room, name_key=name_key(room)) for room in room_names)
            db.session.flush()
        rooms = {room.name: room for room in db.session.scalars(select(Room).where(Room.centre_id == centre.id))}
        made[name] = (centre, rooms)
    return made


def _join(centre: Centre, people) -> None:
    present = set(db.session.scalars(select(CentreMembership.user_id).where(CentreMembership.centre_id == centre.id)))
    db.session.add_all(CentreMembership(centre_id=centre.id, user_id=person.id)
                       for person in {p.id: p for p in people if p is not None}.values() if person.id not in present)


def _weekly_meetings(course_session: CourseSession, start_at: time, teacher: User) -> list[CourseSessionMeeting]:
    """Meetings on today's weekday: the last ``WEEKS_OF_HISTORY`` weeks (finalised), today and next week."""
    tz, today = zone(), local_today()
    meetings = []
    for weeks in range(-WEEKS_OF_HISTORY, 2):
        day = today + timedelta(weeks=weeks)
        starts = datetime.combine(day, start_at, tzinfo=tz).astimezone(UTC)
        meeting = CourseSessionMeeting(course_session_id=course_session.id, meeting_date=day, starts_at=starts,
                                       ends_at=starts + timedelta(hours=1), checkin_code=random_code(4),
                                       created_by=teacher.id,
                                       finalized_at=starts + timedelta(hours=1) if weeks < 0 else None)
        meetings.append(meeting)
    db.session.add_all(meetings)
    db.session.flush()
    return meetings


def _session(name: str, teacher: User, subject: Subject, centre: Centre, room: Room, mode: str,
             link: str | None) -> CourseSession:
    tz, today = zone(), local_today()
    start = datetime.combine(today - timedelta(weeks=WEEKS_OF_HISTORY + 1), time.min, tzinfo=tz).astimezone(UTC)
    course_session = CourseSession(
        tenant_id=current_organization().id, session_name=name, teacher_id=teacher.id, course_id=subject.id,
        session_description="One tutor, each student on their own lesson and level.", status="PUBLISHED",
        start_date=start, end_date=start + timedelta(days=140), max_students=12, session_code=random_code(),
        published_at=start, created_by=teacher.id, centre_id=centre.id, room_id=room.id, mode=mode,
        meeting_link=link)
    db.session.add(course_session)
    db.session.flush()
    db.session.add(CourseSessionSettings(tenant_id=course_session.tenant_id, course_session_id=course_session.id,
                                         attendance_tracking_enabled=True, created_by=teacher.id))
    return course_session


def _enrol(course_session: CourseSession, student: User, subject: Subject | None, section: Section | None,
           notes: str, teacher: User) -> None:
    now = utcnow()
    db.session.add(CourseSessionEnrollment(
        tenant_id=course_session.tenant_id, course_session_id=course_session.id, student_id=student.id,
        enrolled_at=course_session.start_date, approved_at=course_session.start_date, enrollment_status="ENROLLED",
        assigned_subject_id=subject.id if subject else None, assigned_section_id=section.id if section else None,
        notes=notes, notes_shared_with_parents=True, work_assigned_at=now, created_by=teacher.id))


def _attendance(meetings, students: list[User], teacher: User, falling: User | None) -> None:
    """Past meetings only: mostly present, the odd late or excused mark, and ``falling`` absent lately."""
    past = [m for m in meetings if m.finalized_at is not None]
    for week, meeting in enumerate(past):
        for i, student in enumerate(students):
            status = "PRESENT"
            if student is falling and week >= len(past) - 3:
                status = "ABSENT"
            elif (week + i) % 7 == 3:
                status = "LATE"
            elif (week + i) % 11 == 5:
                status = "EXCUSED"
            db.session.add(CourseSessionAttendance(
                meeting_id=meeting.id, student_id=student.id, status=status, source="TEACHER",
                marked_by=teacher.id, marked_at=meeting.ends_at,
                parent_alerted_at=meeting.ends_at if status == "ABSENT" else None))


def _section(subject: Subject | None, title: str) -> Section | None:
    if subject is None:
        return None
    return db.session.scalar(select(Section).where(Section.title == title))


def _cohort(admin: User) -> None:
    name, members = COHORT
    if db.session.scalar(select(Cohort.id).where(Cohort.name_key == name_key(name))):
        return
    cohort = Cohort(name=name, name_key=name_key(name), description="Pupils preparing for the maths olympiad.",
                    created_by_id=admin.id)
    db.session.add(cohort)
    db.session.flush()
    db.session.add_all(CohortMembership(cohort_id=cohort.id, student_id=student.id, added_by_id=admin.id)
                       for student in map(_person, members) if student is not None)


def seed_tutoring(users: dict[str, User]) -> None:
    if db.session.scalar(select(CourseSession.id).where(CourseSession.session_name == STUDY_GROUP)):
        return
    teacher, teacher2 = users["teacher@example.org"], users["teacher2@example.org"]
    subjects = {s.name: s for s in db.session.scalars(select(Subject).where(
        Subject.name.in_(["Mathematics P1", "English P2"])))}
    course = _group_course(teacher)
    if len(subjects) < 2 or course is None:
        return
    centres = _centres(users)
    (sukhumvit, sukhumvit_rooms), (chiang_mai, chiang_mai_rooms) = centres.values()

    online = db.session.scalar(select(CourseSession).where(CourseSession.session_code == DEMO_CODE))
    if online is not None:
        online.centre_id, online.meeting_link = sukhumvit.id, "https://meet.example.org/mathstar"

    group = _session(STUDY_GROUP, teacher, course, sukhumvit, sukhumvit_rooms["Room 2"],
                     "IN_PERSON", None)
    students = []
    for login, subject_name, section_title, notes in STUDY_GROUP_STUDENTS:
        student = _person(login)
        if student is not None:
            subject = subjects[subject_name]
            _enrol(group, student, subject, _section(subject, section_title), notes, teacher)
            students.append(student)
    _attendance(_weekly_meetings(group, time(16, 0), teacher), students, teacher, _person(FALLING))

    club = _session(CONVERSATION_CLUB, teacher2, subjects["English P2"], chiang_mai, chiang_mai_rooms["Room A"],
                    "HYBRID", "https://meet.example.org/english-club")
    club_students = [s for s in map(_person, CLUB_STUDENTS) if s is not None]
    for student in club_students:
        _enrol(club, student, subjects["English P2"], None, "", teacher2)
    _attendance(_weekly_meetings(club, time(15, 0), teacher2), club_students, teacher2, None)

    _join(sukhumvit, [teacher, teacher2, *students])
    _join(chiang_mai, [teacher2, *club_students])
    _cohort(users["admin@example.org"])
