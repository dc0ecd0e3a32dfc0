"""Changing an assessment's questions and media.

Questions keep dense positions (0..n-1) under concurrent edits with the curriculum's ordering
helpers (the assessment row is locked).  Editing a question never changes what students who
already answered it saw (their answers point at a frozen ``QuestionVersion``, made when an
attempt starts).  A change of the *key*, the *points* or the feedback alone — same type, text
and options — is a correction: it is written into the versions that look the same, and their
answers are re-scored (``lms.assessments.grading.rescore_versions``; a background job for
large sets).
"""

from __future__ import annotations

import hashlib
import json

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import InvalidRequestError

from lms.assessments import grading, jobs
from lms.assessments import questions as qtypes
from lms.assessments.models import (
    Answer,
    Assessment,
    AssessmentMedia,
    Question,
    QuestionTag,
    QuestionVersion,
    Submission,
    counted,
)
from lms.assessments.services import require_edit_assessment
from lms.audit.services import record
from lms.common.errors import Conflict, NotFound, ValidationFailed
from lms.common.ids import as_id
from lms.common.services import flush_or_raise, get_visible
from lms.curriculum import ordering
from lms.extensions import db
from lms.jobs import enqueue
from lms.resources import services as resources

INLINE_RESCORE_LIMIT = 200  # more answers than this are re-scored by a background job


def get_question(assessment: Assessment, question_id) -> Question:
    return get_visible(select(Question).where(Question.assessment_id == assessment.id), Question, question_id,
                       _("That question is not in this assessment."))


def _set_tags(question: Question, tags: list[str]) -> None:
    existing = {row.tag: row for row in question.tag_rows}
    question.tag_rows = [existing.get(tag) or QuestionTag(tag=tag) for tag in tags]


def add_question(actor, assessment: Assessment, data: qtypes.QuestionInput, *, index: int | None = None) -> Question:
    require_edit_assessment(actor, assessment)
    values = qtypes.clean_question(data)
    ordering.lock(Assessment, assessment.id)
    siblings = ordering.sibling_ids(Question, Question.assessment_id, assessment.id)
    top = db.session.scalar(select(func.max(Question.position)).where(Question.assessment_id == assessment.id))
    question = Question(assessment_id=assessment.id, position=(top + 1) if top is not None else 0,
                        type=values["type"], text=values["text"], points=values["points"],
                        options=values["options"], key=values["key"], feedback=values["feedback"])
    _set_tags(question, values["tags"])
    db.session.add(question)
    db.session.flush()
    if index is not None:
        ordering.renumber(Question, "assessment_id", {assessment.id: ordering.place(siblings, question.id, index)})
    assessment.updated_at = question.created_at
    record(actor, "question.create", question, assessment_id=assessment.id, type=question.type)
    return question


def add_questions(actor, assessment: Assessment, items: list[qtypes.QuestionInput]) -> list[Question]:
    """Several questions at the end (imports); every one is checked before any is stored."""
    require_edit_assessment(actor, assessment)
    cleaned = []
    errors = []
    for number, item in enumerate(items, start=1):
        try:
            cleaned.append(qtypes.clean_question(item))
        except ValidationFailed as err:
            errors.append(_("Question %(n)s: %(message)s", n=number, message=err.message))
    if errors:
        raise ValidationFailed(" ".join(errors), details={"errors": errors})
    ordering.lock(Assessment, assessment.id)
    top = db.session.scalar(select(func.max(Question.position)).where(Question.assessment_id == assessment.id))
    start = (top + 1) if top is not None else 0
    created = []
    for offset, values in enumerate(cleaned):
        question = Question(assessment_id=assessment.id, position=start + offset, type=values["type"],
                            text=values["text"], points=values["points"], options=values["options"],
                            key=values["key"], feedback=values["feedback"])
        _set_tags(question, values["tags"])
        db.session.add(question)
        created.append(question)
    db.session.flush()
    record(actor, "question.import", assessment, count=len(created))
    return created


