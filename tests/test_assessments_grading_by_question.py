"""Grading at speed: one question across all students (anonymous, only ungraded, save and next,
fragments that keep the place) and returning several graded submissions at once."""

import re

import pytest
from sqlalchemy import select

from lms.assessments.models import Answer, Question, Submission
from lms.audit.models import AuditLog
from lms.communication.models import Notification
from tests.assessment_fixtures import HX, build_course
from tests.factories import ONE_OF_EACH

QUESTIONS = [ONE_OF_EACH[0], ONE_OF_EACH[5]]  # question 2 is a long answer (3 points), graded by hand


@pytest.fixture
def course(make):
    return build_course(make)


@pytest.fixture
def essay(course, make):
    return make.assessment(course.teacher, title="Essay quiz", questions=QUESTIONS,
                           section_id=course.ids["Counting"], publish=True, attempts_allowed=None)


@pytest.fixture
def attempts(course, essay, make):
    """Three submitted attempts, by students named so that the order is Anna, Boon, Chai."""
    students = [make.student("P1/1", full_name=name) for name in ("Chai Dee", "Anna Ruk", "Boon Mee")]
    return {s.full_name: make.attempt(s, essay, {0: ["1"], 1: [f"{s.full_name} counted in tens."]})
            for s in students}


def question_url(db, essay, number=2):
    question = db.scalars(select(Question).where(Question.assessment_id == essay.id, Question.position == number - 1))
    return f"/assessments/{essay.id}/questions/{question[0].id}/grading"


def answer_points(db, attempt):
    version_id = attempt.question_order[1]
    return db.scalars(select(Answer.manual_points).where(Answer.submission_id == attempt.id,
                                                         Answer.question_version_id == version_id))[0]


def following_id(body):
    found = re.search(r'name="following" value="(\d+)"', body)
    return int(found.group(1)) if found else None


def test_grade_question_two_for_three_students_in_order(client, auth, course, essay, attempts, db):
    auth.login(course.teacher)
    url = question_url(db, essay)
    page = client.get(url).get_data(as_text=True)
    assert "Anna Ruk counted in tens." in page and "1 of 3" in page and "Save and next" in page
    anna, boon, chai = attempts["Anna Ruk"], attempts["Boon Mee"], attempts["Chai Dee"]
    assert following_id(page) == boon.id
    seen = []
    current = anna
    for points, expected_next in (("2", boon), ("3", chai), ("1.5", None)):
        response = client.post(f"{url}/{current.id}", data={"points": points, "feedback": "ok",
                                                             **({"following": expected_next.id} if expected_next else {})},
                                headers=HX)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert 'id="question-grading"' in body and "<html" not in body  # a fragment
        seen.append(current.id)
        if expected_next:
            assert f"submission={expected_next.id}" in response.headers["HX-Push-Url"]
            assert f"{expected_next.student.full_name} counted in tens." in body
            current = expected_next
    assert seen == [anna.id, boon.id, chai.id]
    assert [answer_points(db, a) for a in (anna, boon, chai)] == [2, 3, 1.5]
    scores = [db.get(Submission, a.id) for a in (anna, boon, chai)]
    assert [(s.status, s.final_score) for s in scores] == [("GRADED", 3), ("GRADED", 4), ("GRADED", 2.5)]
    assert db.count(AuditLog, AuditLog.action == "submission.grade") == 3
    # graded answers show their points and can be changed; the order stays the same
    again = client.get(f"{url}?submission={boon.id}", headers=HX).get_data(as_text=True)
    assert 'value="3"' in again and "2 of 3" in again and following_id(again) == chai.id
    assert f'href="{url}?submission={anna.id}"' in again
    client.post(f"{url}/{boon.id}", data={"points": "2.5"}, headers=HX)
    assert answer_points(db, boon) == 2.5 and db.get(Submission, boon.id).final_score == 3.5
    # only ungraded: nothing left
    assert "No answers to grade here." in client.get(f"{url}?ungraded=1", headers=HX).get_data(as_text=True)


def test_only_ungraded_and_anonymous(client, auth, course, essay, attempts, db):
    auth.login(course.teacher)
    url = question_url(db, essay)
    client.post(f"{url}/{attempts['Anna Ruk'].id}", data={"points": "1"}, headers=HX)
    body = client.get(f"{url}?ungraded=1&anonymous=1", headers=HX).get_data(as_text=True)
    assert "1 of 2" in body and "Student 2" in body
    for name in ("Anna Ruk", "Boon Mee", "Chai Dee"):
        assert name not in body.replace(f"{name} counted", "")  # the answer text itself is the student's
    assert 'name="anonymous" value="1"' in body and 'name="ungraded" value="1"' in body
    response = client.post(f"{url}/{attempts['Boon Mee'].id}", headers=HX,
                           data={"points": "3", "anonymous": "1", "ungraded": "1",
                                 "following": attempts["Chai Dee"].id})
    assert "anonymous=1" in response.headers["HX-Push-Url"] and "ungraded=1" in response.headers["HX-Push-Url"]
    assert "Student 3" in response.get_data(as_text=True)


