"""Grading an answer with a rubric: one level per criterion, an optional comment per criterion.

* Which rubric: the one the answer was graded with (its chosen levels), else the rubric attached
  to the question now (``QuestionRubric``); only long-answer and file-upload questions.
* The score: the chosen levels' points added up, scaled to the question's points
  (``earned / rubric maximum × question points``, rounded to 0.01).  A rubric worth 16 points on
  a 10-point question gives 12/16 → 7.5.  With the rubric's maximum equal to the question's
  points the score is the sum itself.
* A level or a comment given for one criterion asks for a level for every criterion; the
  computed score then replaces the points typed.  Nothing given: the points typed count and the
  answer keeps no levels.

``grading.grade`` and ``grading.grade_answer`` call ``score`` before checking the points and
``save`` once the answer exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from lms.assessments import questions as qtypes
from lms.assessments.models import (
    RUBRIC_TEXT_MAX,
    Answer,
    AnswerRubricLevel,
    QuestionRubric,
    QuestionVersion,
    Rubric,
    RubricCriterion,
    RubricLevel,
)
from lms.common.edge import has_forbidden_characters
from lms.common.errors import ValidationFailed
from lms.common.ids import as_id
from lms.extensions import db

# {question version id: {criterion id: (level id as posted, comment)}}
Choices = dict[int, dict[int, tuple[str, str]]]


def choices_from_form(form) -> Choices:
    """The rubric fields of a grading form: ``rubric-<version>-<criterion>`` (the level's id) and
    ``rubric-comment-<version>-<criterion>``."""
    chosen: Choices = {}
    for key, value in form.items():
        comment = key.startswith("rubric-comment-")
        parts = key.removeprefix("rubric-comment-" if comment else "rubric-").split("-")
        if not key.startswith("rubric-") or len(parts) != 2:
            continue
        version_id, criterion_id = as_id(parts[0]), as_id(parts[1])
        if version_id is None or criterion_id is None:
            continue
        level, note = chosen.setdefault(version_id, {}).get(criterion_id, ("", ""))
        chosen[version_id][criterion_id] = (level, value) if comment else (value, note)
    return chosen


def scaled(earned: float, maximum: float, question_points: float) -> float:
    if maximum <= 0:
        return 0.0
    return min(round(earned / maximum * question_points, 2), question_points)


@dataclass
class RubricGrade:
    """A rubric as a grader sees it for one answer: the levels chosen (or posted) and the score."""
    rubric: Rubric
    question_points: float
    chosen: dict[int, RubricLevel] = field(default_factory=dict)   # criterion id → level
    comments: dict[int, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return bool(self.rubric.criteria) and all(c.id in self.chosen for c in self.rubric.criteria)

    @property
    def earned(self) -> float:
        return round(sum(level.points for level in self.chosen.values()), 2)

    @property
    def maximum(self) -> float:
        return self.rubric.max_points

    @property
    def points(self) -> float | None:
        """The question's points from the levels (None until every criterion has one)."""
        return scaled(self.earned, self.maximum, self.question_points) if self.complete else None

    @property
    def scale(self) -> float:
        return self.question_points / self.maximum if self.maximum else 0.0


# --- which rubric ------------------------------------------------------------------------------------------


def _saved_rows(answer_ids) -> dict[int, list[AnswerRubricLevel]]:
    ids = [i for i in answer_ids if i]
    rows: dict[int, list[AnswerRubricLevel]] = {}
    if ids:
        for row in db.session.scalars(select(AnswerRubricLevel).where(AnswerRubricLevel.answer_id.in_(ids))):
            rows.setdefault(row.answer_id, []).append(row)
    return rows


def _rubrics_by_criterion(criterion_ids) -> dict[int, Rubric]:
    ids = set(criterion_ids)
    if not ids:
        return {}
    return {criterion_id: rubric for criterion_id, rubric in db.session.execute(
        select(RubricCriterion.id, Rubric).join(Rubric, Rubric.id == RubricCriterion.rubric_id)
        .where(RubricCriterion.id.in_(ids))).all()}


def _attached(question_ids) -> dict[int, Rubric]:
    ids = {i for i in question_ids if i}
    if not ids:
        return {}
    return {row.question_id: row.rubric for row in db.session.scalars(
        select(QuestionRubric).where(QuestionRubric.question_id.in_(ids)))}


def grades_of(versions: list[QuestionVersion], answers: dict[int, Answer], *,
              attached_too: bool = True) -> dict[int, RubricGrade]:
    """``{version id: RubricGrade}`` with the saved levels, for the hand-graded versions that have a
    rubric (the one used, else — with ``attached_too`` — the question's)."""
    manual = [v for v in versions if v.type in qtypes.MANUAL_TYPES]
    saved = _saved_rows(answers[v.id].id for v in manual if v.id in answers)
    used = _rubrics_by_criterion(row.criterion_id for rows in saved.values() for row in rows)
    attached = _attached(v.question_id for v in manual) if attached_too else {}
    grades = {}
    for version in manual:
        answer = answers.get(version.id)
        rows = saved.get(answer.id, []) if answer is not None else []
        rubric = used.get(rows[0].criterion_id) if rows else attached.get(version.question_id)
        if rubric is None:
            continue
        levels = {lv.id: lv for c in rubric.criteria for lv in c.levels}
        grade = RubricGrade(rubric, version.points)
        for row in rows:
            if row.level_id in levels:
                grade.chosen[row.criterion_id] = levels[row.level_id]
                grade.comments[row.criterion_id] = row.comment or ""
        grades[version.id] = grade
    return grades


# --- grading -------------------------------------------------------------------------------------------


def _posted_grade(grade: RubricGrade, posted: dict[int, tuple[str, str]], number: int) -> RubricGrade:
    """``grade``'s rubric with the posted levels and comments; every criterion needs a level."""
    criteria = {c.id: c for c in grade.rubric.criteria}
    if set(posted) - set(criteria):
        raise ValidationFailed(_("Question %(n)s: the rubric changed; reload the page.", n=number))
    fresh = RubricGrade(grade.rubric, grade.question_points)
    for criterion in grade.rubric.criteria:
        level_id, comment = posted.get(criterion.id, ("", ""))
        level = next((lv for lv in criterion.levels if lv.id == as_id(level_id)), None)
        if level is None:
            raise ValidationFailed(_("Question %(n)s: choose a level for “%(criterion)s”.", n=number,
                                     criterion=criterion.name), field=f"rubric-{criterion.id}")
        comment = str(comment or "").strip()
        if len(comment) > RUBRIC_TEXT_MAX or has_forbidden_characters(comment):
            raise ValidationFailed(_("Question %(n)s: the comment on “%(criterion)s” is too long or has "
                                     "characters that cannot be kept.", n=number, criterion=criterion.name),
                                   field=f"rubric-{criterion.id}")
        fresh.chosen[criterion.id], fresh.comments[criterion.id] = level, comment
    return fresh


def score(versions: list[QuestionVersion], answers: dict[int, Answer], choices: Choices) -> dict[int, RubricGrade]:
    """The rubric grades posted for the attempt's versions (checked): ``{version id: grade}`` for
    each version whose rubric got a level or a comment, and ``{version id: None}`` for the other
    versions with a rubric (their saved levels are cleared when saved)."""
    current = grades_of(versions, answers)
    graded: dict = {}
    for number, version in enumerate(versions, start=1):
        if version.id not in current:
            continue
        posted = {cid: pair for cid, pair in (choices.get(version.id) or {}).items() if pair[0] or pair[1].strip()}
        graded[version.id] = _posted_grade(current[version.id], posted, number) if posted else None
    return graded


def save(answer: Answer, grade: RubricGrade | None) -> bool:
    """Store ``grade``'s levels and comments for ``answer`` (None: clear them); True when they changed."""
    rows = {row.criterion_id: row for row in _saved_rows([answer.id]).get(answer.id, [])}
    wanted = {} if grade is None else {cid: (level.id, grade.comments.get(cid, "")) for cid, level in grade.chosen.items()}
    stale = [row for cid, row in rows.items() if cid not in wanted]
    changed = bool(stale)
    for row in stale:
        db.session.delete(row)
    if stale:
        db.session.flush()  # another rubric's rows go before this one's are added
    for criterion_id, (level_id, comment) in wanted.items():
        row = rows.get(criterion_id)
        if row is None:
            db.session.add(AnswerRubricLevel(answer_id=answer.id, criterion_id=criterion_id, level_id=level_id,
                                             comment=comment))
            changed = True
        elif (row.level_id, row.comment or "") != (level_id, comment):
            row.level_id, row.comment = level_id, comment
            changed = True
    return changed


def with_posted(grades: dict[int, RubricGrade], choices: Choices) -> dict[int, RubricGrade]:
    """The grades as a refused form showed them: the posted levels and comments (where valid)."""
    shown = {}
    for version_id, grade in grades.items():
        posted = choices.get(version_id) or {}
        fresh = RubricGrade(grade.rubric, grade.question_points)
        for criterion in grade.rubric.criteria:
            level_id, comment = posted.get(criterion.id, ("", ""))
            level = next((lv for lv in criterion.levels if lv.id == as_id(level_id)), None)
            if level is not None:
                fresh.chosen[criterion.id] = level
            fresh.comments[criterion.id] = comment
        shown[version_id] = fresh
    return shown
