"""Taking an assessment: starting (dates, late policy, attempts), the questions a student gets
(shuffles, random N), autosave, the deadline, submitting once, results visibility, file answers."""

import io
import random
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from lms.assessments.models import Answer, Assessment, Submission, SubmissionEvent
from lms.common.types import utcnow
from lms.resources.models import Resource
from tests.assessment_fixtures import HX, build_course
from tests.factories import ONE_OF_EACH, RIGHT_ANSWERS, png_bytes


@pytest.fixture
def course(make):
    return build_course(make)


@pytest.fixture
def quiz(course, make):
    return make.assessment(course.teacher, title="Tens quiz", questions=ONE_OF_EACH,
                           section_id=course.ids["Counting"], publish=True)


def start(client, assessment):
    response = client.post(f"/assessments/{assessment.id}/start")
    assert response.status_code == 303, response.get_data(as_text=True)
    return response


def open_attempt(db, student):
    return db.scalar(select(Submission).where(Submission.student_id == student.id,
                                              Submission.status == "IN_PROGRESS"))


def save(client, attempt, index, values, **kwargs):
    version_id = attempt.question_order[index]
    return client.post(f"/submissions/{attempt.id}/answers/{version_id}", data={"answer": values, **kwargs},
                       headers=HX)


def set_times(app, model, ident, **values):
    from lms.extensions import db as _db

    with app.app_context():
        _db.session.execute(update(model).where(model.id == ident).values(**values))
        _db.session.commit()
        _db.session.remove()


# --- starting ----------------------------------------------------------------------------------------------


def test_start_page_then_one_attempt_however_often_start_is_pressed(client, auth, course, quiz, db):
    auth.login(course.student)
    page = client.get(f"/assessments/{quiz.id}/take").get_data(as_text=True)
    assert "Start" in page and "0 of 1 used" in page
    start(client, quiz)
    start(client, quiz)
    assert db.count(Submission) == 1
    attempt = open_attempt(db, course.student)
    assert attempt.attempt_number == 1 and len(attempt.question_order) == 7 and attempt.max_score == 11
    assert attempt.deadline_at is None
    assert db.count(SubmissionEvent, SubmissionEvent.kind == "STARTED") == 1
    body = client.get(f"/assessments/{quiz.id}/take").get_data(as_text=True)
    assert "Question 1 of 7" in body and "Question 7 of 7" in body and 'hx-trigger="change, input changed' in body


def test_only_students_take_and_only_visible_assessments(client, auth, course, quiz, as_role):
    auth.login(course.other_student)
    assert client.get(f"/assessments/{quiz.id}/take").status_code == 404
    assert client.post(f"/assessments/{quiz.id}/start").status_code == 404
    auth.logout()
    auth.login(course.teacher)
    assert client.get(f"/assessments/{quiz.id}/take").status_code == 403


@pytest.mark.parametrize("settings, message", [
    ({"opens_at": utcnow() + timedelta(days=1)}, "This assessment opens on"),
    ({"due_at": utcnow() - timedelta(hours=1), "late_policy": "REFUSE"}, "late work is not accepted"),
])
def test_start_is_refused_outside_the_dates(client, auth, course, make, db, settings, message):
    quiz = make.assessment(course.teacher, section_id=course.ids["Counting"], publish=True, **settings)
    auth.login(course.student)
    assert message in client.get(f"/assessments/{quiz.id}").get_data(as_text=True)
    response = client.post(f"/assessments/{quiz.id}/start")
    assert response.status_code == 303
    assert message in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.count(Submission) == 0


def test_attempts_allowed_and_unlimited(client, auth, course, make, db):
    twice = make.assessment(course.teacher, section_id=course.ids["Counting"], publish=True, attempts_allowed=2)
    make.attempt(course.student, twice, {0: ["0"]})
    make.attempt(course.student, twice, {0: ["1"]})
    auth.login(course.student)
    client.post(f"/assessments/{twice.id}/start")
    assert db.count(Submission) == 2
    assert "You have used all your attempts (2)." in client.get(f"/assessments/{twice.id}").get_data(as_text=True)
    unlimited = make.assessment(course.teacher, section_id=course.ids["Counting"], publish=True,
                                attempts_allowed=None)
    for _ in range(3):
        make.attempt(course.student, unlimited, {0: ["1"]})
    assert [s.attempt_number for s in db.scalars(select(Submission).where(
        Submission.assessment_id == unlimited.id).order_by(Submission.attempt_number))] == [1, 2, 3]


