"""Assessments: visibility, the bank, settings, attaching, publishing, duplicating.

Visibility (other domains use these; never trust an id without them):

* ``visible_assessments(actor)`` (a SELECT) / ``get_assessment_for(actor, id)`` (404)
* ``can_edit_assessment(actor, assessment)`` / ``require_edit_assessment`` (403)
* ``gradeable_assessment_ids(actor)`` (a SELECT of ids whose submissions ``actor`` grades)

Who sees what: admins everything.  Teachers see the assessments they own, every assessment in
the bank (the bank is shared: others' may be read and duplicated, not changed), and those
attached anywhere in a subject they teach (they may change and grade those).  Students see
published assessments attached to a subject, unit, part or section they can read (published
chain of their classroom's subjects).  Parents see none directly (their children's results are
on the progress page).  Questions and media are changed in ``lms.assessments.authoring``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, exists, false, func, not_, or_, select, true
from sqlalchemy import delete as delete_rows

from lms.assessments import questions as qtypes
from lms.assessments.media import media_map, unknown_labels
from lms.assessments.models import (
    TITLE_MAX,
    Answer,
    Assessment,
    AssessmentMedia,
    AssessmentStatus,
    DisplayMode,
    LatePolicy,
    Question,
    QuestionTag,
    ResultsVisibility,
    ScoringPolicy,
    Submission,
    SubmissionEvent,
    counted,
)
from lms.audit.services import record
from lms.auth.models import Role
from lms.common.errors import BusinessRuleViolation, Forbidden, ValidationFailed
from lms.common.ids import as_id
from lms.common.services import clean_title, flush_or_raise, get_visible
from lms.common.types import utcnow
from lms.core import signals
from lms.curriculum import services as curriculum
from lms.curriculum.models import CoreSubject, Part, Section, Subject, SubjectTeacher, Unit
from lms.extensions import db
from lms.resources import services as resources
from lms.resources.models import Resource
from lms.school.models import Level

# --- where an assessment is attached ----------------------------------------------------------------


def attached_in_subjects(subject_ids):
    """The WHERE condition "attached to one of these subjects or anything inside them".

    ``subject_ids`` is a list or a SELECT of subject ids."""
    if isinstance(subject_ids, (list, tuple, set)):
        subject_ids = list(subject_ids) or [-1]
    return or_(
        Assessment.subject_id.in_(subject_ids),
        Assessment.unit_id.in_(select(Unit.id).where(Unit.subject_id.in_(subject_ids))),
        Assessment.part_id.in_(select(Part.id).join(Unit, Unit.id == Part.unit_id)
                               .where(Unit.subject_id.in_(subject_ids))),
        Assessment.section_id.in_(select(Section.id).join(Part, Part.id == Section.part_id)
                                  .join(Unit, Unit.id == Part.unit_id).where(Unit.subject_id.in_(subject_ids))),
    )


def home_subject_id_expr():
    """SQL: the id of the subject an assessment is attached in (NULL in the bank)."""
    return func.coalesce(
        Assessment.subject_id,
        select(Unit.subject_id).where(Unit.id == Assessment.unit_id).correlate(Assessment).scalar_subquery(),
        select(Unit.subject_id).join(Part, Part.unit_id == Unit.id)
        .where(Part.id == Assessment.part_id).correlate(Assessment).scalar_subquery(),
        select(Unit.subject_id).join(Part, Part.unit_id == Unit.id).join(Section, Section.part_id == Part.id)
        .where(Section.id == Assessment.section_id).correlate(Assessment).scalar_subquery(),
    )


def node_title_expr():
    """SQL: the title of the unit/part/section an assessment is attached to (NULL otherwise)."""
    return func.coalesce(
        select(Section.title).where(Section.id == Assessment.section_id).correlate(Assessment).scalar_subquery(),
        select(Part.title).where(Part.id == Assessment.part_id).correlate(Assessment).scalar_subquery(),
        select(Unit.title).where(Unit.id == Assessment.unit_id).correlate(Assessment).scalar_subquery(),
    )


IN_BANK = and_(Assessment.subject_id.is_(None), Assessment.unit_id.is_(None), Assessment.part_id.is_(None),
               Assessment.section_id.is_(None))


def attached_node(assessment: Assessment):
    """The Subject, Unit, Part or Section it is attached to (None in the bank)."""
    attachment = assessment.attachment
    if attachment is None:
        return None
    kind, node_id = attachment
    return db.session.get({"subject": Subject, "unit": Unit, "part": Part, "section": Section}[kind], node_id)


# --- visibility ---------------------------------------------------------------------------------------


def _taught_subject_ids(teacher):
    return select(SubjectTeacher.subject_id).where(SubjectTeacher.teacher_id == teacher.id)


def visibility_condition(actor):
    role = getattr(actor, "role", None)
    if role == Role.ADMIN:
        return true()
    if role == Role.TEACHER:
        return or_(Assessment.owner_id == actor.id, IN_BANK, attached_in_subjects(_taught_subject_ids(actor)))
    if role == Role.STUDENT:
        # Correlated EXISTS (a few index lookups per assessment) rather than IN (every visible
        # unit, part and section of the student's subjects, hashed for each query).
        granted = [Assessment.id.in_(ids) for ids in signals.answers(signals.assessment_grants, actor)
                   if ids is not None]
        return and_(Assessment.status == AssessmentStatus.PUBLISHED, or_(
            exists(curriculum.visible_subjects(actor).with_only_columns(Subject.id)
                   .where(Subject.id == Assessment.subject_id)),
            exists(curriculum.visible_units(actor).with_only_columns(Unit.id).where(Unit.id == Assessment.unit_id)),
            exists(curriculum.visible_parts(actor).with_only_columns(Part.id).where(Part.id == Assessment.part_id)),
            exists(curriculum.visible_sections(actor).with_only_columns(Section.id)
                   .where(Section.id == Assessment.section_id)), *granted))
    return false()


def visible_assessments(actor):
    """A SELECT of the assessments ``actor`` may see (add your own filters and order)."""
    return select(Assessment).where(visibility_condition(actor))


def gradeable_condition(actor):
    """The assessments ``actor`` may change and whose submissions they grade."""
    role = getattr(actor, "role", None)
    if role == Role.ADMIN:
        return true()
    if role == Role.TEACHER:
        return or_(Assessment.owner_id == actor.id, attached_in_subjects(_taught_subject_ids(actor)))
    return false()


def gradeable_assessment_ids(actor):
    return select(Assessment.id).where(gradeable_condition(actor))



def is_visible(actor, assessment: Assessment) -> bool:
    """May ``actor`` open ``assessment`` now (a past year's is no longer a student's)?"""
    return db.session.scalar(visible_assessments(actor).with_only_columns(Assessment.id)
                             .where(Assessment.id == assessment.id)) is not None


def get_assessment_for(actor, assessment_id) -> Assessment:
    """The assessment if ``actor`` may see it, else NotFound (404)."""
    return get_visible(visible_assessments(actor), Assessment, assessment_id,
                       _("That assessment does not exist or is not available to you."))


def can_edit_assessment(actor, assessment: Assessment) -> bool:
    role = getattr(actor, "role", None)
    if role == Role.ADMIN:
        return True
    if role != Role.TEACHER:
        return False
    if assessment.owner_id == actor.id:
        return True
    return bool(db.session.scalar(select(Assessment.id).where(Assessment.id == assessment.id,
                                                              gradeable_condition(actor))))


def editable_ids(actor, assessments) -> set[int]:
    """The ids of those of ``assessments`` that ``actor`` may change (``can_edit_assessment`` for a
    whole list: one query at most)."""
    ids = [a.id for a in assessments]
    role = getattr(actor, "role", None)
    if not ids or role not in (Role.ADMIN, Role.TEACHER):
        return set()
    if role == Role.ADMIN:
        return set(ids)
    return set(db.session.scalars(select(Assessment.id).where(Assessment.id.in_(ids), gradeable_condition(actor))))


def require_edit_assessment(actor, assessment: Assessment) -> None:
    if not can_edit_assessment(actor, assessment):
        raise Forbidden(_("Only the assessment's owner, the subject's teachers or an administrator can "
                          "change it. Duplicate it to make your own copy."))


# --- creating and settings ----------------------------------------------------------------------------


def _picked(model, raw_id, field: str, message: str):
    """The ``model`` row picked from a form's list; None when none was picked."""
    if raw_id in (None, ""):
        return None
    ident = as_id(raw_id)
    row = db.session.get(model, ident) if ident else None
    if row is None:
        raise ValidationFailed(message, field=field)
    return row


