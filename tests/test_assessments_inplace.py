"""Questions edited in place (htmx swaps a row for its editor and back), with the separate editor
page kept for browsers without JavaScript; a save from a second tab that did not see the first
tab's change is refused; the grading forms answer fragments."""

import re

import pytest
from sqlalchemy import select

from lms.assessments import authoring
from lms.assessments.models import Assessment, Question, Submission
from lms.assessments.questions import QuestionInput
from lms.auth.models import User
from lms.extensions import db as _db
from tests.assessment_fixtures import HX, build_course
from tests.factories import ONE_OF_EACH, RIGHT_ANSWERS


@pytest.fixture
def course(make):
    return build_course(make)


def questions(db, assessment_id):
    return db.scalars(select(Question).where(Question.assessment_id == assessment_id).order_by(Question.position))


def editor_version(page: str) -> str:
    return re.search(r'name="version" value="([0-9a-f]+)"', page).group(1)


def choice_fields(text="How many tens in 100?", points="2", **extra):
    return {"type": "SINGLE_CHOICE", "text": text, "points": points, "option-0": "1", "option-1": "10",
            "correct": "1", **extra}


@pytest.fixture
def quiz(course, make):
    return make.assessment(course.teacher, questions=ONE_OF_EACH[:2])  # 1 + 2 points


# --- opening, saving, cancelling in place --------------------------------------------------------------


def test_edit_opens_the_editor_in_place_of_the_row_and_a_page_without_javascript(client, auth, course, quiz, db):
    first = questions(db, quiz.id)[0]
    auth.login(course.teacher)
    url = f"/assessments/{quiz.id}/questions/{first.id}"
    listed = client.get(f"/assessments/{quiz.id}").get_data(as_text=True)
    assert f'<a href="{url}" hx-get="{url}"' in listed  # a real link, enhanced

    fragment = client.get(url, headers=HX)
    page = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in page
    assert page.lstrip().startswith(f'<li class="question-item is-editing" id="question-{first.id}"')
    assert f'hx-post="{url}"' in page and 'name="version"' in page
    assert f'id="q{first.id}-q-text"' in page and "autofocus" in page  # own ids; the text takes the focus
    assert f'hx-get="{url}/row"' in page  # Cancel

    full = client.get(url).get_data(as_text=True)
    editor = full.split('id="question-editor"')[1]
    # A plain form on its own page (only the matching editor's pair buttons post with htmx).
    assert "<html" in full and 'id="q-text"' in full and f'hx-post="{url}"' not in editor
    assert "Save and back to the list" in full


def test_save_in_place_answers_the_row_with_the_totals_out_of_band(client, auth, course, quiz, db):
    first = questions(db, quiz.id)[0]
    auth.login(course.teacher)
    url = f"/assessments/{quiz.id}/questions/{first.id}"
    version = editor_version(client.get(url, headers=HX).get_data(as_text=True))
    response = client.post(url, headers=HX, data=choice_fields(points="4", version=version))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in page
    assert page.lstrip().startswith(f'<li class="question-item" id="question-{first.id}"')
    assert "How many tens in 100?" in page and "Points: 4" in page
    assert f'id="edit-question-{first.id}"' in page and "autofocus" in page  # the focus returns to the row
    assert re.search(r'<p id="question-totals" class="muted" hx-swap-oob="true">2 questions · 6 points in all', page)
    assert '<div id="publish-check" hx-swap-oob="true">' in page
    assert "Question saved." in page and 'id="messages" hx-swap-oob' in page
    stored = db.get(Question, first.id)
    assert (stored.text, stored.points, stored.key) == ("How many tens in 100?", 4, {"correct": 1})

    # Without JavaScript the same form posts and the browser goes to the editor's page or the list.
    plain = client.post(url, data=choice_fields(text="Again", next="list"))
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"#question-{first.id}")


