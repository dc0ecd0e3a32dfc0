"""A subject's assessments in a copy of the subject (``lms.core.signals.subject_copying``).

Every assessment attached in the subject (to it, or to one of its units, parts or sections) that
is not archived is copied to the same place in the copy, as a draft owned by whoever copies:
its settings, instructions, questions (text, options, keys, points, feedback, tags), the rubrics
attached to them (the same rubrics, when the copier may use them) and media links (the same
resources).  Not copied: attempts, answers, grades, feedback to students,
extensions, excusals, and every date — opening, due and publication (``lms.common.copying``
leaves dates behind).
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from lms.assessments.models import (
    Assessment,
    AssessmentMedia,
    AssessmentStatus,
    Question,
    QuestionRubric,
    QuestionTag,
    Rubric,
)
from lms.assessments.rubrics import visible_condition
from lms.assessments.services import attached_in_subjects
from lms.common.copying import copy_rows, copy_rows_mapped
from lms.extensions import db


def _copied_from(subject):
    """A SELECT of the ids of the subject's assessments a copy takes."""
    return select(Assessment.id).where(attached_in_subjects([subject.id]),
                                       Assessment.status != AssessmentStatus.ARCHIVED)


def copy_preview(subject) -> dict:
    """The assessments a copy takes, each with its number of questions (one query), and what stays."""
    rows = db.session.execute(
        select(Assessment.title, func.count(Question.id))
        .outerjoin(Question, Question.assessment_id == Assessment.id)
        .where(Assessment.id.in_(_copied_from(subject)))
        .group_by(Assessment.id, Assessment.title).order_by(Assessment.title, Assessment.id)).all()
    archived = db.session.scalar(select(func.count()).select_from(Assessment).where(
        attached_in_subjects([subject.id]), Assessment.status == AssessmentStatus.ARCHIVED))
    left_behind = [_("Students' attempts, answers, scores, grades and feedback"),
                   _("Extensions and excusals"),
                   _("Opening and due dates, and publication: the assessments arrive as drafts, not published")]
    if archived:
        left_behind.append(ngettext("%(num)d archived assessment", "%(num)d archived assessments", archived))
    items = [ngettext("%(title)s — %(num)d question", "%(title)s — %(num)d questions", count, title=title)
             for title, count in rows]
    return {"label": _("Assessments"), "count": len(rows), "items": items, "left_behind": left_behind}


def copy_assessments(subject, *, copy, actor, nodes) -> dict[str, int]:
    """The subject's assessments in ``copy`` (a few statements whatever their number)."""
    source_ids = _copied_from(subject)

    def moved(kind):
        return lambda row: nodes[kind][getattr(row, f"{kind}_id")] if getattr(row, f"{kind}_id") else None

    # Nothing tells two copied assessments apart but their order (one INSERT per row on SQLite).
    assessments = copy_rows_mapped(Assessment, Assessment.id.in_(source_ids), order_by=(Assessment.id,), setting={
        "status": AssessmentStatus.DRAFT.value, "owner_id": actor.id,
        "subject_id": lambda row: copy.id if row.subject_id else None,
        "unit_id": moved("unit"), "part_id": moved("part"), "section_id": moved("section"),
        # An assessment for the original's level is for the copy's level.
        "level_id": lambda row: copy.level_id if row.level_id == subject.level_id else row.level_id,
    })
    questions = copy_rows_mapped(Question, Question.assessment_id.in_(source_ids),
                                 order_by=(Question.assessment_id, Question.position),
                                 setting={"assessment_id": lambda row: assessments[row.assessment_id]},
                                 unique_by=("assessment_id", "position"))
    copy_rows(QuestionTag, QuestionTag.question_id.in_(select(Question.id).where(
        Question.assessment_id.in_(source_ids))), order_by=(QuestionTag.id,),
        setting={"question_id": lambda row: questions[row.question_id]})
    # A private rubric of another teacher stays behind: the copier could not grade with it.
    copy_rows(QuestionRubric, QuestionRubric.question_id.in_(select(Question.id).where(
        Question.assessment_id.in_(source_ids))),
        QuestionRubric.rubric_id.in_(select(Rubric.id).where(visible_condition(actor))), order_by=(QuestionRubric.id,),
        setting={"question_id": lambda row: questions[row.question_id]})
    copy_rows(AssessmentMedia, AssessmentMedia.assessment_id.in_(source_ids),
              order_by=(AssessmentMedia.assessment_id, AssessmentMedia.position),
              setting={"assessment_id": lambda row: assessments[row.assessment_id]})
    return {"assessments": len(assessments), "questions": len(questions)}
