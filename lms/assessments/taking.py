"""Taking an assessment: starting an attempt, saving answers as they change, submitting.

* **Start** checks the opening and due dates, the late policy and the attempts allowed, then
  fixes everything the attempt will show: which questions (random N from a tag or from all of
  them), their order and their options' order (shuffles), the frozen question versions, and the
  deadline (the time limit, and the due date when late work is refused).  Two starts at once
  (two tabs, a double tap) make one attempt: at most one is in progress (a unique index).
* **Save** is one small UPDATE (or the first INSERT) of the answer row, after locking the
  attempt's row, so it can never slip in after the submission.  Answers after the deadline
  (plus ``GRACE_SECONDS`` for the network) are refused.  Each answer has a revision, raised by
  every save that changes it; the page sends the revision it showed, and a different answer
  based on an older revision (a second tab) is refused with the newer one (``StaleAnswer``).
* **Submit** is one conditional UPDATE ``... WHERE status = 'IN_PROGRESS'``: of two parallel
  submits exactly one changes the row; the other is told it was already submitted.  Objective
  questions are scored at once.  An attempt whose time is up is submitted on the next request
  and by the periodic job ``lms.assessments.jobs.submit_overdue_attempts``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import format_datetime, pgettext
from flask_babel import gettext as _
from sqlalchemy import exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from lms.assessments import questions as qtypes
from lms.assessments.extensions import attempt_deadline, attempts_allowed_for, due_for, extension_of
from lms.assessments.media import freeze_media, frozen_media, frozen_media_of, media_map
from lms.assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    LatePolicy,
    Question,
    QuestionVersion,
    ResultsVisibility,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    counted,
)
from lms.assessments.services import gradeable_assessment_ids, questions_of
from lms.auth.models import Role
from lms.common.errors import BusinessRuleViolation, Conflict, Forbidden, NotFound, ValidationFailed
from lms.common.ids import as_id
from lms.common.services import get_visible
from lms.common.types import utcnow
from lms.extensions import db
from lms.resources import services as resources
from lms.school.history import before_this_year, current_year_start
from lms.school.models import ParentLink

GRACE_SECONDS = 10
FINISHED = (SubmissionStatus.SUBMITTED, SubmissionStatus.GRADED, SubmissionStatus.RETURNED)
GRADED = (SubmissionStatus.GRADED, SubmissionStatus.RETURNED)


class TimeUp(Conflict):
    """The attempt's time is over; the caller submits it (``finish_overdue``) and commits."""


def add_event(submission_id: int, kind: str, actor_id: int | None = None, **details) -> None:
    db.session.add(SubmissionEvent(submission_id=submission_id, kind=kind, actor_id=actor_id, details=details))


# --- visibility ----------------------------------------------------------------------------------------


def submission_visibility(actor):
    role = getattr(actor, "role", None)
    if role == Role.ADMIN:
        return counted()
    if role == Role.TEACHER:
        return Submission.assessment_id.in_(gradeable_assessment_ids(actor)) & counted()
    if role == Role.STUDENT:
        return Submission.student_id == actor.id
    if role == Role.PARENT:
        return Submission.student_id.in_(select(ParentLink.student_id).where(ParentLink.parent_id == actor.id))
    return Submission.id.is_(None)


def get_submission_for(actor, submission_id) -> Submission:
    """The attempt if ``actor`` may see it (the student, their parents, its graders), else 404."""
    return get_visible(select(Submission).where(submission_visibility(actor)), Submission, submission_id,
                       _("That submission does not exist or is not available to you."))


def results_visible(assessment: Assessment, submission: Submission, viewer, now=None) -> bool:
    """May ``viewer`` see the scores and the correct answers of ``submission``?"""
    if getattr(viewer, "role", None) in (Role.ADMIN, Role.TEACHER):
        return True
    if submission.status == SubmissionStatus.IN_PROGRESS:
        return False
    policy = assessment.results_visibility
    if policy == ResultsVisibility.NEVER:
        return False
    if policy == ResultsVisibility.AFTER_DUE and assessment.due_at is not None:
        # after the student's own due date: an extension must not show them the answers early
        return (now or utcnow()) >= due_for(assessment, extension_of(assessment.id, submission.student_id))
    return True


def feedback_visible(submission: Submission, viewer) -> bool:
    """Teachers' written feedback reaches the student when the work is returned."""
    return getattr(viewer, "role", None) in (Role.ADMIN, Role.TEACHER) or \
        submission.status == SubmissionStatus.RETURNED


# --- attempts -----------------------------------------------------------------------------------------