def test_late_work_accepted_is_marked_and_deducted_with_a_floor(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, questions=ONE_OF_EACH[:1] + ONE_OF_EACH[2:3],
                           section_id=course.ids["Counting"], publish=True, due_at=utcnow() - timedelta(hours=1),
                           late_policy="ACCEPT", late_deduction_percent=50, late_floor_percent=40)
    attempt = make.attempt(course.student, quiz, {0: ["1"], 1: ["true"]})
    saved = db.get(Submission, attempt.id)
    assert saved.late and saved.final_score == 1.0 and saved.auto_score == 2.0
    auth.login(course.student)
    assert "Late" in client.get(f"/submissions/{attempt.id}").get_data(as_text=True)


def test_time_limit_sets_a_deadline_that_survives_reloads(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, section_id=course.ids["Counting"], publish=True, time_limit_minutes=10,
                           due_at=utcnow() + timedelta(minutes=5))
    auth.login(course.student)
    start(client, quiz)
    attempt = open_attempt(db, course.student)
    # The due date comes first (late work is refused), so it is the deadline.
    assert abs((attempt.deadline_at - (utcnow() + timedelta(minutes=5))).total_seconds()) < 5
    for _ in range(2):
        page = client.get(f"/assessments/{quiz.id}/take").get_data(as_text=True)
        assert f'data-deadline="{attempt.deadline_at.isoformat()}"' in page


# --- which questions, in which order --------------------------------------------------------------------------


def test_shuffles_are_fixed_at_start_and_scoring_uses_the_real_options(app, course, make, db):
    from lms.assessments import taking
    from lms.auth.models import User
    from lms.extensions import db as _db

    quiz = make.assessment(course.teacher, questions=ONE_OF_EACH[:5], section_id=course.ids["Counting"],
                           publish=True, shuffle_questions=True, shuffle_options=True)
    with app.app_context():
        student = _db.session.get(User, course.student.id)
        attempt = taking.start_attempt(student, _db.session.get(Assessment, quiz.id), rng=random.Random(7))
        versions = taking.versions_of(attempt)
        assert sorted(v.text for v in versions) == sorted(spec["text"] for spec in ONE_OF_EACH[:5])
        assert [v.id for v in versions] == attempt.question_order
        choice = next(v for v in versions if v.type == "SINGLE_CHOICE")
        order = taking.option_order(attempt, choice)
        assert sorted(order) == [0, 1, 2]
        taking.save_answer(student, attempt, choice.id, {"answer": ["1"]})  # "4", wherever it was shown
        taking.submit(student, attempt)
        _db.session.commit()
        assert _db.session.get(Submission, attempt.id).auto_score == 1
        _db.session.remove()


def test_random_questions_from_a_tag(app, course, make):
    from lms.assessments import taking
    from lms.auth.models import User
    from lms.extensions import db as _db

    specs = [{**ONE_OF_EACH[0], "text": f"Tagged {n}", "tags": ["tens"]} for n in range(5)]
    specs += [{**ONE_OF_EACH[2], "text": "Untagged"}]
    quiz = make.assessment(course.teacher, questions=specs, section_id=course.ids["Counting"], publish=True,
                           random_count=3, random_tag="tens")
    with app.app_context():
        student = _db.session.get(User, course.student.id)
        attempt = taking.start_attempt(student, _db.session.get(Assessment, quiz.id), rng=random.Random(1))
        texts = [v.text for v in taking.versions_of(attempt)]
        assert len(texts) == 3 and all(t.startswith("Tagged") for t in texts)
        assert texts == sorted(texts)  # kept in the assessment's order (no shuffle asked)
        assert attempt.max_score == 3
        _db.session.remove()


# --- autosave --------------------------------------------------------------------------------------------


