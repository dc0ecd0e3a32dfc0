"""After the year-end rollover a level's subject goes on with next year's class: this year's
gradebook, progress, home pages and digest leave last year's work out, a repeating student's
attempts of last year stay in last year's history, and last year's attempts are read-only
(issue 17, fix 7, the follow-up)."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest

from lms.common.types import utcnow
from tests.assessment_fixtures import HX, build_course
from tests.factories import ONE_OF_EACH


def _roll_over(app, make, to_year="2027", repeaters=frozenset()):
    from lms.auth.models import User
    from lms.extensions import db as sa_db
    from lms.school.rollover import run_rollover

    admin = make.user(role="ADMIN")
    with app.test_request_context():
        run_rollover(sa_db.session.get(User, admin.id), to_year, set(repeaters), ungraded_acknowledged=True)
        sa_db.session.commit()
        sa_db.session.remove()
    return admin


def _happened_days_ago(app):
    """Last year's work two days ago and the rollover yesterday (so this year's work can be overdue)."""
    from lms.assessments.models import Assessment, Submission
    from lms.extensions import db as sa_db
    from lms.school.models import PromotionBatch

    two_days = timedelta(days=2)
    with app.app_context():
        for row in sa_db.session.query(Submission):
            row.started_at -= two_days
            row.submitted_at = row.submitted_at and row.submitted_at - two_days
        for row in sa_db.session.query(Assessment):
            row.published_at = row.published_at and row.published_at - two_days
            row.due_at = row.due_at and row.due_at - two_days
        sa_db.session.query(PromotionBatch).update({PromotionBatch.created_at: utcnow() - timedelta(days=1)})
        sa_db.session.commit()
        sa_db.session.remove()


@pytest.fixture
def year(app, make):
    """2026: in P1/1 the student scores 1/1 on "Counting quiz" (no due date, two attempts allowed),
    the repeater 1/1 too, and "Comparing quiz" is overdue for both; the student also left "Open
    quiz" (no due date, no time limit) unsubmitted. Rollover to 2027: the repeater stays in P1/1,
    where a newcomer joins; the same P1 subject goes on."""
    course = build_course(make)
    make.classroom("P1/1")
    quiz = make.assessment(course.teacher, title="Counting quiz", questions=ONE_OF_EACH[:1],
                           section_id=course.ids["Counting"], publish=True, attempts_allowed=2)
    overdue = make.assessment(course.teacher, title="Comparing quiz", questions=ONE_OF_EACH[:1],
                              section_id=course.ids["Comparing"], publish=True,
                              due_at=utcnow() - timedelta(days=2))
    left_open = make.assessment(course.teacher, title="Open quiz", questions=ONE_OF_EACH[:1],
                                section_id=course.ids["Circles"], publish=True)
    repeater = make.student("P1/1", full_name="Repeating Rita")
    counted = make.attempt(course.student, quiz, {0: ["1"]})
    make.attempt(repeater, quiz, {0: ["1"]})
    unsubmitted = make.attempt(course.student, left_open, {}, submit=False)
    admin = _roll_over(app, make, repeaters={repeater.id})
    _happened_days_ago(app)
    newcomer = make.student("P1/1", full_name="New Nina")
    new_room = make.classroom("P1/1")   # 2027's
    return SimpleNamespace(course=course, quiz=quiz, overdue=overdue, left_open=left_open, repeater=repeater,
                           newcomer=newcomer, new_room=new_room, admin=admin, counted=counted,
                           unsubmitted=unsubmitted)


def _gradebook(client, year):
    return client.get(f"/classrooms/{year.new_room.id}/gradebook/{year.course.subject.id}")


# --- 1. this year's gradebook, progress, home pages and digest ------------------------------------------


def test_this_years_gradebook_leaves_out_last_years_assessments(client, auth, year):
    auth.login(year.course.teacher)
    page = _gradebook(client, year).get_data(as_text=True)
    assert "Comparing quiz" not in page and "Counting quiz" not in page
    assert "No published assessment" in page


def test_last_years_assessment_cannot_be_excused_or_extended_in_this_years_gradebook(client, auth, db, year):
    from lms.assessments.models import AssessmentExcusal, AssessmentExtension

    auth.login(year.course.teacher)
    url = f"/classrooms/{year.new_room.id}/gradebook/{year.course.subject.id}"
    data = {"assessment_id": year.overdue.id, "student_id": year.newcomer.id}
    assert client.post(url + "/excuse", data=data, headers=HX).status_code == 404
    assert client.post(url + "/extension", data={**data, "extra_attempts": "1"}, headers=HX).status_code == 404
    assert db.count(AssessmentExcusal) == 0 and db.count(AssessmentExtension) == 0


def test_a_repeating_student_starts_the_year_afresh(client, auth, make, year):
    """Last year's 1/1 stays last year's; this year's attempt at the same quiz is what counts."""
    make.attempt(year.repeater, year.quiz, {0: ["0"]})   # 0/1 this year
    fresh = make.assessment(year.course.teacher, title="Circles quiz", questions=ONE_OF_EACH[:1],
                            section_id=year.course.ids["Circles"], publish=True,
                            due_at=utcnow() - timedelta(minutes=1))
    auth.login(year.course.teacher)
    page = _gradebook(client, year).get_data(as_text=True)
    assert "Counting quiz" in page and "Circles quiz" in page and "Comparing quiz" not in page
    assert "0/1 (0%)" in page and "1/1 (100%)" not in page
    auth.logout()
    auth.login(year.repeater)
    now = client.get(f"/students/{year.repeater.id}/progress").get_data(as_text=True)
    assert "Counting quiz" in now and "0/1 (0%)" in now and "1/1 (100%)" not in now
    assert "Comparing quiz" not in now and fresh.title in now
    last = client.get(f"/students/{year.repeater.id}/progress?year=2026").get_data(as_text=True)
    assert "Counting quiz" in last and "1/1 (100%)" in last and "Comparing quiz" in last