def attempts_of(student, assessment: Assessment) -> list[Submission]:
    return list(db.session.scalars(select(Submission).where(
        Submission.assessment_id == assessment.id, Submission.student_id == student.id)
        .order_by(Submission.attempt_number)))


def this_years(attempts: list[Submission], start) -> list[Submission]:
    """The attempts started in this academic year, which began at ``start``
    (``lms.school.history.current_year_start()``): the ones the attempt limit and the student's
    status count (a repeating student's attempts of last year stay history)."""
    return [a for a in attempts if not before_this_year(a.started_at, start)]


def is_overdue(submission: Submission, now=None) -> bool:
    now = now or utcnow()
    return (submission.status == SubmissionStatus.IN_PROGRESS and submission.deadline_at is not None
            and now > submission.deadline_at + timedelta(seconds=GRACE_SECONDS))


def start_problem(student, assessment: Assessment, attempts: list[Submission], now=None) -> str | None:
    """Why ``student`` may not start a new attempt now (None when they may); their extension counts,
    and only this academic year's attempts count toward the limit."""
    now = now or utcnow()
    if assessment.status != AssessmentStatus.PUBLISHED:
        return _("This assessment is not open.")
    if assessment.opens_at and now < assessment.opens_at:
        return _("This assessment opens on %(when)s.", when=format_datetime(assessment.opens_at, "medium"))
    extension = extension_of(assessment.id, student.id)
    due = due_for(assessment, extension)
    if due and now > due and assessment.late_policy == LatePolicy.REFUSE:
        return _("The due date has passed; late work is not accepted.")
    allowed = attempts_allowed_for(assessment, extension)
    if allowed and len(this_years(attempts, current_year_start())) >= allowed:
        return _("You have used all your attempts (%(n)s).", n=allowed)
    return None


def student_status(assessment: Assessment, attempts: list[Submission], now=None) -> tuple[str, str]:
    """(kind, label) of an assessment for a student on a list (give this year's ``attempts``,
    ``this_years``): ``done``, ``in-progress``,
    ``not-open``, ``closed`` (past due, late work refused), ``late`` (past due, still accepted),
    ``due`` or ``open``."""
    now = now or utcnow()
    if any(s.status == SubmissionStatus.IN_PROGRESS for s in attempts):
        return "in-progress", _("In progress")
    if attempts:
        return "done", pgettext("assessment state", "Done")
    if assessment.opens_at and now < assessment.opens_at:
        return "not-open", _("Opens %(when)s", when=format_datetime(assessment.opens_at, "short"))
    if assessment.due_at and now > assessment.due_at:
        if assessment.late_policy == LatePolicy.REFUSE:
            return "closed", _("Late: not accepted")
        return "late", _("Late: still accepted")
    if assessment.due_at:
        return "due", _("Due %(when)s", when=format_datetime(assessment.due_at, "short"))
    return "open", _("Open")


def open_attempt(student, assessment: Assessment) -> Submission | None:
    return db.session.scalar(select(Submission).where(
        Submission.assessment_id == assessment.id, Submission.student_id == student.id,
        Submission.status == SubmissionStatus.IN_PROGRESS))


def _choose_questions(assessment: Assessment, rng: random.Random) -> list[Question]:
    pool = questions_of(assessment.id)
    if assessment.random_count:
        if assessment.random_tag:
            pool = [q for q in pool if assessment.random_tag in q.tags]
        if len(pool) > assessment.random_count:
            chosen = set(q.id for q in rng.sample(pool, assessment.random_count))
            pool = [q for q in pool if q.id in chosen]
    if assessment.shuffle_questions:
        rng.shuffle(pool)
    return pool


def _same(version: QuestionVersion, question: Question, version_media: dict, question_media: dict) -> bool:
    return (version.type, version.text, list(version.options or []), dict(version.key or {}), version.points,
            version.feedback, version_media) == (question.type, question.text, list(question.options or []),
                                                 dict(question.key or {}), question.points, question.feedback,
                                                 question_media)


