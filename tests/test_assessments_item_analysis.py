"""Item analysis: the numbers on a small hand-computed example, flags, the page and its CSV, the
empty state, who may see it and the number of queries."""

from types import SimpleNamespace

import pytest

from lms.assessments import item_analysis
from tests.assessment_fixtures import build_course
from tests.factories import ONE_OF_EACH


@pytest.fixture
def course(make):
    return build_course(make)


@pytest.fixture
def quiz(course, make):
    """Q1 single choice (1 point), Q2 multiple choice with partial credit (2 points), Q3 true/false
    (1 point), answered by four students:

    ====  ==========  ==================  ======  =====
         Q1           Q2                  Q3      total
    ====  ==========  ==================  ======  =====
    A     "4" → 1     "2", "4" → 2        true 1  4
    B     "4" → 1     "2" → 1             true 1  3
    C     "3" → 0     "2", "3" → 0        true 1  1
    D     "5" → 0     blank → 0           true 1  1
    ====  ==========  ==================  ======  =====

    Q1: facility 2/4 = 0.5; item [1,1,0,0] against the rest [3,2,1,1]: deviations [.5,.5,-.5,-.5] and
    [1.25,.25,-.75,-.75], r = 1.5 / √(1 × 2.75) = 0.905.  Q2: facility (3/4)/2 = 0.375; item
    [2,1,0,0] against the rest [2,2,1,1]: r = 1.5 / √(2.75 × 1) = 0.905.  Q3: facility 1 (too easy),
    no discrimination (everybody got it)."""
    assessment = make.assessment(course.teacher, title="Tens quiz", questions=ONE_OF_EACH[:3],
                                 section_id=course.ids["Counting"], publish=True)
    students = [course.student] + make.students(3, "P1/1")
    answers = [{0: ["1"], 1: ["0", "2"], 2: ["true"]}, {0: ["1"], 1: ["0"], 2: ["true"]},
               {0: ["0"], 1: ["0", "1"], 2: ["true"]}, {0: ["2"], 2: ["true"]}]
    for student, given in zip(students, answers, strict=True):
        make.attempt(student, assessment, given)
    return SimpleNamespace(assessment=assessment, students=students)


def _analysis(app, assessment):
    from lms.assessments.models import Assessment
    from lms.extensions import db

    with app.test_request_context():
        result = item_analysis.analyse(db.session.get(Assessment, assessment.id))
        db.session.remove()
    return result


def _items(analysis):
    return [item for group in analysis.questions for item in group.items]


def test_the_numbers_of_a_hand_computed_example(app, quiz):
    analysis = _analysis(app, quiz.assessment)
    assert analysis.attempts == 4 and [g.number for g in analysis.questions] == [1, 2, 3]
    q1, q2, q3 = _items(analysis)
    assert (q1.answers, q1.blank, q1.facility, q1.discrimination) == (4, 0, 0.5, pytest.approx(0.905))
    assert [(o.text, o.count, o.correct) for o in q1.options] == [("3", 1, False), ("4", 2, True), ("5", 1, False)]
    assert (q2.answers, q2.blank, q2.facility, q2.discrimination) == (4, 1, 0.375, pytest.approx(0.905))
    assert [(o.text, o.count, o.correct) for o in q2.options] == [
        ("2", 3, True), ("3", 1, False), ("4", 1, True), ("5", 0, False)]
    assert (q3.facility, q3.discrimination, q3.flags) == (1.0, None, ["too_easy"])
    # Kelley with four attempts: groups of one (round(4 × 27%)); A (4) above, D (1, after C on the tie) below.
    assert (q1.upper_lower, q2.upper_lower, q3.upper_lower) == (1.0, 1.0, 0.0)
    assert [(o.count, o.correct) for o in q3.options] == [(4, True), (0, False)]
    assert q1.flags == [] and q2.flags == []


