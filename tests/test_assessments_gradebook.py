"""The gradebook (policies, markers, averages, excusing, CSV, access, query count) and a student's
progress page (content and who may see it)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest

from lms.assessments.gradebook import counting_cell
from lms.assessments.models import AssessmentExcusal
from lms.common.types import utcnow
from tests.assessment_fixtures import HX, build_course
from tests.factories import ONE_OF_EACH


@pytest.fixture
def course(make):
    return build_course(make)


MISSING = '<span class="badge badge-danger">missing</span>'


def _attempt(number, status, score, max_score=10, late=False):
    return SimpleNamespace(id=number, attempt_number=number, status=status, final_score=score, max_score=max_score,
                           late=late)


def _assessment(policy="HIGHEST", due_at=None):
    return SimpleNamespace(scoring_policy=policy, due_at=due_at)


# --- the counting score ---------------------------------------------------------------------------------------


def test_highest_latest_and_average_policies():
    attempts = [_attempt(1, "GRADED", 8), _attempt(2, "RETURNED", 5, late=True), _attempt(3, "GRADED", 6)]
    highest = counting_cell(_assessment("HIGHEST"), attempts)
    assert (highest.state, highest.percent, highest.submission_id, highest.late) == ("score", 80, 1, False)
    latest = counting_cell(_assessment("LATEST"), attempts)
    assert (latest.percent, latest.submission_id) == (60, 3)
    average = counting_cell(_assessment("AVERAGE"), attempts)
    assert average.percent == pytest.approx(63.3) and average.late


def test_pending_missing_excused_and_in_progress():
    past = utcnow() - timedelta(days=1)
    assert counting_cell(_assessment("LATEST"), [_attempt(1, "GRADED", 8), _attempt(2, "SUBMITTED", 3)]).state \
        == "pending"
    mixed = counting_cell(_assessment("HIGHEST"), [_attempt(1, "GRADED", 8), _attempt(2, "SUBMITTED", 3)])
    assert mixed.state == "score" and mixed.pending
    missing = counting_cell(_assessment(due_at=past), [])
    assert (missing.state, missing.percent) == ("missing", 0)
    assert counting_cell(_assessment(due_at=past), [], excused=True).state == "excused"
    assert counting_cell(_assessment(), [_attempt(1, "IN_PROGRESS", None)]).state == "in_progress"
    assert counting_cell(_assessment(due_at=utcnow() + timedelta(days=1)), []).state == "none"


# --- the gradebook page -------------------------------------------------------------------------------------


@pytest.fixture
def book(course, make):
    room = make.classroom("P1/1")
    first = make.assessment(course.teacher, title="Quiz one", questions=ONE_OF_EACH[:1],
                            section_id=course.ids["Counting"], publish=True, attempts_allowed=None)
    second = make.assessment(course.teacher, title="Quiz two", questions=ONE_OF_EACH[2:3],
                             section_id=course.ids["Comparing"], publish=True,
                             due_at=utcnow() - timedelta(days=1), late_policy="ACCEPT")
    make.assessment(course.teacher, title="Draft quiz", section_id=course.ids["Counting"])
    thai = make.student(room, full_name="สมชาย ใจดี")
    make.attempt(course.student, first, {0: ["0"]})
    make.attempt(course.student, first, {0: ["1"]})  # HIGHEST: 1/1
    make.attempt(course.student, second, {0: ["true"]})  # late
    make.attempt(thai, first, {0: ["0"]})
    return SimpleNamespace(room=room, first=first, second=second, thai=thai)


def test_the_gradebook_shows_counting_scores_markers_and_averages(client, auth, course, book):
    auth.login(course.teacher)
    url = f"/classrooms/{book.room.id}/gradebook/{course.subject.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Quiz one" in page and "Quiz two" in page and "Draft quiz" not in page
    assert "1/1 (100%)" in page and "1/1 (100%) late" in page and "0/1 (0%)" in page
    assert MISSING in page  # the Thai student did not do quiz two, which is past due
    assert "100%" in page and "50%" in page and "0%" in page
    assert client.get(f"/gradebook?classroom={book.room.id}&subject={course.subject.id}").headers[
        "Location"].endswith(url)
    picker = client.get(f"/gradebook?classroom={book.room.id}", headers=HX).get_data(as_text=True)
    assert course.subject.name in picker


def test_teachers_excuse_a_student(client, auth, course, book, db):
    auth.login(course.teacher)
    url = f"/classrooms/{book.room.id}/gradebook/{course.subject.id}/excuse"
    response = client.post(url, data={"assessment_id": book.second.id, "student_id": book.thai.id}, headers=HX)
    assert response.status_code == 200 and "is excused from" in response.get_data(as_text=True)
    assert db.count(AssessmentExcusal) == 1
    page = client.get(f"/classrooms/{book.room.id}/gradebook/{course.subject.id}").get_data(as_text=True)
    assert '<span class="badge">excused</span>' in page and MISSING not in page
    client.post(url, data={"assessment_id": book.second.id, "student_id": book.thai.id, "excused": "0"})
    assert db.count(AssessmentExcusal) == 0
    bad = client.post(url, data={"assessment_id": book.second.id, "student_id": course.other_student.id})
    assert bad.status_code == 404


def test_the_gradebook_csv_opens_in_excel_with_thai(client, auth, course, book):
    auth.login(course.teacher)
    response = client.get(f"/classrooms/{book.room.id}/gradebook/{course.subject.id}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset, not two
    assert response.headers["Content-Disposition"].startswith("attachment")
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeffStudent,Email,Quiz two – score,Quiz two – out of,Quiz two – percent,"
                           "Quiz two – status,Quiz one – score,Quiz one – out of,Quiz one – percent,"
                           "Quiz one – status,Average %\r\n")  # by due date
    assert "สมชาย ใจดี" in text and "1/1 (100%)" not in text


def test_the_gradebook_csv_has_numeric_score_maximum_and_percent_columns(client, auth, course, book):
    import csv
    import io

    auth.login(course.teacher)
    text = client.get(f"/classrooms/{book.room.id}/gradebook/{course.subject.id}.csv").data.decode("utf-8-sig")
    rows = {row[0]: row for row in csv.reader(io.StringIO(text))}
    assert rows[course.student.full_name][2:] == ["1", "1", "100", "late", "1", "1", "100", "", "100"]
    assert rows["สมชาย ใจดี"][2:] == ["", "", "0", "missing", "0", "1", "0", "", "0"]
    assert rows["Average %"][2:] == ["", "", "50", "", "", "", "50", "", ""]
    for row in list(rows.values())[1:]:
        for index in (2, 3, 4, 6, 7, 8, 10):
            assert row[index] == "" or float(row[index]) >= 0, row


def test_the_gradebook_csv_in_thai(client, auth, course, book):
    auth.login(course.teacher)
    client.post("/language", data={"locale": "th", "next": "/"})
    response = client.get(f"/classrooms/{book.room.id}/gradebook/{course.subject.id}.csv")
    assert response.data.startswith(b"\xef\xbb\xbf") and response.mimetype_params.get("charset") == "utf-8"
    text = response.data.decode("utf-8-sig")
    assert text.startswith("นักเรียน,อีเมล,Quiz two – คะแนน,Quiz two – คะแนนเต็ม,Quiz two – ร้อยละ,Quiz two – สถานะ,")
    assert ",ส่งช้า," in text and "ไม่ได้ส่ง" in text and "late" not in text


def test_gradebook_access(client, auth, as_role, course, book, make):
    url = f"/classrooms/{book.room.id}/gradebook/{course.subject.id}"
    auth.login(course.other_teacher)
    assert client.get(url).status_code == 404
    auth.logout()
    auth.login(course.teacher)
    assert client.get(f"/classrooms/{book.room.id}/gradebook/{course.other_subject.id}").status_code == 404
    p2 = make.classroom("P2/1")
    assert client.get(f"/classrooms/{p2.id}/gradebook/{course.subject.id}").status_code == 404
    auth.logout()
    auth.login(course.student)
    assert client.get(url).status_code == 403
    auth.logout()
    as_role("ADMIN")
    assert client.get(url).status_code == 200


def test_gradebook_query_count_does_not_grow_with_students_or_assessments(client, auth, course, make,
                                                                          count_queries):
    room = make.classroom("P1/1")
    quiz = make.assessment(course.teacher, questions=ONE_OF_EACH[:1], section_id=course.ids["Counting"],
                           publish=True)
    make.attempt(course.student, quiz, {0: ["1"]})
    auth.login(course.teacher)
    url = f"/classrooms/{room.id}/gradebook/{course.subject.id}"
    client.get(url)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    students = make.students(6, room)
    for n in range(4):
        more = make.assessment(course.teacher, title=f"More {n}", questions=ONE_OF_EACH[:1],
                               section_id=course.ids["Comparing"] if n % 2 else None,
                               subject_id=None if n % 2 else course.subject.id, publish=True,
                               due_at=utcnow() - timedelta(days=1), late_policy="ACCEPT")
        for student in students[:3]:
            make.attempt(student, more, {0: ["1"]})
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert large.count == small.count
    with count_queries() as csv_large:
        client.get(url + ".csv")
    assert csv_large.count <= small.count


# --- progress ----------------------------------------------------------------------------------------------


def test_progress_shows_sections_results_and_averages_per_subject(client, auth, course, book, app):
    from lms.curriculum.models import SectionProgress
    from lms.extensions import db as _db

    with app.app_context():
        _db.session.add(SectionProgress(section_id=course.ids["Counting"], student_id=course.student.id))
        _db.session.commit()
        _db.session.remove()
    auth.login(course.student)
    page = client.get(f"/students/{course.student.id}/progress").get_data(as_text=True)
    assert course.subject.name in page and "1 of 3 sections done" in page
    assert "Quiz one" in page and "1/1 (100%)" in page and "1/1 (100%) late" in page
    assert "Average:</strong> 100%" in page
    assert client.get("/my/progress").headers["Location"].endswith(f"/students/{course.student.id}/progress")


def test_progress_is_visible_to_the_student_their_teachers_admins_and_parents_only(client, auth, as_role,
                                                                                   course, make):
    url = f"/students/{course.student.id}/progress"
    parent = make.parent_of(course.student)
    for user, status in ((course.student, 200), (course.teacher, 200), (parent, 200),
                         (course.other_student, 404), (course.other_teacher, 404), (make.parent_of(), 404)):
        auth.login(user)
        assert client.get(url).status_code == status, user.email
        auth.logout()
    auth.login(parent)
    assert client.get("/my/progress").headers["Location"].endswith(url)
    auth.logout()
    as_role("ADMIN")
    assert client.get(url).status_code == 200


def test_progress_query_count_does_not_grow_with_assessments(client, auth, course, make, count_queries):
    quiz = make.assessment(course.teacher, questions=ONE_OF_EACH[:1], section_id=course.ids["Counting"],
                           publish=True)
    make.attempt(course.student, quiz, {0: ["1"]})
    auth.login(course.student)
    url = f"/students/{course.student.id}/progress"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for n in range(4):
        more = make.assessment(course.teacher, title=f"More {n}", questions=ONE_OF_EACH[:1],
                               section_id=course.ids["Comparing"], publish=True)
        make.attempt(course.student, more, {0: ["1"]})
    with count_queries() as many:
        client.get(url)
    assert many.count == few.count


def test_only_the_gradebooks_teachers_excuse_and_bad_input_stores_nothing(client, auth, course, book, make, db):
    elsewhere = make.assessment(course.other_teacher, section_id=course.other_ids["Saying hello"], publish=True)
    url = f"/classrooms/{book.room.id}/gradebook/{course.subject.id}/excuse"
    data = {"assessment_id": book.second.id, "student_id": book.thai.id}
    auth.login(course.student)
    assert client.post(url, data=data).status_code == 403
    auth.logout()
    auth.login(course.other_teacher)
    assert client.post(url, data=data, headers=HX).status_code == 404
    auth.logout()
    auth.login(course.teacher)
    for bad in ({"assessment_id": "x", "student_id": book.thai.id}, {"assessment_id": book.second.id},
                {"assessment_id": elsewhere.id, "student_id": book.thai.id}):
        assert client.post(url, data=bad, headers=HX).status_code == 404, bad
    assert db.count(AssessmentExcusal) == 0


def test_gradebook_query_count_does_not_grow_for_a_teacher_who_does_not_own_the_assessments(
        client, auth, course, make, count_queries):
    room = make.classroom("P1/1")
    author = make.teacher()  # wrote the assessments; course.teacher teaches the subject
    make.student(room)
    make.assessment(author, questions=ONE_OF_EACH[:1], section_id=course.ids["Counting"], publish=True)
    auth.login(course.teacher)
    url = f"/classrooms/{room.id}/gradebook/{course.subject.id}"
    client.get(url)
    with count_queries() as small:
        page = client.get(url)
    assert page.status_code == 200 and 'name="excused"' in page.get_data(as_text=True)  # may excuse
    for n in range(4):
        make.assessment(author, title=f"More {n}", questions=ONE_OF_EACH[:1], section_id=course.ids["Comparing"],
                        publish=True, due_at=utcnow() - timedelta(days=1))
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert large.count == small.count
