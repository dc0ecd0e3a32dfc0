"""Media are frozen with the question version an attempt gets: replacing the file under a label
changes new attempts only; a submitted or graded attempt keeps showing (and linking to) the file
that was shown when it was taken, for the student, their parent and the teacher."""

import io
import re

import pytest
from sqlalchemy import select

from lms.assessments.models import AssessmentMedia, QuestionVersion, Submission
from tests.assessment_fixtures import HX, build_course
from tests.factories import ONE_OF_EACH

OLD = b"%PDF-1.4\n% the worksheet as it was when the student took the quiz\ntrailer\n<<>>\n%%EOF\n"
NEW = b"%PDF-1.4\n% the corrected worksheet uploaded afterwards\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def course(make):
    return build_course(make)


@pytest.fixture
def quiz(course, make):
    sheet = make.resource(course.teacher, OLD, "sheet-v1.pdf", title="Worksheet")
    return make.assessment(course.teacher, title="Worksheet quiz", section_id=course.ids["Counting"], publish=True,
                           attempts_allowed=2, media=[("sheet", sheet)],
                           questions=[{**ONE_OF_EACH[5], "text": "Read [[media:sheet]] and explain."},
                                      {**ONE_OF_EACH[0], "text": "No media here: 2 + 2 = ?"}])


def downloads(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/resources/(\d+)/download"', page)]


def replace_sheet(client, auth, course, quiz):
    auth.login(course.teacher)
    response = client.post(f"/assessments/{quiz.id}/media", headers=HX, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(NEW), "sheet-v2.pdf"), "label": "sheet", "title": "Worksheet"})
    assert response.status_code == 200
    auth.logout()


def test_a_replaced_file_keeps_showing_in_past_attempts_and_new_attempts_get_the_new_one(
        client, auth, course, quiz, make, db):
    old_id = db.scalar(select(AssessmentMedia.resource_id))
    auth.login(course.student)
    assert client.post(f"/assessments/{quiz.id}/start").status_code == 303
    assert downloads(client.get(f"/assessments/{quiz.id}/take").get_data(as_text=True)) == [old_id]
    attempt = db.scalar(select(Submission))
    client.post(f"/submissions/{attempt.id}/answers/{attempt.question_order[0]}", headers=HX,
                data={"answer": ["I read it"], "revision": "0"})
    client.post(f"/submissions/{attempt.id}/submit")
    auth.logout()

    replace_sheet(client, auth, course, quiz)
    new_id = db.scalar(select(AssessmentMedia.resource_id))
    assert new_id != old_id

    # The student's submission page: the file they were shown, and its link gives its content.
    auth.login(course.student)
    page = client.get(f"/submissions/{attempt.id}").get_data(as_text=True)
    assert downloads(page) == [old_id]
    assert client.get(f"/resources/{old_id}/download").data == OLD
    auth.logout()

    # The teacher's grading page shows the same file, before and after grading.
    auth.login(course.teacher)
    assert downloads(client.get(f"/submissions/{attempt.id}").get_data(as_text=True)) == [old_id]
    assert client.post(f"/submissions/{attempt.id}/grade", data={
        f"points-{attempt.question_order[0]}": "2", "feedback": "ok"}).status_code in (200, 303)
    assert db.scalar(select(Submission.status).where(Submission.id == attempt.id)) == "GRADED"
    assert downloads(client.get(f"/submissions/{attempt.id}").get_data(as_text=True)) == [old_id]
    assert client.get(f"/resources/{old_id}/download").data == OLD
    # The teacher's own pages show the file under the label now.
    assert f"/resources/{new_id}/download" in client.get(f"/assessments/{quiz.id}").get_data(as_text=True)
    auth.logout()

    # A new attempt gets the new file; the old attempt still shows the old one.
    auth.login(course.student)
    assert client.post(f"/assessments/{quiz.id}/start").status_code == 303
    assert downloads(client.get(f"/assessments/{quiz.id}/take").get_data(as_text=True)) == [new_id]
    assert client.get(f"/resources/{new_id}/download").data == NEW
    assert downloads(client.get(f"/submissions/{attempt.id}").get_data(as_text=True)) == [old_id]
    # Only the question that uses the label got a new version.
    versions = db.scalars(select(QuestionVersion).order_by(QuestionVersion.question_id, QuestionVersion.number))
    assert [(v.text[:4], v.number) for v in versions] == [("Read", 1), ("Read", 2), ("No m", 1)]


def test_an_attempt_in_progress_keeps_its_file_and_another_student_gets_the_new_one(
        client, auth, course, quiz, make, db):
    old_id = db.scalar(select(AssessmentMedia.resource_id))
    auth.login(course.student)
    client.post(f"/assessments/{quiz.id}/start")
    auth.logout()
    replace_sheet(client, auth, course, quiz)
    new_id = db.scalar(select(AssessmentMedia.resource_id))
    auth.login(course.student)
    assert downloads(client.get(f"/assessments/{quiz.id}/take").get_data(as_text=True)) == [old_id]
    auth.logout()
    classmate = make.student("P1/1")
    auth.login(classmate)
    client.post(f"/assessments/{quiz.id}/start")
    assert downloads(client.get(f"/assessments/{quiz.id}/take").get_data(as_text=True)) == [new_id]
    # Files an assessment showed stay downloadable by those who may see the assessment.
    assert client.get(f"/resources/{old_id}/download").data == OLD
    auth.logout()


def test_the_parent_sees_the_file_the_child_was_shown(client, auth, course, quiz, make, db):
    old_id = db.scalar(select(AssessmentMedia.resource_id))
    make.attempt(course.student, quiz, {0: ["Done"]})
    replace_sheet(client, auth, course, quiz)
    auth.login(make.parent_of(course.student))
    attempt = db.scalar(select(Submission))
    page = client.get(f"/submissions/{attempt.id}").get_data(as_text=True)
    assert downloads(page) == [old_id]
    assert client.get(f"/resources/{old_id}/download").data == OLD


def test_a_file_an_attempt_showed_cannot_be_deleted_from_the_library(client, auth, course, quiz, make, db):
    old_id = db.scalar(select(AssessmentMedia.resource_id))
    make.attempt(course.student, quiz, {0: ["Done"]})
    replace_sheet(client, auth, course, quiz)
    auth.login(course.teacher)
    response = client.post(f"/resources/{old_id}/delete", headers=HX)
    assert response.status_code in (409, 422) and "Worksheet quiz" in response.get_data(as_text=True)
    from lms.resources.models import Resource

    assert db.scalar(select(Resource.id).where(Resource.id == old_id)) == old_id


def test_a_frozen_file_is_not_downloadable_by_someone_who_may_not_see_the_assessment(client, auth, course, quiz,
                                                                                     make, db):
    old_id = db.scalar(select(AssessmentMedia.resource_id))
    make.attempt(course.student, quiz, {0: ["Done"]})
    replace_sheet(client, auth, course, quiz)
    auth.login(course.other_student)  # P2/1: neither the assessment nor the attempt is theirs
    assert client.get(f"/resources/{old_id}/download").status_code == 404
    auth.logout()
    auth.login(course.other_teacher)
    assert client.get(f"/resources/{old_id}/download").status_code == 404
