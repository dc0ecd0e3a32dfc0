"""The assessments' acceptance, from outside, with the demo data."""

import io

from sqlalchemy import select

from lms.assessments.models import Assessment, Question, Submission
from lms.curriculum.models import Section
from lms.demo import DEMO_PASSWORD
from tests.factories import png_bytes

EDITOR_FIELDS = {
    "SINGLE_CHOICE": {"text": "How many tens in 40?", "option-0": "4", "option-1": "40", "correct": "0"},
    "MULTIPLE_CHOICE": {"text": "Which have 3 tens?", "option-0": "30", "option-1": "13", "option-2": "35",
                        "correct": ["0", "2"], "partial": "1", "points": "2"},
    "TRUE_FALSE": {"text": "10 tens make 100.", "correct": "true"},
    "SHORT_ANSWER": {"text": "Write 20 in words.", "accepted": "twenty"},
    "NUMERIC": {"text": "5 tens + 2 ones = ?", "value": "52", "tolerance": "0"},
    "LONG_ANSWER": {"text": "How do you count to 100 in tens?", "points": "3"},
    "FILE_UPLOAD": {"text": "Upload a drawing of 3 tens.", "points": "2"},
}


def login(client, email):
    client.post("/auth/logout")
    response = client.post("/auth/login", data={"login": email, "password": DEMO_PASSWORD})
    assert response.status_code in (302, 303)


def test_demo_has_a_published_p1_assessment_with_a_submission_to_grade(client, demo, db):
    quiz = db.scalar(select(Assessment).where(Assessment.title == "Tens and ones check"))
    assert quiz.status == "PUBLISHED" and quiz.section_id is not None
    types = {q.type for q in db.scalars(select(Question).where(Question.assessment_id == quiz.id))}
    assert len(types) == 7
    attempt = db.scalar(select(Submission).where(Submission.student_id == demo["student@example.org"]))
    assert attempt.status == "SUBMITTED" and attempt.final_score == 6
    login(client, "teacher@example.org")
    assert f"/submissions/{attempt.id}" in client.get("/submissions?status=SUBMITTED").get_data(as_text=True)


def test_acceptance_flow(client, demo, db):
    section = db.scalar(select(Section).where(Section.title == "Comparing numbers"))
    # The teacher makes a draft in the bank with one question of each type.
    login(client, "teacher@example.org")
    response = client.post("/assessments/new", data={"title": "Tens check"})
    quiz_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert db.get(Assessment, quiz_id).attachment is None and "Tens check" in client.get(
        "/assessments/bank").get_data(as_text=True)
    for qtype, fields in EDITOR_FIELDS.items():
        response = client.post(f"/assessments/{quiz_id}/questions", data={"type": qtype})
        edit_url = response.headers["Location"]
        assert client.post(edit_url, data={"type": qtype, "points": "1", **fields}).status_code == 303
    # …attaches it to a P1 section and publishes it.
    client.post(f"/assessments/{quiz_id}/attach", data={"target": f"section:{section.id}"})
    client.post(f"/assessments/{quiz_id}/publish")
    assert db.get(Assessment, quiz_id).status == "PUBLISHED"

    # The student takes it, reloads half-way, finds the answers, submits.
    login(client, "student@example.org")
    assert "Tens check" in client.get(f"/sections/{section.id}").get_data(as_text=True)
    client.post(f"/assessments/{quiz_id}/start")
    attempt = db.scalar(select(Submission).where(Submission.assessment_id == quiz_id))
    order = attempt.question_order
    answers = [["0"], ["0", "2"], ["true"], ["Twenty "]]
    for version_id, values in zip(order, answers, strict=False):
        saved = client.post(f"/submissions/{attempt.id}/answers/{version_id}", data={"answer": values},
                            headers={"HX-Request": "true"})
        assert saved.status_code == 200
    page = client.get(f"/assessments/{quiz_id}/take").get_data(as_text=True)
    assert 'value="Twenty "' in page and "4 of 7 answered" in page
    for version_id, values in ((order[4], ["52"]), (order[5], ["I count 10, 20, 30…"])):
        client.post(f"/submissions/{attempt.id}/answers/{version_id}", data={"answer": values},
                    headers={"HX-Request": "true"})
    client.post(f"/submissions/{attempt.id}/answers/{order[6]}", headers={"HX-Request": "true"},
                data={"answer-file": (io.BytesIO(png_bytes()), "drawing.png")}, content_type="multipart/form-data")
    client.post(f"/submissions/{attempt.id}/submit")
    # Objective points are scored at once.
    submitted = db.get(Submission, attempt.id)
    assert submitted.status == "SUBMITTED" and submitted.auto_score == 6 and submitted.max_score == 11

    # student2 cannot see the assessment; the student cannot see another student's work.
    login(client, "student2@example.org")
    assert client.get(f"/assessments/{quiz_id}").status_code == 404
    assert client.get(f"/submissions/{attempt.id}").status_code == 404
    login(client, "p1-1-1@demo.example.org")  # a classmate
    client.post(f"/assessments/{quiz_id}/start")
    classmate = db.scalar(select(Submission).where(Submission.assessment_id == quiz_id,
                                                   Submission.id != attempt.id))
    client.post(f"/submissions/{classmate.id}/submit")
    login(client, "student@example.org")
    assert client.get(f"/submissions/{classmate.id}").status_code == 404

    # The teacher grades the long answer and returns the work.
    login(client, "teacher@example.org")
    response = client.post(f"/submissions/{attempt.id}/grade", data={
        f"points-{order[5]}": "3", f"feedback-{order[5]}": "Very clear!", f"points-{order[6]}": "2",
        "feedback": "Great work on tens.", "action": "return"})
    assert response.status_code == 303
    returned = db.get(Submission, attempt.id)
    assert returned.status == "RETURNED" and returned.final_score == 11

    # The student sees the feedback.
    login(client, "student@example.org")
    result = client.get(f"/submissions/{attempt.id}").get_data(as_text=True)
    assert "Great work on tens." in result and "Very clear!" in result and "Score: 11/11" in result
    inbox = client.get("/notifications").get_data(as_text=True)
    assert "Tens check" in inbox

