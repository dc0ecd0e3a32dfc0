"""Last year's work after the year-end rollover: a student's progress by academic year (for the
student, their parents, their teachers of that year and administrators) and the archived classroom's
read-only gradebook with its CSV (issue 17, fix 7)."""

import csv
import io
from datetime import timedelta
from types import SimpleNamespace

import pytest

from lms.assessments.models import AssessmentExcusal, AssessmentExtension
from lms.common.types import utcnow
from tests.assessment_fixtures import HX, build_course
from tests.factories import ONE_OF_EACH


def _roll_over(app, make, to_year="2027"):
    from lms.auth.models import User
    from lms.extensions import db as sa_db
    from lms.school.rollover import run_rollover

    admin = make.user(role="ADMIN")
    with app.test_request_context():
        run_rollover(sa_db.session.get(User, admin.id), to_year, ungraded_acknowledged=True)
        sa_db.session.commit()
        sa_db.session.remove()
    return admin


@pytest.fixture
def year(app, make):
    """2026: student (P1/1) has a graded quiz in the P1 subject, an unfinished late quiz and a
    teacher; then the rollover to 2027 (the student is in P2/1, the classroom P1/1 of 2026 archived)."""
    course = build_course(make)
    room = make.classroom("P1/1")
    quiz = make.assessment(course.teacher, title="Counting quiz", questions=ONE_OF_EACH[:1],
                           section_id=course.ids["Counting"], publish=True)
    overdue = make.assessment(course.teacher, title="Comparing quiz", questions=ONE_OF_EACH[:1],
                              section_id=course.ids["Comparing"], publish=True,
                              due_at=utcnow() - timedelta(days=2))
    classmate = make.student(room, full_name="Classmate Two")
    make.attempt(course.student, quiz, {0: ["1"]})   # 1/1
    make.attempt(classmate, quiz, {0: ["0"]})        # 0/1
    parent = make.parent_of(course.student)
    admin = _roll_over(app, make)
    return SimpleNamespace(course=course, room=room, quiz=quiz, overdue=overdue, classmate=classmate,
                           parent=parent, admin=admin)


def _progress(client, student, year=None, **kw):
    url = f"/students/{student.id}/progress" + (f"?year={year}" if year else "")
    return client.get(url, **kw)


# --- the defect -------------------------------------------------------------------------------------------


def test_last_years_grade_stays_on_the_progress_page_and_the_archived_gradebook(client, auth, year):
    course = year.course
    auth.login(course.student)
    now = _progress(client, course.student).get_data(as_text=True)
    assert "Counting quiz" not in now                      # this year (P2/1) has other subjects
    assert f'href="/students/{course.student.id}/progress?year=2026"' in now
    last = _progress(client, course.student, 2026).get_data(as_text=True)
    assert "Counting quiz" in last and "1/1 (100%)" in last and course.subject.name in last
    auth.logout()
    auth.login(course.teacher)
    book = client.get(f"/classrooms/{year.room.id}/gradebook/{course.subject.id}").get_data(as_text=True)
    assert course.student.full_name in book and "Classmate Two" in book
    assert "1/1 (100%)" in book and "0/1 (0%)" in book


# --- the student's progress by year ---------------------------------------------------------------------