def _core_subject(core_subject_id) -> CoreSubject | None:
    return _picked(CoreSubject, core_subject_id, "core_subject_id", _("Choose a core subject from the list."))


def _level(level_id) -> Level | None:
    return _picked(Level, level_id, "level_id", _("Choose a level from the list."))


def _clean_instructions(text) -> str:
    text = (text or "").strip()
    if len(text) > 50_000:
        raise ValidationFailed(_("The instructions are too long."), field="instructions")
    return text


def create_assessment(actor, title: str, *, instructions: str = "", core_subject_id=None,
                      level_id=None) -> Assessment:
    """A new draft in the bank (attached to nothing), owned by ``actor``."""
    if getattr(actor, "role", None) not in (Role.ADMIN, Role.TEACHER):
        raise Forbidden(_("Only teachers and administrators can create assessments."))
    title = clean_title(title, max_length=TITLE_MAX)
    core, level = _core_subject(core_subject_id), _level(level_id)
    assessment = Assessment(title=title, instructions=_clean_instructions(instructions), owner_id=actor.id,
                            core_subject_id=core.id if core else None, level_id=level.id if level else None,
                            status=AssessmentStatus.DRAFT)
    db.session.add(assessment)
    db.session.flush()
    record(actor, "assessment.create", assessment, title=title)
    return assessment


