"""Writing an assessment: the question editor, order, versions (what students saw is kept),
re-scoring after a key correction, media by label, GIFT questions, JSON import/export."""

import io
import json

import pytest
from sqlalchemy import select

from lms.assessments.models import (
    Answer,
    Assessment,
    AssessmentMedia,
    Question,
    QuestionVersion,
    Submission,
    SubmissionEvent,
)
from tests.assessment_fixtures import HX, build_course
from tests.factories import ONE_OF_EACH, png_bytes


@pytest.fixture
def course(make):
    return build_course(make)


def questions(db, assessment_id):
    return db.scalars(select(Question).where(Question.assessment_id == assessment_id).order_by(Question.position))


# --- the editor -------------------------------------------------------------------------------------------


def test_add_a_question_of_each_type_through_the_editor(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, questions=[])
    auth.login(course.teacher)
    forms = {
        "SINGLE_CHOICE": {"text": "2 + 2?", "points": "1", "option-0": "3", "option-1": "", "option-2": "4",
                          "option-3": "5", "correct": "2"},
        "MULTIPLE_CHOICE": {"text": "Even?", "points": "2", "option-0": "2", "option-1": "3", "option-2": "4",
                            "correct": ["0", "2"], "partial": "1", "option-feedback-1": "3 is odd"},
        "TRUE_FALSE": {"text": "True?", "correct": "false"},
        "SHORT_ANSWER": {"text": "Capital?", "accepted": "Bangkok\n\n กรุงเทพ \nbangkok"},
        "NUMERIC": {"text": "Pi?", "value": "3,14", "tolerance": "0.01"},
        "LONG_ANSWER": {"text": "Explain", "points": "5", "feedback": "A model answer"},
        "FILE_UPLOAD": {"text": "Upload", "tags": "Photos, work"},
    }
    for qtype, fields in forms.items():
        created = client.post(f"/assessments/{quiz.id}/questions", data={"type": qtype})
        assert created.status_code == 303
        question = questions(db, quiz.id)[-1]
        assert created.headers["Location"].endswith(f"/questions/{question.id}")
        assert client.get(f"/assessments/{quiz.id}/questions/{question.id}").status_code == 200
        saved = client.post(f"/assessments/{quiz.id}/questions/{question.id}", data={"type": qtype, **fields})
        assert saved.status_code == 303, saved.get_data(as_text=True)
    rows = questions(db, quiz.id)
    assert [r.type for r in rows] == list(forms)
    assert rows[0].options == ["3", "4", "5"] and rows[0].key == {"correct": 1}
    assert rows[1].key == {"correct": [0, 2], "partial": True, "feedback": ["", "3 is odd", ""]} and rows[1].points == 2
    assert rows[2].key == {"correct": False}
    assert rows[3].key == {"accepted": ["Bangkok", "กรุงเทพ"]}
    assert rows[4].key == {"value": 3.14, "tolerance": 0.01}
    assert rows[5].points == 5 and rows[5].feedback == "A model answer"
    assert rows[6].tags == ["photos", "work"]
    page = client.get(f"/assessments/{quiz.id}").get_data(as_text=True)
    assert "Before it can be published" not in page


def test_bad_question_input_is_shown_and_nothing_changes(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, questions=[ONE_OF_EACH[0]])
    question = questions(db, quiz.id)[0]
    auth.login(course.teacher)
    url = f"/assessments/{quiz.id}/questions/{question.id}"
    for fields, message in (({"points": "lots"}, "Points must be a number"),
                            ({"option-0": "same", "option-1": "Same"}, "Two options are the same."),
                            ({"type": "NOPE"}, "Choose a question type.")):
        data = {"type": "SINGLE_CHOICE", "text": "Changed", "points": "1", "option-0": "a", "option-1": "b",
                **fields}
        response = client.post(url, data=data, headers=HX)
        assert response.status_code == 422 and message in response.get_data(as_text=True)
        assert ">Changed</textarea>" in response.get_data(as_text=True)  # what was typed is kept
    assert db.get(Question, question.id).text == "2 + 2 = ?"
    assert client.post(f"/assessments/{quiz.id}/questions", data={"type": "ESSAY"}).status_code == 303
    assert len(questions(db, quiz.id)) == 1


