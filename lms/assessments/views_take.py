"""Taking an assessment on a phone: start, the questions (all at once or one per screen), the
per-question autosave (htmx), submit."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.assessments import questions as qtypes
from lms.assessments import services, taking
from lms.assessments.media import allow_library_uploads, media_map, render_with_media, version_media
from lms.assessments.models import DisplayMode
from lms.assessments.views_bank import common_context, student_context
from lms.auth.models import Role
from lms.common.access import allow
from lms.common.errors import BusinessRuleViolation, Conflict, ValidationFailed
from lms.common.htmx import redirect_to, render
from lms.common.types import utcnow
from lms.extensions import db

bp = Blueprint("take", __name__)

allow_library_uploads(bp, "assessments.take.save_answer", Role.STUDENT)  # a file answer


def _closed_answer(submission, message: str):
    """An attempt that is over: tell the page (it reloads to the submitted view)."""
    response = render("assessments/_save_state.html", state="closed", message=message, status=409)
    response.headers["HX-Trigger"] = "lms:attempt-closed"
    return response


def student_urls(assessment, submission) -> dict:
    """Where the take page's links and forms go (a preview has its own)."""
    return {"page": lambda q: url_for("assessments.take.take", assessment_id=assessment.id, q=q),
            "save": lambda version_id: url_for("assessments.take.save_answer", submission_id=submission.id,
                                               version_id=version_id),
            "submit": url_for("assessments.take.submit", submission_id=submission.id)}


def take_context(assessment, submission, urls: dict | None = None) -> dict:
    versions = taking.versions_of(submission)
    answers = taking.answers_of(submission)
    media = media_map(assessment.id)
    total = len(versions)
    one_per_screen = assessment.display_mode == DisplayMode.ONE_PER_SCREEN and total > 1
    current = 1
    if one_per_screen:
        current = request.args.get("q", 1, type=int) or 1
        current = min(max(current, 1), total)
    shown = [(i, v) for i, v in enumerate(versions, start=1) if not one_per_screen or i == current]
    frozen = version_media([v for _i, v in shown], assessment.id)  # the files this attempt was given
    return {
        "assessment": assessment, "submission": submission, "versions": versions, "shown": shown,
        "answers": {vid: a.response for vid, a in answers.items()},
        "revisions": {vid: a.revision for vid, a in answers.items()},
        "answered": {v.id for v in versions if v.id in answers and qtypes.is_answered(v.type, answers[v.id].response)},
        "rendered": {v.id: render_with_media(v.text, frozen[v.id]) for _i, v in shown},
        "option_orders": {v.id: taking.option_order(submission, v) for _i, v in shown},
        "one_per_screen": one_per_screen, "current": current, "total": total,
        "instructions": render_with_media(assessment.instructions, media),
        "now": utcnow(), "urls": urls or student_urls(assessment, submission), **common_context(),
    }


def submitted_as_time_ran_out(submission) -> bool:
    """Submit an open attempt whose time is up, and say so (False: still open, or none)."""
    if submission is None or not taking.finish_overdue(submission):
        return False
    db.session.commit()
    flash(_("Time is up: your answers were submitted."), "info")
    return True


@bp.route("/assessments/<int:assessment_id>/take")
@allow(Role.STUDENT)
def take(assessment_id):
    assessment = services.get_assessment_for(current_user, assessment_id)
    submission = taking.open_attempt(current_user, assessment)
    if submitted_as_time_ran_out(submission):
        return redirect_to(url_for("assessments.grading.detail", submission_id=submission.id))
    if submission is None:
        return render("assessments/start.html", **student_context(assessment))
    return render("assessments/take.html", "assessments/_take_questions.html",
                  **take_context(assessment, submission))


@bp.route("/assessments/<int:assessment_id>/start", methods=["POST"])
@allow(Role.STUDENT)
def start(assessment_id):
    assessment = services.get_assessment_for(current_user, assessment_id)
    try:
        taking.start_attempt(current_user, assessment)
    except BusinessRuleViolation as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect_to(url_for("assessments.detail", assessment_id=assessment.id))
    db.session.commit()
    return redirect_to(url_for("assessments.take.take", assessment_id=assessment.id))


def _stale_answer(err: taking.StaleAnswer):
    """A save from a tab that did not have the newest answer: nothing stored; the tab is shown
    the newer answer (and puts it in its form) and keeps the refused text to copy."""
    version, answer = err.version, err.answer
    return render("assessments/_save_state.html", state="conflict", message=err.message, version=version,
                  revision=answer.revision, newer=qtypes.response_text(version.type, version.options, answer.response),
                  newer_fields=qtypes.response_fields(version.type, answer.response),
                  refused=qtypes.response_text(version.type, version.options, err.refused), status=409)


@bp.route("/submissions/<int:submission_id>/answers/<int:version_id>", methods=["POST"])
@allow(Role.STUDENT)
def save_answer(submission_id, version_id):
    submission = taking.get_submission_for(current_user, submission_id)
    return save_posted_answer(submission, version_id,
                              lambda: taking.get_submission_for(current_user, submission_id))


def save_posted_answer(submission, version_id, reload):
    """Save the posted answer of an attempt and answer the page's autosave (``reload()`` loads
    the attempt again after a rollback)."""
    fields = taking.posted_answer(request.get_json(silent=True) if request.is_json else request.form)
    try:
        saved = taking.save_answer(current_user, submission, version_id, {"answer": fields["answer"]},
                                   upload=request.files.get("answer-file"),
                                   base_revision=taking.parse_revision(fields["revision"]))
    except taking.TimeUp as err:
        db.session.rollback()
        submission = reload()
        taking.finish_overdue(submission)
        db.session.commit()
        return _closed_answer(submission, err.message)
    except taking.StaleAnswer as err:
        page = _stale_answer(err)
        db.session.rollback()
        return page
    except Conflict as err:
        db.session.rollback()
        return _closed_answer(submission, err.message)
    except ValidationFailed as err:
        db.session.rollback()
        return render("assessments/_save_state.html", state="refused", message=err.message, status=422)
    # Rendered before the commit, which would expire the user and organization rows the template
    # reads (two more SELECTs on the most frequent POST of a test).
    page = render("assessments/_save_state.html", state="saved", saved_at=utcnow(),
                  filename=saved.response.get("filename"), revision=saved.revision)
    db.session.commit()
    return page


@bp.route("/submissions/<int:submission_id>/submit", methods=["POST"])
@allow(Role.STUDENT)
def submit(submission_id):
    submission = taking.get_submission_for(current_user, submission_id)
    if taking.is_overdue(submission):
        taking.finish_overdue(submission)
        db.session.commit()
        flash(_("Time is up: your answers were submitted."), "info")
        return redirect_to(url_for("assessments.grading.detail", submission_id=submission.id))
    won = taking.submit(current_user, submission)
    db.session.commit()
    if won:
        flash(_("Your answers were submitted."), "success")
    else:
        flash(_("This attempt was already submitted."), "info")
    return redirect_to(url_for("assessments.grading.detail", submission_id=submission.id))
