"""Grading: the teachers' queue, per-question points and feedback, returning work, re-scoring
after a key correction, and excusing a student from an assessment.

States: IN_PROGRESS → SUBMITTED → GRADED → RETURNED.  "Save" grades (GRADED; RETURNED work
stays returned), "Return to student" returns it (RETURNED).  Every step is in the attempt's
history (``SubmissionEvent``) and the audit log; the student is notified (``work_graded`` when
first graded — with the score only if results are visible to them —, ``work_returned``, and
``work_regraded`` once for each later grading that changes a score or a feedback they can see).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from lms.assessments import questions as qtypes
from lms.assessments import rubric_grading
from lms.assessments.models import (
    Answer,
    Assessment,
    AssessmentExcusal,
    QuestionVersion,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    counted,
)
from lms.assessments.services import can_edit_assessment, gradeable_condition
from lms.assessments.taking import (
    add_event,
    answers_of,
    results_visible,
    score_submission,
    submission_visibility,
    versions_of,
)
from lms.audit.services import record
from lms.auth.models import Role, User
from lms.common.errors import BusinessRuleViolation, Forbidden, NotFound, ValidationFailed
from lms.common.ids import as_id
from lms.common.labels import classroom_label
from lms.common.types import utcnow
from lms.communication.notifications import notify
from lms.core.academic_year import current_academic_year
from lms.extensions import db
from lms.school.history import before_this_year, current_year_start
from lms.school.models import Classroom, ClassroomMembership, MembershipStatus

STATUS_ORDER = case({SubmissionStatus.SUBMITTED.value: 0, SubmissionStatus.GRADED.value: 1,
                     SubmissionStatus.RETURNED.value: 2, SubmissionStatus.IN_PROGRESS.value: 3},
                    value=Submission.status, else_=4)


# --- the queue ----------------------------------------------------------------------------------------


@dataclass
class QueueFilters:
    assessment_id: int | None = None
    classroom_id: int | None = None
    status: str = ""          # one status, "open" (in progress) or "" (everything submitted)
    q: str = ""


def queue_query(actor, filters: QueueFilters):
    """This academic year's submissions of the assessments ``actor`` grades: ungraded first, then
    oldest first. (Last year's are read-only: they stay in the archived classroom's gradebook.)"""
    stmt = (select(Submission).join(Assessment, Assessment.id == Submission.assessment_id)
            .join(User, User.id == Submission.student_id).where(gradeable_condition(actor), counted()))
    if (start := current_year_start()) is not None:
        stmt = stmt.where(Submission.started_at >= start)
    if filters.status in tuple(SubmissionStatus):
        stmt = stmt.where(Submission.status == filters.status)
    else:
        stmt = stmt.where(Submission.status != SubmissionStatus.IN_PROGRESS)
    if filters.assessment_id:
        stmt = stmt.where(Submission.assessment_id == filters.assessment_id)
    if filters.classroom_id:
        stmt = stmt.where(Submission.student_id.in_(select(ClassroomMembership.student_id).where(
            ClassroomMembership.classroom_id == filters.classroom_id,
            ClassroomMembership.status == MembershipStatus.ACTIVE)))
    q = (filters.q or "").strip().lower()
    if q:
        stmt = stmt.where(func.lower(User.full_name).like(f"%{q}%") | func.lower(Assessment.title).like(f"%{q}%"))
    return stmt.order_by(STATUS_ORDER, Submission.submitted_at.asc(), Submission.id)


def waiting_count() -> int:
    """How many of this academic year's attempts wait for hand grading (submitted, not graded;
    previews left out), school-wide: the rollover warns that they can no longer be graded after it."""
    stmt = select(func.count()).select_from(Submission).where(
        Submission.status == SubmissionStatus.SUBMITTED, counted())
    if (start := current_year_start()) is not None:
        stmt = stmt.where(Submission.started_at >= start)
    return db.session.scalar(stmt) or 0


def my_submissions_query(student):
    """A student's own attempts, newest first."""
    return (select(Submission).where(Submission.student_id == student.id)
            .order_by(Submission.started_at.desc(), Submission.id.desc()))


def classrooms_by_student(student_ids) -> dict[int, str]:
    """``{student id: "P1/1"}`` (as readers write it: "ป.1/1" in Thai) for this academic year (one query)."""
    ids = list(set(student_ids))
    if not ids:
        return {}
    rows = db.session.execute(select(ClassroomMembership.student_id, Classroom)
                              .join(Classroom, Classroom.id == ClassroomMembership.classroom_id)
                              .where(ClassroomMembership.student_id.in_(ids),
                                     ClassroomMembership.status == MembershipStatus.ACTIVE,
                                     ClassroomMembership.academic_year == current_academic_year()))
    return {student_id: classroom_label(classroom) for student_id, classroom in rows}