def test_a_refused_save_keeps_what_was_typed_and_answers_422(client, auth, course, quiz, db):
    first = questions(db, quiz.id)[0]
    auth.login(course.teacher)
    url = f"/assessments/{quiz.id}/questions/{first.id}"
    version = editor_version(client.get(url, headers=HX).get_data(as_text=True))
    response = client.post(url, headers=HX, data=choice_fields(text="Typed text", points="many", version=version))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in page
    assert page.lstrip().startswith(f'<li class="question-item is-editing" id="question-{first.id}"')
    assert "Points must be a number" in page and ">Typed text</textarea>" in page and 'value="many"' in page
    points_input = re.search(r'<input id="q\d+-q-points"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in points_input and "autofocus" in points_input
    assert f'value="{version}"' in page  # still based on the version it was opened with
    assert db.get(Question, first.id).text == "2 + 2 = ?"
    # Fixed: saved.
    assert client.post(url, headers=HX, data=choice_fields(points="3", version=version)).status_code == 200
    assert db.get(Question, first.id).points == 3


def test_cancel_puts_the_row_back(client, auth, course, quiz, db):
    first = questions(db, quiz.id)[0]
    auth.login(course.teacher)
    response = client.get(f"/assessments/{quiz.id}/questions/{first.id}/row", headers=HX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and page.lstrip().startswith(f'<li class="question-item" id="question-{first.id}"')
    assert "2 + 2 = ?" in page and "autofocus" in page
    plain = client.get(f"/assessments/{quiz.id}/questions/{first.id}/row")
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"/assessments/{quiz.id}#question-{first.id}")


# --- two tabs ----------------------------------------------------------------------------------------------


def test_a_save_from_a_tab_opened_before_another_save_is_refused_with_a_reload(client, auth, course, quiz, db):
    first = questions(db, quiz.id)[0]
    auth.login(course.teacher)
    url = f"/assessments/{quiz.id}/questions/{first.id}"
    tab_one = editor_version(client.get(url, headers=HX).get_data(as_text=True))
    tab_two = editor_version(client.get(url, headers=HX).get_data(as_text=True))
    assert client.post(url, headers=HX, data=choice_fields(text="From tab one", version=tab_one)).status_code == 200

    refused = client.post(url, headers=HX, data=choice_fields(text="From tab two", version=tab_two))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "<html" not in page
    assert "This question was changed in another tab or by someone else after you opened it." in page
    assert f'hx-get="{url}"' in page and "Reload the question" in page
    assert ">From tab two</textarea>" in page  # what was typed stays, to copy or to save over
    assert db.get(Question, first.id).text == "From tab one"

    # The same text as stored is no conflict; saving again from the refused form replaces it knowingly.
    assert client.post(url, headers=HX, data=choice_fields(text="From tab one", version=tab_two)).status_code == 200
    newer = editor_version(page)
    assert newer != tab_two
    assert client.post(url, headers=HX, data=choice_fields(text="From tab two", version=newer)).status_code == 200
    assert db.get(Question, first.id).text == "From tab two"


def test_the_conflict_without_javascript_shows_the_editor_page(client, auth, course, quiz, db):
    first = questions(db, quiz.id)[0]
    auth.login(course.teacher)
    url = f"/assessments/{quiz.id}/questions/{first.id}"
    stale = editor_version(client.get(url).get_data(as_text=True))
    client.post(url, data=choice_fields(text="Changed elsewhere"))
    response = client.post(url, data=choice_fields(text="Mine", version=stale))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in page and "changed in another tab" in page
    assert f'<a href="{url}"' in page and "Reload the question" in page
    assert db.get(Question, first.id).text == "Changed elsewhere"


def test_the_service_refuses_a_stale_version_and_accepts_a_tag_change_from_the_current_one(app, course, quiz, db):
    first = questions(db, quiz.id)[0]
    with app.test_request_context():
        teacher = _db.session.get(User, course.teacher.id)
        assessment, question = _db.session.get(Assessment, quiz.id), _db.session.get(Question, first.id)
        opened = authoring.edit_version(question)
        authoring.update_question(teacher, assessment, question,
                                  QuestionInput(type="SINGLE_CHOICE", text="2 + 2 = ?", options=["3", "4", "5"],
                                                key={"correct": 1}, tags="sums"), base_version=opened)
        assert authoring.edit_version(question) != opened  # a tag is part of the version
        with pytest.raises(authoring.QuestionChanged):
            authoring.update_question(teacher, assessment, question,
                                      QuestionInput(type="SINGLE_CHOICE", text="Other", options=["3", "4", "5"]),
                                      base_version=opened)


# --- adding and deleting in place ---------------------------------------------------------------------------


def test_a_new_question_opens_in_place_and_is_stored_only_when_saved(client, auth, course, quiz, db):
    auth.login(course.teacher)
    response = client.get(f"/assessments/{quiz.id}/questions/new?type=NUMERIC", headers=HX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and page.lstrip().startswith('<div class="question-item is-editing" id="question-new"')
    assert f'hx-post="/assessments/{quiz.id}/questions"' in page and 'id="qnew-q-text"' in page
    assert len(questions(db, quiz.id)) == 2
    cancel = client.get(f"/assessments/{quiz.id}/questions/new", headers=HX).get_data(as_text=True)
    assert cancel.startswith('<div id="question-new"></div>')

    refused = client.post(f"/assessments/{quiz.id}/questions", headers=HX,
                          data={"type": "NUMERIC", "text": "Ten tens?", "points": "0", "value": "100"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="question-new"' in page and ">Ten tens?</textarea>" in page
    assert len(questions(db, quiz.id)) == 2

    added = client.post(f"/assessments/{quiz.id}/questions", headers=HX,
                        data={"type": "NUMERIC", "text": "Ten tens?", "points": "2", "value": "100"})
    page = added.get_data(as_text=True)
    rows = questions(db, quiz.id)
    assert added.status_code == 200 and page.startswith('<section id="questions"')
    assert added.headers["HX-Retarget"] == "#questions"  # the list replaces itself, not the editor's slot
    assert len(rows) == 3 and rows[2].key == {"value": 100.0, "tolerance": 0.0}
    assert f'id="edit-question-{rows[2].id}"' in page and "Question added." in page
    assert "3 questions · 5 points in all" in page and '<div id="question-new"></div>' in page


def test_the_add_button_without_javascript_still_opens_the_editor_page(client, auth, course, quiz, db):
    auth.login(course.teacher)
    response = client.post(f"/assessments/{quiz.id}/questions", data={"type": "LONG_ANSWER"})
    created = questions(db, quiz.id)[-1]
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/questions/{created.id}")
    page = client.get(f"/assessments/{quiz.id}/questions/new?type=LONG_ANSWER").get_data(as_text=True)
    assert "<html" in page and "New question" in page


def test_delete_and_move_work_as_plain_forms_and_with_htmx(client, auth, course, quiz, db):
    first, second = questions(db, quiz.id)
    auth.login(course.teacher)
    listed = client.get(f"/assessments/{quiz.id}").get_data(as_text=True)
    assert f'<form method="post" action="/assessments/{quiz.id}/questions/{first.id}/delete"' in listed
    moved = client.post(f"/assessments/{quiz.id}/questions/{first.id}/move", data={"direction": "down"})
    assert moved.status_code == 303
    assert [q.id for q in questions(db, quiz.id)] == [second.id, first.id]
    deleted = client.post(f"/assessments/{quiz.id}/questions/{second.id}/delete", headers=HX)
    page = deleted.get_data(as_text=True)
    assert deleted.status_code == 200 and f'id="question-{second.id}"' not in page
    assert f'id="question-{first.id}"' in page and "1 question · 1 points in all" in page


# --- grading answers fragments ------------------------------------------------------------------------------


@pytest.fixture
def graded_quiz(course, make):
    return make.assessment(course.teacher, questions=ONE_OF_EACH, section_id=course.ids["Counting"], publish=True)


def test_grading_an_attempt_with_htmx_answers_the_form_with_its_saved_state(client, auth, course, graded_quiz, make,
                                                                             db):
    attempt = make.attempt(course.student, graded_quiz, RIGHT_ANSWERS)
    auth.login(course.teacher)
    page = client.get(f"/submissions/{attempt.id}").get_data(as_text=True)
    assert f'hx-post="/submissions/{attempt.id}/grade"' in page and f'action="/submissions/{attempt.id}/grade"' in page
    long_answer, upload = attempt.question_order[5:7]
    response = client.post(f"/submissions/{attempt.id}/grade", headers=HX,
                           data={f"points-{long_answer}": "2", f"points-{upload}": "0", "action": "save"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in page
    assert page.startswith('<div id="grade-form-box"')
    assert 'class="save-state saved"' in page and "Grades saved." in page
    assert '<hgroup id="grade-summary" hx-swap-oob="true">' in page and "Graded" in page
    assert '<section id="grade-history" class="history" hx-swap-oob="true"' in page
    assert db.get(Submission, attempt.id).status == "GRADED"
    # Without JavaScript: a redirect to the page, as before.
    plain = client.post(f"/submissions/{attempt.id}/grade", data={f"points-{long_answer}": "3", f"points-{upload}": "0",
                                                                 "action": "save"})
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"/submissions/{attempt.id}")


def test_grading_one_question_and_bulk_return_answer_fragments(client, auth, course, graded_quiz, make, db):
    attempt = make.attempt(course.student, graded_quiz, RIGHT_ANSWERS)
    question = questions(db, graded_quiz.id)[5]
    auth.login(course.teacher)
    url = f"/assessments/{graded_quiz.id}/questions/{question.id}/grading/{attempt.id}"
    response = client.post(url, headers=HX, data={"points": "2"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and page.startswith('<section id="question-grading"') and "Saved." in page
    refused = client.post(url, headers=HX, data={"points": "9"})
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.get_data(as_text=True)
    long_answer, upload = attempt.question_order[5:7]
    assert client.post(f"/submissions/{attempt.id}/grade", headers=HX,
                       data={f"points-{long_answer}": "2", f"points-{upload}": "1", "action": "save"}).status_code == 200
    returned = client.post("/submissions/return", headers=HX, data={"submission": [attempt.id]})
    page = returned.get_data(as_text=True)
    assert returned.status_code == 200 and page.startswith('<section id="queue"')
    assert "Returned 1 submission to its student." in page
    assert db.get(Submission, attempt.id).status == "RETURNED"