def test_point_biserial_and_flags():
    assert item_analysis.point_biserial([1, 1, 0, 0], [3, 2, 1, 1]) == pytest.approx(0.905)
    assert item_analysis.point_biserial([0, 0, 1, 1], [3, 2, 1, 1]) == pytest.approx(-0.905)
    assert item_analysis.point_biserial([1, 1], [2, 0]) is None  # the item does not vary
    assert item_analysis.point_biserial([1], [2]) is None
    assert item_analysis.flags_of(0.95, 0.5) == ["too_easy"]
    assert item_analysis.flags_of(0.1, 0.1) == ["too_hard", "poor_discrimination"]
    assert item_analysis.flags_of(0.5, -0.3) == ["negative_discrimination"]
    assert item_analysis.flags_of(0.5, 0.2) == [] and item_analysis.flags_of(None, None) == []


def test_the_upper_lower_index_by_hand():
    # Ten attempts: groups of three.  Totals 10..1; the item right for the top three and for one in the bottom three.
    given = [(1, 10), (1, 9), (1, 8), (0, 7), (1, 6), (0, 5), (1, 4), (0, 3), (1, 2), (0, 1)]
    assert item_analysis.upper_lower_index(given, 1) == pytest.approx(round(3 / 3 - 1 / 3, 3))
    assert item_analysis.upper_lower_index([(0, 10), (2, 1)], 2) == -1.0  # the stronger got it wrong
    assert item_analysis.upper_lower_index([(1, 3)], 1) is None
    assert item_analysis.upper_lower_index([(1, 3), (0, 1)], 0) is None
    # A tie at the boundary keeps the attempts' order: stable whatever the ranking function does.
    assert item_analysis.upper_lower_index([(1, 5), (0, 5), (0, 1), (1, 1)], 1) == 0.0


def test_excused_students_and_attempts_waiting_for_grading_are_left_out(app, course, make, quiz):
    make.excusal(quiz.assessment, quiz.students[3])
    long_quiz = make.assessment(course.teacher, questions=[ONE_OF_EACH[0], ONE_OF_EACH[5]],
                                section_id=course.ids["Counting"], publish=True)
    for student in quiz.students[:2]:
        make.attempt(student, long_quiz, {0: ["1"], 1: ["I counted."]})  # waits for hand grading
    assert _analysis(app, quiz.assessment).attempts == 3
    assert _analysis(app, long_quiz).attempts == 0


def test_the_page_shows_the_table_flags_and_the_method(client, auth, course, quiz):
    auth.login(course.teacher)
    page = client.get(f"/assessments/{quiz.assessment.id}/analysis").get_data(as_text=True)
    assert "point-biserial" in page and 'class="table-scroll"' in page
    assert 'id="upper-lower-help"' in page and "top 27% minus that of the bottom 27%" in page
    assert "<abbr title=\"Kelley’s upper–lower index" in page
    assert "0.50" in page and "0.38" in page and "0.91" in page and "1.00" in page
    assert "too easy" in page and "(1 blank)" in page
    assert f"/assessments/{quiz.assessment.id}/analysis.csv" in page
    detail = client.get(f"/assessments/{quiz.assessment.id}").get_data(as_text=True)
    assert f"/assessments/{quiz.assessment.id}/analysis" in detail


def test_the_gradebook_links_to_the_analysis(client, auth, course, make, quiz):
    room = make.classroom("P1/1")
    auth.login(course.teacher)
    page = client.get(f"/classrooms/{room.id}/gradebook/{course.subject.id}").get_data(as_text=True)
    assert f"/assessments/{quiz.assessment.id}/analysis" in page


def test_the_csv_has_the_same_numbers(client, auth, course, quiz):
    auth.login(course.teacher)
    response = client.get(f"/assessments/{quiz.assessment.id}/analysis.csv")
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment")
    lines = response.data.decode("utf-8").splitlines()
    assert lines[0] == ("\ufeffQuestion,Version,Type,Text,Points,Answers,Blank,Facility,Discrimination,"
                        "Upper–lower index (Kelley: top 27% − bottom 27%),Flags,Choices (✓ correct): count")
    assert lines[1] == '1,1,Single choice,2 + 2 = ?,1,4,0,0.5,0.905,1.0,,3: 1; 4 (✓): 2; 5: 1'
    assert lines[2].startswith("2,1,Multiple choice,Which are even?,2,4,1,0.375,0.905,1.0,,")
    assert lines[3].startswith("3,1,True / false,Ten ones make one ten.,1,4,0,1.0,,0.0,too easy,True (✓): 4; False: 0")


