"""Trying an assessment as a student: the take and result pages under a "not counted" banner, and
the preview counted nowhere (gradebook, grading queue, home, progress, attempt limits, the
"nobody has answered" rules); only those who may change the assessment reach it."""

import pytest
from sqlalchemy import func, select

from lms.assessments.models import Answer, Submission
from tests.assessment_fixtures import HX, build_course
from tests.factories import ONE_OF_EACH


@pytest.fixture
def course(make):
    return build_course(make)


@pytest.fixture
def quiz(course, make):
    return make.assessment(course.teacher, title="Tens quiz", questions=ONE_OF_EACH[:3],
                           section_id=course.ids["Counting"], publish=True, attempts_allowed=1)


def preview_of(db, user, assessment):
    return db.scalar(select(Submission).where(Submission.student_id == user.id,
                                              Submission.assessment_id == assessment.id))


def try_it(client, db, user, assessment, answers=None, frame=""):
    """Start a preview, answer (question index -> form values), submit; the result page."""
    url = f"/assessments/{assessment.id}/preview{frame}"
    assert client.post(url).status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "Preview — not counted" in page and "Leave preview" in page
    attempt = preview_of(db, user, assessment)
    for index, values in (answers or {}).items():
        version_id = attempt.question_order[index]
        saved = client.post(f"/assessments/{assessment.id}/preview/answers/{version_id}{frame}",
                            data={"answer": values}, headers=HX)
        assert saved.status_code == 200, saved.get_data(as_text=True)
    assert client.post(f"/assessments/{assessment.id}/preview/submit{frame}").status_code == 303
    return client.get(url).get_data(as_text=True)


def test_a_teacher_tries_a_published_assessment_and_sees_the_students_result(client, auth, course, quiz, db):
    auth.login(course.teacher)
    assert f"/assessments/{quiz.id}/preview" in client.get(f"/assessments/{quiz.id}").get_data(as_text=True)
    page = try_it(client, db, course.teacher, quiz, {0: ["1"], 2: ["true"]})
    assert "Preview — not counted" in page and "Score: 2/4" in page and "Correct answer:" in page
    attempt = preview_of(db, course.teacher, quiz)
    assert attempt.status == "GRADED" and attempt.final_score == 2


def test_a_draft_can_be_tried_and_the_results_are_shown_as_the_student_would_see_them(client, auth, course,
                                                                                      make, db):
    draft = make.assessment(course.teacher, title="Draft quiz", questions=ONE_OF_EACH[:1],
                            section_id=course.ids["Counting"], results_visibility="NEVER")
    auth.login(course.teacher)
    page = try_it(client, db, course.teacher, draft, {0: ["1"]})
    assert "Your answers were received." in page and "Score:" not in page and "Correct answer:" not in page


def test_the_phone_frame_keeps_the_frame_on_every_link(client, auth, course, quiz, db):
    auth.login(course.teacher)
    client.post(f"/assessments/{quiz.id}/preview?frame=phone")
    page = client.get(f"/assessments/{quiz.id}/preview?frame=phone").get_data(as_text=True)
    assert 'class="phone-frame"' in page and "preview/submit?frame=phone" in page
    assert "phone-frame" not in client.get(f"/assessments/{quiz.id}/preview").get_data(as_text=True)


def test_starting_again_discards_the_previous_preview_and_leaving_removes_it(client, auth, course, quiz, db):
    auth.login(course.teacher)
    try_it(client, db, course.teacher, quiz, {0: ["1"]})
    assert db.scalar(select(func.count()).select_from(Answer)) == 1
    client.post(f"/assessments/{quiz.id}/preview")
    current = db.scalars(select(Submission).where(Submission.student_id == course.teacher.id))
    assert len(current) == 1 and current[0].is_open
    assert db.scalar(select(func.count()).select_from(Answer)) == 0
    assert client.post(f"/assessments/{quiz.id}/preview/leave").status_code == 303
    assert preview_of(db, course.teacher, quiz) is None


def test_students_parents_and_other_teachers_cannot_reach_a_preview(client, auth, course, quiz, make):
    for user in (course.student, make.parent_of(course.student), course.other_teacher):
        auth.login(user)
        assert client.get(f"/assessments/{quiz.id}/preview").status_code == 404, user.email
        assert client.post(f"/assessments/{quiz.id}/preview").status_code == 404, user.email
        assert client.post(f"/assessments/{quiz.id}/preview/submit").status_code == 404, user.email
        assert client.post(f"/assessments/{quiz.id}/preview/leave").status_code == 404, user.email


# --- not counted anywhere -------------------------------------------------------------------------------------


def test_a_preview_is_not_in_the_grading_queue_nor_on_the_teachers_home(client, auth, course, make, db, app):
    essay = make.assessment(course.teacher, title="Essay", questions=ONE_OF_EACH[5:6],
                            section_id=course.ids["Counting"], publish=True)
    auth.login(course.teacher)
    try_it(client, db, course.teacher, essay, {0: ["Because."]})
    assert preview_of(db, course.teacher, essay).status == "SUBMITTED"  # waits for a grade, like a student's
    from lms.assessments.grading import QueueFilters, queue_query
    from lms.auth.models import User
    from lms.home.services import grading_queue_count, recent_submissions

    with db.ctx() as session:
        teacher = session.get(User, course.teacher.id)
        assert session.scalars(queue_query(teacher, QueueFilters(status="SUBMITTED"))).all() == []
        assert grading_queue_count(teacher) == 0 and recent_submissions(teacher) == []
    assert "Essay" not in client.get("/", follow_redirects=True).get_data(as_text=True)
    attempt = preview_of(db, course.teacher, essay)
    assert client.get(f"/submissions/{attempt.id}").status_code == 404