def edit_version(question: Question) -> str:
    """A short fingerprint of what the editor shows of ``question`` (its type, text, points,
    options, key, feedback and tags).  The editor sends back the one it was opened with, so a save
    from a second tab that did not see the first tab's change is refused (``QuestionChanged``)."""
    content = [question.type, question.text, float(question.points), list(question.options or []),
               dict(question.key or {}), question.feedback, question.tags]
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


class QuestionChanged(Conflict):
    """A save based on an older version of the question than the stored one: nothing is stored."""

    def __init__(self, message: str):
        super().__init__(message, code="QUESTION_CHANGED")


def _same_as_stored(question: Question, values: dict) -> bool:
    return (values["type"], values["text"], values["points"], values["options"], values["key"], values["feedback"],
            values["tags"]) == (question.type, question.text, question.points, list(question.options or []),
                                dict(question.key or {}), question.feedback, question.tags)


def update_question(actor, assessment: Assessment, question: Question, data: qtypes.QuestionInput, *,
                    base_version: str | None = None) -> int:
    """Save an edit; returns how many earlier answers are re-scored (0 when none).

    ``base_version`` is the ``edit_version`` the editor was opened with (None: not checked).  The
    assessment row is locked and the question read again, so of two saves from two tabs opened on
    the same version the second is refused, unless it stores exactly what is there already."""
    require_edit_assessment(actor, assessment)
    values = qtypes.clean_question(data)
    if base_version is not None:
        ordering.lock(Assessment, assessment.id)
        try:
            db.session.refresh(question)
        except InvalidRequestError:  # deleted meanwhile (another tab)
            raise NotFound(_("That question is not in this assessment.")) from None
        if base_version != edit_version(question) and not _same_as_stored(question, values):
            raise QuestionChanged(_("This question was changed in another tab or by someone else after you "
                                    "opened it. Your changes were not saved."))
    same_look = (values["type"], values["text"], values["options"]) == (question.type, question.text,
                                                                       list(question.options or []))
    scoring_changed = (values["key"], values["points"]) != (dict(question.key or {}), question.points)
    question.type, question.text, question.options = values["type"], values["text"], values["options"]
    question.key, question.points, question.feedback = values["key"], values["points"], values["feedback"]
    _set_tags(question, values["tags"])
    db.session.flush()
    rescored = 0
    if same_look:
        versions = [v for v in db.session.scalars(select(QuestionVersion).where(
            QuestionVersion.question_id == question.id, QuestionVersion.type == question.type))
            if v.text == question.text and list(v.options or []) == list(question.options or [])]
        for version in versions:
            version.key, version.points, version.feedback = dict(question.key), question.points, question.feedback
        db.session.flush()
        if scoring_changed and versions:
            rescored = _rescore([v.id for v in versions], actor)
    assessment.updated_at = question.updated_at
    record(actor, "question.update", question, assessment_id=assessment.id, rescored=rescored,
           key_changed=scoring_changed)
    return rescored


def _rescore(version_ids: list[int], actor) -> int:
    count = db.session.scalar(select(func.count()).select_from(Answer)
                              .join(Submission, Submission.id == Answer.submission_id)
                              .where(Answer.question_version_id.in_(version_ids), counted())) or 0
    if not count:
        return 0
    if count <= INLINE_RESCORE_LIMIT:
        grading.rescore_versions(version_ids, actor_id=actor.id)
    else:
        enqueue(jobs.rescore_versions_job, version_ids, actor.id)
    return count


def delete_question(actor, assessment: Assessment, question: Question) -> None:
    """Remove a question; students' earlier answers keep their frozen copy."""
    require_edit_assessment(actor, assessment)
    ordering.lock(Assessment, assessment.id)
    record(actor, "question.delete", question, assessment_id=assessment.id)
    db.session.delete(question)
    db.session.flush()
    ordering.renumber(Question, "assessment_id", {
        assessment.id: ordering.sibling_ids(Question, Question.assessment_id, assessment.id)})


def move_question(actor, assessment: Assessment, question: Question, direction: str) -> None:
    require_edit_assessment(actor, assessment)
    ordering.lock(Assessment, assessment.id)
    ordering.step(Question, "assessment_id", assessment.id, question.id, direction)


