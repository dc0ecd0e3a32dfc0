"""Grading: the queue (who sees what, ungraded first, filters, pages, query count), the grading
page (points, feedback, save, return, notifications, audit, history), resubmissions."""

import pytest
from sqlalchemy import select

from lms.assessments.models import Answer, Submission, SubmissionEvent
from lms.audit.models import AuditLog
from lms.communication.models import Notification
from tests.assessment_fixtures import HX, build_course
from tests.factories import ONE_OF_EACH, RIGHT_ANSWERS


@pytest.fixture
def course(make):
    return build_course(make)


@pytest.fixture
def quiz(course, make):
    return make.assessment(course.teacher, title="Tens quiz", questions=ONE_OF_EACH,
                           section_id=course.ids["Counting"], publish=True, attempts_allowed=None)


def grade_form(db, attempt, long_points="2", **extra):
    """Form data for the grading page: the long answer and the file get points."""
    versions = attempt.question_order
    data = {f"points-{versions[5]}": long_points, f"points-{versions[6]}": "0",
            f"feedback-{versions[5]}": "Good explanation", "feedback": "Well done, **Sam**."}
    data.update(extra)
    return data


# --- the queue -------------------------------------------------------------------------------------------


def test_the_queue_shows_ungraded_work_first_and_only_the_teachers_subjects(client, auth, course, quiz, make):
    graded = make.assessment(course.teacher, title="Auto quiz", questions=ONE_OF_EACH[:1],
                             section_id=course.ids["Comparing"], publish=True)
    make.attempt(course.student, graded, {0: ["1"]})           # GRADED automatically
    waiting = make.attempt(course.student, quiz, RIGHT_ANSWERS)  # SUBMITTED: the long answer waits
    make.attempt(make.student("P1/1"), quiz, {}, submit=False)  # in progress: not in the queue
    theirs = make.assessment(course.other_teacher, title="English quiz", questions=ONE_OF_EACH[5:6],
                             section_id=course.other_ids["Saying hello"], publish=True)
    make.attempt(course.other_student, theirs, {0: ["Hello"]})
    auth.login(course.teacher)
    body = client.get("/submissions", headers=HX).get_data(as_text=True)  # the list only
    assert body.index("Tens quiz") < body.index("Auto quiz")
    assert "English quiz" not in body and f"/submissions/{waiting.id}" in body
    only_waiting = client.get("/submissions?status=SUBMITTED", headers=HX).get_data(as_text=True)
    assert "Tens quiz" in only_waiting and "Auto quiz" not in only_waiting
    assert "Auto quiz" in client.get(f"/submissions?assessment={graded.id}", headers=HX).get_data(as_text=True)
    assert "Tens quiz" not in client.get(f"/submissions?assessment={graded.id}", headers=HX).get_data(as_text=True)
    classroom_id = make.classroom("P1/1").id
    assert "Tens quiz" in client.get(f"/submissions?classroom={classroom_id}", headers=HX).get_data(as_text=True)
    other_room = make.classroom("P1/2").id
    assert "Nothing to grade here." in client.get(f"/submissions?classroom={other_room}", headers=HX).get_data(
        as_text=True)
    open_ones = client.get("/submissions?status=IN_PROGRESS", headers=HX).get_data(as_text=True)
    assert "In progress" in open_ones
    auth.logout()
    auth.login(course.other_teacher)
    body = client.get("/submissions").get_data(as_text=True)
    assert "English quiz" in body and "Tens quiz" not in body  # not even in the filter
    assert client.get(f"/submissions/{waiting.id}").status_code == 404


def test_the_queue_paginates_and_its_query_count_does_not_grow(client, auth, course, quiz, make, count_queries):
    make.attempt(course.student, quiz, RIGHT_ANSWERS)
    auth.login(course.teacher)
    client.get("/submissions")
    with count_queries() as few:
        client.get("/submissions")
    for student in make.students(4, "P1/1"):
        make.attempt(student, quiz, {0: ["1"]})
    with count_queries() as many:
        assert client.get("/submissions").status_code == 200
    assert many.count == few.count
    paged = client.get("/submissions?per_page=2").get_data(as_text=True)
    assert "Page 1 of 3" in paged


