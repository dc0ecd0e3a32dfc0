"""Work still waiting for grading when the year-end rollover runs can never be graded afterwards:
the rollover's preview says how much and links to the grading queue, and running it needs the
administrator's explicit acknowledgement (issue 17, fix 7, the follow-up)."""

import pytest
from sqlalchemy import select

from lms.core.models import Organization
from lms.school.models import PromotionBatch
from tests.assessment_fixtures import HX, build_course
from tests.factories import ONE_OF_EACH
from tests.test_school_rollover import wizard_form

ESSAY = [ONE_OF_EACH[5]]   # a long answer: waits for hand grading once submitted
WARNING = "still waiting for grading"
ACK = 'name="ungraded_acknowledged"'


@pytest.fixture
def course(make):
    return build_course(make)


@pytest.fixture
def essay(course, make):
    return make.assessment(course.teacher, title="Essay", questions=ESSAY, section_id=course.ids["Counting"],
                           publish=True)


def teacher_tries(client, auth, course, assessment):
    """The teacher's submitted preview of ``assessment`` (not a student's work: never counted)."""
    auth.login(course.teacher)
    assert client.post(f"/assessments/{assessment.id}/preview").status_code == 303
    assert client.post(f"/assessments/{assessment.id}/preview/submit").status_code == 303
    auth.logout()


def test_the_preview_warns_of_ungraded_work_and_the_rollover_needs_an_acknowledgement(client, auth, as_role,
                                                                                     make, db, course, essay):
    make.attempt(course.student, essay, {0: ["I counted in tens."]})
    make.attempt(course.other_student, make.assessment(
        course.other_teacher, title="Hello quiz", questions=ONE_OF_EACH[:1],
        section_id=course.other_ids["Saying hello"], publish=True), {0: ["1"]})   # scored at once
    teacher_tries(client, auth, course, essay)
    as_role("ADMIN")
    page = client.get("/classrooms/rollover").get_data(as_text=True)
    assert "1 submission is still waiting for grading; after the rollover it can no longer be graded." in page
    assert 'href="/submissions?status=SUBMITTED"' in page and ACK in page

    refused = client.post("/classrooms/rollover", data=wizard_form(page), headers=HX)
    assert refused.status_code == 422
    assert "Tick the box to confirm" in refused.get_data(as_text=True)
    assert db.count(PromotionBatch) == 0 and db.scalar(select(Organization.academic_year)) == "2026"

    response = client.post("/classrooms/rollover", data={**wizard_form(page), "ungraded_acknowledged": "y"})
    assert response.status_code == 303 and db.count(PromotionBatch) == 1
    assert db.scalar(select(Organization.academic_year)) == "2027"


def test_nothing_waiting_no_warning_and_no_checkbox(client, auth, as_role, make, db, course, essay):
    """Previews waiting for grading do not count; nor does work already graded."""
    quiz = make.assessment(course.teacher, title="Tens quiz", questions=ONE_OF_EACH[:1],
                           section_id=course.ids["Counting"], publish=True)
    make.attempt(course.student, quiz, {0: ["1"]})
    teacher_tries(client, auth, course, essay)
    as_role("ADMIN")
    page = client.get("/classrooms/rollover").get_data(as_text=True)
    assert WARNING not in page and ACK not in page
    response = client.post("/classrooms/rollover", data=wizard_form(page))
    assert response.status_code == 303 and db.count(PromotionBatch) == 1
