"""Issue 18.4: a teacher enrols a whole cohort into a teaching session in one step — who was enrolled,
who was skipped and why, and nothing at all when the session cannot take them."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.audit.models import AuditLog
from lms.auth.models import User
from lms.common.types import utcnow
from lms.extensions import db as _db
from lms.school.models import Cohort, CohortMembership
from lms.teaching.models import CourseSessionEnrollment
from tests.conftest import AuthActions

HTMX = {"HX-Request": "true"}


def make_cohort(app, name, students, *, removed=()):
    with app.app_context():
        cohort = Cohort(name=name, name_key=name.lower())
        _db.session.add(cohort)
        _db.session.flush()
        for student in students:
            _db.session.add(CohortMembership(cohort_id=cohort.id, student_id=student.id, added_at=utcnow()))
        for student in removed:
            _db.session.add(CohortMembership(cohort_id=cohort.id, student_id=student.id, added_at=utcnow(),
                                             removed_at=utcnow()))
        _db.session.commit()
        cohort_id = cohort.id
        _db.session.remove()
    return cohort_id


@pytest.fixture
def setting(app, make):
    make.school()
    teacher = make.teacher("P1/1", full_name="Tess Tutor")
    course_session = make.course_session(teacher, name="Olympiad Saturday")
    # Across classrooms: the teacher's own P1/1 and a P2/1 they do not teach.
    fresh = [make.student("P1/1", full_name="Anna New"), make.student("P2/1", full_name="Ben New")]
    already = make.student("P1/1", full_name="Cara Already")
    left_session = make.student("P1/1", full_name="Dan Dropped")
    deactivated = make.student("P2/1", full_name="Eve Deactivated", active=False)
    left_school = make.student("P2/1", full_name="Fay Left", status="LEFT")
    gone = make.student("P2/1", full_name="Gus Removed")
    make.enrollment(course_session, already)
    make.enrollment(course_session, left_session, status="DROPPED")
    cohort_id = make_cohort(app, "Olympiad maths", [*fresh, already, left_session, deactivated, left_school],
                            removed=[gone])
    return {"teacher": teacher, "session": course_session, "cohort_id": cohort_id, "fresh": fresh,
            "already": already, "left_session": left_session, "gone": gone}


def test_a_teacher_enrols_a_cohort_and_reads_who_was_skipped_and_why(client, db, setting):
    AuthActions(client).login(setting["teacher"])
    course_session = setting["session"]
    page = client.get(f"/sessions/{course_session.id}/enrollments").get_data(as_text=True)
    assert f'<option value="{setting["cohort_id"]}">Olympiad maths (6 students)</option>' in page
    response = client.post(f"/sessions/{course_session.id}/enrollments/add-cohort",
                           data={"cohort_id": setting["cohort_id"]}, headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<div id="enrollments"')
    assert "2 students of “Olympiad maths” were enrolled." in body and "4 students were skipped:" in body
    for line in ("Cara Already — already in the session (Enrolled)",
                 "Dan Dropped — left or was removed from this session",
                 "Eve Deactivated — account deactivated", "Fay Left — not an active student (Left)"):
        assert line in body, line
    assert "Gus Removed" not in body  # removed from the cohort before: not a member now
    enrollments = {e.student_id: e for e in db.scalars(select(CourseSessionEnrollment).where(
        CourseSessionEnrollment.course_session_id == course_session.id))}
    for student in setting["fresh"]:
        assert enrollments[student.id].enrollment_status == "ENROLLED"
        assert enrollments[student.id].created_by == setting["teacher"].id
        assert enrollments[student.id].approved_at is not None
    assert enrollments[setting["left_session"].id].enrollment_status == "DROPPED"  # not back in
    assert len(enrollments) == 4
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "course_session.enroll_cohort"))
    assert entry.details["count"] == 2 and sorted(entry.details["students"]) == sorted(s.id for s in setting["fresh"])
    # Again: everyone is skipped, nothing changes.
    again = client.post(f"/sessions/{course_session.id}/enrollments/add-cohort",
                        data={"cohort_id": setting["cohort_id"]}).status_code
    assert again == 303 and db.count(CourseSessionEnrollment) == 4
    assert "0 students of “Olympiad maths” were enrolled. Skipped: " in client.get(
        f"/sessions/{course_session.id}/enrollments").get_data(as_text=True)


def test_too_few_seats_enrol_nobody(client, db, make, app):
    teacher = make.teacher("P1/1")
    students = [make.student("P1/1") for _ in range(3)]
    course_session = make.course_session(teacher, max_students=3)
    make.enrollment(course_session, make.student("P1/1"))
    cohort_id = make_cohort(app, "Three", students)
    AuthActions(client).login(teacher)
    response = client.post(f"/sessions/{course_session.id}/enrollments/add-cohort", data={"cohort_id": cohort_id},
                           headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Only 2 seats are left in this session and the cohort has 3 students to enrol. Nobody was enrolled." in body
    assert db.count(CourseSessionEnrollment) == 1
    assert not db.scalar(select(AuditLog.id).where(AuditLog.action == "course_session.enroll_cohort"))


def test_an_expired_session_an_empty_cohort_and_no_choice_are_refused(client, db, make, app):
    teacher = make.teacher("P1/1")
    now = utcnow()
    expired = make.course_session(teacher, start=now - timedelta(days=10), end=now - timedelta(days=1))
    current = make.course_session(teacher)
    full_cohort = make_cohort(app, "Some", [make.student("P1/1")])
    empty_cohort = make_cohort(app, "Empty", [])
    AuthActions(client).login(teacher)
    for session, data, message in (
            (expired, {"cohort_id": full_cohort}, "Session has expired"),
            (current, {"cohort_id": empty_cohort}, "The cohort “Empty” has no students."),
            (current, {"cohort_id": ""}, "Choose a cohort."),
            (current, {"cohort_id": "999999"}, "That cohort does not exist."),
            (current, {"cohort_id": "x" * 5000}, "That cohort does not exist.")):
        response = client.post(f"/sessions/{session.id}/enrollments/add-cohort", data=data, headers=HTMX)
        assert response.status_code in (404, 422), data
        assert message in response.get_data(as_text=True), message
    assert db.count(CourseSessionEnrollment) == 0


def test_only_the_sessions_teacher_or_an_admin_enrols(client, db, make, app, as_role):
    owner = make.teacher("P1/1")
    course_session = make.course_session(owner)
    cohort_id = make_cohort(app, "Some", [make.student("P1/1")])
    as_role("TEACHER")  # another teacher: the session is not theirs to see
    url = f"/sessions/{course_session.id}/enrollments/add-cohort"
    assert client.post(url, data={"cohort_id": cohort_id}).status_code == 404
    AuthActions(client).logout()
    as_role("STUDENT")
    assert client.post(url, data={"cohort_id": cohort_id}).status_code == 403
    AuthActions(client).logout()
    assert db.count(CourseSessionEnrollment) == 0
    as_role("ADMIN")
    assert client.post(url, data={"cohort_id": cohort_id}).status_code == 303
    assert db.count(CourseSessionEnrollment) == 1


def test_deleting_or_erasing_a_student_takes_them_out_of_cohorts(app, make, db):
    from lms.school.deletion import delete_student

    admin = make.user(role="ADMIN")
    mistake = make.student("P1/1")
    cohort_id = make_cohort(app, "Some", [mistake])
    with app.app_context():
        delete_student(_db.session.get(User, admin.id), _db.session.get(User, mistake.id))
        _db.session.commit()
    assert db.count(CohortMembership, CohortMembership.cohort_id == cohort_id) == 0