def test_a_question_worth_0_points_is_refused_when_saved(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, questions=[ONE_OF_EACH[0]])
    question = questions(db, quiz.id)[0]
    auth.login(course.teacher)
    fields = {"type": "SINGLE_CHOICE", "text": "Free points", "option-0": "a", "option-1": "b", "correct": "0"}
    for points in ("0", "0.00", "0,001"):
        response = client.post(f"/assessments/{quiz.id}/questions/{question.id}", data={**fields, "points": points},
                               headers=HX)
        assert response.status_code == 422, points
        assert "Points must be more than 0 and at most 1000." in response.get_data(as_text=True), points
    assert [(qq.text, qq.points) for qq in questions(db, quiz.id)] == [("2 + 2 = ?", 1)]


def test_reorder_and_delete_keep_positions_dense(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, questions=ONE_OF_EACH[:4])
    ids = [qq.id for qq in questions(db, quiz.id)]
    auth.login(course.teacher)
    response = client.post(f"/assessments/{quiz.id}/questions/{ids[0]}/move", data={"direction": "down"},
                           headers=HX)
    assert response.status_code == 200 and response.get_data(as_text=True).startswith('<section id="questions"')
    assert [qq.id for qq in questions(db, quiz.id)] == [ids[1], ids[0], ids[2], ids[3]]
    client.post(f"/assessments/{quiz.id}/questions/order", data={"question_id": [ids[3], ids[2]]}, headers=HX)
    assert [qq.id for qq in questions(db, quiz.id)] == [ids[3], ids[2], ids[1], ids[0]]
    client.post(f"/assessments/{quiz.id}/questions/{ids[2]}/delete", headers=HX)
    rows = questions(db, quiz.id)
    assert [qq.id for qq in rows] == [ids[3], ids[1], ids[0]] and [qq.position for qq in rows] == [0, 1, 2]


# --- versions and re-scoring ----------------------------------------------------------------------------


def test_editing_a_question_keeps_what_earlier_students_saw(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, questions=[ONE_OF_EACH[0]], section_id=course.ids["Counting"],
                           publish=True, attempts_allowed=None)
    first = make.attempt(course.student, quiz, {0: ["1"]})
    question = questions(db, quiz.id)[0]
    auth.login(course.teacher)
    client.post(f"/assessments/{quiz.id}/questions/{question.id}",
                data={"type": "SINGLE_CHOICE", "text": "3 + 3 = ?", "option-0": "5", "option-1": "6",
                      "correct": "1"})
    second = make.attempt(course.student, quiz, {0: ["1"]})
    versions = db.scalars(select(QuestionVersion).where(QuestionVersion.question_id == question.id)
                          .order_by(QuestionVersion.number))
    assert [(v.number, v.text) for v in versions] == [(1, "2 + 2 = ?"), (2, "3 + 3 = ?")]
    assert db.get(Submission, first.id).question_order == [versions[0].id]
    assert db.get(Submission, second.id).question_order == [versions[1].id]
    old_page = client.get(f"/submissions/{first.id}").get_data(as_text=True)
    assert "2 + 2 = ?" in old_page and "3 + 3 = ?" not in old_page
    # An unchanged question is not copied again.
    make.attempt(course.student, quiz, {0: ["1"]})
    assert db.count(QuestionVersion, QuestionVersion.question_id == question.id) == 2


def test_a_key_correction_rescores_past_submissions_once(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, questions=[ONE_OF_EACH[0], ONE_OF_EACH[2]],
                           section_id=course.ids["Counting"], publish=True)
    attempt = make.attempt(course.student, quiz, {0: ["2"], 1: ["true"]})  # "5" is wrong for now
    assert db.get(Submission, attempt.id).final_score == 1
    question = questions(db, quiz.id)[0]
    auth.login(course.teacher)
    fields = {"type": "SINGLE_CHOICE", "text": "2 + 2 = ?", "points": "1", "option-0": "3", "option-1": "4",
              "option-2": "5", "correct": "2"}
    response = client.post(f"/assessments/{quiz.id}/questions/{question.id}", data=fields)
    assert response.status_code == 303
    assert "earlier answer was re-scored" in client.get(response.headers["Location"]).get_data(as_text=True)
    saved = db.get(Submission, attempt.id)
    assert saved.final_score == 2 and saved.auto_score == 2
    events = db.scalars(select(SubmissionEvent).where(SubmissionEvent.submission_id == attempt.id,
                                                      SubmissionEvent.kind == "RESCORED"))
    assert len(events) == 1 and events[0].details == {"before": 1.0, "score": 2.0}
    assert events[0].actor_id == course.teacher.id
    client.post(f"/assessments/{quiz.id}/questions/{question.id}", data=fields)  # the same key again
    assert db.count(SubmissionEvent, SubmissionEvent.kind == "RESCORED") == 1
    assert db.count(QuestionVersion, QuestionVersion.question_id == question.id) == 1