def test_students_see_their_own_work_and_parents_are_not_graders(client, auth, course, quiz, make):
    mine = make.attempt(course.student, quiz, RIGHT_ANSWERS)
    auth.login(course.student)
    body = client.get("/submissions").get_data(as_text=True)
    assert "Tens quiz" in body and f"/submissions/{mine.id}" in body
    assert client.post(f"/submissions/{mine.id}/grade", data={}).status_code == 403
    auth.logout()
    auth.login(make.parent_of(course.student))
    assert client.get("/submissions").status_code == 403
    assert client.get(f"/submissions/{mine.id}").status_code == 200  # their child's result
    auth.logout()
    auth.login(make.parent_of(course.other_student))
    assert client.get(f"/submissions/{mine.id}").status_code == 404


# --- grading ---------------------------------------------------------------------------------------------


def test_grade_then_return_with_feedback_notifications_history_and_audit(client, auth, course, quiz, make, db):
    attempt = make.attempt(course.student, quiz, RIGHT_ANSWERS)
    auth.login(course.teacher)
    page = client.get(f"/submissions/{attempt.id}").get_data(as_text=True)
    assert "I counted in tens." in page and "Key: 4" in page and "Return to the student" in page
    response = client.post(f"/submissions/{attempt.id}/grade", data=grade_form(db, attempt, action="save"))
    assert response.status_code == 303
    saved = db.get(Submission, attempt.id)
    assert saved.status == "GRADED" and saved.final_score == 8 and saved.manual_score == 2
    assert saved.graded_by_id == course.teacher.id
    notes = db.scalars(select(Notification).where(Notification.user_id == course.student.id))
    assert [(n.kind, n.params) for n in notes] == [("work_graded", {"title": "Tens quiz", "score": "8/11"})]
    assert notes[0].link == f"/submissions/{attempt.id}"
    auth.logout()
    auth.login(course.student)
    result = client.get(f"/submissions/{attempt.id}").get_data(as_text=True)
    assert "Score: 8/11" in result and "Well done" not in result  # feedback comes with the return
    auth.logout()
    auth.login(course.teacher)
    client.post(f"/submissions/{attempt.id}/grade", data=grade_form(db, attempt, long_points="3", action="return"))
    saved = db.get(Submission, attempt.id)
    assert saved.status == "RETURNED" and saved.final_score == 9 and saved.returned_at is not None
    assert [n.kind for n in db.scalars(select(Notification).order_by(Notification.id))] == [
        "work_graded", "work_returned"]
    kinds = [e.kind for e in db.scalars(select(SubmissionEvent).where(SubmissionEvent.submission_id == attempt.id)
                                        .order_by(SubmissionEvent.id))]
    assert kinds == ["STARTED", "SUBMITTED", "GRADED", "RETURNED"]
    assert db.count(AuditLog, AuditLog.action == "submission.grade") == 1
    assert db.count(AuditLog, AuditLog.action == "submission.return") == 1
    history = client.get(f"/submissions/{attempt.id}").get_data(as_text=True)
    assert "returned to the student" in history
    auth.logout()
    auth.login(course.student)
    result = client.get(f"/submissions/{attempt.id}").get_data(as_text=True)
    assert "Your teacher&#39;s feedback" in result or "Your teacher's feedback" in result
    assert "<strong>Sam</strong>" in result and "Good explanation" in result and "Score: 9/11" in result


