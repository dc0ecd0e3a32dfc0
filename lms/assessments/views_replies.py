"""A student's one reply to the teacher's feedback on their returned work."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.assessments import replies, taking
from lms.auth.models import Role
from lms.common.access import allow
from lms.common.formviews import saving
from lms.common.htmx import is_htmx, redirect_to, render

bp = Blueprint("replies", __name__)


def reply_context(submission, viewer) -> dict:
    """What ``_feedback_reply.html`` shows: the reply, or the form when ``viewer`` may still reply."""
    return {"submission": submission, "reply": replies.reply_of(submission),
            "can_reply": replies.reply_problem(viewer, submission) is None}


@bp.route("/submissions/<int:submission_id>/reply", methods=["POST"])
@allow(Role.STUDENT)
def create(submission_id):
    submission = taking.get_submission_for(current_user, submission_id)
    body = request.form.get("body", "")
    with saving(quiet=True) as saved:
        replies.reply(current_user, submission, body)
    if saved:
        flash(_("Your reply was sent to your teacher."), "success")
    if not is_htmx():
        if not saved:
            flash(saved.message, "error")
        return redirect_to(url_for("assessments.grading.detail", submission_id=submission_id))
    submission = taking.get_submission_for(current_user, submission_id)
    return render("assessments/result.html", "assessments/_feedback_reply.html", status=200 if saved else 422,
                  error=None if saved else saved.message, posted_body=None if saved else body,
                  **reply_context(submission, current_user))