def test_answers_are_saved_as_they_change_and_kept_on_reload(client, auth, course, quiz, db):
    auth.login(course.student)
    start(client, quiz)
    attempt = open_attempt(db, course.student)
    response = save(client, attempt, 3, ["Bang"])
    assert response.status_code == 200 and "Saved" in response.get_data(as_text=True)
    assert save(client, attempt, 3, ["Bangkok"]).status_code == 200
    assert save(client, attempt, 0, ["2"]).status_code == 200
    assert save(client, attempt, 1, ["0", "2"]).status_code == 200
    assert save(client, attempt, 2, ["false"]).status_code == 200
    answers = db.scalars(select(Answer).where(Answer.submission_id == attempt.id))
    assert len(answers) == 4
    assert {a.question_version_id: a.response for a in answers}[attempt.question_order[3]] == {"text": "Bangkok"}
    page = client.get(f"/assessments/{quiz.id}/take").get_data(as_text=True)  # a reload
    assert 'value="Bangkok"' in page and "4 of 7 answered" in page
    assert 'value="2" checked' in page and 'value="false" checked' in page


def test_a_save_is_a_few_small_statements(client, auth, course, quiz, db, count_queries):
    auth.login(course.student)
    start(client, quiz)
    attempt = open_attempt(db, course.student)
    save(client, attempt, 5, ["first"])
    with count_queries() as counter:
        assert save(client, attempt, 5, ["second"]).status_code == 200
    writes = [s for s in counter.statements if s.lstrip().upper().startswith(("UPDATE", "INSERT"))]
    assert len(writes) <= 3, writes  # the answer (+ the login session's activity)
    assert counter.count <= 10


def test_bad_answers_are_refused_with_a_message(client, auth, course, quiz, db):
    auth.login(course.student)
    start(client, quiz)
    attempt = open_attempt(db, course.student)
    response = save(client, attempt, 0, ["7"])
    assert response.status_code == 422 and "not one of the question" in response.get_data(as_text=True)
    assert client.post(f"/submissions/{attempt.id}/answers/999999", data={"answer": "x"}, headers=HX).status_code \
        == 404
    assert db.count(Answer) == 0


def test_a_number_question_refuses_what_is_not_a_number(client, auth, course, quiz, db):
    auth.login(course.student)
    start(client, quiz)
    attempt = open_attempt(db, course.student)
    page = client.get(f"/assessments/{quiz.id}/take").get_data(as_text=True)
    assert 'inputmode="decimal"' in page and 'data-number-message="Enter a number, e.g. 12 or 3.5."' in page
    assert save(client, attempt, 4, ["3,14"]).status_code == 200
    for typed in ("six", "1/2", "nan", "inf", "3.14 cm"):
        response = save(client, attempt, 4, [typed])
        assert response.status_code == 422, typed
        assert "Enter a number, e.g. 12 or 3.5." in response.get_data(as_text=True), typed
    [answer] = db.scalars(select(Answer).where(Answer.submission_id == attempt.id))
    assert answer.response == {"text": "3,14"} and answer.revision == 1
    url = f"/submissions/{attempt.id}/answers/{attempt.question_order[4]}"
    for body in ({"answer": "six"}, {"answer": ["1/2"]}, {"answer": "nan", "revision": 1}):
        response = client.post(url, json=body, headers=HX)  # an autosave sent as JSON: the same checks
        assert response.status_code == 422 and "Enter a number" in response.get_data(as_text=True), body
    assert client.post(url, json={"answer": 3.5, "revision": 1}, headers=HX).status_code == 200
    [answer] = db.scalars(select(Answer).where(Answer.submission_id == attempt.id))
    assert answer.response == {"text": "3.5"} and answer.revision == 2
    assert save(client, attempt, 4, [""]).status_code == 200  # clearing the answer is allowed


def test_students_cannot_touch_another_students_attempt(client, auth, course, quiz, make, db):
    attempt = make.attempt(course.student, quiz, {0: ["1"]}, submit=False)
    other = make.student("P1/1")
    auth.login(other)
    assert save(client, attempt, 0, ["0"]).status_code == 404
    assert client.post(f"/submissions/{attempt.id}/submit").status_code == 404
    assert client.get(f"/submissions/{attempt.id}").status_code == 404
    assert db.get(Submission, attempt.id).status == "IN_PROGRESS"


# --- the deadline ----------------------------------------------------------------------------------------