@dataclass
class SettingsInput:
    title: str
    instructions: str = ""
    core_subject_id: object = None
    level_id: object = None
    attempts_allowed: int | None = 1          # None: unlimited
    scoring_policy: str = ScoringPolicy.HIGHEST
    opens_at: datetime | None = None
    due_at: datetime | None = None
    late_policy: str = LatePolicy.REFUSE
    late_deduction_percent: int | None = 0
    late_floor_percent: int | None = 0
    time_limit_minutes: int | None = None
    shuffle_questions: bool = False
    shuffle_options: bool = False
    results_visibility: str = ResultsVisibility.AFTER_SUBMIT
    display_mode: str = DisplayMode.ALL_AT_ONCE
    random_count: int | None = None
    random_tag: str = ""


def _choice(value, allowed, field: str, message: str) -> str:
    if str(value) not in {str(a) for a in allowed}:
        raise ValidationFailed(message, field=field)
    return str(value)


def _optional_int(value, field: str, low: int, high: int, message: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(message, field=field) from None
    if not low <= number <= high:
        raise ValidationFailed(message, field=field)
    return number


def clean_settings(data: SettingsInput) -> dict:
    values = {
        "title": clean_title(data.title, max_length=TITLE_MAX),
        "instructions": _clean_instructions(data.instructions),
        "attempts_allowed": _optional_int(data.attempts_allowed, "attempts_allowed", 1, 100,
                                          _("Attempts allowed: a number from 1 to 100, or empty for unlimited.")),
        "scoring_policy": _choice(data.scoring_policy, ScoringPolicy, "scoring_policy",
                                  _("Choose which attempt counts.")),
        "late_policy": _choice(data.late_policy, LatePolicy, "late_policy", _("Choose what happens after the due date.")),
        "late_deduction_percent": _optional_int(data.late_deduction_percent, "late_deduction_percent", 0, 100,
                                                _("The late deduction is a percentage from 0 to 100.")) or 0,
        "late_floor_percent": _optional_int(data.late_floor_percent, "late_floor_percent", 0, 100,
                                            _("The floor is a percentage from 0 to 100.")) or 0,
        "time_limit_minutes": _optional_int(data.time_limit_minutes, "time_limit_minutes", 1, 1440,
                                            _("The time limit is a number of minutes from 1 to 1440, or empty.")),
        "shuffle_questions": bool(data.shuffle_questions),
        "shuffle_options": bool(data.shuffle_options),
        "results_visibility": _choice(data.results_visibility, ResultsVisibility, "results_visibility",
                                      _("Choose when students see their results.")),
        "display_mode": _choice(data.display_mode, DisplayMode, "display_mode",
                                _("Choose how questions are shown.")),
        "random_count": _optional_int(data.random_count, "random_count", 1, 500,
                                      _("Random questions: a number from 1 to 500, or empty for all questions.")),
        "random_tag": (qtypes.clean_tags([data.random_tag]) or [None])[0] if data.random_tag else None,
        "opens_at": data.opens_at,
        "due_at": data.due_at,
    }
    if data.opens_at and data.due_at and data.due_at <= data.opens_at:
        raise ValidationFailed(_("The due date must be after the opening date."), field="due_at")
    if values["random_tag"] and not values["random_count"]:
        raise ValidationFailed(_("Say how many random questions to draw from the tag."), field="random_count")
    core, level = _core_subject(data.core_subject_id), _level(data.level_id)
    values["core_subject_id"] = core.id if core else None
    values["level_id"] = level.id if level else None
    return values


def update_settings(actor, assessment: Assessment, data: SettingsInput) -> Assessment:
    require_edit_assessment(actor, assessment)
    values = clean_settings(data)
    if values["random_tag"] and not _has_tagged_question(assessment, values["random_tag"]):
        raise ValidationFailed(_("No question of this assessment has the tag “%(tag)s”, so the random draw would "
                                 "be empty. Tag some questions with it first, or leave the tag empty.",
                                 tag=values["random_tag"]), field="random_tag")
    before = {k: getattr(assessment, k) for k in values}
    with flush_or_raise(ValidationFailed(_("The settings could not be saved; please check them."))):
        for name, value in values.items():
            setattr(assessment, name, value)
    changed = sorted(k for k in values if before[k] != values[k] and k != "instructions")
    record(actor, "assessment.update", assessment, changed=changed)
    return assessment


def _has_tagged_question(assessment: Assessment, tag: str) -> bool:
    return db.session.scalar(select(QuestionTag.id).join(Question, Question.id == QuestionTag.question_id)
                             .where(Question.assessment_id == assessment.id, QuestionTag.tag == tag)
                             .limit(1)) is not None


# --- attaching ------------------------------------------------------------------------------------------

ATTACH_KINDS = ("subject", "unit", "part", "section")


def attach(actor, assessment: Assessment, kind: str, node_id) -> Assessment:
    """Attach (or re-attach) to a subject, unit, part or section the actor can edit."""
    require_edit_assessment(actor, assessment)
    if kind not in ATTACH_KINDS:
        raise ValidationFailed(_("Choose where to attach it."), field="target")
    node = curriculum.get_subject_for(actor, node_id) if kind == "subject" else \
        curriculum.get_node_for(actor, kind, node_id)
    subject = curriculum.subject_of(node)
    curriculum.require_edit(actor, subject)
    before = assessment.attachment
    for other in ATTACH_KINDS:
        setattr(assessment, f"{other}_id", node.id if other == kind else None)
    assessment.core_subject_id, assessment.level_id = subject.core_subject_id, subject.level_id
    db.session.flush()
    record(actor, "assessment.attach", assessment, kind=kind, node_id=node.id, subject_id=subject.id,
           before=list(before) if before else None)
    return assessment


def detach(actor, assessment: Assessment) -> Assessment:
    """Back to the bank (submissions are kept)."""
    require_edit_assessment(actor, assessment)
    before = assessment.attachment
    for kind in ATTACH_KINDS:
        setattr(assessment, f"{kind}_id", None)
    db.session.flush()
    record(actor, "assessment.detach", assessment, before=list(before) if before else None)
    return assessment


def attach_targets(actor):
    """Subjects the actor may attach to (they can edit them), by name."""
    stmt = curriculum.visible_subjects(actor).where(Subject.archived.is_(False))
    if actor.role == Role.TEACHER:
        stmt = stmt.where(Subject.id.in_(_taught_subject_ids(actor)))
    elif actor.role != Role.ADMIN:
        return []
    return list(db.session.scalars(stmt.order_by(func.lower(Subject.name), Subject.id)))


# --- publishing ---------------------------------------------------------------------------------------


def questions_of(assessment_id: int) -> list[Question]:
    return list(db.session.scalars(select(Question).where(Question.assessment_id == assessment_id)
                                   .order_by(Question.position)))


def publish_problems(assessment: Assessment) -> list[str]:
    """Everything that stops the assessment from being published (all at once)."""
    problems = []
    questions = questions_of(assessment.id)
    if not questions:
        problems.append(_("It has no questions yet."))
    for number, question in enumerate(questions, start=1):
        for problem in qtypes.problems_of(question.type, question.options, question.key, question.text):
            problems.append(_("Question %(n)s: %(problem)s.", n=number, problem=problem))
    media = media_map(assessment.id)
    texts = [assessment.instructions] + [q.text for q in questions]
    for label in unknown_labels(texts, media):
        problems.append(_("No media file has the label “%(label)s” used in the text.", label=label))
    if assessment.random_count:
        pool = [q for q in questions if not assessment.random_tag or assessment.random_tag in q.tags]
        if assessment.random_tag and not pool:
            problems.append(_("No question has the tag “%(tag)s” that the random questions are drawn from.",
                              tag=assessment.random_tag))
        elif assessment.random_count > len(pool):
            problems.append(_("It draws %(n)s random questions but only %(m)s are available.",
                              n=assessment.random_count, m=len(pool)))
    if assessment.results_visibility == ResultsVisibility.AFTER_DUE and not assessment.due_at:
        problems.append(_("Results are shown after the due date, but there is no due date."))
    if assessment.late_policy == LatePolicy.ACCEPT and assessment.late_deduction_percent and not assessment.due_at:
        problems.append(_("A late deduction is set, but there is no due date."))
    if assessment.opens_at and assessment.due_at and assessment.due_at <= assessment.opens_at:
        problems.append(_("The due date must be after the opening date."))
    return problems


def publish(actor, assessment: Assessment) -> Assessment:
    require_edit_assessment(actor, assessment)
    if assessment.status == AssessmentStatus.PUBLISHED:
        return assessment
    problems = publish_problems(assessment)
    if problems:
        raise BusinessRuleViolation(_("It cannot be published yet: %(problems)s",
                                      problems=" ".join(problems)), details={"problems": problems})
    assessment.status = AssessmentStatus.PUBLISHED
    assessment.published_at = utcnow()
    db.session.flush()
    record(actor, "assessment.publish", assessment, title=assessment.title)
    return assessment


def has_submissions(assessment: Assessment) -> bool:
    """Whether a student has started it (teachers' previews do not count)."""
    return bool(db.session.scalar(select(Submission.id).where(Submission.assessment_id == assessment.id, counted())
                                  .limit(1)))


def discard_previews(assessment_id: int, taker_id: int | None = None) -> None:
    """Delete the previews of an assessment (only ``taker_id``'s when given) with their answers and
    the files uploaded as answers (else they would turn up in the teacher's library)."""
    previews = select(Submission.id).where(Submission.assessment_id == assessment_id, not_(counted()))
    if taker_id is not None:
        previews = previews.where(Submission.student_id == taker_id)
    ids = list(db.session.scalars(previews))
    if not ids:
        return
    files = list(db.session.scalars(select(Answer.file_resource_id).where(
        Answer.submission_id.in_(ids), Answer.file_resource_id.isnot(None))))
    db.session.execute(delete_rows(Answer).where(Answer.submission_id.in_(ids)))
    for resource in db.session.scalars(select(Resource).where(Resource.id.in_(files))).all():
        resources.delete(resource.owner, resource)
    db.session.execute(delete_rows(SubmissionEvent).where(SubmissionEvent.submission_id.in_(ids)))
    db.session.execute(delete_rows(Submission).where(Submission.id.in_(ids)).execution_options(synchronize_session=False))
    db.session.expire_all()


def unpublish(actor, assessment: Assessment) -> Assessment:
    """Back to draft, while no student has started it."""
    require_edit_assessment(actor, assessment)
    if assessment.status != AssessmentStatus.PUBLISHED:
        return assessment
    if has_submissions(assessment):
        raise BusinessRuleViolation(_("Students have already started it; archive it instead."))
    _set_status(actor, assessment, AssessmentStatus.DRAFT, "assessment.unpublish")
    return assessment


def archive(actor, assessment: Assessment) -> Assessment:
    """Hidden from students; submissions and results are kept."""
    require_edit_assessment(actor, assessment)
    if assessment.status != AssessmentStatus.ARCHIVED:
        _set_status(actor, assessment, AssessmentStatus.ARCHIVED, "assessment.archive")
    return assessment


def restore(actor, assessment: Assessment) -> Assessment:
    """An archived assessment back to draft (publish it again when ready)."""
    require_edit_assessment(actor, assessment)
    if assessment.status == AssessmentStatus.ARCHIVED:
        _set_status(actor, assessment, AssessmentStatus.DRAFT, "assessment.restore")
    return assessment


def _set_status(actor, assessment: Assessment, status: AssessmentStatus, action: str) -> None:
    assessment.status = status
    db.session.flush()
    record(actor, action, assessment)


def delete(actor, assessment: Assessment) -> None:
    require_edit_assessment(actor, assessment)
    if has_submissions(assessment):
        raise BusinessRuleViolation(_("Students have answered it, so it cannot be deleted. Archive it instead."))
    record(actor, "assessment.delete", assessment, title=assessment.title)
    discard_previews(assessment.id)
    db.session.delete(assessment)
    db.session.flush()


SETTING_FIELDS = ("attempts_allowed", "scoring_policy", "opens_at", "due_at", "late_policy",
                  "late_deduction_percent", "late_floor_percent", "time_limit_minutes", "shuffle_questions",
                  "shuffle_options", "results_visibility", "display_mode", "random_count", "random_tag")


def duplicate(actor, assessment: Assessment) -> Assessment:
    """A deep copy as a new draft in the bank owned by ``actor``: settings, questions (with
    tags), media links (the same resources).  Submissions are not copied."""
    if actor.role not in (Role.ADMIN, Role.TEACHER):
        raise Forbidden(_("Only teachers and administrators can duplicate assessments."))
    title = _("Copy of %(title)s", title=assessment.title)[:TITLE_MAX]
    copy = Assessment(title=title, instructions=assessment.instructions, owner_id=actor.id,
                      core_subject_id=assessment.core_subject_id, level_id=assessment.level_id,
                      status=AssessmentStatus.DRAFT,
                      **{name: getattr(assessment, name) for name in SETTING_FIELDS})
    db.session.add(copy)
    db.session.flush()
    for question in questions_of(assessment.id):
        new = Question(assessment_id=copy.id, position=question.position, type=question.type,
                       text=question.text, points=question.points, options=list(question.options or []),
                       key=dict(question.key or {}), feedback=question.feedback)
        new.tag_rows = [QuestionTag(tag=tag) for tag in question.tags]
        db.session.add(new)
    for media in db.session.scalars(select(AssessmentMedia).where(AssessmentMedia.assessment_id == assessment.id)):
        db.session.add(AssessmentMedia(assessment_id=copy.id, resource_id=media.resource_id, label=media.label,
                                       label_key=media.label_key, position=media.position))
    db.session.flush()
    record(actor, "assessment.duplicate", copy, source_id=assessment.id, title=title)
    return copy


# --- lists --------------------------------------------------------------------------------------------


@dataclass
class ListFilters:
    q: str = ""
    core_id: int | None = None
    level_id: int | None = None
    qtype: str = ""
    status: str = ""
    tag: str = ""
    place: str = ""        # "bank", "attached" or "" (both)
    mine: bool = False


def list_query(actor, filters: ListFilters):
    """Rows of (Assessment, home subject name, attached node title), newest change first."""
    home = home_subject_id_expr()
    subject_name = select(Subject.name).where(Subject.id == home).scalar_subquery()
    stmt = (select(Assessment, subject_name.label("subject_name"), node_title_expr().label("node_title"))
            .where(visibility_condition(actor)))
    q = (filters.q or "").strip().lower()
    if q:
        pattern = f"%{q}%"
        stmt = stmt.where(or_(func.lower(Assessment.title).like(pattern),
                              Assessment.id.in_(select(Question.assessment_id)
                                                .where(func.lower(Question.text).like(pattern)))))
    if filters.core_id:
        stmt = stmt.where(Assessment.core_subject_id == filters.core_id)
    if filters.level_id:
        stmt = stmt.where(Assessment.level_id == filters.level_id)
    if filters.qtype in qtypes.QUESTION_TYPES:
        stmt = stmt.where(Assessment.id.in_(select(Question.assessment_id).where(Question.type == filters.qtype)))
    if filters.status in tuple(AssessmentStatus):
        stmt = stmt.where(Assessment.status == filters.status)
    tag = (qtypes.clean_tags([filters.tag]) or [""])[0] if filters.tag else ""
    if tag:
        stmt = stmt.where(Assessment.id.in_(select(Question.assessment_id)
                                            .join(QuestionTag, QuestionTag.question_id == Question.id)
                                            .where(QuestionTag.tag == tag)))
    if filters.place == "bank":
        stmt = stmt.where(IN_BANK)
    elif filters.place == "attached":
        stmt = stmt.where(~IN_BANK)
    if filters.mine:
        stmt = stmt.where(Assessment.owner_id == actor.id)
    return stmt.order_by(Assessment.updated_at.desc(), Assessment.id.desc())


def question_counts(assessment_ids) -> dict[int, int]:
    ids = list(assessment_ids)
    if not ids:
        return {}
    rows = db.session.execute(select(Question.assessment_id, func.count()).where(Question.assessment_id.in_(ids))
                              .group_by(Question.assessment_id))
    return dict(rows.all())


def filter_choices() -> dict:
    """Core subjects, levels and tags for the list filters (three queries)."""
    return {
        "cores": list(db.session.scalars(select(CoreSubject).order_by(CoreSubject.name))),
        "levels": list(db.session.scalars(select(Level).order_by(Level.position))),
        "tags": list(db.session.scalars(select(QuestionTag.tag).distinct().order_by(QuestionTag.tag).limit(200))),
    }


def attached_to_node(actor, kind: str, node_id: int) -> list[Assessment]:
    """The assessments ``actor`` sees attached directly to a subject/unit/part/section (a page list).
    Learners see only published ones (the visibility rule); staff see drafts too."""
    column = getattr(Assessment, f"{kind}_id")
    stmt = visible_assessments(actor).where(column == node_id)
    if actor.role not in (Role.ADMIN, Role.TEACHER):
        stmt = stmt.where(Assessment.status == AssessmentStatus.PUBLISHED)
    else:
        stmt = stmt.where(Assessment.status != AssessmentStatus.ARCHIVED)
    return list(db.session.scalars(stmt.order_by(Assessment.due_at.is_(None), Assessment.due_at, Assessment.title)))


def place_titles(assessments) -> dict[int, str]:
    """{assessment id: the title of the unit/part/section it is attached to} in one query
    (assessments attached to the whole subject have none)."""
    ids = [a.id for a in assessments if a.section_id or a.part_id or a.unit_id]
    if not ids:
        return {}
    rows = db.session.execute(select(Assessment.id, node_title_expr()).where(Assessment.id.in_(ids)))
    return {assessment_id: title for assessment_id, title in rows if title}


def in_subject(actor, subject_id: int) -> list[Assessment]:
    """Every assessment ``actor`` sees anywhere in a subject (the subject page's list)."""
    stmt = visible_assessments(actor).where(attached_in_subjects([subject_id]))
    if actor.role not in (Role.ADMIN, Role.TEACHER):
        stmt = stmt.where(Assessment.status == AssessmentStatus.PUBLISHED)
    else:
        stmt = stmt.where(Assessment.status != AssessmentStatus.ARCHIVED)
    return list(db.session.scalars(stmt.order_by(Assessment.due_at.is_(None), Assessment.due_at, Assessment.title)))
