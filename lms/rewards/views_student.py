"""The badges page of a student (``/my/badges``) and of a parent's child
(``/my/children/<id>/badges``), read-only, phones first; and the student's leaderboard choice."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.auth.models import Role
from lms.common.access import allow
from lms.common.htmx import is_htmx, redirect_to, render
from lms.common.navigation import nav_item
from lms.extensions import db
from lms.rewards import boards, labels, overview  # noqa: F401 - labels: registers the codes' labels
from lms.school.services import children_of, get_student_for

bp = Blueprint("student", __name__)

nav_item("rewards.student.index", _l("My badges"), Role.STUDENT, order=36)


@bp.app_template_global("leaderboard_preference")
def leaderboard_preference() -> dict | None:
    """For the profile page: ``{"opted_out": bool}`` for a signed-in student, else None."""
    if not current_user.is_authenticated or current_user.role != Role.STUDENT:
        return None
    return {"opted_out": boards.is_opted_out(current_user)}


@bp.app_template_global("leaderboards_on")
def leaderboards_on() -> bool:
    return boards.leaderboards_enabled()


@bp.route("/my/badges")
@allow(Role.STUDENT)
def index():
    student = current_user._get_current_object()
    return render("rewards/my_badges.html", view=overview.overview(student), boards=boards.my_boards(student),
                  opted_out=boards.is_opted_out(student), child=None)


@bp.route("/my/children/<int:student_id>/badges")
@allow(Role.PARENT)
def child(student_id: int):
    child = get_student_for(current_user, student_id)  # only the parent's own children (else 404)
    return render("rewards/my_badges.html", view=overview.overview(child), boards=None, opted_out=False,
                  child=child, children=children_of(current_user))


@bp.route("/me/leaderboards", methods=["POST"])
@allow(Role.STUDENT)
def preference():
    user = current_user._get_current_object()
    if request.form.get("show") == "1":
        changed = boards.opt_in(user)
        message = _("Your name and points are shown on your leaderboards again.")
    else:
        changed = boards.opt_out(user)
        message = _("You are left out of every leaderboard.")
    db.session.commit()
    if is_htmx():
        return render("rewards/_preference.html", done=message if changed else None)
    flash(message, "success")
    return redirect_to(url_for("auth.profile"))
