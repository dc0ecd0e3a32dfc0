"""Moodle GIFT: typical snippets in, the same questions out."""

import pytest

from lms.assessments import gift
from lms.assessments import questions as q
from lms.common.errors import ValidationFailed

SAMPLE = r"""
// A comment before everything
$CATEGORY: $course$/top/Fractions

// [tag:halves]
::Q1:: What is half of 8? {
  =4 # Yes: 8 ÷ 2.
  ~2 # That is a quarter.
  ~16
  ####Half means dividing by two.
}

::Q2:: [markdown]Which are **even**? {
  ~%50%2
  ~%50%4
  ~%-100%3
}

The sun rises in the east.{T}

Water boils at 50 °C at sea level.{FALSE#No: at 100 °C.#Right.}

What is the capital of Thailand? {=Bangkok =กรุงเทพ =Krung Thep}

Pi to two decimals? {#3.14:0.005}

Pick a number between 1 and 5. {#1..5}

How much is 2 \+ 3? {#=5:0 =%50%5:1}

Escaped: 1 \= 1 \{braces\} a\:b\~c \# not a comment {=yes ~no}

Two plus two is {=four ~five} exactly.

Write a story about your weekend. {}
"""


@pytest.fixture
def parsed(app):
    with app.test_request_context():
        return gift.parse_gift(SAMPLE)


def test_typical_gift_snippets_become_questions(parsed):
    types = [item.type for item in parsed]
    assert types == ["SINGLE_CHOICE", "MULTIPLE_CHOICE", "TRUE_FALSE", "TRUE_FALSE", "SHORT_ANSWER", "NUMERIC",
                     "NUMERIC", "NUMERIC", "SINGLE_CHOICE", "SINGLE_CHOICE", "LONG_ANSWER"]
    half = parsed[0]
    assert half.text == "What is half of 8?" and half.options == ["4", "2", "16"]
    assert half.key["correct"] == 0
    assert half.key["feedback"] == ["Yes: 8 ÷ 2.", "That is a quarter.", ""]
    assert half.feedback == "Half means dividing by two."
    assert half.tags == ["Fractions", "halves"]
    even = parsed[1]
    assert even.text == "Which are **even**?" and even.key == {"correct": [0, 1], "partial": True}
    assert parsed[2].key == {"correct": True}
    assert parsed[3].key == {"correct": False}
    assert parsed[4].key == {"accepted": ["Bangkok", "กรุงเทพ", "Krung Thep"]}
    assert parsed[5].key == {"value": 3.14, "tolerance": 0.005}
    assert parsed[6].key == {"value": 3.0, "tolerance": 2.0}
    assert parsed[7].key == {"value": 5.0, "tolerance": 0.0}
    assert parsed[8].text == "Escaped: 1 = 1 {braces} a:b~c # not a comment"
    assert parsed[9].text == "Two plus two is _____ exactly." and parsed[9].options == ["four", "five"]


def test_parsed_questions_score_as_moodle_would(parsed, app):
    with app.test_request_context():
        cleaned = [q.clean_question(item) for item in parsed]
    assert q.score(cleaned[0]["type"], cleaned[0]["key"], 1, {"choice": 0}) == 1
    assert q.score(cleaned[1]["type"], cleaned[1]["key"], 1, {"choices": [0]}) == 0.5
    assert q.score(cleaned[4]["type"], cleaned[4]["key"], 1, {"text": "krung thep"}) == 1
    assert q.score(cleaned[6]["type"], cleaned[6]["key"], 1, {"text": "4.5"}) == 1
    assert q.score(cleaned[6]["type"], cleaned[6]["key"], 1, {"text": "5.5"}) == 0