def frozen_versions(questions: list[Question]) -> dict[int, QuestionVersion]:
    """``{question id: version}``: the latest version of each question when it still matches the
    question and the files under the labels its text uses, else a new one (four queries, retried
    if another start made it at the same time)."""
    ids = [q.id for q in questions]
    if not ids:
        return {}
    media = media_map(questions[0].assessment_id)
    wanted = {q.id: frozen_media(q.text, media) for q in questions}
    for _attempt in range(3):
        latest_numbers = (select(QuestionVersion.question_id, func.max(QuestionVersion.number).label("number"))
                          .where(QuestionVersion.question_id.in_(ids)).group_by(QuestionVersion.question_id)
                          .subquery())
        latest = {v.question_id: v for v in db.session.scalars(
            select(QuestionVersion).join(latest_numbers, (latest_numbers.c.question_id == QuestionVersion.question_id)
                                         & (latest_numbers.c.number == QuestionVersion.number)))}
        frozen = frozen_media_of(v.id for v in latest.values())
        result, new = {}, []
        for question in questions:
            version = latest.get(question.id)
            if version is None or not _same(version, question, frozen.get(version.id, {}), wanted[question.id]):
                version = QuestionVersion(
                    assessment_id=question.assessment_id, question_id=question.id,
                    number=(version.number + 1) if version else 1, type=question.type, text=question.text,
                    points=question.points, options=list(question.options or []), key=dict(question.key or {}),
                    feedback=question.feedback)
                new.append(version)
            result[question.id] = version
        if not new:
            return result
        try:
            with db.session.begin_nested():
                db.session.add_all(new)
                db.session.flush()
                for version in new:
                    freeze_media(version.id, wanted[version.question_id])
                db.session.flush()
            return result
        except IntegrityError:
            continue  # another attempt froze the same edit a moment ago: use theirs
    raise Conflict(_("The assessment is being changed right now; please try again."))


def new_attempt(taker, assessment: Assessment, number: int, rng: random.Random, *,
                due_date: bool = True) -> Submission:
    """A new attempt (not yet added): the questions, their order and options' order, the frozen
    versions and the deadline (the time limit; the due date too when ``due_date`` and late work
    is refused)."""
    now = utcnow()
    chosen = _choose_questions(assessment, rng)
    versions = frozen_versions(chosen)
    order = [versions[q.id].id for q in chosen]
    option_order = {}
    for q in chosen:
        # A matching question's right items are always shuffled (they are stored sorted).
        if (assessment.shuffle_options and q.type in qtypes.CHOICE_TYPES) or q.type == qtypes.QuestionType.MATCHING:
            permutation = list(range(len(qtypes.choices_of(q.type, q.options))))
            if permutation:
                rng.shuffle(permutation)
                option_order[str(versions[q.id].id)] = permutation
    due = due_for(assessment, extension_of(assessment.id, taker.id)) if due_date else None
    deadline = attempt_deadline(assessment, now, due)
    return Submission(assessment_id=assessment.id, student_id=taker.id, attempt_number=number,
                      status=SubmissionStatus.IN_PROGRESS, started_at=now, deadline_at=deadline,
                      question_order=order, option_order=option_order,
                      max_score=round(sum(versions[q.id].points for q in chosen), 2))


def start_attempt(student, assessment: Assessment, *, rng: random.Random | None = None) -> Submission:
    """The student's attempt in progress, or a new one (``BusinessRuleViolation`` when not allowed)."""
    if getattr(student, "role", None) != Role.STUDENT:
        raise Forbidden(_("Only students take assessments."))
    current = open_attempt(student, assessment)
    if current is not None and not is_overdue(current):
        return current
    if current is not None:
        finish_overdue(current)
    attempts = attempts_of(student, assessment)
    problem = start_problem(student, assessment, attempts, utcnow())
    if problem:
        raise BusinessRuleViolation(problem)
    number = max((a.attempt_number for a in attempts), default=0) + 1
    submission = new_attempt(student, assessment, number, rng or random.Random())  # noqa: S311 - shuffling
    try:
        with db.session.begin_nested():
            db.session.add(submission)
            db.session.flush()
    except IntegrityError:
        # Started at the same moment from another tab: that attempt is the one.
        current = open_attempt(student, assessment)
        if current is None:
            raise Conflict(_("The attempt could not be started; please try again.")) from None
        return current
    add_event(submission.id, "STARTED", student.id, attempt=number)
    db.session.flush()
    return submission


# --- answers -------------------------------------------------------------------------------------------


def _lock(submission: Submission) -> tuple[str, object]:
    """Lock the attempt's row for this transaction; its current status and deadline."""
    row = db.session.execute(select(Submission.status, Submission.deadline_at)
                             .where(Submission.id == submission.id).with_for_update()).one()
    return row.status, row.deadline_at


def version_in(submission: Submission, version_id) -> QuestionVersion:
    ident = as_id(version_id)
    if ident is None or ident not in (submission.question_order or []):
        raise NotFound(_("That question is not part of this attempt."))
    return db.session.get(QuestionVersion, ident)


@dataclass
class SavedAnswer:
    response: dict
    revision: int  # the answer's revision after the save (the page sends it with the next one)


