"""Double submits and double starts at the same moment (two threads, two app contexts) make one
submission / one attempt.

Runs on PostgreSQL (the conditional UPDATE and the unique index decide, each transaction on its
own connection).  SQLite serialises writers with a database lock and its driver cannot run
these truly parallel transactions reliably, so there the tests are skipped with the reason shown.
"""

import threading
import traceback

import pytest
from sqlalchemy import select

from lms.assessments import taking
from lms.assessments.models import Answer, Assessment, Submission, SubmissionEvent
from lms.auth.models import User
from lms.extensions import db as _db
from tests.assessment_fixtures import build_course
from tests.conftest import TEST_DATABASE_URL
from tests.factories import ONE_OF_EACH, RIGHT_ANSWERS

pytestmark = [
    pytest.mark.skipif(not TEST_DATABASE_URL,
                       reason="concurrency needs PostgreSQL (LMS_TEST_DATABASE_URL); SQLite serialises writers"),
    pytest.mark.committed,  # each thread has its own connection
]


@pytest.fixture
def course(make):
    return build_course(make)


def _in_parallel(app, work, count=2):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                try:
                    barrier.wait(timeout=10)
                    results.append(work())
                    _db.session.commit()
                finally:
                    _db.session.remove()
        except Exception:  # reported below
            errors.append(traceback.format_exc())

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [], "\n".join(errors)
    return results


def test_two_parallel_submits_make_one_submission(app, course, make, db):
    quiz = make.assessment(course.teacher, questions=ONE_OF_EACH, section_id=course.ids["Counting"], publish=True)
    for _round in range(3):
        attempt = make.attempt(course.student, quiz, RIGHT_ANSWERS, submit=False)

        def submit(attempt_id=attempt.id):
            student = _db.session.get(User, course.student.id)
            return taking.submit(student, _db.session.get(Submission, attempt_id))

        assert sorted(_in_parallel(app, submit, 4)) == [False, False, False, True]
        saved = db.get(Submission, attempt.id)
        assert saved.status == "SUBMITTED" and saved.final_score == 6
        assert db.count(SubmissionEvent, SubmissionEvent.submission_id == attempt.id,
                        SubmissionEvent.kind == "SUBMITTED") == 1
        with app.app_context():  # allow the next round's attempt
            _db.session.get(Assessment, quiz.id).attempts_allowed = None
            _db.session.commit()
            _db.session.remove()


def test_two_parallel_starts_make_one_attempt(app, course, make, db):
    quiz = make.assessment(course.teacher, questions=ONE_OF_EACH[:3], section_id=course.ids["Counting"],
                           publish=True)

    def start():
        student = _db.session.get(User, course.student.id)
        return taking.start_attempt(student, _db.session.get(Assessment, quiz.id)).id

    ids = _in_parallel(app, start, 3)
    assert len(set(ids)) == 1
    assert db.count(Submission) == 1


def test_a_first_answer_sent_twice_at_once_is_one_row(app, course, make, db):
    quiz = make.assessment(course.teacher, questions=ONE_OF_EACH[:1], section_id=course.ids["Counting"],
                           publish=True)
    attempt = make.attempt(course.student, quiz, {}, submit=False)

    def save():
        student = _db.session.get(User, course.student.id)
        submission = _db.session.get(Submission, attempt.id)
        return taking.save_answer(student, submission, attempt.question_order[0], {"answer": ["1"]})

    _in_parallel(app, save, 2)
    assert db.count(Answer) == 1
    assert db.scalar(select(Answer.response)) == {"choice": 1}


def test_two_tabs_saving_different_answers_on_the_same_revision_at_once_store_one(app, course, make, db):
    """Both tabs showed revision 1; they save at the same moment: one is stored (revision 2), the
    other is refused as stale, whichever comes second."""
    quiz = make.assessment(course.teacher, questions=[ONE_OF_EACH[5]], section_id=course.ids["Counting"],
                           publish=True)
    attempt = make.attempt(course.student, quiz, {0: ["first"]}, submit=False)
    texts = iter(["from tab A", "from tab B"])
    lock = threading.Lock()

    def save():
        with lock:
            text = next(texts)
        student = _db.session.get(User, course.student.id)
        submission = _db.session.get(Submission, attempt.id)
        try:
            taking.save_answer(student, submission, attempt.question_order[0], {"answer": [text]}, base_revision=1)
        except taking.StaleAnswer as err:
            _db.session.rollback()
            return ("refused", text, err.answer.response["text"])
        return ("saved", text, None)

    results = _in_parallel(app, save, 2)
    saved = [r for r in results if r[0] == "saved"]
    refused = [r for r in results if r[0] == "refused"]
    assert len(saved) == 1 and len(refused) == 1
    assert refused[0][2] == saved[0][1]  # the refused tab is shown the answer that was stored
    answer = db.scalar(select(Answer))
    assert answer.response == {"text": saved[0][1]} and answer.revision == 2


def test_two_tabs_saving_a_question_opened_on_the_same_version_at_once_store_one(app, course, make, db):
    """Two editors of one question opened on the same version save different texts at the same
    moment: one is stored, the other is refused (QuestionChanged), whichever comes second."""
    from lms.assessments import authoring
    from lms.assessments.models import Question
    from lms.assessments.questions import QuestionInput

    quiz = make.assessment(course.teacher, questions=ONE_OF_EACH[:1])
    question_id = db.scalar(select(Question.id).where(Question.assessment_id == quiz.id))
    with app.app_context():
        opened = authoring.edit_version(_db.session.get(Question, question_id))
        _db.session.remove()
    texts = iter(["From tab one", "From tab two"])
    lock = threading.Lock()

    def save():
        with lock:
            text = next(texts)
        teacher = _db.session.get(User, course.teacher.id)
        try:
            authoring.update_question(teacher, _db.session.get(Assessment, quiz.id),
                                      _db.session.get(Question, question_id),
                                      QuestionInput(type="SINGLE_CHOICE", text=text, options=["3", "4", "5"],
                                                    key={"correct": 1}), base_version=opened)
        except authoring.QuestionChanged:
            _db.session.rollback()
            return None
        return text

    results = _in_parallel(app, save, 2)
    stored = [r for r in results if r]
    assert len(stored) == 1 and results.count(None) == 1
    assert db.scalar(select(Question.text).where(Question.id == question_id)) == stored[0]
