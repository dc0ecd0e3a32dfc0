"""Submissions: the teachers' grading queue and grading page; students' (and parents') view of an
attempt's results and feedback."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from lms.assessments import grading, replies, rubric_grading, services, taking
from lms.assessments import questions as qtypes
from lms.assessments.media import render_with_media, version_media
from lms.assessments.models import Assessment, Question, SubmissionStatus
from lms.assessments.views_bank import common_context
from lms.assessments.views_replies import reply_context
from lms.auth.models import Role
from lms.common.access import allow
from lms.common.errors import NotFound
from lms.common.formviews import arg_int, form_int, saving
from lms.common.htmx import is_htmx, redirect_to, render, render_form_errors
from lms.common.ids import as_id
from lms.common.markdown import render_markdown
from lms.common.navigation import nav_item
from lms.common.pagination import paginate
from lms.common.services import get_visible
from lms.common.types import utcnow
from lms.extensions import db
from lms.profiles.services import photo_versions
from lms.school import services as school
from lms.school.history import before_this_year, current_year_start

bp = Blueprint("grading", __name__)

nav_item("assessments.grading.index", _l("Grading"), Role.ADMIN, Role.TEACHER, order=41,
         group="assessments")


@bp.route("/submissions")
@allow(Role.ADMIN, Role.TEACHER, Role.STUDENT)
def index():
    if current_user.role == Role.STUDENT:
        page = paginate(grading.my_submissions_query(current_user))
        return render("assessments/my_submissions.html", "assessments/_my_submissions.html", results=page,
                      year_start=current_year_start(), **common_context())
    return _queue_page(request.args)


def _queue_page(values):
    """The grading queue filtered by ``values`` (the query string, or the bulk return form's copy of it)."""
    filters = grading.QueueFilters(assessment_id=as_id(values.get("assessment")),
                                   classroom_id=as_id(values.get("classroom")),
                                   status=values.get("status", ""), q=values.get("q", "").strip()[:100])
    page = paginate(grading.queue_query(current_user, filters), per_page=25)
    assessments = list(db.session.scalars(
        select(Assessment).where(services.gradeable_condition(current_user))
        .order_by(Assessment.title, Assessment.id).limit(300)))
    ctx = {"results": page, "filters": filters, "assessments": assessments,
           "classrooms": school.classrooms_of_year(current_user, include_archived=False),
           "classroom_names": grading.classrooms_by_student(s.student_id for s in page.items),
           "statuses": [s.value for s in SubmissionStatus], **common_context()}

    ctx["photos"] = photo_versions(s.student_id for s in page.items)
    ctx["replied"] = replies.replied_among(s.id for s in page.items)
    ctx["questions"] = list(db.session.scalars(select(Question).where(
        Question.assessment_id == filters.assessment_id).order_by(Question.position))) \
        if any(a.id == filters.assessment_id for a in assessments) else []
    return render("assessments/queue.html", "assessments/_queue.html", **ctx)


def _questions(submission, viewer) -> list[dict]:
    assessment = submission.assessment
    versions = taking.versions_of(submission)
    answers = taking.answers_of(submission)
    media = version_media(versions, assessment.id)  # the files shown when the attempt was taken
    staff = getattr(viewer, "role", None) in (Role.ADMIN, Role.TEACHER)
    rows = []
    for number, version in enumerate(versions, start=1):
        answer = answers.get(version.id)
        response = answer.response if answer else {}
        option_feedback = (version.key or {}).get("feedback") or []
        chosen = []
        if version.type == "SINGLE_CHOICE" and response.get("choice") is not None:
            chosen = [response["choice"]]
        elif version.type == "MULTIPLE_CHOICE":
            chosen = list(response.get("choices") or [])
        rows.append({
            "number": number, "version": version, "answer": answer, "response": response,
            "text": render_with_media(version.text, media[version.id], staff=staff),
            "response_text": qtypes.response_text(version.type, version.options, response),
            "answered": qtypes.is_answered(version.type, response),
            "correct": qtypes.correct_answer_text(version.type, version.options, version.key),
            "pairs": qtypes.pair_review(version.type, version.options, version.key, response),
            "option_feedback": [option_feedback[i] for i in chosen if i < len(option_feedback) and option_feedback[i]],
            "manual": version.type in qtypes.MANUAL_TYPES,
            "feedback_html": render_markdown(version.feedback) if version.feedback else "",
            "teacher_feedback_html": render_markdown(answer.feedback) if answer and answer.feedback else "",
        })
    return rows


def _rubric_grades(submission, posted=None) -> dict:
    """``{version id: RubricGrade}`` of the attempt's questions graded with a rubric (as posted, when
    a refused form is shown again)."""
    grades = rubric_grading.grades_of(taking.versions_of(submission), taking.answers_of(submission))
    return rubric_grading.with_posted(grades, rubric_grading.choices_from_form(posted)) if posted else grades


def _grading_context(submission, **extra) -> dict:
    """The staff page of an attempt: its answers, history and (for its graders) the grade form; an
    attempt of an earlier academic year is read-only."""
    assessment = submission.assessment
    extra.setdefault("rubric_grades", _rubric_grades(submission, extra.get("posted")))
    extra.update(reply_context(submission, current_user))
    earlier_year = before_this_year(submission.started_at, current_year_start())
    return {"submission": submission, "assessment": assessment, "rows": _questions(submission, current_user),
            "earlier_year": earlier_year,
            "results_visible": True, "feedback_visible": True, "history": grading.history(submission),
            "score_text": grading.score_text(submission),
            "can_grade": not earlier_year and services.can_edit_assessment(current_user, assessment),
            "classroom": school.current_classroom_of(submission.student), **common_context(), **extra}


def result_context(submission, viewer) -> dict:
    """The result page of an attempt as ``viewer`` sees it (None: as its student would)."""
    assessment = submission.assessment
    return {"submission": submission, "assessment": assessment, "rows": _questions(submission, viewer),
            "results_visible": taking.results_visible(assessment, submission, viewer),
            "feedback_visible": taking.feedback_visible(submission, viewer),
            "overall_feedback": render_markdown(submission.feedback) if submission.feedback else "",
            "score_text": grading.score_text(submission), **common_context(),
            "rubric_grades": rubric_grading.grades_of(taking.versions_of(submission), taking.answers_of(submission),
                                                      attached_too=False),
            **reply_context(submission, viewer)}


@bp.route("/submissions/<int:submission_id>")
@allow(Role.ADMIN, Role.TEACHER, Role.STUDENT, Role.PARENT)
def detail(submission_id):
    submission = taking.get_submission_for(current_user, submission_id)
    if submission.is_open and taking.finish_overdue(submission):
        db.session.commit()
        submission = taking.get_submission_for(current_user, submission_id)
    if current_user.role in (Role.ADMIN, Role.TEACHER):
        return render("assessments/grade.html", "assessments/_grade_form.html", **_grading_context(submission))
    assessment = submission.assessment
    ctx = result_context(submission, current_user)
    if current_user.role == Role.STUDENT:
        # last year's work: the assessment may no longer be the student's (no dead link back to it)
        ctx["assessment_visible"] = services.is_visible(current_user, assessment)
        attempts = taking.attempts_of(current_user, assessment)
        ctx["can_retry"] = ctx["assessment_visible"] and assessment.status == "PUBLISHED" and not any(a.is_open for a in attempts) and \
            taking.start_problem(current_user, assessment, attempts) is None
    return render("assessments/result.html", **ctx)


@bp.route("/submissions/<int:submission_id>/grade", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def grade(submission_id):
    submission = taking.get_submission_for(current_user, submission_id)
    grading.require_grade(current_user, submission)
    points = {k.split("-", 1)[1]: v for k, v in request.form.items() if k.startswith("points-")}
    feedback = {k.split("-", 1)[1]: v for k, v in request.form.items() if k.startswith("feedback-")}
    returning = request.form.get("action") == "return"
    with saving() as saved:
        grading.grade(current_user, submission, points=points, feedback=feedback,
                      overall_feedback=request.form.get("feedback", ""), return_to_student=returning,
                      rubric=rubric_grading.choices_from_form(request.form))
    if not saved:
        submission = taking.get_submission_for(current_user, submission_id)
        return render_form_errors("assessments/grade.html", "assessments/_grade_form.html",
                                  **_grading_context(submission, posted=request.form))
    if returning:
        flash(_("Returned to %(name)s with your feedback.", name=submission.student.full_name), "success")
    else:
        flash(_("Grades saved."), "success")
    nxt = request.form.get("next")
    if nxt == "queue":
        return redirect_to(url_for("assessments.grading.index", status=SubmissionStatus.SUBMITTED.value))
    if is_htmx():  # the form again with its saved state, the heading and history out of band
        submission = taking.get_submission_for(current_user, submission_id)
        return render("assessments/grade.html", "assessments/_grade_saved.html",
                      **_grading_context(submission, saved_at=utcnow()))
    return redirect_to(url_for("assessments.grading.detail", submission_id=submission.id))


# --- one question across the class ------------------------------------------------------------------------


def _gradeable_question(assessment_id, question_id) -> tuple[Assessment, Question]:
    """The assessment (if the actor grades it) and one of its questions, else 404."""
    assessment = get_visible(select(Assessment).where(services.gradeable_condition(current_user)), Assessment,
                             assessment_id, _("That assessment does not exist or is not available to you."))
    question = get_visible(select(Question).where(Question.assessment_id == assessment.id), Question, question_id,
                           _("That question does not exist."))
    return assessment, question


def _options(values) -> dict:
    return {"anonymous": values.get("anonymous") == "1", "ungraded": values.get("ungraded") == "1"}


def _question_url(assessment, question, submission_id, options) -> str:
    return url_for("assessments.grading.by_question", assessment_id=assessment.id, question_id=question.id,
                   submission=submission_id, anonymous=1 if options["anonymous"] else None,
                   ungraded=1 if options["ungraded"] else None)


def _answer_context(current, posted=None) -> dict:
    version, response = current.version, current.answer.response if current.answer else {}
    media = version_media([version], version.assessment_id)
    grades = rubric_grading.grades_of([version], {version.id: current.answer} if current.answer else {})
    if posted:
        grades = rubric_grading.with_posted(grades, rubric_grading.choices_from_form(posted))
    return {"rubric_grades": grades,"response": response, "text": render_with_media(version.text, media[version.id], staff=True),
            "response_text": qtypes.response_text(version.type, version.options, response),
            "answered": qtypes.is_answered(version.type, response),
            "correct": qtypes.correct_answer_text(version.type, version.options, version.key),
            "pairs": qtypes.pair_review(version.type, version.options, version.key, response),
            "explanation_html": render_markdown(version.feedback) if version.feedback else "",
            "manual": version.type in qtypes.MANUAL_TYPES}


def _question_context(assessment, question, current_id, options, **extra) -> dict:
    """One answer to ``question`` (``current_id``'s, else the first listed) with its neighbours."""
    rows = grading.question_answers(assessment, question.id)
    listed = [r for r in rows if not (options["ungraded"] and r.graded) or r.submission.id == current_id]
    current = next((r for r in listed if r.submission.id == current_id), listed[0] if listed else None)
    ctx = {"assessment": assessment, "question": question, "options": options, "current": current,
           "total": len(listed), "graded_count": sum(r.graded for r in rows), "all_count": len(rows),
           "url": lambda sid: _question_url(assessment, question, sid, options),
           "year_start": current_year_start(), **common_context(), **extra}
    if current is None:
        return ctx
    index = listed.index(current)
    ctx.update(position=index + 1, previous=listed[index - 1] if index > 0 else None,
               following=listed[index + 1] if index + 1 < len(listed) else None,
               reply=replies.reply_of(current.submission),
               **_answer_context(current, extra.get("posted")))
    return ctx


def _answer_page(ctx, status=200):
    response = render("assessments/grade_question.html", "assessments/_grade_question.html", status=status, **ctx)
    if ctx["current"] is not None and status == 200 and is_htmx():
        response.headers["HX-Push-Url"] = ctx["url"](ctx["current"].submission.id)
    return response


@bp.route("/assessments/<int:assessment_id>/questions/<int:question_id>/grading")
@allow(Role.ADMIN, Role.TEACHER)
def by_question(assessment_id, question_id):
    assessment, question = _gradeable_question(assessment_id, question_id)
    return _answer_page(_question_context(assessment, question, arg_int("submission"), _options(request.args)))


@bp.route("/assessments/<int:assessment_id>/questions/<int:question_id>/grading/<int:submission_id>",
          methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def grade_answer(assessment_id, question_id, submission_id):
    assessment, question = _gradeable_question(assessment_id, question_id)
    options = _options(request.form)
    row = next((r for r in grading.question_answers(assessment, question.id) if r.submission.id == submission_id),
               None)
    if row is None:
        raise NotFound(_("That submission does not exist or is not available to you."))
    grading.require_grade(current_user, row.submission)  # 403: not theirs to grade, or last year's
    with saving(quiet=True) as saved:
        grading.grade_answer(current_user, row.submission, row.version, points=request.form.get("points"),
                             feedback=request.form.get("feedback", ""),
                             rubric=rubric_grading.choices_from_form(request.form).get(row.version.id))
    if not saved:
        ctx = _question_context(assessment, question, submission_id, options, posted=request.form,
                                error=saved.message)
        return _answer_page(ctx, status=422 if is_htmx() else 200)
    following = form_int("following")
    flash(_("Saved.") if following else _("Saved. That was the last answer in the list."), "success")
    return _answer_page(_question_context(assessment, question, following or submission_id, options))


@bp.route("/submissions/return", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def return_selected():
    with saving() as saved:
        returned = grading.return_graded(current_user, request.form.getlist("submission"))
    if saved:
        flash(ngettext("Returned %(num)d submission to its student.",
                       "Returned %(num)d submissions to their students.", len(returned)), "success")
    return _queue_page(request.form)