# --- grading -------------------------------------------------------------------------------------------


def require_grade(actor, submission: Submission) -> None:
    """403 unless ``actor`` grades the assessment and the attempt is this academic year's."""
    _require_grader(actor, submission)
    require_this_year([submission])


def _require_grader(actor, submission: Submission) -> None:
    if getattr(actor, "role", None) not in (Role.ADMIN, Role.TEACHER) or \
            not can_edit_assessment(actor, submission.assessment):
        raise Forbidden(_("Only the assessment's teachers or an administrator can grade it."))


def require_this_year(submissions) -> None:
    """403 for an attempt started before this academic year's rollover: last year's results are
    history, read but never graded again (administrators included). One query."""
    start = current_year_start()
    if any(before_this_year(s.started_at, start) for s in submissions):
        raise Forbidden(_("This attempt is from an earlier academic year: it can be read, not graded again."))


def _points(value, version: QuestionVersion, number: int) -> float | None:
    text = str(value if value is not None else "").strip()
    if text == "":
        return None
    points = qtypes.parse_number(text)
    if points is None or points < 0 or points > version.points + 1e-9:
        raise ValidationFailed(_("Question %(n)s: give points from 0 to %(max)s.", n=number,
                                 max=qtypes.plain_number(version.points)), field=f"points-{version.id}")
    return round(points, 2)


def score_text(submission: Submission) -> str:
    if submission.final_score is None:
        return ""
    return f"{qtypes.plain_number(submission.final_score)}/{qtypes.plain_number(submission.max_score)}"


def _checked_updates(versions, points: dict, feedback: dict) -> list[tuple]:
    """(version, points given or None, feedback) per question; every hand-graded question needs points."""
    missing = []
    updates = []
    for number, version in enumerate(versions, start=1):
        given = _points(points.get(str(version.id)), version, number)
        note = str(feedback.get(str(version.id)) or "").strip()
        if len(note) > 10_000:
            raise ValidationFailed(_("Question %(n)s: the feedback is too long.", n=number))
        if version.type in qtypes.MANUAL_TYPES and given is None:
            missing.append(str(number))
        updates.append((version, given, note))
    if missing:
        raise ValidationFailed(_("Give points for question(s) %(numbers)s (graded by hand).",
                                 numbers=", ".join(missing)), field="points")
    return updates


def grade(actor, submission: Submission, *, points: dict, feedback: dict, overall_feedback: str,
          return_to_student: bool = False, rubric: rubric_grading.Choices | None = None) -> Submission:
    """Save per-question points (0..the question's points; empty keeps the automatic score) and
    feedback, the overall feedback, and grade (or return) the attempt.  ``rubric``: the levels
    chosen for questions graded with a rubric (their score replaces the points typed)."""
    require_grade(actor, submission)
    if submission.status == SubmissionStatus.IN_PROGRESS:
        raise BusinessRuleViolation(_("The student has not submitted this attempt yet."))
    versions = versions_of(submission)
    answers = answers_of(submission)
    rubric_grades = rubric_grading.score(versions, answers, rubric or {})
    points = {**points, **{str(vid): g.points for vid, g in rubric_grades.items() if g is not None}}
    updates = _checked_updates(versions, points, feedback)
    overall_feedback = (overall_feedback or "").strip()
    if len(overall_feedback) > 20_000:
        raise ValidationFailed(_("The feedback is too long."), field="feedback")
    changed = (overall_feedback != (submission.feedback or "").strip())
    for version, given, note in updates:
        answer = answers.get(version.id)
        if answer is not None and (answer.manual_points, answer.feedback or "") != (given, note):
            changed = True
        if answer is None:
            if given is None and not note:
                continue
            answer = Answer(submission_id=submission.id, question_version_id=version.id, response={})
            db.session.add(answer)
            answers[version.id] = answer
        answer.manual_points, answer.feedback = given, note
    db.session.flush()
    for version_id, rubric_grade in rubric_grades.items():
        if version_id in answers:
            changed = rubric_grading.save(answers[version_id], rubric_grade) or changed
    before_status, before_score = submission.status, submission.final_score
    submission.feedback = overall_feedback
    _mark_graded(actor, submission, before_status, before_score, changed, return_to_student)
    return submission


