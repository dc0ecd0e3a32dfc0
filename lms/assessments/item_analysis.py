"""Item analysis of an assessment: how well each question worked, for its teachers.

Counted attempts: for each student who is not excused, the attempt that counts in the gradebook
(``gradebook.counting_cell``: the best, the latest or — for AVERAGE — the latest graded one);
students whose counting attempt still waits for hand grading are left out.  An item is a question
version (what students were shown); items are grouped by their question, in the question order.

* score of an item in an attempt — its points (by hand, else automatic; 0 when unanswered);
* facility — the mean score divided by the item's points (0–1; high is easy);
* discrimination — the point-biserial (Pearson) correlation between the item score and the
  rest-of-test score (the attempt's points on the other items), over the attempts that were given
  the item: positive when the students who did well on the rest of the test also did well on it;
  the flags use it;
* upper–lower index (Kelley) — rank the attempts given the item by their total score; the mean
  item score of the top 27% minus that of the bottom 27%, divided by the item's points (−1 to 1;
  for a right/wrong item: the share right in the upper group minus the share in the lower group).
  Ties at a boundary are broken by the order of the attempts (their ids), so the result is stable;
* distractors (choice and true/false items) — how many chose each option; a multiple-choice
  answer counts once for each option chosen;
* matching items — per pair, how many matched it correctly (the pair's correct rate).

Everything comes from a fixed number of queries whatever the number of attempts and questions; the
database leaves out previews, excused students and the answers of attempts that do not count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import bindparam, exists, select

from lms.assessments import matching
from lms.assessments import questions as qtypes
from lms.assessments.gradebook import counting_cell
from lms.assessments.models import (
    Answer,
    Assessment,
    AssessmentExcusal,
    Question,
    QuestionType,
    QuestionVersion,
    Submission,
)
from lms.assessments.models import (
    counted as taken_by_students,
)
from lms.assessments.taking import FINISHED
from lms.common.labels import label
from lms.extensions import db

MIN_ATTEMPTS = 2
TOO_EASY = 0.9            # facility above this
TOO_HARD = 0.2            # facility below this
POOR_DISCRIMINATION = 0.2  # discrimination below this (negative included)
KELLEY_SHARE = 0.27       # the upper and lower groups of the upper–lower index
FLAGS = ("too_easy", "too_hard", "poor_discrimination", "negative_discrimination")


@dataclass
class OptionCount:
    text: str
    count: int
    correct: bool


@dataclass
class Item:
    version: QuestionVersion
    answers: int = 0           # counted attempts that were given this item
    blank: int = 0             # ... and left it unanswered
    facility: float | None = None
    discrimination: float | None = None
    upper_lower: float | None = None
    options: list[OptionCount] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


@dataclass
class QuestionItems:
    number: int | None         # position + 1 in the assessment; None: the question was deleted
    items: list[Item]


@dataclass
class ItemAnalysis:
    assessment: Assessment
    attempts: int              # counted attempts
    questions: list[QuestionItems]

    @property
    def enough(self) -> bool:
        return self.attempts >= MIN_ATTEMPTS


# --- the numbers (pure) ---------------------------------------------------------------------------------


def facility(scores: list[float], points: float) -> float | None:
    if not scores or not points:
        return None
    return round(sum(scores) / len(scores) / points, 3)


def point_biserial(item_scores: list[float], rest_scores: list[float]) -> float | None:
    """The Pearson correlation of the two lists; None when either does not vary (or n < 2)."""
    n = len(item_scores)
    if n < 2:
        return None
    mean_x, mean_y = sum(item_scores) / n, sum(rest_scores) / n
    sxx = sum((x - mean_x) ** 2 for x in item_scores)
    syy = sum((y - mean_y) ** 2 for y in rest_scores)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(item_scores, rest_scores, strict=True))
    return round(sxy / math.sqrt(sxx * syy), 3)


def upper_lower_index(given: list[tuple[float, float]], points: float) -> float | None:
    """Kelley's upper–lower discrimination index of an item: ``given`` holds (item score, total
    score) per attempt, in a stable order; None for fewer than two attempts or no points."""
    n = len(given)
    if n < 2 or not points:
        return None
    size = max(1, math.floor(n * KELLEY_SHARE + 0.5))
    ranked = sorted(given, key=lambda pair: -pair[1])  # stable: ties keep the attempts' order
    upper, lower = ranked[:size], ranked[-size:]
    return round((sum(score for score, _total in upper) - sum(score for score, _total in lower)) / size / points, 3)


def flags_of(facility_value: float | None, discrimination: float | None) -> list[str]:
    flags = []
    if facility_value is not None and facility_value > TOO_EASY:
        flags.append("too_easy")
    if facility_value is not None and facility_value < TOO_HARD:
        flags.append("too_hard")
    if discrimination is not None and discrimination < 0:
        flags.append("negative_discrimination")
    elif discrimination is not None and discrimination < POOR_DISCRIMINATION:
        flags.append("poor_discrimination")
    return flags


def _chosen(qtype: str, response: dict) -> list[int]:
    """The option indexes a response picked (true/false: 0 true, 1 false)."""
    if qtype == QuestionType.SINGLE_CHOICE:
        return [response["choice"]] if isinstance(response.get("choice"), int) else []
    if qtype == QuestionType.MULTIPLE_CHOICE:
        return [i for i in response.get("choices") or [] if isinstance(i, int)]
    if qtype == QuestionType.TRUE_FALSE and isinstance(response.get("value"), bool):
        return [0 if response["value"] else 1]
    return []


def pair_counts(version: QuestionVersion, responses: list[dict]) -> list[OptionCount]:
    """For each pair of a matching item: how many of ``responses`` matched it correctly."""
    pairs = matching.review(version.options, version.key or {}, None)
    correct = matching.matches_of(version.key)
    counts = [0] * len(pairs)
    for response in responses:
        given = matching.matches_of(response)
        for index, match in enumerate(correct[:len(pairs)]):
            counts[index] += index < len(given) and given[index] == match
    return [OptionCount(f"{pair['left']} → {pair['correct']}", count, True)
            for pair, count in zip(pairs, counts, strict=True)]


def option_counts(version: QuestionVersion, responses: list[dict]) -> list[OptionCount]:
    """How many of ``responses`` chose each option of a choice or true/false item, or matched each
    pair of a matching item ([] otherwise)."""
    key = version.key or {}
    if version.type == QuestionType.MATCHING:
        return pair_counts(version, responses)
    if version.type == QuestionType.TRUE_FALSE:
        texts, correct = [qtypes.correct_answer_text(version.type, [], {"correct": v}) for v in (True, False)], \
            [key.get("correct") is True, key.get("correct") is False]
    elif version.type in qtypes.CHOICE_TYPES:
        texts = list(version.options or [])
        keyed = key.get("correct")
        keyed = set(keyed) if isinstance(keyed, list) else {keyed}
        correct = [i in keyed for i in range(len(texts))]
    else:
        return []
    counts = [0] * len(texts)
    for response in responses:
        for index in _chosen(version.type, response):
            if 0 <= index < len(counts):
                counts[index] += 1
    return [OptionCount(text, count, ok) for text, count, ok in zip(texts, counts, correct, strict=True)]


# --- the queries ----------------------------------------------------------------------------------------


def counted_attempts(assessment: Assessment) -> list:
    """The counting attempt of each student who is not excused (rows with ``id`` and
    ``question_order``), when it has a score."""
    excused = exists().where(AssessmentExcusal.assessment_id == assessment.id,
                             AssessmentExcusal.student_id == Submission.student_id)
    rows = db.session.execute(
        select(Submission.id, Submission.student_id, Submission.attempt_number, Submission.status,
               Submission.final_score, Submission.max_score, Submission.late, Submission.question_order)
        .where(Submission.assessment_id == assessment.id, Submission.status.in_(FINISHED),
               taken_by_students(), ~excused)  # a teacher's preview is not a student's answer
        .order_by(Submission.id)).all()
    by_student: dict[int, list] = {}
    for row in rows:
        by_student.setdefault(row.student_id, []).append(row)
    counted = []
    for attempts in by_student.values():
        cell = counting_cell(assessment, attempts)
        if cell.state == "score":
            counted.append(next(row for row in attempts if row.id == cell.submission_id))
    return counted


def _answers(submission_ids: list[int]) -> dict[tuple[int, int], tuple]:
    """(submission id, version id) -> (points, response) of the counted attempts' answers (only
    theirs are read: the ids are rendered into the statement, one query however many)."""
    ids = bindparam("counted_ids", sorted(submission_ids), expanding=True, literal_execute=True)
    rows = db.session.execute(
        select(Answer.submission_id, Answer.question_version_id, Answer.manual_points, Answer.auto_points,
               Answer.response).where(Answer.submission_id.in_(ids)))
    return {(r.submission_id, r.question_version_id):
            (r.manual_points if r.manual_points is not None else (r.auto_points or 0.0), r.response or {})
            for r in rows}


def _item(version: QuestionVersion, given: list[tuple[float, float, dict]]) -> Item:
    """``given``: (item score, rest-of-test score, response) of each counted attempt given it."""
    scores = [score for score, _rest, _response in given]
    responses = [response for _score, _rest, response in given]
    item = Item(version=version, answers=len(given),
                blank=sum(1 for r in responses if not qtypes.is_answered(version.type, r)),
                facility=facility(scores, version.points),
                discrimination=point_biserial(scores, [rest for _score, rest, _response in given]),
                upper_lower=upper_lower_index([(score, score + rest) for score, rest, _response in given],
                                              version.points),
                options=option_counts(version, responses))
    item.flags = flags_of(item.facility, item.discrimination)
    return item


def _grouped(assessment: Assessment, items: list[Item]) -> list[QuestionItems]:
    positions = dict(db.session.execute(select(Question.id, Question.position)
                                        .where(Question.assessment_id == assessment.id)).all())
    groups: dict[int | None, list[Item]] = {}
    for item in sorted(items, key=lambda i: (i.version.question_id or 0, i.version.number, i.version.id)):
        question_id = item.version.question_id if item.version.question_id in positions else None
        groups.setdefault(question_id, []).append(item)
    ordered = sorted(groups, key=lambda q: (q is None, positions.get(q, 0)))
    return [QuestionItems(number=positions[q] + 1 if q is not None else None, items=groups[q]) for q in ordered]


def analyse(assessment: Assessment) -> ItemAnalysis:
    attempts = counted_attempts(assessment)
    if len(attempts) < MIN_ATTEMPTS:
        return ItemAnalysis(assessment=assessment, attempts=len(attempts), questions=[])
    answers = _answers([a.id for a in attempts])
    versions = {v.id: v for v in db.session.scalars(
        select(QuestionVersion).where(QuestionVersion.assessment_id == assessment.id))}
    given: dict[int, list[tuple[float, float, dict]]] = {}
    for attempt in attempts:
        shown = [v for v in attempt.question_order or [] if v in versions]
        scored = {v: answers.get((attempt.id, v), (0.0, {})) for v in shown}
        total = sum(points for points, _response in scored.values())
        for version_id, (points, response) in scored.items():
            given.setdefault(version_id, []).append((points, total - points, response))
    items = [_item(versions[v], rows) for v, rows in given.items()]
    return ItemAnalysis(assessment=assessment, attempts=len(attempts), questions=_grouped(assessment, items))


# --- the CSV --------------------------------------------------------------------------------------------


def flag_labels() -> dict[str, str]:
    return {"too_easy": _("too easy"), "too_hard": _("too hard"),
            "poor_discrimination": _("discriminates poorly"),
            "negative_discrimination": _("negative discrimination")}


def _number(value: float | None) -> float | str:
    return "" if value is None else value


def _choices_text(item: Item) -> str:
    return "; ".join(f"{o.text}{' (✓)' if o.correct else ''}: {o.count}" for o in item.options)


def analysis_table(analysis: ItemAnalysis) -> tuple[list, list]:
    """The header (translated) and rows of the CSV: the same numbers as the page."""
    header = [_("Question"), _("Version"), _("Type"), _("Text"), _("Points"), _("Answers"), _("Blank"),
              _("Facility"), _("Discrimination"), _("Upper–lower index (Kelley: top 27% − bottom 27%)"), _("Flags"),
              _("Choices (✓ correct): count")]
    names = flag_labels()
    rows = []
    for group in analysis.questions:
        for item in group.items:
            version = item.version
            rows.append([group.number if group.number is not None else _("deleted"), version.number,
                         label("question_type", version.type), version.text,
                         qtypes.plain_number(version.points), item.answers,
                         item.blank, _number(item.facility), _number(item.discrimination),
                         _number(item.upper_lower), ", ".join(names[f] for f in item.flags), _choices_text(item)])
    return header, rows