@pytest.mark.parametrize("text, message", [
    ("Match one {=a -> 1}", "a matching question needs at least two pairs"),
    ("No right answer {~a ~b}", "no answer is marked right"),
    ("Unclosed {=a ~b", "not closed"),
    ("Bad number {#ten}", "not like 5"),
    ("Bad range {#5..1}", "not like 1..5"),
])
def test_unsupported_or_broken_questions_are_refused_with_their_number(app, text, message):
    with app.test_request_context():
        with pytest.raises(ValidationFailed) as err:
            gift.parse_gift(f"Fine question {{=yes ~no}}\n\n{text}\n")
    assert "Question 2 (line 3)" in err.value.message and message in err.value.message


@pytest.mark.parametrize("text, message", [
    ("Merged {=a ~b}\nNo blank line before me {=c ~d}", "line 4 starts another question"),
    ("Unclosed {=a ~b\nSwallowed {=c ~d}", "not closed before the { on line 4"),
    ("Too heavy {~%200%a ~%-100%b}", "the weight %200% is not between -100% and 100%"),
    ("Too light {~%100%a ~%-150%b}", "the weight %-150% is not between"),
    ("Numeric weight {#=5:0 =%120%5:1}", "the weight %120% is not between"),
    ("Two blocks {=a ~b} and {=c ~d}", "a second { starts on line 3"),
])
def test_malformed_gift_is_refused_with_the_line_and_nothing_is_imported(app, text, message):
    with app.test_request_context():
        with pytest.raises(ValidationFailed) as err:
            gift.parse_gift(f"Fine question {{=yes ~no}}\n\n{text}\n")
    assert "Question 2 (line 3)" in err.value.message and message in err.value.message


def test_empty_input_says_what_gift_looks_like(app):
    with app.test_request_context():
        with pytest.raises(ValidationFailed) as err:
            gift.parse_gift("// only a comment\n")
    assert "No questions were found" in err.value.message


class _Q:
    def __init__(self, type, text, options=(), key=None, feedback="", tags=(), points=1):  # noqa: A002
        self.type, self.text, self.options, self.key = type, text, list(options), key or {}
        self.feedback, self.tags, self.points = feedback, list(tags), points


def test_export_then_import_gives_the_same_questions(app):
    originals = [
        _Q("SINGLE_CHOICE", "Half of {8}?", ["4", "2 = two"], {"correct": 0, "feedback": ["Yes", ""]}, "Divide", ["halves"]),
        _Q("MULTIPLE_CHOICE", "Even: 2~4", ["2", "3", "4"], {"correct": [0, 2], "partial": False}, points=2.5),
        _Q("TRUE_FALSE", "Sky # blue", [], {"correct": True}),
        _Q("SHORT_ANSWER", "Capital?", [], {"accepted": ["Bangkok", "กรุงเทพ"]}),
        _Q("NUMERIC", "Pi?", [], {"value": 3.14, "tolerance": 0.01}),
        _Q("LONG_ANSWER", "Line one\nline two", points=5),
        _Q("FILE_UPLOAD", "Upload"),
    ]

    class _A:
        id, title = 1, "Round trip"

    text = gift.export_gift(_A(), originals)
    assert "file upload" in text  # left out, with a comment
    with app.test_request_context():
        back = gift.parse_gift(text)
    assert [b.type for b in back] == [o.type for o in originals[:6]]
    assert back[0].text == "Half of {8}?" and back[0].options == ["4", "2 = two"] and back[0].key["correct"] == 0
    assert back[0].feedback == "Divide" and back[0].tags == ["halves"] and back[0].key["feedback"] == ["Yes", ""]
    assert back[1].text == "Even: 2~4" and back[1].key["correct"] == [0, 2]
    assert back[2].text == "Sky # blue" and back[2].key == {"correct": True}
    assert back[3].key == {"accepted": ["Bangkok", "กรุงเทพ"]}
    assert back[4].key == {"value": 3.14, "tolerance": 0.01}
    assert back[5].text == "Line one\nline two"
    assert [q.clean_points(b.points) for b in back] == [1, 2.5, 1, 1, 1, 5]