def test_answers_after_the_deadline_are_refused_and_the_attempt_is_submitted(client, auth, app, course, make, db):
    quiz = make.assessment(course.teacher, questions=ONE_OF_EACH[:2], section_id=course.ids["Counting"],
                           publish=True, time_limit_minutes=5)
    auth.login(course.student)
    start(client, quiz)
    attempt = open_attempt(db, course.student)
    save(client, attempt, 0, ["1"])
    set_times(app, Submission, attempt.id, deadline_at=utcnow() - timedelta(minutes=1))
    late = save(client, attempt, 1, ["0", "2"])
    assert late.status_code == 409 and "Time is up" in late.get_data(as_text=True)
    assert late.headers["HX-Trigger"] == "lms:attempt-closed"
    saved = db.get(Submission, attempt.id)
    assert saved.status == "GRADED"  # every question is objective
    assert saved.auto_submitted and saved.final_score == 1
    assert db.count(Answer, Answer.submission_id == attempt.id) == 1


def test_an_overdue_attempt_is_submitted_on_the_next_page_and_by_the_job(client, auth, app, course, make, db):
    from lms.assessments.jobs import submit_overdue_attempts

    quiz = make.assessment(course.teacher, section_id=course.ids["Counting"], publish=True, time_limit_minutes=5,
                           attempts_allowed=None)
    first = make.attempt(course.student, quiz, {0: ["1"]}, submit=False)
    set_times(app, Submission, first.id, deadline_at=utcnow() - timedelta(minutes=2))
    auth.login(course.student)
    response = client.get(f"/assessments/{quiz.id}/take")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/submissions/{first.id}")
    assert db.get(Submission, first.id).status == "GRADED"
    second = make.attempt(course.student, quiz, {0: ["0"]}, submit=False)
    set_times(app, Submission, second.id, deadline_at=utcnow() - timedelta(minutes=2))
    with app.app_context():
        assert submit_overdue_attempts() == 1
        assert submit_overdue_attempts() == 0  # idempotent
    saved = db.get(Submission, second.id)
    assert saved.status == "GRADED" and saved.auto_submitted and saved.submitted_at < utcnow() - timedelta(minutes=1)
    assert db.count(SubmissionEvent, SubmissionEvent.kind == "AUTO_SUBMITTED") == 2


# --- submitting ------------------------------------------------------------------------------------------------


def test_submit_scores_objective_questions_at_once(client, auth, course, quiz, db):
    auth.login(course.student)
    start(client, quiz)
    attempt = open_attempt(db, course.student)
    for index, values in RIGHT_ANSWERS.items():
        save(client, attempt, index, values)
    response = client.post(f"/submissions/{attempt.id}/submit", headers=HX)
    assert response.status_code == 204 and response.headers["HX-Redirect"] == f"/submissions/{attempt.id}"
    saved = db.get(Submission, attempt.id)
    assert saved.status == "SUBMITTED"  # the long answer and the file wait for the teacher
    assert saved.auto_score == 6 and saved.final_score == 6 and saved.max_score == 11
    page = client.get(f"/submissions/{attempt.id}").get_data(as_text=True)
    assert "Your answers were submitted." in page and "Score: 6/11" in page and "waiting for grading" in page


def test_an_all_objective_attempt_is_graded_when_submitted(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, questions=ONE_OF_EACH[:3], section_id=course.ids["Counting"],
                           publish=True)
    attempt = make.attempt(course.student, quiz, {0: ["1"], 1: ["0"], 2: ["false"]})
    saved = db.get(Submission, attempt.id)
    assert saved.status == "GRADED" and saved.final_score == 2 and saved.graded_by_id is None


def test_a_second_submit_changes_nothing_and_says_so(client, auth, course, quiz, db):
    auth.login(course.student)
    start(client, quiz)
    attempt = open_attempt(db, course.student)
    client.post(f"/submissions/{attempt.id}/submit")
    submitted_at = db.get(Submission, attempt.id).submitted_at
    second = client.post(f"/submissions/{attempt.id}/submit")
    assert second.status_code == 303
    assert "This attempt was already submitted." in client.get(second.headers["Location"]).get_data(as_text=True)
    assert db.get(Submission, attempt.id).submitted_at == submitted_at
    assert db.count(SubmissionEvent, SubmissionEvent.kind == "SUBMITTED") == 1
    assert save(client, attempt, 0, ["1"]).status_code == 409


