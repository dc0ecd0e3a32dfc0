"""Two tabs (or two devices) on one attempt: each answer has a revision; a save based on an older
revision is refused with the newer answer, the refused text stays on the page, and neither text
is lost.  The same answer sent again (a re-send, an offline copy) is not a conflict."""

import html
import json
import re

import pytest
from sqlalchemy import select

from lms.assessments.models import Answer, Submission
from tests.assessment_fixtures import HX, build_course
from tests.factories import ONE_OF_EACH

LONG, CHOICE, FILE = 0, 1, 2


@pytest.fixture
def course(make):
    return build_course(make)


@pytest.fixture
def quiz(course, make):
    return make.assessment(course.teacher, title="Essay", questions=[ONE_OF_EACH[5], ONE_OF_EACH[1], ONE_OF_EACH[6]],
                           section_id=course.ids["Counting"], publish=True)


@pytest.fixture
def attempt(client, auth, course, quiz, db):
    auth.login(course.student)
    assert client.post(f"/assessments/{quiz.id}/start").status_code == 303
    return db.scalar(select(Submission).where(Submission.student_id == course.student.id))


def revision_on_page(client, quiz, attempt, index) -> str:
    """The revision a freshly opened tab sends with its saves of question ``index``."""
    page = client.get(f"/assessments/{quiz.id}/take").get_data(as_text=True)
    match = re.search(rf'name="revision" id="revision-{attempt.question_order[index]}" value="(\d+)"', page)
    assert match, "the answer form carries the revision it shows"
    return match.group(1)


def save(client, attempt, index, values, revision):
    data = {"answer": values}
    if revision is not None:
        data["revision"] = revision
    return client.post(f"/submissions/{attempt.id}/answers/{attempt.question_order[index]}", data=data, headers=HX)


def stored(db, attempt, index) -> Answer:
    return db.scalar(select(Answer).where(Answer.submission_id == attempt.id,
                                          Answer.question_version_id == attempt.question_order[index]))


def test_a_stale_tab_cannot_overwrite_the_newer_answer_and_sees_both_texts(client, quiz, attempt, db):
    tab_a = revision_on_page(client, quiz, attempt, LONG)
    tab_b = revision_on_page(client, quiz, attempt, LONG)
    assert tab_a == tab_b == "0"

    first = save(client, attempt, LONG, ["Written in tab A"], tab_a)
    assert first.status_code == 200 and 'data-revision="1"' in first.get_data(as_text=True)

    refused = save(client, attempt, LONG, ["Typed in tab B"], tab_b)
    body = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 409
    assert "This answer was changed in another tab" in body
    assert "Written in tab A" in body                      # the newer text, shown and applied
    assert "Your text in this tab" in body and "Typed in tab B" in body  # the refused text, kept to copy
    assert 'data-revision="1"' in body and 'data-state="conflict"' in body
    values = json.loads(re.search(r"data-values='([^']*)'", refused.get_data(as_text=True)).group(1))
    assert values == ["Written in tab A"]
    answer = stored(db, attempt, LONG)
    assert answer.response == {"text": "Written in tab A"} and answer.revision == 1

    # Tab B now has revision 1 (from the refusal): its next save, on the newer text, is stored.
    again = save(client, attempt, LONG, ["Written in tab A, finished in tab B"], "1")
    assert again.status_code == 200 and 'data-revision="2"' in again.get_data(as_text=True)
    assert stored(db, attempt, LONG).revision == 2
    assert revision_on_page(client, quiz, attempt, LONG) == "2"


def test_the_same_answer_sent_again_is_not_a_conflict(client, quiz, attempt, db):
    assert save(client, attempt, LONG, ["On the bus"], "0").status_code == 200
    # The reply was lost; the page (or its offline copy) sends the same answer on the same revision.
    resent = save(client, attempt, LONG, ["On the bus"], "0")
    assert resent.status_code == 200 and 'data-revision="1"' in resent.get_data(as_text=True)
    answer = stored(db, attempt, LONG)
    assert answer.revision == 1 and answer.response == {"text": "On the bus"}
    # Saving the same text again does not raise the revision, so the other tab is not made stale.
    assert save(client, attempt, LONG, ["On the bus"], "1").status_code == 200
    assert stored(db, attempt, LONG).revision == 1


def test_a_stale_choice_is_refused_and_the_other_tabs_choice_is_given_back(client, quiz, attempt, db):
    assert save(client, attempt, CHOICE, ["0", "2"], "0").status_code == 200
    refused = save(client, attempt, CHOICE, ["1"], "0")
    body = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 409 and "Saved answer:" in body and "2; 4" in body and ">3</textarea>" in body
    assert json.loads(re.search(r"data-values='([^']*)'", body).group(1)) == ["0", "2"]
    assert stored(db, attempt, CHOICE).response == {"choices": [0, 2]}


def test_a_stale_file_is_not_uploaded(client, quiz, attempt, db):
    import io

    from tests.factories import png_bytes

    def upload(name, revision):
        return client.post(f"/submissions/{attempt.id}/answers/{attempt.question_order[FILE]}", headers=HX,
                           data={"answer-file": (io.BytesIO(png_bytes()), name), "revision": revision},
                           content_type="multipart/form-data")

    assert upload("newer.png", "0").status_code == 200
    refused = upload("older.png", "0")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Your file in this tab" in body and "older.png" in body
    assert stored(db, attempt, FILE).response["filename"] == "newer.png"


def test_submitting_from_the_stale_tab_submits_the_newer_answer(client, quiz, attempt, db):
    stale = revision_on_page(client, quiz, attempt, LONG)
    assert save(client, attempt, LONG, ["The newer answer"], stale).status_code == 200
    assert save(client, attempt, LONG, ["The older answer"], stale).status_code == 409
    assert client.post(f"/submissions/{attempt.id}/submit", headers=HX).status_code in (200, 204)
    assert db.scalar(select(Submission.status).where(Submission.id == attempt.id)) == "SUBMITTED"
    assert stored(db, attempt, LONG).response == {"text": "The newer answer"}
    result = client.get(f"/submissions/{attempt.id}").get_data(as_text=True)
    assert "The newer answer" in result and "The older answer" not in result


def test_a_revision_that_is_not_a_number_is_refused_and_nothing_is_stored(client, attempt, db):
    response = save(client, attempt, LONG, ["Text"], "²")
    assert response.status_code == 422 and "reload" in response.get_data(as_text=True)
    assert stored(db, attempt, LONG) is None


def test_a_save_without_a_revision_is_not_checked(client, attempt, db):
    """Pages opened before revisions existed send none: their saves are stored as before."""
    assert save(client, attempt, LONG, ["one"], "0").status_code == 200
    assert save(client, attempt, LONG, ["two"], "0").status_code == 409
    assert save(client, attempt, LONG, ["two"], None).status_code == 200
    answer = stored(db, attempt, LONG)
    assert answer.response == {"text": "two"} and answer.revision == 2
