"""Rubrics: the library (create, edit, copy, delete, who sees what), the database's rules, attaching
one to a long or file answer, grading with it on both grading pages (the score scaled to the
question's points), and the student seeing the levels they were given."""

import re

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.assessments.models import (
    Answer,
    AnswerRubricLevel,
    Question,
    QuestionRubric,
    Rubric,
    RubricCriterion,
    RubricLevel,
    Submission,
)
from lms.assessments.rubric_grading import scaled
from lms.audit.models import AuditLog
from lms.extensions import db as _db
from tests.assessment_fixtures import HX, build_course
from tests.factories import ONE_OF_EACH

QUESTIONS = [ONE_OF_EACH[0], ONE_OF_EACH[5]]  # question 2: a long answer worth 3 points


@pytest.fixture
def course(make):
    return build_course(make)


def grid(title="Essay rubric", criteria=(("Ideas", (4, 2, 0)), ("Spelling", (4, 2, 0))), **extra) -> dict:
    """The editor's fields for ``criteria``: (name, points of each level)."""
    data = {"title": title, "description": "For short essays", **extra}
    for i, (name, levels) in enumerate(criteria):
        data[f"criterion-{i}-name"] = name
        for j, points in enumerate(levels):
            data[f"level-{i}-{j}-points"] = str(points)
            data[f"level-{i}-{j}-description"] = f"{name} level worth {points}"
    return data


def create_rubric(client, **kwargs) -> int:
    response = client.post("/rubrics/new", data=grid(**kwargs))
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    return int(re.search(r"/rubrics/(\d+)", response.headers["Location"]).group(1))


def levels_of(db, rubric_id) -> dict[str, list[int]]:
    """{criterion name: [level ids]} in order."""
    criteria = db.scalars(select(RubricCriterion).where(RubricCriterion.rubric_id == rubric_id)
                          .order_by(RubricCriterion.position))
    return {c.name: [lv.id for lv in db.scalars(select(RubricLevel).where(RubricLevel.criterion_id == c.id)
                                                 .order_by(RubricLevel.position))] for c in criteria}


@pytest.fixture
def essay(course, make):
    return make.assessment(course.teacher, title="Essay quiz", questions=QUESTIONS,
                           section_id=course.ids["Counting"], publish=True, attempts_allowed=None)


def long_question(db, essay) -> Question:
    return db.scalars(select(Question).where(Question.assessment_id == essay.id, Question.position == 1))[0]


@pytest.fixture
def graded_setup(client, auth, course, essay, make, db):
    """The teacher's rubric (8 points: Ideas 4/2/0, Spelling 4/2/0) on the 3-point long answer, and
    a submitted attempt by the student."""
    auth.login(course.teacher)
    rubric_id = create_rubric(client)
    question = long_question(db, essay)
    assert client.post(f"/assessments/{essay.id}/questions/{question.id}/rubric", data={"rubric": rubric_id},
                       headers=HX).status_code == 200
    attempt = make.attempt(course.student, essay, {0: ["1"], 1: ["Tens and ones, carefully counted."]})
    return {"rubric_id": rubric_id, "question": question, "attempt": attempt, "levels": levels_of(db, rubric_id),
            "version_id": attempt.question_order[1]}


# --- the library -------------------------------------------------------------------------------------------


def test_a_teacher_builds_a_rubric_and_finds_it_in_the_library(client, auth, course, db):
    auth.login(course.teacher)
    page = client.get("/rubrics/new").get_data(as_text=True)
    assert 'name="criterion-2-name"' in page and 'name="level-0-3-points"' in page  # 3 criteria × 4 levels to fill
    rubric_id = create_rubric(client)
    rubric = db.get(Rubric, rubric_id)
    assert rubric.title == "Essay rubric" and rubric.owner_id == course.teacher.id and not rubric.shared
    assert [len(ids) for ids in levels_of(db, rubric_id).values()] == [3, 3]
    detail = client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert "Ideas level worth 4" in detail and "8 points at most" in detail
    listing = client.get("/rubrics?q=essay", headers=HX).get_data(as_text=True)
    assert "Essay rubric" in listing and "2 criteria" in listing and "<html" not in listing
    assert db.count(AuditLog, AuditLog.action == "rubric.create") == 1


