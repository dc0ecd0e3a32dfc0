"""A student replies once to the teacher's feedback on returned work: the teacher is notified and
sees the reply; a second reply (another tab, a double tap, two requests at once) is refused; the
reply is in the privacy export and goes with an erasure."""

import re
import threading
import traceback

import pytest
from sqlalchemy import select

from lms.assessments import replies
from lms.assessments.models import FeedbackReply, Question, Submission, SubmissionEvent
from lms.auth.models import User
from lms.common.errors import Conflict
from lms.communication.models import Notification
from lms.extensions import db as _db
from lms.privacy import export
from lms.school.models import StudentProfile
from tests.assessment_fixtures import HX, build_course
from tests.conftest import TEST_DATABASE_URL
from tests.factories import ONE_OF_EACH


@pytest.fixture
def course(make):
    return build_course(make)


@pytest.fixture
def essay(course, make):
    return make.assessment(course.teacher, title="Essay quiz", questions=[ONE_OF_EACH[5]],
                           section_id=course.ids["Counting"], publish=True, attempts_allowed=None)


def returned_attempt(client, auth, course, essay, make, *, feedback="Good counting; say why tens help."):
    attempt = make.attempt(course.student, essay, {0: ["I counted in tens."]})
    auth.login(course.teacher)
    vid = attempt.question_order[0]
    response = client.post(f"/submissions/{attempt.id}/grade",
                           data={f"points-{vid}": "2", "feedback": feedback, "action": "return"})
    assert response.status_code in (302, 303)
    auth.logout()
    return attempt