def test_large_rescores_run_as_a_background_job(client, auth, course, make, db, monkeypatch):
    from lms.assessments import authoring

    monkeypatch.setattr(authoring, "INLINE_RESCORE_LIMIT", 0)
    quiz = make.assessment(course.teacher, questions=[ONE_OF_EACH[2]], section_id=course.ids["Counting"],
                           publish=True)
    attempt = make.attempt(course.student, quiz, {0: ["false"]})
    question = questions(db, quiz.id)[0]
    auth.login(course.teacher)
    client.post(f"/assessments/{quiz.id}/questions/{question.id}",
                data={"type": "TRUE_FALSE", "text": question.text, "points": "1", "correct": "false"})
    assert db.get(Submission, attempt.id).final_score == 1  # the job ran after the commit


def test_rescoring_is_idempotent(app, course, make, db):
    from lms.assessments.grading import rescore_versions
    from lms.extensions import db as _db

    quiz = make.assessment(course.teacher, questions=[ONE_OF_EACH[0]], section_id=course.ids["Counting"],
                           publish=True)
    make.attempt(course.student, quiz, {0: ["1"]})
    version_id = db.scalar(select(QuestionVersion.id))
    with app.app_context():
        assert rescore_versions([version_id]) == 0
        _db.session.commit()
    assert db.count(SubmissionEvent, SubmissionEvent.kind == "RESCORED") == 0


# --- media ---------------------------------------------------------------------------------------------------


def test_media_by_label_survive_replacement_and_reordering(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, questions=[{**ONE_OF_EACH[0], "text": "Count: [[media:dots]]"}])
    auth.login(course.teacher)
    response = client.post(f"/assessments/{quiz.id}/media", headers=HX, data={
        "file": (io.BytesIO(png_bytes()), "dots.png"), "label": "dots", "title": "Dots"},
        content_type="multipart/form-data")
    assert response.status_code == 200 and "[[media:dots]]" in response.get_data(as_text=True)
    first = db.scalar(select(AssessmentMedia))
    client.post(f"/assessments/{quiz.id}/media", data={
        "file": (io.BytesIO(png_bytes(color=(0, 0, 200))), "dots-v2.png"), "label": "Dots"},
        content_type="multipart/form-data")
    rows = db.scalars(select(AssessmentMedia))
    assert len(rows) == 1 and rows[0].resource_id != first.resource_id and rows[0].label == "Dots"
    page = client.get(f"/assessments/{quiz.id}").get_data(as_text=True)
    assert f'src="/resources/{rows[0].resource_id}/download"' in page
    other = make.resource(course.teacher, png_bytes(color=(1, 2, 3)), "other.png")
    client.post(f"/assessments/{quiz.id}/media", data={"resource_id": str(other.id), "label": "other"})
    client.post(f"/assessments/{quiz.id}/media/{rows[0].id}/move", data={"direction": "down"}, headers=HX)
    labels = [m.label for m in db.scalars(select(AssessmentMedia).order_by(AssessmentMedia.position))]
    assert labels == ["other", "Dots"]
    assert f'src="/resources/{rows[0].resource_id}/download"' in client.get(f"/assessments/{quiz.id}").get_data(
        as_text=True)
    client.post(f"/assessments/{quiz.id}/media/{rows[0].id}/delete", headers=HX)
    page = client.get(f"/assessments/{quiz.id}").get_data(as_text=True)
    assert "Missing media" in page and "No media file has the label “dots”" in page