@pytest.mark.parametrize("points", ["4", "-1", "lots", ""])
def test_invalid_points_answer_422_and_store_nothing(client, auth, course, essay, attempts, db, points):
    auth.login(course.teacher)
    url = question_url(db, essay)
    anna = attempts["Anna Ruk"]
    response = client.post(f"{url}/{anna.id}", data={"points": points, "feedback": "kept?"}, headers=HX)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "uestion" in body.split('role="alert"')[1].split("</p>")[0] and 'aria-invalid="true"' in body and "kept?" in body
    assert answer_points(db, anna) is None and db.get(Submission, anna.id).status == "SUBMITTED"
    assert db.count(AuditLog, AuditLog.action == "submission.grade") == 0


def test_another_teacher_gets_404(client, auth, course, essay, attempts, db):
    auth.login(course.other_teacher)
    url = question_url(db, essay)
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/{attempts['Anna Ruk'].id}", data={"points": "1"}).status_code == 404
    assert answer_points(db, attempts["Anna Ruk"]) is None
    auth.logout()
    auth.login(course.student)
    assert client.get(url).status_code in (403, 404)


def test_the_queue_links_the_questions_of_the_chosen_assessment(client, auth, course, essay, attempts, db):
    auth.login(course.teacher)
    body = client.get(f"/submissions?assessment={essay.id}", headers=HX).get_data(as_text=True)
    assert question_url(db, essay) in body and question_url(db, essay, 1) in body


# --- returning several at once ----------------------------------------------------------------------------


def grade_all(client, db, essay, attempts):
    url = question_url(db, essay)
    for attempt in attempts:
        assert client.post(f"{url}/{attempt.id}", data={"points": "2"}, headers=HX).status_code == 200


def test_bulk_return_of_three(client, auth, course, essay, attempts, db):
    auth.login(course.teacher)
    chosen = list(attempts.values())
    grade_all(client, db, essay, chosen)
    queue = client.get(f"/submissions?assessment={essay.id}", headers=HX).get_data(as_text=True)
    assert all(f'name="submission" value="{a.id}"' in queue for a in chosen) and "Return to students" in queue
    response = client.post("/submissions/return", headers=HX,
                           data={"submission": [a.id for a in chosen], "assessment": essay.id})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Returned 3 submissions to their students." in body and 'id="queue"' in body
    assert all(db.get(Submission, a.id).status == "RETURNED" for a in chosen)
    assert db.count(AuditLog, AuditLog.action == "submission.return") == 3
    returned = db.scalars(select(Notification.user_id).where(Notification.kind == "work_returned"))
    assert sorted(returned) == sorted(a.student_id for a in chosen)


def test_bulk_return_with_one_not_graded_returns_nothing(client, auth, course, essay, attempts, db):
    auth.login(course.teacher)
    chosen = list(attempts.values())
    grade_all(client, db, essay, [attempts["Anna Ruk"], attempts["Boon Mee"]])
    response = client.post("/submissions/return", headers=HX, data={"submission": [a.id for a in chosen]})
    body = response.get_data(as_text=True)
    assert "Nothing was returned" in body and "Chai Dee (Essay quiz)" in body and "Anna Ruk (" not in body
    assert [db.get(Submission, a.id).status for a in chosen] == ["SUBMITTED", "GRADED", "GRADED"]
    assert db.count(AuditLog, AuditLog.action == "submission.return") == 0
    assert db.count(Notification, Notification.kind == "work_returned") == 0


def test_bulk_return_refuses_another_teachers_work(client, auth, course, essay, attempts, db):
    auth.login(course.teacher)
    grade_all(client, db, essay, list(attempts.values()))
    auth.logout()
    auth.login(course.other_teacher)
    body = client.post("/submissions/return", headers=HX,
                       data={"submission": [a.id for a in attempts.values()]}).get_data(as_text=True)
    assert "not available to you" in body
    assert all(db.get(Submission, a.id).status == "GRADED" for a in attempts.values())


def test_an_attempt_with_another_question_to_grade_by_hand_stays_submitted(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, title="Two essays", questions=[ONE_OF_EACH[5], ONE_OF_EACH[5]],
                           section_id=course.ids["Counting"], publish=True)
    attempt = make.attempt(course.student, quiz, {0: ["One"], 1: ["Two"]})
    auth.login(course.teacher)
    client.post(f"{question_url(db, quiz, 1)}/{attempt.id}", data={"points": "2"}, headers=HX)
    saved = db.get(Submission, attempt.id)
    assert saved.status == "SUBMITTED" and saved.final_score == 2
    assert db.count(Notification) == 0 and db.count(AuditLog, AuditLog.action == "submission.grade_answer") == 1
    client.post(f"{question_url(db, quiz, 2)}/{attempt.id}", data={"points": "3"}, headers=HX)
    saved = db.get(Submission, attempt.id)
    assert saved.status == "GRADED" and saved.final_score == 5
    assert [n.kind for n in db.scalars(select(Notification))] == ["work_graded"]


def test_bulk_return_with_a_bad_id_returns_nothing(client, auth, course, essay, attempts, db):
    auth.login(course.teacher)
    grade_all(client, db, essay, list(attempts.values()))
    response = client.post("/submissions/return", headers=HX,
                           data={"submission": [attempts["Anna Ruk"].id, "abc"]})
    assert response.status_code == 200 and "not available to you" in response.get_data(as_text=True)
    assert db.get(Submission, attempts["Anna Ruk"].id).status == "GRADED"