def _mark_graded(actor, submission: Submission, before_status: str, before_score, changed: bool,
                 return_to_student: bool) -> None:
    """Re-score the attempt, mark it graded (or returned), and write its history, audit and notices."""
    score_submission(submission)
    now = utcnow()
    submission.graded_at, submission.graded_by_id = now, actor.id
    if return_to_student:
        submission.status = SubmissionStatus.RETURNED
        submission.returned_at = now
    elif submission.status != SubmissionStatus.RETURNED:
        submission.status = SubmissionStatus.GRADED
    add_event(submission.id, "RETURNED" if return_to_student else "GRADED", actor.id,
              score=submission.final_score, before=before_score)
    record(actor, "submission.return" if return_to_student else "submission.grade", submission,
           assessment_id=submission.assessment_id, student_id=submission.student_id,
           score=submission.final_score, max_score=submission.max_score)
    changed = changed or before_score != submission.final_score
    _notify(submission, before_status, return_to_student, changed)
    db.session.flush()


def grade_answer(actor, submission: Submission, version: QuestionVersion, *, points, feedback: str,
                 rubric: dict | None = None) -> Submission:
    """Grade one answer of an attempt (grading one question across the class), with the rules of
    ``grade``: points from 0 to the question's points, feedback length, re-scoring, history, audit
    and notices.  Empty points keep the automatic score (a question graded by hand needs points).
    ``rubric``: ``{criterion id: (level id, comment)}`` when the question is graded with a rubric."""
    require_grade(actor, submission)
    if submission.status == SubmissionStatus.IN_PROGRESS:
        raise BusinessRuleViolation(_("The student has not submitted this attempt yet."))
    versions = versions_of(submission)
    if version not in versions:
        raise ValidationFailed(_("This attempt does not have that question."))
    number = versions.index(version) + 1
    answers = answers_of(submission)
    # False: the question has no rubric; None: its rubric was not used (saved levels are cleared).
    rubric_grade = rubric_grading.score(versions, answers, {version.id: rubric or {}}).get(version.id, False)
    if rubric_grade:
        points = rubric_grade.points
    given = _points(points, version, number)
    if version.type in qtypes.MANUAL_TYPES and given is None:
        raise ValidationFailed(_("Give points for question(s) %(numbers)s (graded by hand).", numbers=str(number)),
                               field=f"points-{version.id}")
    note = str(feedback or "").strip()
    if len(note) > 10_000:
        raise ValidationFailed(_("Question %(n)s: the feedback is too long.", n=number))
    answer = answers.get(version.id)
    changed = answer is not None and (answer.manual_points, answer.feedback or "") != (given, note)
    if answer is None and (given is not None or note):
        answer = Answer(submission_id=submission.id, question_version_id=version.id, response={})
        db.session.add(answer)
        answers[version.id] = answer
    if answer is not None:
        answer.manual_points, answer.feedback = given, note
    db.session.flush()
    if answer is not None and rubric_grade is not False:
        changed = rubric_grading.save(answer, rubric_grade) or changed
    if any(v.type in qtypes.MANUAL_TYPES and (answers.get(v.id) is None or answers[v.id].manual_points is None)
           for v in versions):
        # Another question still waits for points: the attempt stays submitted, the student is not told yet.
        score_submission(submission)
        record(actor, "submission.grade_answer", submission, assessment_id=submission.assessment_id,
               student_id=submission.student_id, question_version_id=version.id, points=given)
        db.session.flush()
        return submission
    _mark_graded(actor, submission, submission.status, submission.final_score, changed, False)
    return submission


def return_graded(actor, submission_ids) -> list[Submission]:
    """Return several graded attempts to their students at once, each audited and notified as a
    single return is.  All or nothing: if one of them is not graded (or not the actor's to grade)
    none is returned and the message names them."""
    ids = list(dict.fromkeys(as_id(i) for i in submission_ids))
    if not ids:
        raise ValidationFailed(_("Choose the graded work to return."))
    if None in ids or len(ids) > 500:
        raise NotFound(_("That submission does not exist or is not available to you."))
    submissions = list(db.session.scalars(select(Submission).where(Submission.id.in_(ids),
                                                                  submission_visibility(actor))
                                          .order_by(Submission.id)))
    if len(submissions) != len(ids):
        raise NotFound(_("That submission does not exist or is not available to you."))
    for submission in submissions:
        _require_grader(actor, submission)
    require_this_year(submissions)
    not_graded = [s for s in submissions if s.status != SubmissionStatus.GRADED]
    if not_graded:
        raise BusinessRuleViolation(_(
            "Nothing was returned: only graded work can be returned, and this is not: %(names)s.",
            names=", ".join(f"{s.student.full_name} ({s.assessment.title})" for s in not_graded)))
    for submission in submissions:
        _mark_graded(actor, submission, submission.status, submission.final_score, False, True)
    return submissions


# --- one question across the class -------------------------------------------------------------------


@dataclass
class QuestionAnswer:
    """One attempt's answer to the question being graded, and its place in the list."""
    submission: Submission
    version: QuestionVersion
    answer: Answer | None
    number: int            # 1-based among all the attempts (the anonymous label "Student 5")

    @property
    def graded(self) -> bool:
        return self.answer is not None and self.answer.manual_points is not None