def test_add_a_criterion_or_a_level_grows_the_grid_without_saving(client, auth, course, db):
    auth.login(course.teacher)
    data = grid(criteria=(("Ideas", (4, 0)),))
    body = client.post("/rubrics/new", data={**data, "grow": "level"}, headers=HX).get_data(as_text=True)
    assert 'name="level-0-2-points"' in body and 'value="Ideas"' in body
    body = client.post("/rubrics/new", data={**data, "grow": "criterion"}, headers=HX).get_data(as_text=True)
    assert 'name="criterion-1-name"' in body
    assert db.count(Rubric) == 0


@pytest.mark.parametrize(("change", "message"), [
    ({"title": "  "}, "Give a title."),
    ({"criterion-0-name": ""}, "Criterion 1: give it a name."),
    ({"level-0-1-description": ""}, "Criterion 1, level 2: describe what an answer at this level does."),
    ({"level-0-1-points": "-1"}, "Criterion 1, level 2: give points from 0 to 1000."),
    ({"level-0-1-points": "lots"}, "Criterion 1, level 2: give points from 0 to 1000."),
    ({"level-0-1-points": "1e309"}, "Criterion 1, level 2: give points from 0 to 1000."),
    ({"level-0-0-points": "0", "level-1-0-points": "0", "level-0-1-points": "0", "level-1-1-points": "0"},
     "The best levels must be worth more than 0 points."),
    ({"level-0-0-description": "x" * 2001}, "Criterion 1, level 1: the description is too long."),
])
def test_bad_rubrics_are_refused_with_a_clear_message_and_nothing_is_stored(client, auth, course, db, change,
                                                                                message):
    auth.login(course.teacher)
    response = client.post("/rubrics/new", data={**grid(criteria=(("Ideas", (4, 2)), ("Spelling", (4, 2)))), **change},
                           headers=HX)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    assert db.count(Rubric) == 0 and db.count(RubricLevel) == 0


def test_nul_bytes_in_a_rubric_are_refused(client, auth, course, db):
    auth.login(course.teacher)
    response = client.post("/rubrics/new", data={**grid(), "criterion-0-name": "Ide\x00as"})
    assert response.status_code == 400
    assert db.count(Rubric) == 0


def test_the_database_keeps_points_positions_and_names_valid(app, course, make):
    with app.app_context():
        rubric = Rubric(title="R", owner_id=course.teacher.id)
        criterion = RubricCriterion(position=0, name="Ideas")
        criterion.levels = [RubricLevel(position=0, points=2, description="Good")]
        other = RubricCriterion(position=1, name="Spelling")
        other.levels = [RubricLevel(position=0, points=1, description="Fine")]
        rubric.criteria = [criterion, other]
        _db.session.add(rubric)
        _db.session.commit()
        bad_rows = [
            RubricLevel(criterion_id=criterion.id, position=1, points=-1, description="Negative"),
            RubricLevel(criterion_id=criterion.id, position=0, points=1, description="Same position"),
            RubricLevel(criterion_id=criterion.id, position=1, points=1, description=""),
            RubricCriterion(rubric_id=rubric.id, position=2, name=""),
            RubricCriterion(rubric_id=rubric.id, position=1, name="Same position"),
            Rubric(title="", owner_id=course.teacher.id),
        ]
        for row in bad_rows:
            with pytest.raises(IntegrityError):
                with _db.session.begin_nested():
                    _db.session.add(row)
        _db.session.remove()


def test_the_level_chosen_must_belong_to_its_criterion(app, course, essay, make, db):
    attempt = make.attempt(course.student, essay, {1: ["An answer"]})
    with app.app_context():
        rubric = Rubric(title="R", owner_id=course.teacher.id)
        ideas = RubricCriterion(position=0, name="Ideas", levels=[RubricLevel(position=0, points=2, description="a")])
        spelling = RubricCriterion(position=1, name="Spelling",
                                   levels=[RubricLevel(position=0, points=1, description="b")])
        rubric.criteria = [ideas, spelling]
        _db.session.add(rubric)
        _db.session.flush()
        answer = _db.session.scalar(select(Answer).where(Answer.submission_id == attempt.id))
        with pytest.raises(IntegrityError):
            with _db.session.begin_nested():
                _db.session.add(AnswerRubricLevel(answer_id=answer.id, criterion_id=ideas.id,
                                                  level_id=spelling.levels[0].id))
        _db.session.rollback()
        _db.session.remove()