def test_the_year_choice_defaults_to_this_year_marks_the_chosen_one_and_answers_htmx(client, auth, year):
    student = year.course.student
    auth.login(student)
    now = _progress(client, student).get_data(as_text=True)
    assert 'aria-current="page">2027' in now and ">2026</a>" in now
    last = _progress(client, student, 2026).get_data(as_text=True)
    assert 'aria-current="page">2026' in last and "read-only" in last
    assert "P1/1" in last and "2026" in last
    fragment = _progress(client, student, 2026, headers=HX)
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in text and "Counting quiz" in text
    assert 'hx-push-url="true"' in now  # the chosen year is in the address bar (bookmarkable)
    back = _progress(client, student, 2026, headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in back.get_data(as_text=True)  # the Back button restores the whole page
    for bad in ("1999", "x" * 300, "2028"):
        assert _progress(client, student, bad).status_code == 404, bad
    assert _progress(client, student, "2026\x00").status_code == 400  # refused at the edge


def test_a_past_year_shows_missing_work_of_that_year_and_links_to_the_result(client, auth, year):
    student = year.course.student
    auth.login(student)
    last = _progress(client, student, 2026).get_data(as_text=True)
    assert "Comparing quiz" in last and "missing" in last
    submission_link = next(part for part in last.split('href="')[1:] if part.startswith("/submissions/"))
    result = client.get(submission_link.split('"')[0])
    assert result.status_code == 200 and "Counting quiz" in result.get_data(as_text=True)
    # the assessment is no longer the student's this year: no dead "Back to the assessment" link
    assert f'/assessments/{year.quiz.id}"' not in result.get_data(as_text=True)
    assert client.get("/submissions").get_data(as_text=True).count("Counting quiz") == 1


def test_a_past_year_lists_only_years_with_work(client, auth, app, make, year):
    """A year in a classroom without any work is not offered."""
    later = make.assessment(year.course.teacher, title="P2 quiz", questions=ONE_OF_EACH[:1],
                            subject_id=make.subject("P2", core="Science", teachers=[year.course.teacher]).id,
                            publish=True)
    make.attempt(year.course.student, later, {0: ["1"]})
    _roll_over(app, make, "2028")
    auth.login(year.course.student)
    page = _progress(client, year.course.student).get_data(as_text=True)
    assert ">2027</a>" in page and ">2026</a>" in page
    assert "P2 quiz" in _progress(client, year.course.student, 2027).get_data(as_text=True)
    classmate = make.student("P3/5")  # in 2028 only: no past year
    auth.logout()
    auth.login(classmate)
    assert "?year=" not in _progress(client, classmate).get_data(as_text=True)


def test_who_sees_a_students_past_years(client, auth, as_role, make, year):
    student, course = year.course.student, year.course
    stranger_parent = make.parent_of(course.other_student)
    newcomer_teacher = make.teacher("P2/1", role="SUBJECT")  # teaches the student now, not last year
    for user, status in ((student, 200), (year.parent, 200), (course.teacher, 200), (year.classmate, 404),
                         (stranger_parent, 404), (course.other_teacher, 404), (newcomer_teacher, 404)):
        auth.login(user)
        assert _progress(client, student, 2026).status_code == status, user.email
        auth.logout()
    auth.login(newcomer_teacher)
    now = _progress(client, student)
    assert now.status_code == 200 and "?year=2026" not in now.get_data(as_text=True)
    auth.logout()
    as_role("ADMIN")
    assert "1/1 (100%)" in _progress(client, student, 2026).get_data(as_text=True)


def test_a_teacher_of_last_year_only_sees_the_year_they_taught(client, auth, app, make, year):
    """The teacher of P1/1 (2026) no longer teaches the student after the rollover (no copy)."""
    from lms.extensions import db as sa_db
    from lms.school.models import TeacherAssignment

    with app.app_context():
        sa_db.session.query(TeacherAssignment).filter(
            TeacherAssignment.teacher_id == year.course.teacher.id,
            TeacherAssignment.classroom_id != year.room.id).delete()
        sa_db.session.commit()
        sa_db.session.remove()
    auth.login(year.course.teacher)
    assert "1/1 (100%)" in _progress(client, year.course.student, 2026).get_data(as_text=True)
    default = _progress(client, year.course.student).get_data(as_text=True)  # the year they taught
    assert "1/1 (100%)" in default and ">2027<" not in default
    assert _progress(client, year.course.student, 2027).status_code == 404   # not theirs this year


def test_parents_choose_a_child_and_a_year(client, auth, year):
    auth.login(year.parent)
    assert client.get("/my/progress").headers["Location"].endswith(f"/students/{year.course.student.id}/progress")
    page = _progress(client, year.course.student, 2026).get_data(as_text=True)
    assert "1/1 (100%)" in page and 'aria-current="page">2026' in page


# --- the archived classroom's gradebook ----------------------------------------------------------------


def test_the_archived_gradebook_is_read_only(client, auth, year, db):
    course = year.course
    auth.login(course.teacher)
    url = f"/classrooms/{year.room.id}/gradebook/{course.subject.id}"
    page = client.get(url).get_data(as_text=True)
    assert "read-only" in page and "Comparing quiz" in page and "missing" in page
    assert 'name="excused"' not in page and "extend</a>" not in page and "Grading queue" not in page
    assert f"/students/{course.student.id}/progress?year=2026" in page
    data = {"assessment_id": year.overdue.id, "student_id": year.classmate.id}
    assert client.post(url + "/excuse", data=data, headers=HX).status_code == 403
    assert client.post(url + "/extension", data={**data, "extra_attempts": "2"}, headers=HX).status_code == 403
    assert client.get(url + f"/extension?assessment_id={year.overdue.id}&student_id={year.classmate.id}",
                      headers=HX).status_code == 403
    assert client.post(url + "/extension/remove", data=data, headers=HX).status_code == 403
    assert db.count(AssessmentExcusal) == 0 and db.count(AssessmentExtension) == 0


def test_the_archived_gradebook_csv_has_the_numbers(client, auth, year):
    course = year.course
    auth.login(course.teacher)
    response = client.get(f"/classrooms/{year.room.id}/gradebook/{course.subject.id}.csv")
    rows = {row[0]: row for row in csv.reader(io.StringIO(response.data.decode("utf-8-sig")))}
    header = rows["Student"]
    score = header.index("Counting quiz – score")
    assert rows[course.student.full_name][score:score + 3] == ["1", "1", "100"]
    assert rows["Classmate Two"][score:score + 3] == ["0", "1", "0"]


def test_the_archived_gradebook_leaves_out_next_years_assessments(client, auth, make, year):
    """The P1 subject goes on with next year's P1: their new quiz is not last year's class's work."""
    course = year.course
    make.assessment(course.teacher, title="Next year's quiz", questions=ONE_OF_EACH[:1],
                    section_id=course.ids["Circles"], publish=True, due_at=utcnow() + timedelta(days=30))
    auth.login(course.teacher)
    page = client.get(f"/classrooms/{year.room.id}/gradebook/{course.subject.id}").get_data(as_text=True)
    assert "Counting quiz" in page and "Next year&#39;s quiz" not in page and "Next year's quiz" not in page


def test_who_opens_the_archived_gradebook(client, auth, as_role, make, year):
    url = f"/classrooms/{year.room.id}/gradebook/{year.course.subject.id}"
    for user, status in ((year.course.teacher, 200), (year.course.other_teacher, 404), (make.teacher("P2/1", role="SUBJECT"), 404),
                         (year.course.student, 403), (year.parent, 403)):
        auth.login(user)
        assert client.get(url).status_code == status, user.email
        assert client.get(url + ".csv").status_code == status, user.email
        auth.logout()
    as_role("ADMIN")
    assert "1/1 (100%)" in client.get(url).get_data(as_text=True)


def test_the_gradebook_picker_offers_last_years_classrooms(client, auth, year):
    auth.login(year.course.teacher)
    picker = client.get("/gradebook?year=2026").get_data(as_text=True)
    assert f'value="{year.room.id}"' in picker and 'value="2026"' in picker
    subjects = client.get(f"/gradebook?year=2026&classroom={year.room.id}", headers=HX).get_data(as_text=True)
    assert f"/classrooms/{year.room.id}/gradebook/{year.course.subject.id}" in subjects
    assert client.get("/gradebook?year=" + "9" * 50).status_code == 200  # unknown year: nothing to choose


@pytest.mark.parametrize("frozen", [True, False], ids=["files-frozen-with-the-question", "older-attempt"])
def test_last_years_result_page_keeps_its_files(client, auth, app, make, db, frozen):
    """The quiz's picture and sound and the student's own answer file stay downloadable after the
    rollover, when the assessment is no longer the student's."""
    from tests.test_submission_files import _answer_with_a_file, _media_quiz

    course = build_course(make)
    quiz, picture, song = _media_quiz(course, make)
    answer = _answer_with_a_file(client, auth, course, make, quiz, db)
    if not frozen:
        from sqlalchemy import delete

        from lms.assessments.models import QuestionVersionMedia
        from lms.extensions import db as sa_db

        with app.app_context():
            sa_db.session.execute(delete(QuestionVersionMedia))
            sa_db.session.commit()
            sa_db.session.remove()
    _roll_over(app, make)
    auth.login(course.student)
    assert client.get(f"/assessments/{quiz.id}").status_code == 404   # not theirs this year
    page = client.get(f"/submissions/{answer.submission_id}").get_data(as_text=True)
    assert f"/resources/{picture.id}/download" in page
    for resource_id in (picture.id, song.id, answer.file_resource_id):
        assert client.get(f"/resources/{resource_id}/download").status_code == 200, resource_id
    assert "Farm quiz" in _progress(client, course.student, 2026).get_data(as_text=True)
