"""Per-student work in a teaching session (an assessment and an exercise for one student), its
result on the tutor's row, and what parents see of their children's sessions."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from lms.audit.models import AuditLog
from lms.common.types import utcnow
from lms.teaching.models import EXERCISE_MAX, CourseSessionEnrollment
from tests.assessment_fixtures import HX, build_course


@pytest.fixture
def course(make):
    return tutoring(make)


def tutoring(make):
    """A tutor's session with two students of P1/1; a published assessment in the bank (students
    of P1/1 cannot see it by themselves); a meeting the first student attended."""
    c = build_course(make)
    c.second = make.student("P1/1")
    c.session = make.course_session(c.teacher, c.subject, name="Olympiad club", attendance_tracking_enabled=True)
    c.enrollment = make.enrollment(c.session, c.student)
    c.second_enrollment = make.enrollment(c.session, c.second)
    c.quiz = make.assessment(c.other_teacher, title="Olympiad warm-up", publish=True)
    c.meeting = make.meeting(c.session, starts_at=utcnow() - timedelta(days=1))
    make.attendance(c.meeting, c.student, "LATE")
    return c


def _give(client, c, enrollment=None, **data):
    enrollment = enrollment or c.enrollment
    form = {"assessment_id": str(c.quiz.id), "exercise_content": "Try **three** sums."} | data
    return client.post(f"/sessions/{c.session.id}/enrollments/{enrollment.id}/work", data=form, headers=HX)


def test_a_tutor_gives_one_student_an_assessment_only_that_student_may_take(client, course, db, auth):
    c = course
    auth.login(c.student)
    assert client.get(f"/assessments/{c.quiz.id}/take").status_code == 404  # not their classroom's
    auth.logout()

    auth.login(c.teacher)
    given = _give(client, c, exercise_content="Try **three** sums.<script>alert(1)</script>")
    assert given.status_code == 200 and "<html" not in given.get_data(as_text=True)
    row = db.get(CourseSessionEnrollment, c.enrollment.id)
    assert row.assigned_assessment_id == c.quiz.id and row.exercise_content.startswith("Try **three**")
    assert row.work_assigned_at is not None
    logged = db.scalar(select(AuditLog).where(AuditLog.action == "course_session.assign_work"))
    assert logged.actor_id == c.teacher.id and logged.details["after"]["assessment_id"] == c.quiz.id
    auth.logout()

    auth.login(c.student)
    page = client.get(f"/my/sessions/{c.session.id}").get_data(as_text=True)
    assert "<strong>three</strong>" in page and "<script>alert" not in page
    assert "Olympiad warm-up" in page and f"/assessments/{c.quiz.id}/take" in page
    assert client.get(f"/assessments/{c.quiz.id}/take").status_code == 200
    auth.logout()

    # the other student of the same session sees neither the work nor the assessment
    auth.login(c.second)
    other = client.get(f"/my/sessions/{c.session.id}").get_data(as_text=True)
    assert "Olympiad warm-up" not in other and "three" not in other
    assert client.get(f"/assessments/{c.quiz.id}/take").status_code == 404


def test_the_grant_ends_with_the_enrollment(client, course, app, auth):
    from lms.extensions import db as sqla

    c = course
    auth.login(c.teacher)
    assert _give(client, c).status_code == 200
    auth.logout()
    auth.login(c.student)
    assert client.get(f"/assessments/{c.quiz.id}/take").status_code == 200
    with app.app_context():
        sqla.session.execute(update(CourseSessionEnrollment).where(CourseSessionEnrollment.id == c.enrollment.id)
                             .values(enrollment_status="DROPPED"))
        sqla.session.commit()
        sqla.session.remove()
    assert client.get(f"/assessments/{c.quiz.id}/take").status_code == 404


def test_the_result_appears_on_the_tutors_row(client, make, course, auth):
    c = course
    auth.login(c.teacher)
    assert _give(client, c).status_code == 200
    page = client.get(f"/sessions/{c.session.id}/enrollments").get_data(as_text=True)
    assert "Olympiad warm-up" in page and 'data-state="none"' in page
    attempt = make.attempt(c.student, c.quiz, {0: "1"})  # the right answer: 1/1
    page = client.get(f"/sessions/{c.session.id}/enrollments").get_data(as_text=True)
    assert 'data-state="score"' in page and "1/1 (100%)" in page
    # the quiz is another teacher's: this tutor sees the score but does not grade (open) the attempt
    assert f"/submissions/{attempt.id}" not in page
    auth.logout()
    auth.login(c.other_teacher)  # ... its owner, an admin, would: shown on the row of a session they manage
    own = make.course_session(c.other_teacher, c.other_subject, name="Owner's club")
    enrollment = make.enrollment(own, c.student)
    client.post(f"/sessions/{own.id}/enrollments/{enrollment.id}/work", data={"assessment_id": str(c.quiz.id)},
                headers=HX)
    page = client.get(f"/sessions/{own.id}/enrollments").get_data(as_text=True)
    assert f"/submissions/{attempt.id}" in page
    # the second student was given nothing: no result on their row
    assert page.count('class="work-result"') == 1


def test_bad_work_is_refused_and_nothing_is_stored(client, make, course, db, auth):
    c = course
    hidden = make.assessment(c.other_teacher, title="Not yours", publish=True, section_id=c.other_ids["Saying hello"])
    draft = make.assessment(c.teacher, title="Still a draft")
    auth.login(c.teacher)
    for data in ({"assessment_id": str(hidden.id)}, {"assessment_id": str(draft.id)},
                 {"assessment_id": "99999999999999"}, {"assessment_id": "abc"},
                 {"exercise_content": "x" * (EXERCISE_MAX + 1)}):
        refused = _give(client, c, **data)
        assert refused.status_code == 422, data
        assert 'role="alert"' in refused.get_data(as_text=True)
    row = db.get(CourseSessionEnrollment, c.enrollment.id)
    assert row.assigned_assessment_id is None and row.exercise_content is None
    nul = _give(client, c, exercise_content="a\x00b")
    assert nul.status_code == 400
    pending = make.enrollment(c.session, make.student("P1/1"), status="PENDING")
    assert _give(client, c, enrollment=pending).status_code == 422
    # taking the work back clears it
    assert _give(client, c).status_code == 200
    assert _give(client, c, assessment_id="", exercise_content="  ").status_code == 200
    row = db.get(CourseSessionEnrollment, c.enrollment.id)
    assert row.assigned_assessment_id is None and row.exercise_content is None and row.work_assigned_at is None
    auth.logout()
    # another teacher cannot give work in this session
    auth.login(c.other_teacher)
    assert _give(client, c).status_code in (403, 404)


def test_the_database_refuses_an_overlong_exercise(app, course):
    from lms.extensions import db as sqla

    with app.app_context():
        row = sqla.session.get(CourseSessionEnrollment, course.enrollment.id)
        row.exercise_content = "x" * (EXERCISE_MAX + 1)
        with pytest.raises(IntegrityError):
            sqla.session.flush()
        sqla.session.rollback()
        sqla.session.remove()