def test_the_student_replies_once_and_the_teacher_is_told(client, auth, course, essay, make, db):
    attempt = returned_attempt(client, auth, course, essay, make)
    auth.login(course.student)
    page = client.get(f"/submissions/{attempt.id}").get_data(as_text=True)
    assert 'name="body"' in page and 'maxlength="2000"' in page and "Reply to your teacher" in page
    response = client.post(f"/submissions/{attempt.id}/reply", data={"body": "  Tens are quicker to count.  "},
                           headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'id="feedback-reply"' in body and "Tens are quicker to count." in body and 'name="body"' not in body
    reply = db.scalars(select(FeedbackReply))[0]
    assert (reply.submission_id, reply.student_id, reply.body) == (attempt.id, course.student.id,
                                                                   "Tens are quicker to count.")
    notice = db.scalars(select(Notification).where(Notification.kind == "feedback_reply"))
    assert [(n.user_id, n.link) for n in notice] == [(course.teacher.id, f"/submissions/{attempt.id}")]
    assert notice[0].params["title"] == "Essay quiz"
    assert db.count(SubmissionEvent, SubmissionEvent.kind == "REPLIED") == 1
    # the second reply (another tab still showing the form) is refused
    again = client.post(f"/submissions/{attempt.id}/reply", data={"body": "And another thing"}, headers=HX)
    assert again.status_code == 422 and "already replied" in again.get_data(as_text=True)
    assert db.count(FeedbackReply) == 1
    page = client.get(f"/submissions/{attempt.id}").get_data(as_text=True)
    assert "Your reply" in page and 'name="body"' not in page
    # the teacher sees it on the grading page, and in the notification
    auth.logout()
    auth.login(course.teacher)
    grading = client.get(f"/submissions/{attempt.id}").get_data(as_text=True)
    assert "The student&#39;s reply" in grading or "The student's reply" in grading
    assert "Tens are quicker to count." in grading
    assert "replied to your feedback" in client.get("/notifications").get_data(as_text=True)


def _queue_rows(page: str) -> list[str]:
    return re.findall(r"<tr>.*?</tr>", page.split("<tbody>", 1)[1], re.S)


def test_the_queue_marks_replied_work_and_the_one_question_page_shows_the_reply(client, auth, course, essay, make,
                                                                                 db, count_queries):
    attempt = returned_attempt(client, auth, course, essay, make)
    auth.login(course.student)
    assert client.post(f"/submissions/{attempt.id}/reply", data={"body": "Tens are quicker to count."},
                       headers=HX).status_code == 200
    auth.logout()
    quiet = make.attempt(course.other_student, essay, {0: ["I counted one by one."]})
    auth.login(course.teacher)
    queue = client.get("/submissions").get_data(as_text=True)
    replied = [row for row in _queue_rows(queue) if "Replied" in row]
    assert len(replied) == 1 and course.student.full_name in replied[0]

    # One query for the whole page: more replied rows ask no more.
    with count_queries() as few:
        client.get("/submissions")
    for student in make.students(3, "P1/1"):
        done = make.attempt(student, essay, {0: ["In tens."]})
        make._save(FeedbackReply(submission_id=done.id, student_id=student.id, body="Thanks"))
    with count_queries() as many:
        page = client.get("/submissions").get_data(as_text=True)
    assert many.count == few.count
    assert sum("Replied" in row for row in _queue_rows(page)) == 4

    question_id = db.scalar(select(Question.id).where(Question.assessment_id == essay.id))
    url = f"/assessments/{essay.id}/questions/{question_id}/grading"
    shown = client.get(f"{url}?submission={attempt.id}").get_data(as_text=True)
    reply = re.search(r'<section class="feedback-reply" id="question-reply".*?</section>', shown, re.S).group(0)
    assert "Tens are quicker to count." in reply and "<textarea" not in reply  # read-only
    other = client.get(f"{url}?submission={quiet.id}").get_data(as_text=True)
    assert 'id="question-reply"' not in other


def test_no_reply_before_the_work_is_returned_with_feedback(client, auth, course, essay, make, db):
    attempt = make.attempt(course.student, essay, {0: ["Counting"]})
    auth.login(course.student)
    assert 'name="body"' not in client.get(f"/submissions/{attempt.id}").get_data(as_text=True)
    response = client.post(f"/submissions/{attempt.id}/reply", data={"body": "Hello?"}, headers=HX)
    assert response.status_code == 422 and "once your teacher has returned the work" in response.get_data(as_text=True)
    auth.logout()
    silent = returned_attempt(client, auth, course, essay, make, feedback="")
    auth.login(course.student)
    assert client.post(f"/submissions/{silent.id}/reply", data={"body": "Hello?"}, headers=HX).status_code == 422
    assert db.count(FeedbackReply) == 0


@pytest.mark.parametrize(("body", "status", "message"), [
    ("", 422, "Write your reply first."),
    ("   \n ", 422, "Write your reply first."),
    ("x" * 2001, 422, "The reply is too long"),
    ("Hi\x00there", 400, "control character"),
])
def test_bad_replies_are_refused_and_nothing_is_stored(client, auth, course, essay, make, db, body, status, message):
    attempt = returned_attempt(client, auth, course, essay, make)
    auth.login(course.student)
    response = client.post(f"/submissions/{attempt.id}/reply", data={"body": body}, headers=HX)
    assert response.status_code == status and message in response.get_data(as_text=True)
    assert db.count(FeedbackReply) == 0 and db.count(Notification, Notification.kind == "feedback_reply") == 0


def test_only_the_student_replies(client, auth, as_role, course, essay, make, db):
    attempt = returned_attempt(client, auth, course, essay, make)
    auth.login(course.other_student)
    assert client.post(f"/submissions/{attempt.id}/reply", data={"body": "Not mine"}).status_code == 404
    auth.logout()
    parent = make.parent_of(course.student)
    auth.login(parent)
    assert client.post(f"/submissions/{attempt.id}/reply", data={"body": "From mum"}).status_code == 403
    assert 'name="body"' not in client.get(f"/submissions/{attempt.id}").get_data(as_text=True)
    auth.logout()
    auth.login(course.teacher)
    assert client.post(f"/submissions/{attempt.id}/reply", data={"body": "Teacher"}).status_code == 403
    assert db.count(FeedbackReply) == 0


def test_the_reply_is_exported_and_erased_with_the_student(app, client, auth, as_role, course, essay, make, db):
    attempt = returned_attempt(client, auth, course, essay, make)
    auth.login(course.student)
    client.post(f"/submissions/{attempt.id}/reply", data={"body": "My own words"})
    auth.logout()
    with app.app_context():
        document, _files = export.build(_db.session.get(User, course.student.id))
        _db.session.remove()
    assert [row["body"] for row in document["records"]["feedback_reply"]] == ["My own words"]
    with app.app_context():
        _db.session.get(StudentProfile, course.student.id).status = "LEFT"
        _db.session.commit()
        _db.session.remove()
    as_role("ADMIN")
    response = client.post(f"/students/{course.student.id}/erase", data={"confirmation": course.student.full_name})
    assert response.status_code == 303
    assert db.count(FeedbackReply) == 0
    assert db.get(Submission, attempt.id).final_score == 2  # the score stays


@pytest.mark.committed
@pytest.mark.skipif(not TEST_DATABASE_URL,
                    reason="concurrency needs PostgreSQL (LMS_TEST_DATABASE_URL); SQLite serialises writers")
def test_two_replies_at_the_same_moment_make_one(app, client, auth, course, essay, make, db):
    attempt = returned_attempt(client, auth, course, essay, make)
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def send(text):
        try:
            with app.test_request_context():
                try:
                    student = _db.session.get(User, course.student.id)
                    submission = _db.session.get(Submission, attempt.id)
                    barrier.wait(timeout=10)
                    try:
                        replies.reply(student, submission, text)
                        _db.session.commit()
                        outcomes.append("sent")
                    except Conflict:
                        _db.session.rollback()
                        outcomes.append("refused")
                finally:
                    _db.session.remove()
        except Exception:  # reported below
            errors.append(traceback.format_exc())

    threads = [threading.Thread(target=send, args=(f"Tab {n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [], "\n".join(errors)
    assert sorted(outcomes) == ["refused", "sent"]
    assert db.count(FeedbackReply) == 1
    assert db.count(Notification, Notification.kind == "feedback_reply") == 1