class StaleAnswer(Conflict):
    """A save based on an older revision than the stored one (another tab, another device changed
    the answer since this page got it).  Nothing is stored; ``answer`` is the newer one."""

    def __init__(self, message: str, *, answer: Answer, version: QuestionVersion, refused: dict):
        super().__init__(message, code="STALE_ANSWER")
        self.answer, self.version, self.refused = answer, version, refused


def _stored_answer(submission: Submission, version: QuestionVersion) -> Answer | None:
    return db.session.scalar(select(Answer).where(Answer.submission_id == submission.id,
                                                  Answer.question_version_id == version.id)
                             .execution_options(populate_existing=True))


def _check_revision(stored: Answer | None, version: QuestionVersion, base_revision, response: dict) -> bool:
    """Whether the save changes the stored answer.  ``base_revision`` is the revision the page
    showed (0: no answer yet; None: not sent, the save is not checked).  The same answer sent
    again (a re-send after a lost reply, an offline copy) is never a conflict; a different one
    based on an older revision is (``StaleAnswer``)."""
    current = stored.revision if stored is not None else 0
    if stored is not None and version.type != qtypes.QuestionType.FILE_UPLOAD and stored.response == response:
        return False
    if base_revision is not None and base_revision < current:
        raise StaleAnswer(_("This answer was changed in another tab."), answer=stored, version=version,
                          refused=response)
    return True


def posted_answer(body) -> dict:
    """``{"answer": [texts], "revision": text or None}`` from a save's form fields or its JSON body
    (``{"answer": "3.5"}``, ``{"answer": ["0", "2"], "revision": 2}``): the same checks apply to both."""
    if hasattr(body, "getlist"):
        return {"answer": body.getlist("answer"), "revision": body.get("revision")}
    body = body if isinstance(body, dict) else {}
    values = body.get("answer")
    values = values if isinstance(values, list) else ([] if values is None else [values])
    answer = [("true" if v else "false") if isinstance(v, bool) else str(v)
              for v in values if isinstance(v, (str, int, float))]
    revision = body.get("revision")
    return {"answer": answer, "revision": None if revision is None else str(revision)}


def parse_revision(value) -> int | None:
    """The revision a page sent: None when absent; a ``ValidationFailed`` when it is not a number."""
    if value is None:
        return None
    revision = as_id(value)
    if revision is None:
        raise ValidationFailed(_("This page is out of date; reload it."), field="revision")
    return revision


def save_answer(student, submission: Submission, version_id, form: dict, upload=None, *,
                base_revision: int | None = None) -> SavedAnswer:
    """Store the answer to one question of an open attempt, raising its revision when it changes.
    ``base_revision``: the revision the page showed (see ``_check_revision``)."""
    if submission.student_id != getattr(student, "id", None):
        raise NotFound(_("That submission does not exist or is not available to you."))
    status, deadline = _lock(submission)
    if status != SubmissionStatus.IN_PROGRESS:
        raise Conflict(_("This attempt was already submitted; answers can no longer change."))
    now = utcnow()
    if deadline is not None and now > deadline + timedelta(seconds=GRACE_SECONDS):
        raise TimeUp(_("Time is up: this answer was not saved and your attempt has been submitted."))
    version = version_in(submission, version_id)
    stored = _stored_answer(submission, version)
    file_resource_id = None
    if version.type == qtypes.QuestionType.FILE_UPLOAD:
        if upload is None or not getattr(upload, "filename", ""):
            raise ValidationFailed(_("Choose a file."), field="answer")
        _check_revision(stored, version, base_revision, {"filename": upload.filename})

        resource = resources.store_upload(student, upload.stream, upload.filename,
                                          title=_("Answer: %(name)s", name=upload.filename)[:200])
        response = {"resource_id": resource.id, "filename": resource.filename}
        file_resource_id = resource.id
    else:
        response = qtypes.clean_response(version.type, version.options, form)
        if not _check_revision(stored, version, base_revision, response):
            return SavedAnswer(stored.response, stored.revision)
    values = {"response": response, "saved_at": now}
    if file_resource_id is not None:
        values["file_resource_id"] = file_resource_id
    if stored is not None:
        db.session.execute(update(Answer).where(Answer.id == stored.id)
                           .values(revision=Answer.revision + 1, **values)
                           .execution_options(synchronize_session=False))
        return SavedAnswer(response, stored.revision + 1)
    try:
        with db.session.begin_nested():
            db.session.execute(insert(Answer).values(submission_id=submission.id, question_version_id=version.id,
                                                     revision=1, **values))
    except IntegrityError:  # the first save of this answer arrived twice at once (no row lock to wait on)
        stored = _stored_answer(submission, version)
        if not _check_revision(stored, version, base_revision, response):
            return SavedAnswer(stored.response, stored.revision)
        db.session.execute(update(Answer).where(Answer.id == stored.id)
                           .values(revision=Answer.revision + 1, **values)
                           .execution_options(synchronize_session=False))
        return SavedAnswer(response, stored.revision + 1)
    return SavedAnswer(response, 1)


