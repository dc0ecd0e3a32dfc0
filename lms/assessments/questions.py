"""Question types: what their options, key and responses look like, how they are checked, and
how they are scored.  Pure functions (no database), unit-tested per type.

=================  ==========================  =====================================  ==========================
type               options                     key                                    response
=================  ==========================  =====================================  ==========================
SINGLE_CHOICE      ["3", "4", "5"]             {"correct": 1}                         {"choice": 1}
MULTIPLE_CHOICE    ["2", "3", "4", "9"]        {"correct": [0, 1], "partial": true}   {"choices": [0, 3]}
TRUE_FALSE         []                          {"correct": true}                      {"value": true}
SHORT_ANSWER       []                          {"accepted": ["Bangkok", "กรุงเทพ"]}     {"text": " bangkok "}
NUMERIC            []                          {"value": 3.5, "tolerance": 0.1}       {"text": "3.45"}
LONG_ANSWER        []                          {}                                     {"text": "..."}
FILE_UPLOAD        []                          {}                                     {"resource_id": 7, "filename": "a.pdf"}
MATCHING           [["cat", "rose"],           {"matches": [0, 1]}                    {"matches": [0, null]}
                   ["animal", "flower", "gas"]]
=================  ==========================  =====================================  ==========================

Choice keys may also hold ``"feedback": ["", "Not quite: …", …]`` (one text per option, shown
with the results; from GIFT imports).  Option indexes in keys and responses are always those
of ``options`` (never the shuffled order a student saw).  Matching questions are described in
``lms.assessments.matching`` (options: [left items, right items]).

Scoring:

* single choice, true/false: all the points or none;
* multiple choice: all-or-nothing (the exact set of correct options), or with ``partial``:
  each correct option chosen earns ``points / number of correct options``, each wrong one chosen
  costs the same amount; the result is kept between 0 and the points;
* short answer: compared with every accepted answer after Unicode NFKC normalisation, case
  folding and removing all white space (so "new  york" = "New York" = "NewYork", and Thai
  typed with a different but equivalent character sequence matches);
* numeric: ``|answer − value| ≤ tolerance`` (an absolute tolerance; "3,5" is read as 3.5);
* matching: each correct pair earns ``points / number of pairs`` (nothing is taken off for a wrong
  one);
* long answer and file upload are graded by hand (``score`` returns None).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _

from lms.assessments import matching
from lms.assessments.labels import QUESTION_TYPE
from lms.assessments.models import QuestionType
from lms.common.errors import ValidationFailed
from lms.common.ids import as_id

CHOICE_TYPES = (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE)
MANUAL_TYPES = (QuestionType.LONG_ANSWER, QuestionType.FILE_UPLOAD)
QUESTION_TYPES = tuple(t.value for t in QuestionType)
MAX_OPTIONS = 12
OPTION_MAX = 500
TEXT_MAX = 20_000
ANSWER_TEXT_MAX = 50_000

TYPE_LABELS = QUESTION_TYPE  # the registry's labels (lms.assessments.labels)


def number_message() -> str:
    """What a number answer that is not a number is told (the take page shows it while typing)."""
    return _("Enter a number, e.g. 12 or 3.5.")


# --- cleaning what a teacher typed ---------------------------------------------------------------


@dataclass
class QuestionInput:
    """A question as submitted by the editor or an import (before cleaning)."""

    type: str
    text: str = ""
    points: object = 1
    options: list | None = None
    key: dict | None = None
    feedback: str = ""
    tags: list | None = None


def clean_points(value) -> float:
    try:
        points = float(str(value).strip().replace(",", ".")) if str(value).strip() != "" else 1.0
    except (TypeError, ValueError):
        raise ValidationFailed(_("Points must be a number, e.g. 1 or 2.5."), field="points") from None
    if not math.isfinite(points) or round(points, 2) <= 0 or points > 1000:
        raise ValidationFailed(_("Points must be more than 0 and at most 1000."), field="points")
    return round(points, 2)


def parse_number(value) -> float | None:
    """A number typed by a person: "3.5", "3,5", " -2 ", "1e3"; None when it is not one."""
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    text = text.replace(",", "")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def clean_tags(tags) -> list[str]:
    if isinstance(tags, str):
        tags = tags.split(",")
    result = []
    for tag in tags or []:
        tag = " ".join(unicodedata.normalize("NFC", str(tag)).split()).lower()
        if not tag:
            continue
        if len(tag) > 40:
            raise ValidationFailed(_("A tag is at most 40 characters: “%(tag)s”.", tag=tag[:40]), field="tags")
        if tag not in result:
            result.append(tag)
    if len(result) > 20:
        raise ValidationFailed(_("A question has at most 20 tags."), field="tags")
    return result


def _clean_options(options) -> list[str]:
    if options is None:
        return []
    if not isinstance(options, list):
        raise ValidationFailed(_("The options must be a list."), field="options")
    cleaned = [str(o).strip() for o in options]
    if len(cleaned) > MAX_OPTIONS:
        raise ValidationFailed(_("A question has at most %(n)s options.", n=MAX_OPTIONS), field="options")
    for option in cleaned:
        if len(option) > OPTION_MAX:
            raise ValidationFailed(_("An option is at most %(n)s characters.", n=OPTION_MAX), field="options")
    if any(not o for o in cleaned):
        raise ValidationFailed(_("An option is empty; remove it or write it."), field="options")
    if len({o.casefold() for o in cleaned}) != len(cleaned):
        raise ValidationFailed(_("Two options are the same."), field="options")
    return cleaned


def _index(value, count: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < count:
        raise ValidationFailed(_("The correct answer must be one of the options."), field="key")
    return value


def _option_feedback(key: dict, count: int) -> list[str] | None:
    feedback = key.get("feedback")
    if feedback is None:
        return None
    if not isinstance(feedback, list) or len(feedback) > count:
        raise ValidationFailed(_("Option feedback does not match the options."), field="key")
    texts = [str(f or "").strip()[:OPTION_MAX] for f in feedback]
    texts += [""] * (count - len(texts))
    return texts if any(texts) else None


def clean_question(data: QuestionInput) -> dict:
    """The cleaned fields of a question (type, text, points, options, key, feedback, tags).

    Only the structure is checked here: a draft question may still lack its key or options
    (``problems_of`` lists what is missing before publishing)."""
    qtype = str(data.type or "")
    if qtype not in QUESTION_TYPES:
        raise ValidationFailed(_("Choose a question type."), field="type")
    text = (data.text or "").strip()
    if len(text) > TEXT_MAX:
        raise ValidationFailed(_("The question text is too long (%(n)s characters at most).", n=TEXT_MAX),
                               field="text")
    feedback = (data.feedback or "").strip()
    if len(feedback) > TEXT_MAX:
        raise ValidationFailed(_("The feedback is too long."), field="feedback")
    points = clean_points(data.points)
    key = data.key if isinstance(data.key, dict) else {}
    options: list[str] = []
    if qtype in CHOICE_TYPES:
        options = _clean_options(data.options)
        clean_key = _clean_choice_key(qtype, key, len(options))
    elif qtype == QuestionType.MATCHING:
        options, clean_key = matching.clean(data.options, key)
    else:
        clean_key = _KEY_CLEANERS.get(qtype, lambda key: {})(key)
    return {"type": qtype, "text": text, "points": points, "options": options, "key": clean_key,
            "feedback": feedback, "tags": clean_tags(data.tags)}


def _clean_choice_key(qtype: str, key: dict, count: int) -> dict:
    clean_key: dict = {}
    correct = key.get("correct")
    if qtype == QuestionType.SINGLE_CHOICE:
        if correct is not None:
            clean_key["correct"] = _index(correct, count)
    else:
        if correct is not None:
            if not isinstance(correct, list):
                raise ValidationFailed(_("The correct answers must be a list of options."), field="key")
            indexes = sorted({_index(c, count) for c in correct})
            if indexes:
                clean_key["correct"] = indexes
        clean_key["partial"] = bool(key.get("partial", False))
    feedback_list = _option_feedback(key, count)
    if feedback_list:
        clean_key["feedback"] = feedback_list
    return clean_key


def _clean_true_false_key(key: dict) -> dict:
    correct = key.get("correct")
    if correct is None:
        return {}
    if not isinstance(correct, bool):
        raise ValidationFailed(_("Choose whether the statement is true or false."), field="key")
    return {"correct": correct}


def _clean_short_answer_key(key: dict) -> dict:
    accepted = key.get("accepted") or []
    if isinstance(accepted, str):
        accepted = accepted.splitlines()
    if not isinstance(accepted, list):
        raise ValidationFailed(_("The accepted answers must be a list."), field="key")
    answers = []
    for answer in accepted:
        answer = " ".join(str(answer).split())
        if len(answer) > OPTION_MAX:
            raise ValidationFailed(_("An accepted answer is at most %(n)s characters.", n=OPTION_MAX),
                                   field="key")
        if answer and normalise_text(answer) not in {normalise_text(a) for a in answers}:
            answers.append(answer)
    if len(answers) > 50:
        raise ValidationFailed(_("At most 50 accepted answers."), field="key")
    return {"accepted": answers} if answers else {}


def _clean_numeric_key(key: dict) -> dict:
    raw_value, raw_tolerance = key.get("value"), key.get("tolerance", 0)
    if raw_value in (None, ""):
        return {}
    value = parse_number(raw_value)
    if value is None:
        raise ValidationFailed(_("The correct answer must be a number."), field="key")
    tolerance = parse_number(raw_tolerance if raw_tolerance not in (None, "") else 0)
    if tolerance is None or tolerance < 0:
        raise ValidationFailed(_("The tolerance must be a number of 0 or more."), field="key")
    return {"value": value, "tolerance": tolerance}


_KEY_CLEANERS = {
    QuestionType.TRUE_FALSE: _clean_true_false_key,
    QuestionType.SHORT_ANSWER: _clean_short_answer_key,
    QuestionType.NUMERIC: _clean_numeric_key,
}


def problems_of(qtype: str, options: list, key: dict, text: str = "") -> list[str]:
    """What a question lacks before it can be published (empty when it is complete)."""
    problems = []
    if not (text or "").strip():
        problems.append(_("it has no text"))
    if qtype in CHOICE_TYPES:
        if len(options or []) < 2:
            problems.append(_("it needs at least two options"))
        if qtype == QuestionType.SINGLE_CHOICE and key.get("correct") is None:
            problems.append(_("the correct option is not chosen"))
        if qtype == QuestionType.MULTIPLE_CHOICE and not key.get("correct"):
            problems.append(_("no option is marked correct"))
    elif qtype == QuestionType.TRUE_FALSE and not isinstance(key.get("correct"), bool):
        problems.append(_("true or false is not chosen"))
    elif qtype == QuestionType.SHORT_ANSWER and not key.get("accepted"):
        problems.append(_("it has no accepted answer"))
    elif qtype == QuestionType.NUMERIC and key.get("value") is None:
        problems.append(_("the correct number is missing"))
    elif qtype == QuestionType.MATCHING:
        problems.extend(matching.problems(options, key))
    return problems


# --- responses ------------------------------------------------------------------------------------


def clean_response(qtype: str, options: list, form: dict) -> dict:
    """A student's response from the take page's form fields (``answer``, several for multiple
    choice).  Anything that does not fit the question is refused."""
    values = form.get("answer")
    values = values if isinstance(values, list) else ([values] if values not in (None, "") else [])
    if qtype == QuestionType.SINGLE_CHOICE:
        if not values:
            return {}
        index = _response_index(values[0], len(options))
        return {"choice": index}
    if qtype == QuestionType.MULTIPLE_CHOICE:
        return {"choices": sorted({_response_index(v, len(options)) for v in values})}
    if qtype == QuestionType.TRUE_FALSE:
        if not values:
            return {}
        if values[0] not in ("true", "false"):
            raise ValidationFailed(_("Choose true or false."), field="answer")
        return {"value": values[0] == "true"}
    if qtype == QuestionType.MATCHING:
        return matching.clean_response(options, values)
    if qtype in (QuestionType.SHORT_ANSWER, QuestionType.NUMERIC, QuestionType.LONG_ANSWER):
        text = str(values[0]) if values else ""
        if len(text) > ANSWER_TEXT_MAX:
            raise ValidationFailed(_("The answer is too long."), field="answer")
        if qtype == QuestionType.NUMERIC and text.strip() and parse_number(text) is None:
            raise ValidationFailed(number_message(), field="answer")
        return {"text": text}
    raise ValidationFailed(_("This question takes a file."), field="answer")


def choices_of(qtype: str, options) -> list[str]:
    """What a student picks from: a choice question's options, a matching question's right items."""
    if qtype == QuestionType.MATCHING:
        return matching.sides(options)[1]
    return list(options or []) if qtype in CHOICE_TYPES else []


def _response_index(value, count: int) -> int:
    index = as_id(value)
    if index is None or not 0 <= index < count:
        raise ValidationFailed(_("That option is not one of the question's options."), field="answer")
    return index


def is_answered(qtype: str, response: dict | None) -> bool:
    response = response or {}
    if qtype == QuestionType.SINGLE_CHOICE:
        return response.get("choice") is not None
    if qtype == QuestionType.MULTIPLE_CHOICE:
        return bool(response.get("choices"))
    if qtype == QuestionType.TRUE_FALSE:
        return isinstance(response.get("value"), bool)
    if qtype == QuestionType.FILE_UPLOAD:
        return bool(response.get("resource_id"))
    if qtype == QuestionType.MATCHING:
        return matching.is_answered(response)
    return bool(str(response.get("text", "")).strip())


# --- scoring --------------------------------------------------------------------------------------


def normalise_text(text: str) -> str:
    """For short answers: NFKC, case-folded, without any white space."""
    return "".join(unicodedata.normalize("NFKC", str(text or "")).casefold().split())


def _round(value: float) -> float:
    return round(value + 0.0, 2)


def score(qtype: str, key: dict, points: float, response: dict | None) -> float | None:
    """Points earned by ``response``; None for questions graded by hand."""
    response = response or {}
    key = key or {}
    if qtype in MANUAL_TYPES:
        return None
    if qtype == QuestionType.SINGLE_CHOICE:
        correct = key.get("correct")
        return _round(points) if correct is not None and response.get("choice") == correct else 0.0
    if qtype == QuestionType.MULTIPLE_CHOICE:
        return _score_multiple(key, points, response)
    if qtype == QuestionType.TRUE_FALSE:
        correct = key.get("correct")
        value = response.get("value")
        return _round(points) if isinstance(correct, bool) and value is correct else 0.0
    if qtype == QuestionType.SHORT_ANSWER:
        given = normalise_text(response.get("text", ""))
        accepted = {normalise_text(a) for a in key.get("accepted") or []}
        return _round(points) if given and given in accepted else 0.0
    if qtype == QuestionType.NUMERIC:
        value = key.get("value")
        given = parse_number(response.get("text"))
        if value is None or given is None:
            return 0.0
        tolerance = float(key.get("tolerance") or 0)
        return _round(points) if abs(given - float(value)) <= tolerance + 1e-9 else 0.0
    if qtype == QuestionType.MATCHING:
        return matching.score(key, points, response)
    return 0.0


def _score_multiple(key: dict, points: float, response: dict) -> float:
    correct = set(key.get("correct") or [])
    chosen = set(response.get("choices") or [])
    if not correct or not chosen:
        return 0.0
    if not key.get("partial"):
        return _round(points) if chosen == correct else 0.0
    share = points / len(correct)
    earned = share * len(chosen & correct) - share * len(chosen - correct)
    return _round(min(max(earned, 0.0), points))


def _options_text(options: list, indexes) -> str:
    """The options at ``indexes`` (out-of-range ones left out), separated by "; "."""
    return "; ".join(options[i] for i in indexes or [] if 0 <= i < len(options))


def _true_false_text(value: bool) -> str:
    return _("True") if value else _("False")


def correct_answer_text(qtype: str, options: list, key: dict) -> str:
    """The key as a person reads it (for results pages and the grading page)."""
    key = key or {}
    if qtype == QuestionType.SINGLE_CHOICE and key.get("correct") is not None:
        return _options_text(options, [key["correct"]])
    if qtype == QuestionType.MULTIPLE_CHOICE:
        return _options_text(options, key.get("correct"))
    if qtype == QuestionType.TRUE_FALSE and isinstance(key.get("correct"), bool):
        return _true_false_text(key["correct"])
    if qtype == QuestionType.SHORT_ANSWER:
        return " / ".join(key.get("accepted") or [])
    if qtype == QuestionType.NUMERIC and key.get("value") is not None:
        value = plain_number(key["value"])
        tolerance = key.get("tolerance") or 0
        return f"{value} ± {plain_number(tolerance)}" if tolerance else value
    if qtype == QuestionType.MATCHING:
        return matching.correct_text(options, key)
    return ""


def response_text(qtype: str, options: list, response: dict | None) -> str:
    """A student's response as text (CSV, history)."""
    response = response or {}
    if qtype == QuestionType.SINGLE_CHOICE and response.get("choice") is not None:
        return _options_text(options, [response["choice"]])
    if qtype == QuestionType.MULTIPLE_CHOICE:
        return _options_text(options, response.get("choices"))
    if qtype == QuestionType.TRUE_FALSE and isinstance(response.get("value"), bool):
        return _true_false_text(response["value"])
    if qtype == QuestionType.FILE_UPLOAD:
        return response.get("filename", "")
    if qtype == QuestionType.MATCHING:
        return matching.response_text(options, response)
    return str(response.get("text", ""))