def test_fewer_than_two_finished_attempts_show_an_explanation(client, auth, course, make):
    assessment = make.assessment(course.teacher, section_id=course.ids["Counting"], publish=True)
    make.attempt(course.student, assessment, {0: ["1"]})
    auth.login(course.teacher)
    page = client.get(f"/assessments/{assessment.id}/analysis").get_data(as_text=True)
    assert 'id="analysis-empty"' in page and "<table" not in page
    header = client.get(f"/assessments/{assessment.id}/analysis.csv").data.decode("utf-8")
    assert header.startswith("\ufeffQuestion,") and len(header.splitlines()) == 1


def test_only_those_who_grade_the_assessment_see_it(client, auth, course, make, quiz):
    parent = make.parent_of(course.student)
    admin = make.user("ADMIN")
    url = f"/assessments/{quiz.assessment.id}/analysis"
    # Another subject's teacher does not see the assessment (404), like its other pages.
    for user, status in ((course.student, 403), (parent, 403), (course.other_teacher, 404)):
        auth.login(user)
        assert client.get(url).status_code == status, user.role
        assert client.get(url + ".csv").status_code == status
        auth.logout()
    banked = make.assessment(course.teacher, title="In the bank", publish=True)
    auth.login(course.other_teacher)
    assert client.get(f"/assessments/{banked.id}").status_code == 200  # may read it, not grade it
    assert client.get(f"/assessments/{banked.id}/analysis").status_code == 403
    auth.logout()
    auth.login(admin)
    assert client.get(url).status_code == 200
    assert client.get("/assessments/999999/analysis").status_code == 404


def test_the_number_of_queries_does_not_grow_with_attempts_or_questions(client, auth, course, make,
                                                                       count_queries):
    small_quiz = make.assessment(course.teacher, questions=ONE_OF_EACH[:1], section_id=course.ids["Counting"],
                                 publish=True)
    large_quiz = make.assessment(course.teacher, questions=ONE_OF_EACH[:5], section_id=course.ids["Counting"],
                                 publish=True)
    for student in [course.student] + make.students(1, "P1/1"):
        make.attempt(student, small_quiz, {0: ["1"]})
    for n, student in enumerate(make.students(8, "P1/1")):
        make.attempt(student, large_quiz, {0: [str(n % 3)], 1: ["0"], 2: ["true" if n % 2 else "false"]})
    auth.login(course.teacher)
    client.get(f"/assessments/{small_quiz.id}/analysis")
    with count_queries() as small:
        assert client.get(f"/assessments/{small_quiz.id}/analysis").status_code == 200
    with count_queries() as large:
        assert client.get(f"/assessments/{large_quiz.id}/analysis").status_code == 200
    assert large.count == small.count
    # Only the counted attempts' answers are read: the filter is in the statement, not in Python.
    [answers] = [q for q in large.statements if "FROM answer" in q and "question_version_id" in q.split("FROM")[0]]
    assert "answer.submission_id IN (" in answers and "JOIN" not in answers
    with count_queries() as csv_large:
        assert client.get(f"/assessments/{large_quiz.id}/analysis.csv").status_code == 200
    assert csv_large.count <= small.count


def test_the_page_in_thai(client, auth, course, quiz):
    auth.login(course.teacher)
    client.post("/language", data={"locale": "th"})
    page = client.get(f"/assessments/{quiz.assessment.id}/analysis").get_data(as_text=True)
    assert "วิเคราะห์ข้อสอบ" in page and "อำนาจจำแนก" in page and "ง่ายเกินไป" in page
