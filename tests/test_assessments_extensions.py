"""Extensions: a student's own due date and extra attempts (taking, gradebook, who may grant, bad input)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from lms.assessments import extensions, taking
from lms.assessments.models import AssessmentExtension, Submission
from lms.audit.models import AuditLog
from lms.common.types import utcnow
from lms.communication.models import Notification
from lms.core.localtime import DATETIME_FORMAT, to_local
from tests.assessment_fixtures import HX, build_course
from tests.factories import ONE_OF_EACH


def _local(value):
    return to_local(value).strftime(DATETIME_FORMAT)


@pytest.fixture
def setup(make):
    course = build_course(make)
    late = make.assessment(course.teacher, title="Late quiz", questions=ONE_OF_EACH[:1],
                           section_id=course.ids["Counting"], publish=True, late_policy="ACCEPT",
                           due_at=utcnow() - timedelta(days=1))
    once = make.assessment(course.teacher, title="Once quiz", questions=ONE_OF_EACH[:1],
                           section_id=course.ids["Counting"], publish=True, attempts_allowed=1)
    from lms.school.models import ClassroomMembership

    with make.app.app_context():
        from lms.extensions import db as _db

        room_id = _db.session.scalar(select(ClassroomMembership.classroom_id)
                                     .where(ClassroomMembership.student_id == course.student.id))
    return SimpleNamespace(course=course, late=late, once=once, room_id=room_id)


def _url(setup, path="extension"):
    return f"/classrooms/{setup.room_id}/gradebook/{setup.course.subject.id}/{path}"


def _load(*objects):
    from lms.extensions import db as _db

    return [_db.session.get(type(o), o.id) for o in objects]


def _grant(app, setup, assessment, **values):
    with app.test_request_context():
        from lms.extensions import db as _db

        teacher, student, assessment = _load(setup.course.teacher, setup.course.student, assessment)
        extensions.grant_extension(teacher, assessment, student, **values)
        _db.session.commit()


def test_a_late_student_with_an_extension_is_not_late_and_not_missing(app, setup, make, db):
    with app.test_request_context():
        due = _local(utcnow() + timedelta(days=2))
    _grant(app, setup, setup.late, due_at=due)
    submission = make.attempt(setup.course.student, setup.late, {0: ["0"]})
    assert db.scalar(select(Submission.late).where(Submission.id == submission.id)) is False
    other = make.student("P1/1")
    late = make.attempt(other, setup.late, {0: ["0"]})
    assert db.scalar(select(Submission.late).where(Submission.id == late.id)) is True


def test_refused_late_work_is_accepted_until_the_students_own_due_date(app, setup, make):
    refused = make.assessment(setup.course.teacher, title="Strict", questions=ONE_OF_EACH[:1],
                              section_id=setup.course.ids["Counting"], publish=True, late_policy="REFUSE",
                              due_at=utcnow() - timedelta(hours=1))
    with app.test_request_context():
        student, assessment = _load(setup.course.student, refused)
        assert "late work is not accepted" in taking.start_problem(student, assessment, [])
        due = _local(utcnow() + timedelta(days=1))
    _grant(app, setup, refused, due_at=due)
    with app.test_request_context():
        student, assessment = _load(setup.course.student, refused)
        assert taking.start_problem(student, assessment, []) is None
        assert taking.start_attempt(student, assessment).deadline_at > utcnow()


def test_extra_attempt_lets_a_student_at_the_limit_start_once_more_and_removing_restores_the_rule(app, setup, make):
    make.attempt(setup.course.student, setup.once, {0: ["0"]})
    with app.test_request_context():
        teacher, student, once = _load(setup.course.teacher, setup.course.student, setup.once)
        attempts = taking.attempts_of(student, once)
        assert "used all your attempts" in taking.start_problem(student, once, attempts)
        extensions.grant_extension(teacher, once, student, extra_attempts="1")
        assert taking.start_problem(student, once, attempts) is None
        assert extensions.remove_extension(teacher, once, student)
        assert "used all your attempts" in taking.start_problem(student, once, attempts)


def test_the_gradebook_marks_extensions_and_the_student_sees_them(client, auth, setup, db):
    auth.login(setup.course.teacher)
    due = _local(utcnow() + timedelta(days=3))
    data = {"assessment_id": setup.late.id, "student_id": setup.course.student.id, "due_at": due,
            "reason": "ill"}
    form = client.get(_url(setup), query_string=data, headers=HX)
    assert form.status_code == 200 and 'name="due_at"' in form.get_data(as_text=True)
    response = client.post(_url(setup), data=data, headers=HX)
    assert response.status_code == 200 and "ext." in response.get_data(as_text=True)
    row = db.scalar(select(AssessmentExtension))
    assert row.reason == "ill" and row.due_at > setup.late.due_at
    page = client.get(_url(setup).rsplit("/", 1)[0]).get_data(as_text=True)
    assert "ext." in page
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "assessment.extension_grant"))
    assert entry.details["student_id"] == setup.course.student.id
    assert db.scalar(select(Notification.kind).where(Notification.user_id == setup.course.student.id)) \
        == "extension_granted"
    auth.logout()
    auth.login(setup.course.student)
    start = client.get(f"/assessments/{setup.late.id}/take").get_data(as_text=True)
    assert "Extended to" in start
    progress = client.get(f"/students/{setup.course.student.id}/progress").get_data(as_text=True)
    assert "Extended to" in progress
    assert "Extended to" in client.get("/assessments").get_data(as_text=True)
    assert "Extended to" in client.get("/", follow_redirects=True).get_data(as_text=True)  # the home "due" list
    auth.logout()
    auth.login(setup.course.teacher)
    removed = client.post(_url(setup, "extension/remove"), data=data, headers=HX)
    assert removed.status_code == 200 and db.count(AssessmentExtension) == 0
    assert db.scalar(select(AuditLog.id).where(AuditLog.action == "assessment.extension_remove"))


def test_other_teachers_and_students_cannot_grant(client, auth, setup, db):
    data = {"assessment_id": setup.late.id, "student_id": setup.course.student.id,
            "due_at": _local(utcnow() + timedelta(days=3))}
    auth.login(setup.course.student)
    assert client.post(_url(setup), data=data, headers=HX).status_code == 403
    auth.logout()
    auth.login(setup.course.other_teacher)
    assert client.post(_url(setup), data=data, headers=HX).status_code == 404
    assert client.post(_url(setup, "extension/remove"), data=data, headers=HX).status_code == 404
    assert db.count(AssessmentExtension) == 0


@pytest.mark.parametrize("bad", [
    {"due_at": "before"},
    {"extra_attempts": "0"},
    {"extra_attempts": "21"},
    {"extra_attempts": "1", "reason": "a\x00b"},
    {"due_at": "0001-01-01T00:00"},
    {"extra_attempts": "x"},
    {},
])
def test_bad_input_gets_a_clear_422_and_stores_nothing(client, auth, setup, db, bad):
    auth.login(setup.course.teacher)
    if bad.get("due_at") == "before":
        bad = {"due_at": _local(setup.late.due_at - timedelta(days=1))}
    data = {"assessment_id": setup.once.id if "due_at" not in bad else setup.late.id,
            "student_id": setup.course.student.id, **bad}
    response = client.post(_url(setup), data=data, headers=HX)
    # The form fragment with its messages (a NUL byte too: a field error, not the edge's 400).
    assert response.status_code == 422, bad
    text = response.get_data(as_text=True)
    assert text.lstrip().startswith('<div id="extension-panel"') and "field-error" in text
    if "\x00" in bad.get("reason", ""):
        assert 'id="reason-error"' in text and "control character" in text
    assert db.count(AssessmentExtension) == 0
    assert db.scalar(select(AuditLog.id).where(AuditLog.action.like("assessment.extension%"))) is None


def test_the_service_refuses_control_characters_in_the_reason(app, setup):
    from lms.common.errors import ValidationFailed

    with app.test_request_context():
        teacher, student, once = _load(setup.course.teacher, setup.course.student, setup.once)
        with pytest.raises(ValidationFailed):
            extensions.grant_extension(teacher, once, student, extra_attempts="1", reason="a\x00b")


def test_an_attempt_in_progress_follows_the_students_due_date_so_the_auto_submit_job_waits(app, setup, make):
    from lms.assessments.jobs import submit_overdue_attempts
    from lms.extensions import db as _db

    strict = make.assessment(setup.course.teacher, title="Strict", questions=ONE_OF_EACH[:1],
                             section_id=setup.course.ids["Counting"], publish=True, late_policy="REFUSE",
                             due_at=utcnow() + timedelta(hours=1))
    with app.test_request_context():
        teacher, student, assessment = _load(setup.course.teacher, setup.course.student, strict)
        attempt = taking.start_attempt(student, assessment)
        assert attempt.deadline_at == assessment.due_at
        extensions.grant_extension(teacher, assessment, student, due_at=_local(utcnow() + timedelta(days=1)))
        assert attempt.deadline_at > utcnow() + timedelta(hours=20)
        assessment.due_at = utcnow() - timedelta(hours=1)  # the class's due date has passed
        _db.session.commit()
        assert submit_overdue_attempts() == 0
        assert extensions.remove_extension(teacher, assessment, student)
        _db.session.commit()
        assert attempt.deadline_at == assessment.due_at
        assert submit_overdue_attempts() == 1


def test_results_after_the_due_date_wait_for_the_students_own_due_date(app, setup, make):
    shown_after = make.assessment(setup.course.teacher, title="After", questions=ONE_OF_EACH[:1],
                                  section_id=setup.course.ids["Counting"], publish=True, late_policy="ACCEPT",
                                  results_visibility="AFTER_DUE", due_at=utcnow() - timedelta(hours=1))
    with app.test_request_context():
        due = _local(utcnow() + timedelta(days=1))
    _grant(app, setup, shown_after, due_at=due)
    submission = make.attempt(setup.course.student, shown_after, {0: ["0"]})
    with app.test_request_context():
        student, assessment, attempt = _load(setup.course.student, shown_after, submission)
        assert not taking.results_visible(assessment, attempt, student)


# --- the assessment's page ---------------------------------------------------------------------------------


def _page_url(setup, assessment, path=""):
    return f"/assessments/{assessment.id}/extensions{path}"


def test_the_assessment_page_lists_extensions_and_grants_changes_and_removes_them(client, auth, setup, db):
    auth.login(setup.course.teacher)
    student = setup.course.student
    page = client.get(f"/assessments/{setup.late.id}").get_data(as_text=True)
    assert 'id="assessment-extensions"' in page and "No student has an extension." in page
    assert f'<option value="{student.id}">{student.full_name}</option>' in page
    form = client.get(_page_url(setup, setup.late, "/edit"), query_string={"student_id": student.id}, headers=HX)
    assert form.status_code == 200 and 'name="due_at"' in form.get_data(as_text=True)
    due = _local(utcnow() + timedelta(days=3))
    saved = client.post(_page_url(setup, setup.late, "/edit"), headers=HX,
                        data={"student_id": student.id, "due_at": due, "reason": "ill"})
    assert saved.status_code == 200 and saved.headers["HX-Retarget"] == "#assessment-extensions"
    listed = saved.get_data(as_text=True)
    assert student.full_name in listed and "ill" in listed and "hx-confirm" in listed
    assert f'<input type="hidden" name="student_id" value="{student.id}">' in listed  # what Remove posts
    changed = client.post(_page_url(setup, setup.late, "/edit"), headers=HX,
                          data={"student_id": student.id, "due_at": due, "reason": "still ill"})
    assert changed.status_code == 200 and db.scalar(select(AssessmentExtension.reason)) == "still ill"
    assert db.count(AuditLog, AuditLog.action == "assessment.extension_change") == 1
    removed = client.post(_page_url(setup, setup.late, "/remove"), data={"student_id": student.id}, headers=HX)
    assert removed.status_code == 200 and "No student has an extension." in removed.get_data(as_text=True)
    assert db.count(AssessmentExtension) == 0
    # Without htmx: a page of its own, and redirects back to it.
    assert client.get(_page_url(setup, setup.late)).status_code == 200
    plain = client.post(_page_url(setup, setup.late, "/edit"), data={"student_id": student.id, "due_at": due})
    assert plain.status_code == 303 and plain.headers["Location"].endswith(_page_url(setup, setup.late))


def test_the_assessment_page_refuses_bad_input_with_the_form_and_strangers(client, auth, setup, make, db):
    auth.login(setup.course.teacher)
    student = setup.course.student
    bad = client.post(_page_url(setup, setup.once, "/edit"), headers=HX,
                      data={"student_id": student.id, "extra_attempts": "1", "reason": "a\x00b"})
    assert bad.status_code == 422 and "control character" in bad.get_data(as_text=True)
    assert db.count(AssessmentExtension) == 0
    stranger = make.student("P2/1")  # not in a classroom taking the subject
    assert client.post(_page_url(setup, setup.once, "/edit"), headers=HX,
                       data={"student_id": stranger.id, "extra_attempts": "1"}).status_code == 404
    auth.logout()
    auth.login(setup.course.other_teacher)
    assert client.post(_page_url(setup, setup.once, "/edit"), headers=HX,
                       data={"student_id": student.id, "extra_attempts": "1"}).status_code == 404
    assert db.count(AssessmentExtension) == 0