def pair_review(qtype: str, options, key: dict, response: dict | None) -> list[dict]:
    """A matching answer pair by pair (left item, the student's match, the correct one, ok);
    [] for other types."""
    return matching.review(options, key or {}, response) if qtype == QuestionType.MATCHING else []


def response_fields(qtype: str, response: dict | None) -> list[str]:
    """The take page's ``answer`` field values that give ``response`` (the reverse of
    ``clean_response``): a tab shown a newer answer puts these into its form."""
    response = response or {}
    if qtype == QuestionType.SINGLE_CHOICE:
        return [str(response["choice"])] if response.get("choice") is not None else []
    if qtype == QuestionType.MULTIPLE_CHOICE:
        return [str(i) for i in response.get("choices") or []]
    if qtype == QuestionType.TRUE_FALSE:
        return [("true" if response["value"] else "false")] if isinstance(response.get("value"), bool) else []
    if qtype == QuestionType.FILE_UPLOAD:
        return []
    if qtype == QuestionType.MATCHING:
        return matching.response_fields(response)
    return [str(response.get("text", ""))]


def plain_number(value) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}"


# --- late submissions -------------------------------------------------------------------------------


def apply_late_policy(raw: float, max_score: float, late: bool, deduction_percent: int,
                      floor_percent: int) -> float:
    """The score after a late deduction: ``raw`` minus ``deduction_percent`` of it, but never
    below ``floor_percent`` of the maximum (nor above ``raw``)."""
    if not late or not deduction_percent:
        return _round(raw)
    deducted = raw * (1 - deduction_percent / 100)
    floor = min(raw, max_score * floor_percent / 100)
    return _round(max(deducted, floor))

