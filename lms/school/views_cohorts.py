"""``/cohorts``: named groups of students across classrooms (admins and teachers): the list, a
cohort's members with the student picker, rename, delete, and the membership history."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from lms.auth.models import Role
from lms.common.access import allow
from lms.common.formviews import deleted, outcome_answer, render_form, saving
from lms.common.htmx import redirect_to, render
from lms.common.navigation import nav_item
from lms.common.pagination import paginate
from lms.school import cohorts, services
from lms.school.forms import CohortForm

bp = Blueprint("cohorts", __name__, url_prefix="/cohorts")

nav_item("school.cohorts.index", _l("Cohorts"), Role.ADMIN, Role.TEACHER, order=35, group="school")

STAFF = (Role.ADMIN, Role.TEACHER)


def _list_context(form=None) -> dict:
    q = request.args.get("q", "").strip()[:100]
    results = paginate(cohorts.cohort_list_query(current_user, q), per_page=25, scalars=False)
    return {"results": results, "q": q, "form": form or CohortForm(formdata=None)}


@bp.route("")
@allow(*STAFF)
def index():
    return render("school/cohorts.html", "school/_cohort_list.html", **_list_context())


@bp.route("/new", methods=["POST"])
@allow(*STAFF)
def create():
    form = CohortForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            cohort = cohorts.create_cohort(current_user, form.name.data, form.description.data)
        if saved:
            flash(_("The cohort “%(name)s” was created. Add its students below.", name=cohort.name), "success")
            return redirect_to(url_for("school.cohorts.detail", cohort_id=cohort.id))
    return render_form("school/cohorts.html", "school/_cohort_form.html", **_list_context(form))


def _people_context(cohort, **extra) -> dict:
    """The members and the picker (its search from the query string, or the form that was posted)."""
    source = request.args if request.method == "GET" else request.form
    q = source.get("q", "").strip()[:100]
    classroom_id = source.get("classroom", "")
    return {"cohort": cohort, "members": cohorts.current_members(cohort), "can_change": cohorts.can_change(current_user, cohort),
            "picker": cohorts.picker_students(current_user, cohort, q=q, classroom_id=classroom_id),
            "picker_q": q, "picker_classroom": classroom_id,
            "classrooms": services.classrooms_of_year(current_user, include_archived=False), **extra}


def _detail_context(cohort, form=None, **extra) -> dict:
    form = form or CohortForm(formdata=None, name=cohort.name, description=cohort.description)
    return {**_people_context(cohort, **extra), "form": form}


@bp.route("/<int:cohort_id>")
@allow(*STAFF)
def detail(cohort_id: int):
    cohort = cohorts.get_cohort(current_user, cohort_id)
    # The picker's search (a GET form) swaps only its results with htmx.
    return render("school/cohort.html", "school/_cohort_picker_results.html", **_detail_context(cohort))


@bp.route("/<int:cohort_id>/edit", methods=["POST"])
@allow(*STAFF)
def edit(cohort_id: int):
    cohort = cohorts.get_cohort(current_user, cohort_id)
    cohorts.require_change(current_user, cohort)
    form = CohortForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            cohorts.update_cohort(current_user, cohort, form.name.data, form.description.data)
        if saved:
            flash(_("Saved."), "success")
            return redirect_to(url_for("school.cohorts.detail", cohort_id=cohort_id))
        cohort = cohorts.get_cohort(current_user, cohort_id)
    return render_form("school/cohort.html", "school/_cohort_form.html", **_detail_context(cohort, form))


@bp.route("/<int:cohort_id>/delete", methods=["POST"])
@allow(*STAFF)
def delete(cohort_id: int):
    cohort = cohorts.get_cohort(current_user, cohort_id)
    cohorts.require_change(current_user, cohort)  # 403, not a message
    with saving() as saved:
        name = cohorts.delete_cohort(current_user, cohort)
    if saved:
        return deleted(name, url_for("school.cohorts.index"))
    return redirect_to(url_for("school.cohorts.detail", cohort_id=cohort_id))


def _people_answer(cohort_id: int, outcome, message: str | None):
    """After adding or removing: the members and picker again (htmx), or back to the cohort."""
    return outcome_answer(outcome, message, url_for("school.cohorts.detail", cohort_id=cohort_id),
                          "school/cohort.html", "school/_cohort_people.html",
                          lambda outcome: _people_context(cohorts.get_cohort(current_user, cohort_id),
                                                          people_error=outcome.message))


@bp.route("/<int:cohort_id>/students", methods=["POST"])
@allow(*STAFF)
def add_students(cohort_id: int):
    cohort = cohorts.get_cohort(current_user, cohort_id)
    cohorts.require_change(current_user, cohort)
    message = None
    with saving(quiet=True) as saved:
        added, already = cohorts.add_students(current_user, cohort, request.form.getlist("student_ids"))
        message = ngettext("%(num)d student was added.", "%(num)d students were added.", len(added))
        if already:
            message += " " + _("Already in the cohort: %(names)s.", names=", ".join(s.full_name for s in already))
    return _people_answer(cohort_id, saved, message)


@bp.route("/<int:cohort_id>/students/<int:student_id>/remove", methods=["POST"])
@allow(*STAFF)
def remove_student(cohort_id: int, student_id: int):
    cohort = cohorts.get_cohort(current_user, cohort_id)
    cohorts.require_change(current_user, cohort)
    message = None
    with saving(quiet=True) as saved:
        student = cohorts.remove_student(current_user, cohort, student_id)
        message = _("%(name)s was removed from the cohort.", name=student.full_name)
    return _people_answer(cohort_id, saved, message)


@bp.route("/<int:cohort_id>/history")
@allow(*STAFF)
def history(cohort_id: int):
    cohort = cohorts.get_cohort(current_user, cohort_id)
    results = paginate(cohorts.history_query(cohort), per_page=50, scalars=False)
    return render("school/cohort_history.html", "school/_cohort_history.html", cohort=cohort, results=results)