@pytest.mark.parametrize("fields, message", [
    ({"label": "", "file": (io.BytesIO(png_bytes()), "a.png")}, "Give the file a label"),
    ({"label": "two words", "file": (io.BytesIO(png_bytes()), "a.png")}, "one short word"),
    ({"label": "x", "file": (io.BytesIO(b"<html><script>1</script></html>"), "a.html")}, "Web pages, SVG and XML"),
    ({"label": "x"}, "Choose a file to upload"),
])
def test_bad_media_are_refused_and_nothing_is_stored(client, auth, course, make, db, fields, message):
    from lms.resources.models import Resource

    quiz = make.assessment(course.teacher)
    auth.login(course.teacher)
    response = client.post(f"/assessments/{quiz.id}/media", data=fields, headers=HX,
                           content_type="multipart/form-data")
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.count(AssessmentMedia) == 0 and db.count(Resource) == 0


# --- GIFT questions into an assessment ---------------------------------------------------------------------------


def test_gift_questions_are_added_or_nothing_is(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, questions=[ONE_OF_EACH[0]])
    auth.login(course.teacher)
    good = "// two questions\n::A:: 1 + 1? {=2 ~3}\n\nThe sea is salty. {T}\n"
    response = client.post(f"/assessments/{quiz.id}/questions/import", data={"gift": good}, headers=HX)
    assert response.status_code == 200 and "2 questions were imported." in response.get_data(as_text=True)
    assert [qq.type for qq in questions(db, quiz.id)] == ["SINGLE_CHOICE", "SINGLE_CHOICE", "TRUE_FALSE"]
    bad = "1 + 1? {=2 ~3}\n\nMatch {=a -> b}\n"
    response = client.post(f"/assessments/{quiz.id}/questions/import", data={"gift": bad}, headers=HX)
    assert response.status_code == 422 and "Question 2 (line 3)" in response.get_data(as_text=True)
    assert len(questions(db, quiz.id)) == 3


# --- JSON import / export ---------------------------------------------------------------------------------------