def test_copy_edit_and_delete_with_confirmation(client, auth, course, db):
    auth.login(course.teacher)
    rubric_id = create_rubric(client)
    detail = client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert 'hx-confirm="Delete the rubric' in detail
    response = client.post(f"/rubrics/{rubric_id}/copy")
    copy_id = int(re.search(r"/rubrics/(\d+)/edit", response.headers["Location"]).group(1))
    assert db.get(Rubric, copy_id).title == "Copy of Essay rubric"
    assert list(levels_of(db, copy_id)) == ["Ideas", "Spelling"]
    response = client.post(f"/rubrics/{copy_id}/edit", data=grid(title="Short essays", criteria=(("Voice", (3, 1)),)))
    assert response.status_code in (302, 303)
    assert db.get(Rubric, copy_id).title == "Short essays" and list(levels_of(db, copy_id)) == ["Voice"]
    assert client.post(f"/rubrics/{copy_id}/delete").status_code in (302, 303)
    assert db.get(Rubric, copy_id) is None and db.get(Rubric, rubric_id) is not None


def test_other_teachers_private_rubrics_are_404_and_shared_ones_read_only(client, auth, course, db):
    auth.login(course.teacher)
    private_id = create_rubric(client, title="Mine only")
    shared_id = create_rubric(client, title="For everyone", shared="1")
    auth.logout()
    auth.login(course.other_teacher)
    listing = client.get("/rubrics").get_data(as_text=True)
    assert "For everyone" in listing and "Mine only" not in listing
    for url in (f"/rubrics/{private_id}", f"/rubrics/{private_id}/edit"):
        assert client.get(url).status_code == 404
    for url in (f"/rubrics/{private_id}/copy", f"/rubrics/{private_id}/delete", f"/rubrics/{private_id}/edit"):
        assert client.post(url, data=grid()).status_code == 404
    assert client.get(f"/rubrics/{shared_id}").status_code == 200
    assert client.get(f"/rubrics/{shared_id}/edit").status_code == 403
    assert client.post(f"/rubrics/{shared_id}/delete").status_code == 403
    assert client.post(f"/rubrics/{shared_id}/copy").status_code in (302, 303)
    assert db.count(Rubric, Rubric.owner_id == course.other_teacher.id) == 1
    assert db.get(Rubric, shared_id).title == "For everyone"


@pytest.mark.parametrize("role", ["STUDENT", "PARENT"])
def test_students_and_parents_cannot_open_the_rubric_editor(client, as_role, auth, course, role):
    auth.login(course.teacher)
    rubric_id = create_rubric(client, shared="1")
    auth.logout()
    as_role(role)
    for url in ("/rubrics", "/rubrics/new", f"/rubrics/{rubric_id}", f"/rubrics/{rubric_id}/edit"):
        assert client.get(url).status_code == 403
    assert client.post("/rubrics/new", data=grid()).status_code == 403


# --- attaching ------------------------------------------------------------------------------------------------


def test_a_rubric_attaches_to_long_and_file_answers_only(client, auth, course, essay, db):
    auth.login(course.teacher)
    rubric_id = create_rubric(client)
    long_one = long_question(db, essay)
    choice = db.scalars(select(Question).where(Question.assessment_id == essay.id, Question.position == 0))[0]
    editor = client.get(f"/assessments/{essay.id}/questions/{long_one.id}").get_data(as_text=True)
    assert f"/assessments/{essay.id}/questions/{long_one.id}/rubric" in editor
    body = client.get(f"/assessments/{essay.id}/questions/{long_one.id}/rubric", headers=HX).get_data(as_text=True)
    assert "Essay rubric" in body and "No rubric: the grader types the points." in body
    body = client.post(f"/assessments/{essay.id}/questions/{long_one.id}/rubric", data={"rubric": rubric_id},
                       headers=HX).get_data(as_text=True)
    assert "Graded with:" in body and "8 rubric points, scaled to this question's 3" in body
    response = client.post(f"/assessments/{essay.id}/questions/{choice.id}/rubric", data={"rubric": rubric_id},
                           headers=HX)
    assert response.status_code == 422
    assert "Only long-answer and file-upload questions" in response.get_data(as_text=True)
    assert db.count(QuestionRubric) == 1
    client.post(f"/assessments/{essay.id}/questions/{long_one.id}/rubric", data={"rubric": ""}, headers=HX)
    assert db.count(QuestionRubric) == 0


def test_another_teachers_private_rubric_cannot_be_attached(client, auth, course, essay, db):
    auth.login(course.other_teacher)
    foreign = create_rubric(client, title="Private")
    auth.logout()
    auth.login(course.teacher)
    question = long_question(db, essay)
    response = client.post(f"/assessments/{essay.id}/questions/{question.id}/rubric", data={"rubric": foreign},
                           headers=HX)
    assert response.status_code == 422 and "does not exist or is not available" in response.get_data(as_text=True)
    assert db.count(QuestionRubric) == 0