def test_a_newcomers_progress_home_page_and_digest_have_nothing_missing(client, auth, app, make, year):
    from lms.auth.models import User
    from lms.extensions import db as sa_db
    from lms.home import work

    parent = make.parent_of(year.newcomer)
    auth.login(year.newcomer)
    progress = client.get(f"/students/{year.newcomer.id}/progress").get_data(as_text=True)
    assert year.course.subject.name in progress
    assert "Comparing quiz" not in progress and "Counting quiz" not in progress and "missing" not in progress
    auth.logout()
    auth.login(parent)
    assert "Comparing quiz" not in client.get("/").get_data(as_text=True)
    with app.test_request_context():
        for student in (year.newcomer, year.repeater):
            assert work.due_work(sa_db.session.get(User, student.id), overdue="all") == []
    due_now = make.assessment(year.course.teacher, title="This year's quiz", questions=ONE_OF_EACH[:1],
                              section_id=year.course.ids["Circles"], publish=True,
                              due_at=utcnow() - timedelta(hours=1))
    assert "This year&#39;s quiz" in client.get("/").get_data(as_text=True)   # this year's missing work stays
    with app.test_request_context():
        items = work.due_work(sa_db.session.get(User, year.newcomer.id), overdue="all")
        assert [i.assessment.id for i in items] == [due_now.id]


def test_this_years_gradebook_and_progress_keep_a_fixed_number_of_queries(client, auth, make, year, count_queries):
    make.attempt(year.repeater, year.quiz, {0: ["0"]})
    auth.login(year.course.teacher)
    _gradebook(client, year)
    with count_queries() as small:
        assert _gradebook(client, year).status_code == 200
    students = make.students(5, year.new_room)
    for n in range(3):
        quiz = make.assessment(year.course.teacher, title=f"More {n}", questions=ONE_OF_EACH[:1],
                               subject_id=year.course.subject.id, publish=True, attempts_allowed=None,
                               due_at=utcnow() - timedelta(days=1), late_policy="ACCEPT")
        for student in students[:3]:
            make.attempt(student, quiz, {0: ["1"]})
    with count_queries() as large:
        assert _gradebook(client, year).status_code == 200
    assert large.count == small.count
    auth.logout()
    auth.login(year.repeater)
    url = f"/students/{year.repeater.id}/progress"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for n in range(3):
        make.attempt(year.repeater, make.assessment(year.course.teacher, title=f"Extra {n}",
                                                    questions=ONE_OF_EACH[:1], subject_id=year.course.subject.id,
                                                    publish=True), {0: ["1"]})
    with count_queries() as many:
        client.get(url)
    assert many.count == few.count


# --- 2. last year's attempts are read-only --------------------------------------------------------------


def _question_id(app, assessment) -> int:
    from sqlalchemy import select

    from lms.assessments.models import Question
    from lms.extensions import db as sa_db

    with app.app_context():
        question_id = sa_db.session.scalar(select(Question.id).where(Question.assessment_id == assessment.id))
        sa_db.session.remove()
    return question_id