@pytest.mark.parametrize("fields, message", [
    ({"long": "4"}, "Question 6: give points from 0 to 3."),
    ({"long": "-1"}, "Question 6: give points from 0 to 3."),
    ({"long": "lots"}, "Question 6: give points from 0 to 3."),
    ({"long": ""}, "Give points for question(s) 6 (graded by hand)."),
])
def test_bad_points_are_refused_and_nothing_changes(client, auth, course, quiz, make, db, fields, message):
    attempt = make.attempt(course.student, quiz, RIGHT_ANSWERS)
    auth.login(course.teacher)
    response = client.post(f"/submissions/{attempt.id}/grade",
                           data=grade_form(db, attempt, long_points=fields["long"]))
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert "Good explanation" in response.get_data(as_text=True)  # what was typed is kept
    saved = db.get(Submission, attempt.id)
    assert saved.status == "SUBMITTED" and saved.final_score == 6
    assert db.count(Notification) == 0


def test_teachers_may_override_an_automatic_score(client, auth, course, quiz, make, db):
    attempt = make.attempt(course.student, quiz, {**RIGHT_ANSWERS, 3: ["Bangkok city"]})
    auth.login(course.teacher)
    client.post(f"/submissions/{attempt.id}/grade",
                data=grade_form(db, attempt, **{f"points-{attempt.question_order[3]}": "0.5"}))
    answer = db.scalar(select(Answer).where(Answer.question_version_id == attempt.question_order[3]))
    assert answer.auto_points == 0 and answer.manual_points == 0.5
    assert db.get(Submission, attempt.id).final_score == 7.5


def test_other_teachers_and_in_progress_attempts_cannot_be_graded(client, auth, course, quiz, make, db):
    attempt = make.attempt(course.student, quiz, RIGHT_ANSWERS, submit=False)
    auth.login(course.teacher)
    response = client.post(f"/submissions/{attempt.id}/grade", data=grade_form(db, attempt))
    assert "has not submitted this attempt yet" in response.get_data(as_text=True)
    assert db.get(Submission, attempt.id).status == "IN_PROGRESS"
    auth.logout()
    auth.login(course.other_teacher)
    assert client.post(f"/submissions/{attempt.id}/grade", data=grade_form(db, attempt)).status_code == 404


def test_a_resubmission_after_grading_is_flagged(client, auth, course, quiz, make, db):
    first = make.attempt(course.student, quiz, RIGHT_ANSWERS)
    auth.login(course.teacher)
    client.post(f"/submissions/{first.id}/grade", data=grade_form(db, first, action="return"))
    second = make.attempt(course.student, quiz, RIGHT_ANSWERS)
    assert db.get(Submission, second.id).resubmitted_after_grading
    assert not db.get(Submission, first.id).resubmitted_after_grading
    assert "Resubmitted after grading" in client.get("/submissions").get_data(as_text=True)


def test_an_unanswered_hand_graded_question_can_still_get_points(client, auth, course, quiz, make, db):
    attempt = make.attempt(course.student, quiz, {0: ["1"]})
    auth.login(course.teacher)
    client.post(f"/submissions/{attempt.id}/grade", data=grade_form(db, attempt, long_points="0"))
    assert db.get(Submission, attempt.id).status == "GRADED"
    assert db.get(Submission, attempt.id).final_score == 1


def test_bad_points_over_htmx_answer_the_form_fragment_with_422(client, auth, course, quiz, make, db):
    attempt = make.attempt(course.student, quiz, RIGHT_ANSWERS)
    auth.login(course.teacher)
    response = client.post(f"/submissions/{attempt.id}/grade", headers=HX,
                           data=grade_form(db, attempt, long_points="4"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in page and 'id="grade-form-box"' in page
    assert "Question 6: give points from 0 to 3." in page  # the message comes with the fragment
    assert "Good explanation" in page and 'value="4"' in page  # what was typed is kept
    saved = db.get(Submission, attempt.id)
    assert saved.status == "SUBMITTED" and saved.final_score == 6
    assert db.count(Answer, Answer.feedback == "Good explanation") == 0