# --- grading ----------------------------------------------------------------------------------------------------


def test_scaling_the_rubric_score_to_the_question_points():
    assert scaled(6, 8, 3) == 2.25
    assert scaled(8, 8, 3) == 3
    assert scaled(0, 8, 3) == 0
    assert scaled(12, 16, 10) == 7.5
    assert scaled(5, 5, 5) == 5
    assert scaled(1, 3, 1) == 0.33


def test_grading_a_whole_attempt_with_the_rubric(client, course, graded_setup, db):
    setup = graded_setup
    attempt, vid, levels = setup["attempt"], setup["version_id"], setup["levels"]
    ideas, spelling = [db.scalars(select(RubricCriterion.id).where(RubricCriterion.rubric_id == setup["rubric_id"],
                                                                   RubricCriterion.name == n))[0]
                       for n in ("Ideas", "Spelling")]
    page = client.get(f"/submissions/{attempt.id}").get_data(as_text=True)
    assert f'name="rubric-{vid}-{ideas}"' in page and "Rubric: Essay rubric" in page and "js/rubric.js" in page
    # one criterion left out: refused, nothing stored
    response = client.post(f"/submissions/{attempt.id}/grade", headers=HX, data={
        f"rubric-{vid}-{ideas}": levels["Ideas"][0], f"points-{vid}": "3", "action": "save"})
    assert response.status_code == 422
    assert "choose a level for “Spelling”" in response.get_data(as_text=True)
    assert db.count(AnswerRubricLevel) == 0 and db.get(Submission, attempt.id).status == "SUBMITTED"
    # Ideas 4 + Spelling 2 = 6 of 8 → 2.25 of 3 (the points typed do not count)
    response = client.post(f"/submissions/{attempt.id}/grade", data={
        f"rubric-{vid}-{ideas}": levels["Ideas"][0], f"rubric-{vid}-{spelling}": levels["Spelling"][1],
        f"rubric-comment-{vid}-{spelling}": "Check 'ten' vs 'tin'.", f"points-{vid}": "0", "action": "return"})
    assert response.status_code in (302, 303)
    answer = db.scalars(select(Answer).where(Answer.submission_id == attempt.id, Answer.question_version_id == vid))[0]
    assert answer.manual_points == 2.25
    saved = db.get(Submission, attempt.id)
    assert saved.status == "RETURNED" and saved.final_score == 3.25
    assert db.count(AnswerRubricLevel, AnswerRubricLevel.answer_id == answer.id) == 2
    page = client.get(f"/submissions/{attempt.id}").get_data(as_text=True)
    assert "6 of 8 rubric points → 2.25 of 3" in page and "Check &#39;ten&#39; vs &#39;tin&#39;." in page


def test_grading_one_question_across_students_with_the_rubric(client, course, graded_setup, db, make):
    setup = graded_setup
    attempt, vid, levels = setup["attempt"], setup["version_id"], setup["levels"]
    question = setup["question"]
    criteria = db.scalars(select(RubricCriterion).where(RubricCriterion.rubric_id == setup["rubric_id"])
                          .order_by(RubricCriterion.position))
    url = f"/assessments/{question.assessment_id}/questions/{question.id}/grading"
    page = client.get(url).get_data(as_text=True)
    assert f'name="rubric-{vid}-{criteria[0].id}"' in page and 'type="radio"' in page
    response = client.post(f"{url}/{attempt.id}", headers=HX, data={
        f"rubric-{vid}-{criteria[0].id}": levels["Ideas"][1], f"rubric-{vid}-{criteria[1].id}": levels["Spelling"][2]})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'id="question-grading"' in body and "<html" not in body
    assert "2 of 8 rubric points → 0.75 of 3" in body
    answer = db.scalars(select(Answer).where(Answer.submission_id == attempt.id, Answer.question_version_id == vid))[0]
    assert answer.manual_points == 0.75
    assert db.get(Submission, attempt.id).status == "GRADED"
    # a level of another criterion is refused
    response = client.post(f"{url}/{attempt.id}", headers=HX, data={
        f"rubric-{vid}-{criteria[0].id}": levels["Spelling"][0], f"rubric-{vid}-{criteria[1].id}": levels["Spelling"][0]})
    assert response.status_code == 422 and "choose a level for “Ideas”" in response.get_data(as_text=True)
    assert db.scalar(select(Answer.manual_points).where(Answer.id == answer.id)) == 0.75


