"""Adding a whole classroom's students to a centre (administrators): the classrooms are the school's,
the centre and its members are ``lms.centres``'s, so this page sits here, above both."""

from __future__ import annotations

from flask import Blueprint, flash, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms.auth.models import Role
from lms.centres import members, operations
from lms.common.access import allow
from lms.common.formviews import form_int, saving
from lms.common.htmx import redirect_to, render
from lms.school import services

bp = Blueprint("centre_classrooms", __name__, url_prefix="/admin/centres/<int:centre_id>/classrooms")


def _page(centre, error: str | None = None, status: int = 200):
    return render("school/centre_classrooms.html", status=status, centre=centre, error=error,
                  classrooms=services.classrooms_of_year(current_user, include_archived=False))


@bp.route("")
@allow(Role.ADMIN)
def choose(centre_id: int):
    return _page(operations.get_centre(current_user, centre_id))


@bp.route("", methods=["POST"])
@allow(Role.ADMIN)
def add(centre_id: int):
    centre = operations.get_centre(current_user, centre_id)
    classroom_id = form_int("classroom")
    if classroom_id is None:
        return _page(centre, _("Choose a classroom."), status=422)
    classroom = services.get_classroom_for(current_user, classroom_id)
    student_ids = [student.id for student, _profile in services.roster(classroom)]
    if not student_ids:
        return _page(centre, _("That classroom has no students."), status=422)
    with saving(quiet=True) as saved:
        added, already = members.add_members(current_user, centre, student_ids)
    if not saved:
        return _page(centre, saved.message, status=422)
    flash(ngettext("%(num)d person was added.", "%(num)d people were added.", len(added))
          + (" " + ngettext("%(num)d was a member already.", "%(num)d were members already.", len(already))
             if already else ""), "success")
    return redirect_to(url_for("centres.members.index", centre_id=centre_id))