def reorder_questions(actor, assessment: Assessment, question_ids: list) -> None:
    """Put the questions in the order of ``question_ids`` (a drop); missing ones follow."""
    require_edit_assessment(actor, assessment)
    ordering.lock(Assessment, assessment.id)
    ids = ordering.sibling_ids(Question, Question.assessment_id, assessment.id)
    wanted = list(dict.fromkeys(i for i in map(as_id, question_ids) if i in ids))
    ordering.renumber(Question, "assessment_id", {assessment.id: wanted + [i for i in ids if i not in wanted]})


# --- media ---------------------------------------------------------------------------------------------


def _media_row(assessment: Assessment, media_id) -> AssessmentMedia:
    return get_visible(select(AssessmentMedia).where(AssessmentMedia.assessment_id == assessment.id),
                       AssessmentMedia, media_id, _("That media file is not in this assessment."))


def set_media(actor, assessment: Assessment, resource, label: str) -> AssessmentMedia:
    """Use ``resource`` under ``label``: a new label is added at the end; an existing label now
    points at ``resource`` (a replaced file), so every ``[[media:label]]`` shows the new one."""
    require_edit_assessment(actor, assessment)
    label = resources.clean_label(label or resource.label)
    if not label:
        raise ValidationFailed(_("Give the file a label, e.g. “picture-1”; questions use it as "
                                 "[[media:picture-1]]."), field="label")
    ordering.lock(Assessment, assessment.id)
    key = label.lower()
    row = db.session.scalar(select(AssessmentMedia).where(AssessmentMedia.assessment_id == assessment.id,
                                                          AssessmentMedia.label_key == key))
    if row is not None:
        before = row.resource_id
        row.resource_id, row.label = resource.id, label
        db.session.flush()
        db.session.expire(row, ["resource"])
        record(actor, "assessment.media_replace", assessment, label=label, resource_id=resource.id, before=before)
        return row
    top = db.session.scalar(select(func.max(AssessmentMedia.position))
                            .where(AssessmentMedia.assessment_id == assessment.id))
    row = AssessmentMedia(assessment_id=assessment.id, resource_id=resource.id, label=label, label_key=key,
                          position=(top + 1) if top is not None else 0)
    with flush_or_raise(Conflict(_("Another file already has the label %(label)s.", label=label))):
        db.session.add(row)
    record(actor, "assessment.media_add", assessment, label=label, resource_id=resource.id)
    return row


def upload_media(actor, assessment: Assessment, stream, filename: str, *, label: str, title: str = "") -> AssessmentMedia:
    """Upload a file (the library's checks) and use it under ``label``."""
    require_edit_assessment(actor, assessment)
    label = resources.clean_label(label)
    if not label:
        raise ValidationFailed(_("Give the file a label, e.g. “picture-1”; questions use it as "
                                 "[[media:picture-1]]."), field="label")
    resource = resources.upload(actor, stream, filename, title=title, label=label)
    return set_media(actor, assessment, resource, label)


def remove_media(actor, assessment: Assessment, media_id) -> str:
    require_edit_assessment(actor, assessment)
    ordering.lock(Assessment, assessment.id)
    row = _media_row(assessment, media_id)
    label = row.label
    db.session.delete(row)
    db.session.flush()
    ordering.renumber(AssessmentMedia, "assessment_id", {
        assessment.id: ordering.sibling_ids(AssessmentMedia, AssessmentMedia.assessment_id, assessment.id)})
    record(actor, "assessment.media_remove", assessment, label=label)
    return label


def move_media(actor, assessment: Assessment, media_id, direction: str) -> None:
    require_edit_assessment(actor, assessment)
    ordering.lock(Assessment, assessment.id)
    row = _media_row(assessment, media_id)
    ordering.step(AssessmentMedia, "assessment_id", assessment.id, row.id, direction)


def answer_counts(question_ids) -> dict[int, int]:
    """Answers given to each question (any version), one query."""
    ids = list(question_ids)
    if not ids:
        return {}
    rows = db.session.execute(select(QuestionVersion.question_id, func.count(Answer.id))
                              .join(Answer, Answer.question_version_id == QuestionVersion.id)
                              .where(QuestionVersion.question_id.in_(ids)).group_by(QuestionVersion.question_id))
    return dict(rows.all())