def grade_with_rubric(client, db, setup, *, ideas: int, spelling: int, ideas_comment: str | None = None) -> None:
    """The teacher grades the setup's attempt: the Ideas and Spelling levels at these places (and a comment)."""
    vid, levels = setup["version_id"], setup["levels"]
    criteria = db.scalars(select(RubricCriterion.id).where(RubricCriterion.rubric_id == setup["rubric_id"])
                          .order_by(RubricCriterion.position))
    data = {f"rubric-{vid}-{criteria[0]}": levels["Ideas"][ideas],
            f"rubric-{vid}-{criteria[1]}": levels["Spelling"][spelling], "action": "save"}
    if ideas_comment is not None:
        data[f"rubric-comment-{vid}-{criteria[0]}"] = ideas_comment
    client.post(f"/submissions/{setup['attempt'].id}/grade", data=data)


def test_a_rubric_used_for_grading_keeps_its_levels(client, course, graded_setup, db):
    setup = graded_setup
    levels, rubric_id = setup["levels"], setup["rubric_id"]
    grade_with_rubric(client, db, setup, ideas=0, spelling=0)
    response = client.post(f"/rubrics/{rubric_id}/edit", data=grid(criteria=(("Ideas", (5, 0)),)), headers=HX)
    assert response.status_code == 422
    assert "Make a copy and change the copy." in response.get_data(as_text=True)
    assert levels_of(db, rubric_id) == levels
    # the title and sharing may still change
    response = client.post(f"/rubrics/{rubric_id}/edit", data=grid(title="Essays (2026)", shared="1"))
    assert response.status_code in (302, 303)
    assert db.get(Rubric, rubric_id).title == "Essays (2026)" and levels_of(db, rubric_id) == levels
    assert "Delete the rubric" not in client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    client.post(f"/rubrics/{rubric_id}/delete")
    assert db.get(Rubric, rubric_id) is not None


def test_the_student_sees_the_level_given_for_each_criterion(client, auth, course, graded_setup, db):
    setup = graded_setup
    attempt = setup["attempt"]
    grade_with_rubric(client, db, setup, ideas=1, spelling=0, ideas_comment="Say more about the tens.")
    auth.logout()
    auth.login(course.student)
    page = client.get(f"/submissions/{attempt.id}").get_data(as_text=True)
    chosen = re.findall(r'<li class="rubric-level is-chosen" aria-current="true">\s*<strong class="rubric-points">'
                        r'([^<]+)</strong>', page)
    assert chosen == ["2 pts", "4 pts"]
    assert "Ideas level worth 0" in page  # the other levels are shown too
    assert "Say more about the tens." not in page  # comments come with the returned work
    assert "/rubrics/" not in page and 'type="radio"' not in page
    auth.logout()
    auth.login(course.teacher)
    client.post("/submissions/return", data={"submission": attempt.id})
    auth.logout()
    auth.login(course.student)
    assert "Say more about the tens." in client.get(f"/submissions/{attempt.id}").get_data(as_text=True)


def test_a_new_rubric_on_the_question_leaves_graded_answers_with_theirs(client, course, graded_setup, db):
    setup = graded_setup
    attempt = setup["attempt"]
    grade_with_rubric(client, db, setup, ideas=0, spelling=0)
    other = create_rubric(client, title="Another", criteria=(("Voice", (2, 0)),))
    question = setup["question"]
    client.post(f"/assessments/{question.assessment_id}/questions/{question.id}/rubric", data={"rubric": other},
                headers=HX)
    page = client.get(f"/submissions/{attempt.id}").get_data(as_text=True)
    assert "Rubric: Essay rubric" in page and "Rubric: Another" not in page
    assert db.get(Submission, attempt.id).final_score == 4


def test_the_demo_has_a_shared_rubric_on_its_long_answer(client, auth, demo, db):
    rubric = db.scalars(select(Rubric).where(Rubric.title == "Explaining a comparison"))[0]
    assert rubric.shared and db.count(QuestionRubric, QuestionRubric.rubric_id == rubric.id) == 1
    attempt = db.scalars(select(Submission).where(Submission.student_id == demo["student@example.org"]))[0]
    client.post("/auth/login", data={"login": "teacher@example.org", "password": "demo-pass-1234"})
    page = client.get(f"/submissions/{attempt.id}").get_data(as_text=True)
    assert "Rubric: Explaining a comparison" in page and "Compares the tens first, then the ones" in page
