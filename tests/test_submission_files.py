"""Files of a submission belong to the submission: a student's answer file is not in the teacher's
resource library (nor in a section's attach picker), and a parent sees the quiz media of their own
child's submission, not of another child's."""

import io
import re

import pytest
from sqlalchemy import select

from lms.assessments.models import Answer
from tests import sample_files
from tests.assessment_fixtures import build_course


@pytest.fixture
def course(make):
    return build_course(make)


def _media_quiz(course, make):
    picture = make.resource(course.teacher, None, "cow.png", title="Cow picture")
    song = make.resource(course.teacher, sample_files.wav(), "moo.wav", title="Moo sound")
    quiz = make.assessment(course.teacher, title="Farm quiz", section_id=course.ids["Counting"], publish=True,
                           media=[("cow", picture), ("moo", song)],
                           questions=[{"type": "FILE_UPLOAD", "text": "Look [[media:cow]] listen [[media:moo]]: "
                                                                      "draw it.", "points": 2}])
    return quiz, picture, song


def _answer_with_a_file(client, auth, course, make, quiz, db):
    auth.login(course.student)
    client.post(f"/assessments/{quiz.id}/start")
    page = client.get(f"/assessments/{quiz.id}/take").get_data(as_text=True)
    action = re.search(r'action="(/submissions/\d+/answers/\d+)"', page) or \
        re.search(r'hx-post="(/submissions/\d+/answers/\d+)"', page)
    response = client.post(action.group(1), data={"answer-file": (io.BytesIO(sample_files.pdf()), "my-drawing.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code in (200, 303), response.get_data(as_text=True)[:500]
    answer = db.scalar(select(Answer).where(Answer.file_resource_id.isnot(None)))
    assert client.post(f"/submissions/{answer.submission_id}/submit").status_code in (200, 303)
    auth.logout()
    return answer


def test_a_students_answer_file_is_not_in_the_teachers_library(client, auth, course, make, db):
    quiz, _picture, _song = _media_quiz(course, make)
    answer = _answer_with_a_file(client, auth, course, make, quiz, db)
    auth.login(course.teacher)
    assert client.get(f"/resources/{answer.file_resource_id}/download").status_code == 200  # the grader reads it
    library = client.get("/resources").get_data(as_text=True)
    assert "Cow picture" in library
    assert "my-drawing" not in library and f"/resources/{answer.file_resource_id}" not in library
    assert "my-drawing" not in client.get("/resources?q=drawing").get_data(as_text=True)
    picker = client.get(f"/sections/{course.ids['Comparing']}/edit").get_data(as_text=True)
    assert "my-drawing" not in picker
    auth.logout()

    admin = make.user(role="ADMIN")
    auth.login(admin)
    assert "my-drawing" not in client.get("/resources").get_data(as_text=True)
    assert client.get(f"/resources/{answer.file_resource_id}/download").status_code == 200


@pytest.mark.parametrize("frozen", [True, False], ids=["files-frozen-with-the-question", "older-attempt"])
def test_a_parent_sees_the_quiz_media_of_their_own_childs_submission(client, auth, course, make, db, app, frozen):
    quiz, picture, song = _media_quiz(course, make)
    answer = _answer_with_a_file(client, auth, course, make, quiz, db)
    if not frozen:  # attempts taken before files were frozen with the question show the assessment's files
        from sqlalchemy import delete

        from lms.assessments.models import QuestionVersionMedia
        from lms.extensions import db as _db

        with app.app_context():
            _db.session.execute(delete(QuestionVersionMedia))
            _db.session.commit()
            _db.session.remove()

    unused = make.resource(course.teacher, None, "other.png", title="Other picture")
    parent = make.parent_of(course.student)
    auth.login(parent)
    page = client.get(f"/submissions/{answer.submission_id}").get_data(as_text=True)
    assert f"/resources/{picture.id}/download" in page and f"/resources/{song.id}/download" in page
    assert client.get(f"/resources/{picture.id}/download").status_code == 200
    assert client.get(f"/resources/{song.id}/download").status_code == 200
    assert client.get(f"/resources/{answer.file_resource_id}/download").status_code == 200
    assert client.get(f"/resources/{unused.id}/download").status_code == 404  # not in the child's quiz
    auth.logout()

    stranger = make.parent_of(course.other_student)
    auth.login(stranger)
    assert client.get(f"/resources/{picture.id}/download").status_code == 404
    assert client.get(f"/resources/{answer.file_resource_id}/download").status_code == 404
