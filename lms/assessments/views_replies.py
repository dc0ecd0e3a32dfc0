"""A student's one reply to the teacher's feedback on their returned work."""

from __future__ import annotations

from flask import Blueprint, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.assessments import replies, taking
from lms.auth.models import Role
from lms.common.access import allow
from lms.common.formviews import outcome_answer, saving

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
    return outcome_answer(saved, _("Your reply was sent to your teacher."),
                          url_for("assessments.grading.detail", submission_id=submission_id),
                          "assessments/result.html", "assessments/_feedback_reply.html",
                          lambda outcome: {"error": outcome.message, "posted_body": None if outcome else body,
                                           **reply_context(taking.get_submission_for(current_user, submission_id),
                                                           current_user)})