def test_a_preview_is_not_in_the_gradebook(client, auth, course, quiz, make, db):
    room = make.classroom("P1/1")
    auth.login(course.teacher)
    try_it(client, db, course.teacher, quiz, {0: ["1"]})
    page = client.get(f"/classrooms/{room.id}/gradebook/{course.subject.id}").get_data(as_text=True)
    assert "Tens quiz" in page and "1/4" not in page


def test_a_preview_uses_no_students_attempt_and_shows_on_no_progress_page(client, auth, course, quiz, db):
    auth.login(course.teacher)
    try_it(client, db, course.teacher, quiz, {0: ["1"]})
    try_it(client, db, course.teacher, quiz, {0: ["1"]})  # one attempt allowed: previews are not attempts
    auth.login(course.student)
    progress = client.get(f"/students/{course.student.id}/progress").get_data(as_text=True)
    assert "Tens quiz" in progress and "not started" in progress and "1/4" not in progress
    assert client.post(f"/assessments/{quiz.id}/start").status_code == 303
    student_attempt = db.scalar(select(Submission).where(Submission.student_id == course.student.id))
    assert student_attempt.attempt_number == 1


def test_a_preview_never_blocks_going_back_to_draft_or_deleting(client, auth, course, quiz, db):
    auth.login(course.teacher)
    try_it(client, db, course.teacher, quiz, {0: ["1"]})
    assert client.post(f"/assessments/{quiz.id}/unpublish").status_code in (200, 303)
    assert db.get(type(quiz), quiz.id).status == "DRAFT"
    client.post(f"/assessments/{quiz.id}/preview")  # one in progress too
    assert client.post(f"/assessments/{quiz.id}/delete").status_code in (200, 303)
    assert db.get(type(quiz), quiz.id) is None
    assert preview_of(db, course.teacher, quiz) is None


def test_a_file_answered_in_a_preview_goes_with_it(client, auth, course, make, db):
    import io

    from lms.resources.models import Resource
    from tests.factories import png_bytes

    upload = make.assessment(course.teacher, title="Photo", questions=ONE_OF_EACH[6:7],
                             section_id=course.ids["Counting"], publish=True)
    auth.login(course.teacher)
    client.post(f"/assessments/{upload.id}/preview")
    attempt = preview_of(db, course.teacher, upload)
    saved = client.post(f"/assessments/{upload.id}/preview/answers/{attempt.question_order[0]}",
                        data={"answer-file": (io.BytesIO(png_bytes()), "work.png")},
                        content_type="multipart/form-data", headers=HX)
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Resource)) == 1
    assert client.post(f"/assessments/{upload.id}/preview/leave").status_code == 303
    assert db.scalar(select(func.count()).select_from(Resource)) == 0


# --- a preview is never late, never re-scored, never swept by the overdue job ---------------------------------


def test_a_preview_taken_after_the_due_date_is_not_late(client, auth, course, make, db):
    from datetime import timedelta

    from lms.common.types import utcnow

    past_due = make.assessment(course.teacher, title="Past due", questions=ONE_OF_EACH[:1],
                               section_id=course.ids["Counting"], publish=True, late_policy="ACCEPT",
                               late_deduction_percent=50, due_at=utcnow() - timedelta(days=1))
    auth.login(course.teacher)
    page = try_it(client, db, course.teacher, past_due, {0: ["1"]})
    attempt = preview_of(db, course.teacher, past_due)
    assert attempt.late is False and attempt.final_score == 1
    assert "Late" not in page


def test_a_key_change_does_not_rescore_previews(client, auth, course, make, db):
    from lms.assessments.models import QuestionVersion, SubmissionEvent

    quiz = make.assessment(course.teacher, questions=[ONE_OF_EACH[0]], section_id=course.ids["Counting"],
                           publish=True)
    auth.login(course.teacher)
    try_it(client, db, course.teacher, quiz, {0: ["2"]})  # "5": wrong with the first key
    question_id = db.scalar(select(QuestionVersion.question_id))
    fields = {"type": "SINGLE_CHOICE", "text": "2 + 2 = ?", "points": "1", "option-0": "3", "option-1": "4",
              "option-2": "5", "correct": "2"}
    response = client.post(f"/assessments/{quiz.id}/questions/{question_id}", data=fields)
    assert response.status_code == 303
    assert "re-scored" not in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.count(SubmissionEvent, SubmissionEvent.kind == "RESCORED") == 0
    assert preview_of(db, course.teacher, quiz).final_score == 0


def test_the_overdue_job_leaves_previews_to_the_preview_page(client, auth, app, course, make, db):
    from datetime import timedelta

    from lms.assessments.jobs import submit_overdue_attempts
    from lms.common.types import utcnow
    from tests.test_assessments_taking import set_times

    timed = make.assessment(course.teacher, title="Timed", questions=ONE_OF_EACH[:1],
                            section_id=course.ids["Counting"], publish=True, time_limit_minutes=5)
    auth.login(course.teacher)
    client.post(f"/assessments/{timed.id}/preview")
    attempt = preview_of(db, course.teacher, timed)
    set_times(app, Submission, attempt.id, deadline_at=utcnow() - timedelta(minutes=2))
    with app.app_context():
        assert submit_overdue_attempts() == 0
    assert preview_of(db, course.teacher, timed).is_open
    client.get(f"/assessments/{timed.id}/preview")  # the time is up: the page submits it
    assert not preview_of(db, course.teacher, timed).is_open
