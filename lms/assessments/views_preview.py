"""Trying an assessment as a student: the students' take and result pages for a teacher who may
change the assessment, under a "Preview — not counted" banner, optionally in a phone-sized frame
(``?frame=phone``).  Anyone else is told the page does not exist (404)."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.assessments import preview, taking
from lms.assessments.views_grading import result_context
from lms.assessments.views_take import save_posted_answer, submitted_as_time_ran_out, take_context
from lms.common.access import SIGNED_IN, allow
from lms.common.errors import NotFound
from lms.common.htmx import redirect_to, render
from lms.extensions import db

bp = Blueprint("preview", __name__)


def _frame() -> str | None:
    return "phone" if request.args.get("frame") == "phone" else None


def _url(endpoint: str, assessment, **values) -> str:
    return url_for(f"assessments.preview.{endpoint}", assessment_id=assessment.id, frame=_frame(), **values)


def _urls(assessment) -> dict:
    return {"page": lambda q: _url("show", assessment, q=q),
            "save": lambda version_id: _url("save_answer", assessment, version_id=version_id),
            "submit": _url("submit", assessment)}


def _preview_context(assessment) -> dict:
    return {"preview": True, "phone_frame": _frame() == "phone", "start_url": _url("start", assessment), "leave_url": _url("leave", assessment),
            "phone_url": url_for("assessments.preview.show", assessment_id=assessment.id, frame="phone"),
            "desktop_url": url_for("assessments.preview.show", assessment_id=assessment.id)}


@bp.route("/assessments/<int:assessment_id>/preview")
@allow(SIGNED_IN)
def show(assessment_id):
    assessment = preview.previewable(current_user, assessment_id)
    submission = preview.current_preview(current_user, assessment)
    if submitted_as_time_ran_out(submission):
        return redirect_to(_url("show", assessment))
    context = _preview_context(assessment)
    if submission is None:
        return render("assessments/preview_start.html", assessment=assessment, **context)
    if submission.is_open:
        return render("assessments/take.html", "assessments/_take_questions.html",
                      **take_context(assessment, submission, _urls(assessment)), **context)
    return render("assessments/result.html", **result_context(submission, None), **context)


@bp.route("/assessments/<int:assessment_id>/preview", methods=["POST"])
@allow(SIGNED_IN)
def start(assessment_id):
    assessment = preview.previewable(current_user, assessment_id)
    preview.start_preview(current_user, assessment)
    db.session.commit()
    return redirect_to(_url("show", assessment))


@bp.route("/assessments/<int:assessment_id>/preview/answers/<int:version_id>", methods=["POST"])
@allow(SIGNED_IN)
def save_answer(assessment_id, version_id):
    assessment = preview.previewable(current_user, assessment_id)
    submission = _open_preview(assessment)
    return save_posted_answer(submission, version_id, lambda: _open_preview(assessment))


@bp.route("/assessments/<int:assessment_id>/preview/submit", methods=["POST"])
@allow(SIGNED_IN)
def submit(assessment_id):
    assessment = preview.previewable(current_user, assessment_id)
    submission = _open_preview(assessment)
    if taking.is_overdue(submission):
        taking.finish_overdue(submission)
        flash(_("Time is up: your answers were submitted."), "info")
    elif taking.submit(current_user, submission):
        flash(_("Your answers were submitted."), "success")
    db.session.commit()
    return redirect_to(_url("show", assessment))


@bp.route("/assessments/<int:assessment_id>/preview/leave", methods=["POST"])
@allow(SIGNED_IN)
def leave(assessment_id):
    assessment = preview.previewable(current_user, assessment_id)
    preview.leave_preview(current_user, assessment)
    db.session.commit()
    return redirect_to(url_for("assessments.detail", assessment_id=assessment.id))


def _open_preview(assessment):
    submission = preview.current_preview(current_user, assessment)
    if submission is None:
        raise NotFound(_("Start the preview again."))
    return submission
