"""The rubric library: teachers' grading grids (criteria × levels with points), reused across
assessments, and attaching one to a long-answer or file-upload question.

* Who sees what: a teacher sees their own rubrics and those shared with the school's staff; an
  administrator sees them all.  Only the owner (or an administrator) changes or deletes one;
  anyone who sees one may copy it (the copy is theirs, private).
* A rubric used for grading (some answer has a level of it chosen) keeps its criteria and levels:
  an edit that changes them is refused with the advice to make a copy (the title, description
  and sharing may still change), and it cannot be deleted (the database's RESTRICT backs both).
  Deleting an unused rubric removes it from the questions it was attached to.
* A question's points need not match the rubric's: the rubric's score is scaled to the
  question's points (``lms.assessments.rubric_grading``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import false, func, or_, select, true

from lms.assessments import questions as qtypes
from lms.assessments.models import (
    RUBRIC_MAX_CRITERIA,
    RUBRIC_MAX_LEVELS,
    RUBRIC_NAME_MAX,
    RUBRIC_POINTS_MAX,
    RUBRIC_TEXT_MAX,
    RUBRIC_TITLE_MAX,
    AnswerRubricLevel,
    Assessment,
    Question,
    QuestionRubric,
    Rubric,
    RubricCriterion,
    RubricLevel,
)
from lms.assessments.services import require_edit_assessment
from lms.audit.services import record
from lms.auth.models import Role
from lms.common.edge import has_forbidden_characters
from lms.common.errors import BusinessRuleViolation, Conflict, Forbidden, ValidationFailed
from lms.common.services import clean_title, flush_or_raise, get_visible
from lms.extensions import db


@dataclass
class LevelInput:
    points: str | float = ""
    description: str = ""


@dataclass
class CriterionInput:
    name: str = ""
    description: str = ""
    levels: list[LevelInput] = field(default_factory=list)


@dataclass
class RubricInput:
    title: str = ""
    description: str = ""
    shared: bool = False
    criteria: list[CriterionInput] = field(default_factory=list)


# --- who sees and changes what ------------------------------------------------------------------------


def visible_condition(actor):
    role = getattr(actor, "role", None)
    if role == Role.ADMIN:
        return true()
    if role == Role.TEACHER:
        return or_(Rubric.owner_id == actor.id, Rubric.shared.is_(True))
    return false()


def library_query(actor, *, q: str = "", mine: bool = False):
    """The rubrics ``actor`` sees (only their own with ``mine``), by title."""
    stmt = select(Rubric).where(visible_condition(actor))
    if mine:
        stmt = stmt.where(Rubric.owner_id == actor.id)
    q = (q or "").strip().lower()
    if q:
        stmt = stmt.where(func.lower(Rubric.title).contains(q, autoescape=True))
    return stmt.order_by(func.lower(Rubric.title), Rubric.id)


def get_rubric_for(actor, rubric_id) -> Rubric:
    """The rubric if ``actor`` may see it, else 404 (another teacher's private rubric too)."""
    return get_visible(select(Rubric).where(visible_condition(actor)), Rubric, rubric_id,
                       _("That rubric does not exist or is not available to you."))


def can_change(actor, rubric: Rubric) -> bool:
    role = getattr(actor, "role", None)
    return role == Role.ADMIN or (role == Role.TEACHER and rubric.owner_id == actor.id)


def require_change(actor, rubric: Rubric) -> None:
    if not can_change(actor, rubric):
        raise Forbidden(_("Only the rubric's owner or an administrator can change it. Make a copy to adapt it."))


def graded_answer_count(rubric_id: int) -> int:
    """How many answers were graded with the rubric (a level of it chosen)."""
    return db.session.scalar(
        select(func.count(func.distinct(AnswerRubricLevel.answer_id)))
        .join(RubricCriterion, RubricCriterion.id == AnswerRubricLevel.criterion_id)
        .where(RubricCriterion.rubric_id == rubric_id)) or 0


def attached_question_count(rubric_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(QuestionRubric)
                             .where(QuestionRubric.rubric_id == rubric_id)) or 0


def usage_counts(rubric_ids) -> dict[int, tuple[int, int]]:
    """``{rubric id: (questions attached, answers graded)}`` for a page of the library (two queries)."""
    ids = list(rubric_ids)
    if not ids:
        return {}
    attached = dict(db.session.execute(select(QuestionRubric.rubric_id, func.count())
                                       .where(QuestionRubric.rubric_id.in_(ids)).group_by(QuestionRubric.rubric_id)).all())
    graded = dict(db.session.execute(
        select(RubricCriterion.rubric_id, func.count(func.distinct(AnswerRubricLevel.answer_id)))
        .join(RubricCriterion, RubricCriterion.id == AnswerRubricLevel.criterion_id)
        .where(RubricCriterion.rubric_id.in_(ids)).group_by(RubricCriterion.rubric_id)).all())
    return {i: (attached.get(i, 0), graded.get(i, 0)) for i in ids}


# --- checking what the editor sent ----------------------------------------------------------------------


def _text(value, *, max_length: int, message: str, field_name: str) -> str:
    text = str(value or "").strip()
    if has_forbidden_characters(text):
        raise ValidationFailed(_("Remove the control characters (such as NUL bytes) from the text."), field=field_name)
    if len(text) > max_length:
        raise ValidationFailed(message, field=field_name)
    return text


def _level(level: LevelInput, number: int, position: int) -> RubricLevel:
    where = {"n": number, "m": position + 1}
    points = qtypes.parse_number(str(level.points if level.points is not None else "").strip())
    if points is None or not 0 <= points <= RUBRIC_POINTS_MAX:
        raise ValidationFailed(_("Criterion %(n)s, level %(m)s: give points from 0 to %(max)s.",
                                 max=RUBRIC_POINTS_MAX, **where), field="criteria")
    description = _text(level.description, max_length=RUBRIC_TEXT_MAX, field_name="criteria",
                        message=_("Criterion %(n)s, level %(m)s: the description is too long.", **where))
    if not description:
        raise ValidationFailed(_("Criterion %(n)s, level %(m)s: describe what an answer at this level does.",
                                 **where), field="criteria")
    return RubricLevel(position=position, points=round(points, 2), description=description)


def _criterion(criterion: CriterionInput, number: int) -> RubricCriterion:
    name = " ".join(_text(criterion.name, max_length=RUBRIC_NAME_MAX, field_name="criteria",
                          message=_("Criterion %(n)s: the name is too long.", n=number)).split())
    if not name:
        raise ValidationFailed(_("Criterion %(n)s: give it a name.", n=number), field="criteria")
    description = _text(criterion.description, max_length=RUBRIC_TEXT_MAX, field_name="criteria",
                        message=_("Criterion %(n)s: the description is too long.", n=number))
    if not criterion.levels:
        raise ValidationFailed(_("Criterion %(n)s: give it at least one level.", n=number), field="criteria")
    if len(criterion.levels) > RUBRIC_MAX_LEVELS:
        raise ValidationFailed(_("Criterion %(n)s: %(max)s levels at most.", n=number, max=RUBRIC_MAX_LEVELS),
                               field="criteria")
    row = RubricCriterion(position=number - 1, name=name, description=description)
    row.levels = [_level(level, number, position) for position, level in enumerate(criterion.levels)]
    return row


def _checked(data: RubricInput) -> tuple[str, str, list[RubricCriterion]]:
    title = clean_title(data.title, max_length=RUBRIC_TITLE_MAX)
    if has_forbidden_characters(title):
        raise ValidationFailed(_("Remove the control characters (such as NUL bytes) from the text."), field="title")
    description = _text(data.description, max_length=RUBRIC_TEXT_MAX, field_name="description",
                        message=_("The description is too long (%(max)s characters at most).", max=RUBRIC_TEXT_MAX))
    if not data.criteria:
        raise ValidationFailed(_("Give the rubric at least one criterion with its levels."), field="criteria")
    if len(data.criteria) > RUBRIC_MAX_CRITERIA:
        raise ValidationFailed(_("%(max)s criteria at most.", max=RUBRIC_MAX_CRITERIA), field="criteria")
    criteria = [_criterion(c, number) for number, c in enumerate(data.criteria, start=1)]
    if sum(max(level.points for level in c.levels) for c in criteria) <= 0:
        raise ValidationFailed(_("The best levels must be worth more than 0 points."), field="criteria")
    return title, description, criteria


def _shape(criteria) -> list:
    """What grades depend on: names, descriptions, levels and points, in order."""
    return [(c.name, c.description, [(round(lv.points, 2), lv.description) for lv in c.levels]) for c in criteria]


# --- the library ------------------------------------------------------------------------------------------


def create_rubric(actor, data: RubricInput) -> Rubric:
    if getattr(actor, "role", None) not in (Role.ADMIN, Role.TEACHER):
        raise Forbidden(_("Only teachers and administrators make rubrics."))
    title, description, criteria = _checked(data)
    rubric = Rubric(title=title, description=description, owner_id=actor.id, shared=bool(data.shared))
    rubric.criteria = criteria
    db.session.add(rubric)
    db.session.flush()
    record(actor, "rubric.create", rubric, title=title)
    return rubric


def update_rubric(actor, rubric: Rubric, data: RubricInput) -> Rubric:
    """Change a rubric.  Once used for grading only its title, description and sharing change."""
    require_change(actor, rubric)
    title, description, criteria = _checked(data)
    before = {"title": rubric.title, "shared": rubric.shared}
    if _shape(criteria) != _shape(rubric.criteria):
        used = graded_answer_count(rubric.id)
        if used:
            raise BusinessRuleViolation(_(
                "This rubric was used to grade %(num)s answer(s), so its criteria and levels cannot change: the "
                "grades keep the levels they were given with. Make a copy and change the copy.", num=used))
        with flush_or_raise(Conflict(_("Someone graded with this rubric just now: make a copy to change it."))):
            rubric.criteria.clear()
            db.session.flush()  # the old rows go before the new ones take their positions
            rubric.criteria.extend(criteria)
    rubric.title, rubric.description, rubric.shared = title, description, bool(data.shared)
    db.session.flush()
    record(actor, "rubric.update", rubric, before=before, title=title, shared=rubric.shared)
    return rubric


def copy_rubric(actor, rubric: Rubric) -> Rubric:
    """A private copy of a rubric ``actor`` sees, owned by them."""
    data = RubricInput(
        title=_("Copy of %(title)s", title=rubric.title)[:RUBRIC_TITLE_MAX], description=rubric.description,
        criteria=[CriterionInput(c.name, c.description, [LevelInput(lv.points, lv.description) for lv in c.levels])
                  for c in rubric.criteria])
    copy = create_rubric(actor, data)
    record(actor, "rubric.copy", copy, source_id=rubric.id)
    return copy


def delete_rubric(actor, rubric: Rubric) -> str:
    """Delete an unused rubric (its questions lose it); a rubric used for grading stays."""
    require_change(actor, rubric)
    used = graded_answer_count(rubric.id)
    refusal = _("This rubric was used to grade %(num)s answer(s), so it cannot be deleted (the grades show it). "
                "Detach it from its questions instead.", num=used)
    if used:
        raise BusinessRuleViolation(refusal)
    title, rubric_id = rubric.title, rubric.id
    record(actor, "rubric.delete", rubric, title=title)
    with flush_or_raise(Conflict(_("Someone graded with this rubric just now, so it cannot be deleted."))):
        db.session.execute(QuestionRubric.__table__.delete().where(QuestionRubric.rubric_id == rubric_id))
        db.session.delete(rubric)
    return title


# --- a question's rubric ------------------------------------------------------------------------------------


def rubric_of_question(question_id: int) -> Rubric | None:
    return db.session.scalar(select(Rubric).join(QuestionRubric, QuestionRubric.rubric_id == Rubric.id)
                             .where(QuestionRubric.question_id == question_id))


def attach_rubric(actor, assessment: Assessment, question: Question, rubric_id) -> Rubric | None:
    """Grade ``question`` with the rubric ``rubric_id`` (one ``actor`` sees), or with none (empty).
    Only long-answer and file-upload questions take one; answers already graded keep the rubric
    (and levels) they were graded with."""
    require_edit_assessment(actor, assessment)
    if question.assessment_id != assessment.id:
        raise ValidationFailed(_("That question does not exist."))
    row = db.session.scalar(select(QuestionRubric).where(QuestionRubric.question_id == question.id))
    if not rubric_id:
        if row is not None:
            db.session.delete(row)
            db.session.flush()
            record(actor, "question.rubric", question, assessment_id=assessment.id, rubric_id=None)
        return None
    if question.type not in qtypes.MANUAL_TYPES:
        raise ValidationFailed(_("Only long-answer and file-upload questions are graded with a rubric."),
                               field="rubric")
    rubric = get_rubric_for(actor, rubric_id)
    if row is None:
        row = QuestionRubric(question_id=question.id, rubric_id=rubric.id)
        with flush_or_raise(Conflict(_("The question's rubric was just changed in another window: reload the page."))):
            db.session.add(row)
    else:
        row.rubric_id = rubric.id
    db.session.flush()
    record(actor, "question.rubric", question, assessment_id=assessment.id, rubric_id=rubric.id)
    return rubric


def rubric_choices(actor) -> list[Rubric]:
    """The rubrics ``actor`` may attach, by title (at most 300)."""
    return list(db.session.scalars(library_query(actor).limit(300)))