def question_answers(assessment: Assessment, question_id: int) -> list[QuestionAnswer]:
    """The submitted attempts that have a version of the question, by student name then attempt (a
    stable order: grading does not move anyone)."""
    version_ids = set(db.session.scalars(select(QuestionVersion.id).where(QuestionVersion.question_id == question_id)))
    submissions = db.session.scalars(
        select(Submission).join(User, User.id == Submission.student_id)
        .where(Submission.assessment_id == assessment.id, Submission.status != SubmissionStatus.IN_PROGRESS,
               User.role == Role.STUDENT)  # a teacher's preview is not graded
        .order_by(func.lower(User.full_name), User.id, Submission.attempt_number, Submission.id))
    rows = []
    for submission in submissions:
        version_id = next((v for v in submission.question_order or [] if v in version_ids), None)
        if version_id is not None:
            rows.append((submission, version_id))
    versions = {v.id: v for v in db.session.scalars(select(QuestionVersion).where(
        QuestionVersion.id.in_({v for _s, v in rows})))} if rows else {}
    answers = {(a.submission_id, a.question_version_id): a for a in db.session.scalars(select(Answer).where(
        Answer.submission_id.in_([s.id for s, _v in rows]), Answer.question_version_id.in_(version_ids)))} \
        if rows else {}
    return [QuestionAnswer(s, versions[v], answers.get((s.id, v)), n) for n, (s, v) in enumerate(rows, start=1)]


def _notify(submission: Submission, before_status: str, returned: bool, changed: bool = False) -> None:
    if has_request_context():
        link = url_for("assessments.grading.detail", submission_id=submission.id)
    else:  # a script or a job: the same stable path
        link = f"/submissions/{submission.id}"
    title = submission.assessment.title
    if before_status == SubmissionStatus.SUBMITTED and \
            results_visible(submission.assessment, submission, submission.student):
        notify([submission.student_id], "work_graded", link=link, title=title, score=score_text(submission))
    if returned and before_status != SubmissionStatus.RETURNED:
        notify([submission.student_id], "work_returned", link=link, title=title)
    elif changed and before_status in (SubmissionStatus.GRADED, SubmissionStatus.RETURNED) and (
            submission.status == SubmissionStatus.RETURNED
            or results_visible(submission.assessment, submission, submission.student)):
        notify([submission.student_id], "work_regraded", link=link, title=title)


def history(submission: Submission) -> list[SubmissionEvent]:
    return list(db.session.scalars(select(SubmissionEvent).where(SubmissionEvent.submission_id == submission.id)
                                   .order_by(SubmissionEvent.created_at, SubmissionEvent.id)))


# --- re-scoring after a key correction -------------------------------------------------------------------


def rescore_versions(version_ids, actor_id: int | None = None) -> int:
    """Re-score every submitted attempt with an answer to one of these versions (idempotent: an
    attempt whose score does not change gets no new history).  Returns how many changed.
    Previews are not re-scored: nobody sees them, and the next preview is scored with the new key."""
    ids = [int(i) for i in version_ids]
    submission_ids = list(db.session.scalars(
        select(Answer.submission_id).join(Submission, Submission.id == Answer.submission_id)
        .where(Answer.question_version_id.in_(ids), counted()).distinct()))
    changed = 0
    for submission_id in submission_ids:
        submission = db.session.get(Submission, submission_id)
        if submission is None or submission.status == SubmissionStatus.IN_PROGRESS:
            continue
        before = submission.final_score
        score_submission(submission)
        if before != submission.final_score:
            add_event(submission.id, "RESCORED", actor_id, before=before, score=submission.final_score)
            changed += 1
    db.session.flush()
    return changed


# --- excusing ------------------------------------------------------------------------------------------


def set_excused(actor, assessment: Assessment, student: User, excused: bool) -> bool:
    """Excuse ``student`` from ``assessment`` (or take it back); the gradebook shows it."""
    if not can_edit_assessment(actor, assessment):
        raise Forbidden(_("Only the assessment's teachers or an administrator can excuse students."))
    row = db.session.scalar(select(AssessmentExcusal).where(AssessmentExcusal.assessment_id == assessment.id,
                                                            AssessmentExcusal.student_id == student.id))
    if excused and row is None:
        db.session.add(AssessmentExcusal(assessment_id=assessment.id, student_id=student.id,
                                         excused_by_id=actor.id))
        db.session.flush()
        record(actor, "assessment.excuse", assessment, student_id=student.id)
    elif not excused and row is not None:
        db.session.delete(row)
        db.session.flush()
        record(actor, "assessment.unexcuse", assessment, student_id=student.id)
    return excused