def answers_of(submission: Submission) -> dict[int, Answer]:
    """``{question version id: Answer}``."""
    return {a.question_version_id: a for a in db.session.scalars(
        select(Answer).where(Answer.submission_id == submission.id))}


def versions_of(submission: Submission) -> list[QuestionVersion]:
    """The attempt's question versions in the order the student sees them."""
    order = list(submission.question_order or [])
    if not order:
        return []
    by_id = {v.id: v for v in db.session.scalars(select(QuestionVersion).where(QuestionVersion.id.in_(order)))}
    return [by_id[i] for i in order if i in by_id]


def option_order(submission: Submission, version: QuestionVersion) -> list[int]:
    order = (submission.option_order or {}).get(str(version.id))
    return list(order) if order else list(range(len(qtypes.choices_of(version.type, version.options))))


# --- submitting ------------------------------------------------------------------------------------------


def score_submission(submission: Submission) -> None:
    """Score the objective answers and total everything (after any late deduction)."""
    versions = {v.id: v for v in versions_of(submission)}
    answers = answers_of(submission)
    auto_total, manual_total, raw = 0.0, None, 0.0
    for version_id, version in versions.items():
        answer = answers.get(version_id)
        if answer is None:
            continue
        answer.auto_points = qtypes.score(version.type, version.key, version.points, answer.response)
        if answer.auto_points is not None:
            auto_total += answer.auto_points
        if answer.manual_points is not None:
            manual_total = (manual_total or 0.0) + answer.manual_points
        raw += answer.points or 0.0
    assessment = submission.assessment
    submission.auto_score = round(auto_total, 2)
    submission.manual_score = round(manual_total, 2) if manual_total is not None else None
    submission.final_score = qtypes.apply_late_policy(raw, submission.max_score, submission.late,
                                                      assessment.late_deduction_percent,
                                                      assessment.late_floor_percent)
    db.session.flush()


def needs_hand_grading(submission: Submission) -> bool:
    return any(v.type in qtypes.MANUAL_TYPES for v in versions_of(submission))


def submit(actor, submission: Submission, *, auto: bool = False) -> bool:
    """Submit an open attempt.  Returns False when it was already submitted (the other tab,
    the other tap or the job won); nothing changes then."""
    if not auto and (actor is None or submission.student_id != actor.id):
        raise NotFound(_("That submission does not exist or is not available to you."))
    now = utcnow()
    submitted_at = now
    if auto and submission.deadline_at is not None and submission.deadline_at < now:
        submitted_at = submission.deadline_at  # the moment the time ran out
    changed = db.session.execute(
        update(Submission).where(Submission.id == submission.id,
                                 Submission.status == SubmissionStatus.IN_PROGRESS)
        .values(status=SubmissionStatus.SUBMITTED, submitted_at=submitted_at, auto_submitted=auto,
                updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.expire(submission)
        return False
    db.session.expire(submission)
    assessment = submission.assessment
    # A preview (a staff member's attempt) has no due date: it is never late.
    due = due_for(assessment, extension_of(assessment.id, submission.student_id)) \
        if submission.student.role == Role.STUDENT else None
    submission.late = bool(due and submitted_at > due)
    submission.resubmitted_after_grading = bool(db.session.scalar(select(exists().where(
        Submission.assessment_id == submission.assessment_id, Submission.student_id == submission.student_id,
        Submission.id != submission.id, Submission.status.in_(GRADED),
        Submission.graded_by_id.isnot(None)))))
    score_submission(submission)
    if not needs_hand_grading(submission):
        submission.status = SubmissionStatus.GRADED
        submission.graded_at = now
    add_event(submission.id, "AUTO_SUBMITTED" if auto else "SUBMITTED", None if auto else actor.id,
              score=submission.final_score, late=submission.late)
    db.session.flush()
    return True


def finish_overdue(submission: Submission) -> bool:
    """Submit an attempt whose time is up (the next request or the periodic job)."""
    if not is_overdue(submission):
        return False
    return submit(None, submission, auto=True)