# --- results visibility ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("settings, shows_score", [
    ({"results_visibility": "AFTER_SUBMIT"}, True),
    ({"results_visibility": "AFTER_DUE", "due_at": utcnow() + timedelta(days=1), "late_policy": "ACCEPT"}, False),
    ({"results_visibility": "AFTER_DUE", "due_at": utcnow() - timedelta(days=1), "late_policy": "ACCEPT"}, True),
    ({"results_visibility": "NEVER"}, False),
])
def test_results_visibility_is_honoured(client, auth, course, make, settings, shows_score):
    quiz = make.assessment(course.teacher, questions=ONE_OF_EACH[:1], section_id=course.ids["Counting"],
                           publish=True, **settings)
    attempt = make.attempt(course.student, quiz, {0: ["1"]})
    auth.login(course.student)
    result = client.get(f"/submissions/{attempt.id}").get_data(as_text=True)
    assert ("Score: 1/1" in result) is shows_score
    assert ("Correct answer:" in result) is shows_score
    progress = client.get(f"/students/{course.student.id}/progress").get_data(as_text=True)
    assert ("1/1 (100%)" in progress) is shows_score
    auth.logout()
    auth.login(course.teacher)
    assert "Score: 1/1" in client.get(f"/submissions/{attempt.id}").get_data(as_text=True)


# --- one question per screen --------------------------------------------------------------------------------------


def test_one_question_per_screen_with_a_question_list(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, questions=ONE_OF_EACH[:3], section_id=course.ids["Counting"],
                           publish=True, display_mode="ONE_PER_SCREEN")
    auth.login(course.student)
    start(client, quiz)
    page = client.get(f"/assessments/{quiz.id}/take?q=2").get_data(as_text=True)
    assert "Question 2 of 3" in page and "Question 1 of 3" not in page
    assert f"/assessments/{quiz.id}/take?q=1" in page and f"/assessments/{quiz.id}/take?q=3" in page
    assert 'aria-current="step"' in page


# --- file answers --------------------------------------------------------------------------------------------------


def test_a_file_answer_is_the_students_resource_seen_by_their_teacher_only(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, questions=[ONE_OF_EACH[6]], section_id=course.ids["Counting"],
                           publish=True)
    auth.login(course.student)
    start(client, quiz)
    attempt = open_attempt(db, course.student)
    url = f"/submissions/{attempt.id}/answers/{attempt.question_order[0]}"
    bad = client.post(url, data={"answer-file": (io.BytesIO(b"MZ\x90\x00binary"), "virus.exe")}, headers=HX,
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and db.count(Resource) == 0
    good = client.post(url, data={"answer-file": (io.BytesIO(png_bytes()), "my work.png")}, headers=HX,
                       content_type="multipart/form-data")
    assert good.status_code == 200 and "Saved: my work.png" in good.get_data(as_text=True)
    resource = db.scalar(select(Resource))
    assert resource.owner_id == course.student.id
    assert db.scalar(select(Answer.file_resource_id)) == resource.id
    assert client.get(f"/resources/{resource.id}/download").status_code == 200
    client.post(f"/submissions/{attempt.id}/submit")
    for user, status in ((course.teacher, 200), (course.other_student, 404), (course.other_teacher, 404)):
        auth.logout()
        auth.login(user)
        assert client.get(f"/resources/{resource.id}/download").status_code == status, user.email


def test_a_file_answer_may_be_larger_than_other_requests(client, auth, course, make, db, app, monkeypatch):
    quiz = make.assessment(course.teacher, questions=[ONE_OF_EACH[6]], section_id=course.ids["Counting"],
                           publish=True)
    auth.login(course.student)
    start(client, quiz)
    attempt = open_attempt(db, course.student)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    big = b"%PDF-1.4\n" + b"x" * 5000 + b"\n%%EOF\n"
    response = client.post(f"/submissions/{attempt.id}/answers/{attempt.question_order[0]}", headers=HX,
                           data={"answer-file": (io.BytesIO(big), "work.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 200 and "Saved: work.pdf" in response.get_data(as_text=True)
    assert client.post("/me/profile", data={"full_name": "x" * 5000}).status_code == 413