@pytest.mark.parametrize("role", ["teacher", "admin"])
def test_last_years_submission_cannot_be_graded_again(client, auth, app, db, year, role):
    from lms.assessments.models import Submission

    auth.login(year.course.teacher if role == "teacher" else year.admin)
    url = f"/submissions/{year.counted.id}"
    page = client.get(url).get_data(as_text=True)
    assert "from an earlier academic year" in page and 'name="points-' not in page and "grade-save" not in page
    refused = client.post(url + "/grade", data={"feedback": "regraded", "action": "return"}, headers=HX)
    assert refused.status_code == 403 and "earlier academic year" in refused.get_data(as_text=True)
    question_url = f"/assessments/{year.quiz.id}/questions/{_question_id(app, year.quiz)}/grading"
    one_answer = client.get(f"{question_url}?submission={year.counted.id}").get_data(as_text=True)
    assert "from an earlier academic year" in one_answer and 'name="points"' not in one_answer
    by_question = client.post(f"/assessments/{year.quiz.id}/questions/{_question_id(app, year.quiz)}/grading/"
                              f"{year.counted.id}", data={"points": "0"}, headers=HX)
    assert by_question.status_code == 403
    after = db.get(Submission, year.counted.id)
    assert after.final_score == year.counted.final_score and after.feedback == year.counted.feedback
    assert after.status == year.counted.status


def test_this_years_submission_can_still_be_graded(client, auth, make, year):
    fresh = make.attempt(year.repeater, year.quiz, {0: ["0"]})
    auth.login(year.course.teacher)
    page = client.get(f"/submissions/{fresh.id}").get_data(as_text=True)
    assert "earlier academic year" not in page and "grade-save" in page
    saved = client.post(f"/submissions/{fresh.id}/grade", data={"feedback": "Good"}, headers=HX)
    assert saved.status_code == 200


def test_last_years_ungraded_work_leaves_the_grading_queue(client, auth, app, make):
    """It can no longer be graded: neither the queue nor the teacher's home page count it as work to do."""
    course = build_course(make)
    essay = make.assessment(course.teacher, title="Essay", questions=[ONE_OF_EACH[5]],
                            section_id=course.ids["Counting"], publish=True)
    waiting = make.attempt(course.student, essay, {0: "I counted in tens."})
    auth.login(course.teacher)
    assert f"/submissions/{waiting.id}\"" in client.get("/submissions?status=SUBMITTED").get_data(as_text=True)
    assert 'data-to-grade="1"' in client.get("/").get_data(as_text=True)
    _roll_over(app, make)
    queue = client.get("/submissions?status=SUBMITTED").get_data(as_text=True)
    assert f"/submissions/{waiting.id}\"" not in queue
    assert 'data-to-grade="0"' in client.get("/").get_data(as_text=True)


# --- 3. an attempt left unsubmitted last year ------------------------------------------------------------


def test_last_years_unsubmitted_attempt_is_listed_without_a_dead_link(client, auth, year):
    auth.login(year.course.student)
    page = client.get("/submissions").get_data(as_text=True)
    assert "Open quiz" in page and "not submitted (earlier year)" in page
    assert f"/assessments/{year.left_open.id}/take" not in page
    assert client.get(f"/assessments/{year.left_open.id}/take").status_code == 404


# --- 3. a repeating student's attempt limit and list start afresh ----------------------------------------


def _card(page: str, title: str) -> str:
    """The student's assessment card (or attached-assessment row) that names ``title``."""
    return next(part for part in re.split(r'<li class="(?:assessment-card|attached-assessment)"', page)
                if title in part)


def test_last_years_attempts_do_not_use_up_this_years_attempts(client, auth, make, year):
    """Two attempts allowed: last year's one is history, so this year the repeater has two again."""
    from lms.common.errors import BusinessRuleViolation

    make.attempt(year.repeater, year.quiz, {0: ["0"]})
    auth.login(year.repeater)
    page = client.get(f"/assessments/{year.quiz.id}").get_data(as_text=True)
    assert "1 of 2 used" in page and "Start a new attempt" in page and "used all your attempts" not in page
    assert "Attempt 1" in page and "earlier academic year" in page   # last year's stays in the history
    make.attempt(year.repeater, year.quiz, {0: ["1"]})
    page = client.get(f"/assessments/{year.quiz.id}").get_data(as_text=True)
    assert "2 of 2 used" in page and "You have used all your attempts (2)." in page
    with pytest.raises(BusinessRuleViolation):
        make.attempt(year.repeater, year.quiz, {0: ["1"]})


def test_a_quiz_done_last_year_is_not_done_this_year_on_the_students_lists(client, auth, year):
    auth.login(year.repeater)
    card = _card(client.get("/assessments").get_data(as_text=True), "Counting quiz")
    assert "Not started" in card and "Graded" not in card
    row = _card(client.get(f"/subjects/{year.course.subject.id}").get_data(as_text=True), "Counting quiz")
    assert "state-done" not in row and "state-open" in row
    page = client.get(f"/assessments/{year.quiz.id}").get_data(as_text=True)
    assert "0 of 2 used" in page and "Start a new attempt" in page
