"""``/students/<id>/badges``: a student's badges for their teachers and administrators, with the
form to give a manual badge (a reason is required) and the buttons to take one back."""

from __future__ import annotations

from flask import Blueprint, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.models import Role
from lms.common.access import allow
from lms.common.formviews import render_form, saving
from lms.common.htmx import redirect_to
from lms.rewards import badges, labels, overview  # noqa: F401 - labels: registers the codes' labels
from lms.rewards.forms import AwardForm
from lms.school.forms import choices

bp = Blueprint("manual", __name__)

STAFF = (Role.ADMIN, Role.TEACHER)


def _form(form=None) -> AwardForm:
    form = form or AwardForm(formdata=None)
    form.badge_id.choices = choices([("", _("Choose a badge"))] + [
        (str(b.id), f"{b.emoji} {b.name}") for b in badges.manual_badges()])
    return form


def _context(student, form=None) -> dict:
    return {"student": student, "view": overview.overview(student), "form": _form(form)}


@bp.route("/students/<int:student_id>/badges")
@allow(*STAFF)
def index(student_id: int):
    student = badges.get_own_student(current_user, student_id)
    return render_form("rewards/student_badges.html", "rewards/_award_form.html", failed=False,
                       **_context(student))


@bp.route("/students/<int:student_id>/badges/award", methods=["POST"])
@allow(*STAFF)
def award(student_id: int):
    student = badges.get_own_student(current_user, student_id)
    form = _form(AwardForm())
    if form.validate_on_submit():
        with saving(form) as saved:
            award = badges.award_manual(current_user, student, form.badge_id.data, form.reason.data)
        if saved:
            flash(_("%(name)s got the badge “%(badge)s”.", name=student.full_name, badge=award.badge.name), "success")
            return redirect_to(url_for("rewards.manual.index", student_id=student.id))
    return render_form("rewards/student_badges.html", "rewards/_award_form.html", **_context(student, form))


@bp.route("/students/<int:student_id>/badges/<int:award_id>/revoke", methods=["POST"])
@allow(*STAFF)
def revoke(student_id: int, award_id: int):
    student = badges.get_own_student(current_user, student_id)
    award = badges.get_award(student, award_id)
    with saving() as saved:
        name = badges.revoke_manual(current_user, student, award)
    if saved:
        flash(_("The badge “%(badge)s” was taken back from %(name)s.", badge=name, name=student.full_name), "success")
    return redirect_to(url_for("rewards.manual.index", student_id=student.id))