def test_json_export_then_import_makes_the_same_assessment_as_a_new_draft(client, auth, course, make, db):
    picture = make.resource(course.teacher, png_bytes(), "dots.png")
    quiz = make.assessment(course.teacher, title="Round trip", questions=ONE_OF_EACH, media=[("dots", picture)],
                           section_id=course.ids["Counting"], publish=True, attempts_allowed=2,
                           scoring_policy="AVERAGE", time_limit_minutes=30, shuffle_options=True)
    auth.login(course.teacher)
    exported = client.get(f"/assessments/{quiz.id}/export.json")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    document = json.loads(exported.data)
    assert document["format"] == "lms-assessment" and document["version"] == 1
    assert document["assessment"]["media"] == [{"label": "dots", "filename": "dots.png", "title": "dots",
                                                "kind": "IMAGE"}]
    response = client.post("/assessments/import", data={"file": (io.BytesIO(exported.data), "quiz.json")},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    copy = db.scalar(select(Assessment).where(Assessment.id != quiz.id))
    assert copy.title == "Round trip" and copy.status == "DRAFT" and copy.attachment is None
    assert (copy.attempts_allowed, copy.scoring_policy, copy.time_limit_minutes, copy.shuffle_options) == (
        2, "AVERAGE", 30, True)
    assert [(qq.type, qq.key, qq.points) for qq in questions(db, copy.id)] == [
        (qq.type, qq.key, qq.points) for qq in questions(db, quiz.id)]
    assert db.count(AssessmentMedia, AssessmentMedia.assessment_id == copy.id) == 0  # files are not in JSON


def test_a_bad_json_import_names_each_bad_question_and_stores_nothing(client, auth, course, db):
    auth.login(course.teacher)
    document = {"format": "lms-assessment", "version": 1, "assessment": {
        "title": "Broken", "settings": {"attempts_allowed": 0},
        "questions": [{"type": "SINGLE_CHOICE", "text": "ok", "options": ["a", "b"], "key": {"correct": 0}},
                      {"type": "ESSAY", "text": "?"},
                      {"type": "NUMERIC", "text": "n", "key": {"value": "ten"}},
                      "not an object"]}}
    response = client.post("/assessments/import", data={"text": json.dumps(document)}, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    for expected in ("Settings: Attempts allowed", "Question 2: Choose a question type.",
                     "Question 3: The correct answer must be a number.", "Question 4: it must be an object."):
        assert expected in body, expected
    for raw, message in (("{not json", "This is not valid JSON"),
                         (json.dumps({"format": "other"}), "This is not an exported assessment"),
                         (json.dumps({"format": "lms-assessment", "version": 9, "assessment": {}}),
                          "format version is 9")):
        response = client.post("/assessments/import", data={"text": raw}, headers=HX)
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.count(Assessment) == 0 and db.count(Question) == 0


def test_gift_file_import_makes_a_new_draft(client, auth, course, db):
    auth.login(course.teacher)
    gift = b"What is 2+2? {=4 ~3 ~5}\n\nPi? {#3.14:0.01}\n"
    missing_title = client.post("/assessments/import", data={"text": gift.decode()}, headers=HX)
    assert missing_title.status_code == 422 and "Give a title" in missing_title.get_data(as_text=True)
    response = client.post("/assessments/import", data={"file": (io.BytesIO(gift), "warm-up.gift")},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    quiz = db.scalar(select(Assessment))
    assert quiz.title == "warm-up" and [qq.type for qq in questions(db, quiz.id)] == ["SINGLE_CHOICE", "NUMERIC"]
    gift_response = client.get(f"/assessments/{quiz.id}/export.gift")
    assert gift_response.headers["Content-Type"] == "text/plain; charset=utf-8"  # one charset, not two
    exported = gift_response.get_data(as_text=True)
    assert "{\n=4\n~3\n~5\n}" in exported and "{\n#3.14:0.01\n}" in exported


def test_only_answers_of_deleted_questions_keep_their_version(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, questions=ONE_OF_EACH[:2], section_id=course.ids["Counting"],
                           publish=True)
    attempt = make.attempt(course.student, quiz, {0: ["1"], 1: ["0"]})
    auth.login(course.teacher)
    first = questions(db, quiz.id)[0]
    client.post(f"/assessments/{quiz.id}/questions/{first.id}/delete")
    assert db.count(Answer, Answer.submission_id == attempt.id) == 2
    assert "2 + 2 = ?" in client.get(f"/submissions/{attempt.id}").get_data(as_text=True)


def test_a_media_upload_may_be_larger_than_other_requests(client, auth, course, make, db, app, monkeypatch):
    quiz = make.assessment(course.teacher)
    auth.login(course.teacher)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    big = b"%PDF-1.4\n" + b"x" * 5000 + b"\n%%EOF\n"
    response = client.post(f"/assessments/{quiz.id}/media", headers=HX, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(big), "sheet.pdf"), "label": "sheet"})
    assert response.status_code == 200 and db.count(AssessmentMedia) == 1
    assert client.post("/me/profile", data={"full_name": "x" * 5000}).status_code == 413


def test_questions_and_media_change_only_through_an_assessment_the_teacher_may_edit(client, auth, course, make,
                                                                                    db):
    theirs = make.assessment(course.other_teacher, title="Other's bank item", questions=ONE_OF_EACH[:2])
    mine = make.assessment(course.teacher, questions=ONE_OF_EACH[:2])
    their_ids = [qq.id for qq in questions(db, theirs.id)]
    my_ids = [qq.id for qq in questions(db, mine.id)]
    auth.login(course.teacher)
    # Visible in the shared bank, but not theirs to change: 403 and nothing stored.
    assert client.post(f"/assessments/{theirs.id}/questions", data={"type": "TRUE_FALSE"}).status_code == 403
    assert client.post(f"/assessments/{theirs.id}/questions/{their_ids[0]}/delete", headers=HX).status_code == 403
    assert client.post(f"/assessments/{theirs.id}/media", headers=HX, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(png_bytes()), "a.png"), "label": "a"}).status_code == 403
    assert len(questions(db, theirs.id)) == 2 and db.count(AssessmentMedia) == 0
    # Another assessment's question through one's own assessment: 404.
    assert client.get(f"/assessments/{mine.id}/questions/{their_ids[0]}").status_code == 404
    assert client.post(f"/assessments/{mine.id}/questions/{their_ids[0]}/delete", headers=HX).status_code == 404
    assert client.post(f"/assessments/{mine.id}/media/999/delete", headers=HX).status_code == 404
    assert len(questions(db, theirs.id)) == 2
    # A reorder ignores ids that are not this assessment's questions.
    response = client.post(f"/assessments/{mine.id}/questions/order", headers=HX,
                           data={"question_id": [their_ids[0], "x", "-1", my_ids[1]]})
    assert response.status_code == 200
    assert [qq.id for qq in questions(db, mine.id)] == [my_ids[1], my_ids[0]]
    assert [qq.id for qq in questions(db, theirs.id)] == their_ids
