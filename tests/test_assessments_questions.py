"""Question types: cleaning, the publish problems, responses and scoring (pure functions), the
late policy, and media references by label."""

import pytest

from lms.assessments import questions as q
from lms.assessments.media import labels_in, render_with_media, unknown_labels
from lms.common.errors import ValidationFailed

# --- scoring, per type ------------------------------------------------------------------------------


def test_single_choice_all_or_nothing():
    key = {"correct": 1}
    assert q.score("SINGLE_CHOICE", key, 2, {"choice": 1}) == 2
    assert q.score("SINGLE_CHOICE", key, 2, {"choice": 0}) == 0
    assert q.score("SINGLE_CHOICE", key, 2, {}) == 0
    assert q.score("SINGLE_CHOICE", {}, 2, {"choice": 1}) == 0  # no key: nothing to earn


@pytest.mark.parametrize("chosen, all_or_nothing, partial", [
    ([0, 2], 4, 4),        # exactly right
    ([0], 0, 2),           # one of two right
    ([0, 1], 0, 0),        # one right (+2), one wrong (-2)
    ([0, 2, 1], 0, 2),     # both right (+4), one wrong (-2)
    ([1, 3], 0, 0),        # only wrong: floor 0
    ([], 0, 0),
])
def test_multiple_choice_all_or_nothing_and_partial_credit(chosen, all_or_nothing, partial):
    key = {"correct": [0, 2]}
    assert q.score("MULTIPLE_CHOICE", {**key, "partial": False}, 4, {"choices": chosen}) == all_or_nothing
    assert q.score("MULTIPLE_CHOICE", {**key, "partial": True}, 4, {"choices": chosen}) == partial


def test_true_false():
    assert q.score("TRUE_FALSE", {"correct": False}, 1, {"value": False}) == 1
    assert q.score("TRUE_FALSE", {"correct": False}, 1, {"value": True}) == 0
    assert q.score("TRUE_FALSE", {"correct": False}, 1, {}) == 0


@pytest.mark.parametrize("given, earned", [
    ("Bangkok", 1), ("  bangkok ", 1), ("BANG KOK", 1), ("Bangkok.", 0), ("", 0),
    ("กรุงเทพ", 1), ("กรุง เทพ", 1),
    # SARA AM typed as NIKHAHIT + SARA AA (two code points) is the same text after NFKC.
    ("\u0e19\u0e49\u0e4d\u0e32", 1),
    ("ｂａｎｇｋｏｋ", 1),  # full-width letters
])
def test_short_answer_ignores_case_spaces_and_unicode_forms(given, earned):
    key = {"accepted": ["Bangkok", "กรุงเทพ", "น้ำ"]}
    assert q.score("SHORT_ANSWER", key, 1, {"text": given}) == earned


@pytest.mark.parametrize("given, earned", [
    ("3.14", 1), ("3,14", 1), (" 3.1449 ", 1), ("3.1351", 1), ("3.2", 0), ("three", 0), ("", 0), ("1e400", 0),
])
def test_numeric_with_an_absolute_tolerance(given, earned):
    assert q.score("NUMERIC", {"value": 3.14, "tolerance": 0.005}, 1, {"text": given}) == earned


def test_numeric_exact_without_tolerance():
    assert q.score("NUMERIC", {"value": 36, "tolerance": 0}, 2, {"text": "36"}) == 2
    assert q.score("NUMERIC", {"value": 36, "tolerance": 0}, 2, {"text": "36.01"}) == 0


def test_hand_graded_types_have_no_automatic_score():
    assert q.score("LONG_ANSWER", {}, 3, {"text": "essay"}) is None
    assert q.score("FILE_UPLOAD", {}, 2, {"resource_id": 1}) is None


@pytest.mark.parametrize("raw, late, deduction, floor, expected", [
    (8, False, 20, 50, 8),
    (8, True, 0, 0, 8),
    (8, True, 20, 0, 6.4),
    (8, True, 50, 50, 5),      # 4 after the deduction, but never below half of 10
    (3, True, 50, 50, 3),      # the floor never raises a score
    (10, True, 100, 0, 0),
])
def test_late_deduction_with_a_floor(raw, late, deduction, floor, expected):
    assert q.apply_late_policy(raw, 10, late, deduction, floor) == expected


# --- cleaning a question -----------------------------------------------------------------------------


def test_clean_question_keeps_structure_and_normalises():
    cleaned = q.clean_question(q.QuestionInput(type="MULTIPLE_CHOICE", text=" Pick ", points="2,5",
                                               options=["a", "b", "c"], key={"correct": [2, 0, 2], "partial": 1},
                                               tags="Fractions, halves ,fractions"))
    assert cleaned["text"] == "Pick" and cleaned["points"] == 2.5
    assert cleaned["key"] == {"correct": [0, 2], "partial": True}
    assert cleaned["tags"] == ["fractions", "halves"]


@pytest.mark.parametrize("data, field", [
    (q.QuestionInput(type="ESSAY"), "type"),
    (q.QuestionInput(type="SINGLE_CHOICE", points="lots"), "points"),
    (q.QuestionInput(type="SINGLE_CHOICE", points="-1"), "points"),
    (q.QuestionInput(type="SINGLE_CHOICE", options=["a", "a"]), "options"),
    (q.QuestionInput(type="SINGLE_CHOICE", options=["a", ""]), "options"),
    (q.QuestionInput(type="SINGLE_CHOICE", options=["a", "b"], key={"correct": 5}), "key"),
    (q.QuestionInput(type="MULTIPLE_CHOICE", options=["a", "b"], key={"correct": 0}), "key"),
    (q.QuestionInput(type="TRUE_FALSE", key={"correct": "yes"}), "key"),
    (q.QuestionInput(type="NUMERIC", key={"value": "ten"}), "key"),
    (q.QuestionInput(type="NUMERIC", key={"value": "10", "tolerance": "-1"}), "key"),
    (q.QuestionInput(type="SINGLE_CHOICE", tags=["x" * 41]), "tags"),
])
def test_clean_question_refuses_what_does_not_fit(app, data, field):
    with app.test_request_context():
        with pytest.raises(ValidationFailed) as err:
            q.clean_question(data)
    assert err.value.field == field and err.value.message


def test_publish_problems_per_type(app):
    with app.test_request_context():
        assert q.problems_of("SINGLE_CHOICE", ["a"], {}, "Text") == [
            "it needs at least two options", "the correct option is not chosen"]
        assert q.problems_of("MULTIPLE_CHOICE", ["a", "b"], {"correct": []}, "T") == ["no option is marked correct"]
        assert q.problems_of("TRUE_FALSE", [], {}, "T") == ["true or false is not chosen"]
        assert q.problems_of("SHORT_ANSWER", [], {}, "T") == ["it has no accepted answer"]
        assert q.problems_of("NUMERIC", [], {}, "") == ["it has no text", "the correct number is missing"]
        assert q.problems_of("LONG_ANSWER", [], {}, "T") == []


def test_responses_are_checked_against_the_question(app):
    with app.test_request_context():
        assert q.clean_response("SINGLE_CHOICE", ["a", "b"], {"answer": ["1"]}) == {"choice": 1}
        assert q.clean_response("MULTIPLE_CHOICE", ["a", "b"], {"answer": ["1", "0", "1"]}) == {"choices": [0, 1]}
        assert q.clean_response("MULTIPLE_CHOICE", ["a", "b"], {"answer": []}) == {"choices": []}
        assert q.clean_response("TRUE_FALSE", [], {"answer": ["false"]}) == {"value": False}
        assert q.clean_response("NUMERIC", [], {"answer": ["3,5"]}) == {"text": "3,5"}
        for qtype, value in (("SINGLE_CHOICE", "7"), ("MULTIPLE_CHOICE", "x"), ("TRUE_FALSE", "maybe")):
            with pytest.raises(ValidationFailed):
                q.clean_response(qtype, ["a", "b"], {"answer": [value]})


def test_correct_answer_text():
    assert q.correct_answer_text("MULTIPLE_CHOICE", ["2", "3", "4"], {"correct": [0, 2]}) == "2; 4"
    assert q.correct_answer_text("NUMERIC", [], {"value": 3.5, "tolerance": 0.5}) == "3.5 ± 0.5"
    assert q.correct_answer_text("SHORT_ANSWER", [], {"accepted": ["a", "b"]}) == "a / b"


# --- media by label ------------------------------------------------------------------------------------


class _File:
    width, height = 40, 30


class _Resource:
    def __init__(self, rid, kind, title="Dots"):
        self.id, self.kind, self.title, self.description, self.file, self.url = rid, kind, title, "", _File(), None


def test_media_labels_are_found_and_resolved_to_the_current_resource(app):
    text = "Look: [[media:Dots]]\n\nListen [[media:song]] and [[media:gone]] [[media:dots]]"
    assert labels_in(text) == ["Dots", "song", "gone"]
    media = {"dots": _Resource(7, "IMAGE"), "song": _Resource(8, "AUDIO", "A <song>")}
    assert unknown_labels([text], media) == ["gone"]
    with app.test_request_context():
        staff = str(render_with_media(text, media, staff=True))
        student = str(render_with_media(text, media))
    assert '<img class="question-media" src="/resources/7/download" alt="Dots" width="40" height="30"' in staff
    assert '<audio class="question-media" controls preload="metadata" src="/resources/8/download"' in staff
    assert "A &lt;song&gt;" in staff  # titles are escaped
    assert "Missing media" in staff and "gone" in staff
    assert "Missing media" not in student and "media not available" in student


def test_question_text_markdown_is_sanitised(app):
    with app.test_request_context():
        html = str(render_with_media("**bold** <script>alert(1)</script> [[media:x]] <img src=x onerror=y>", {}))
    assert "<strong>bold</strong>" in html
    assert "<script" not in html and "onerror" not in html
