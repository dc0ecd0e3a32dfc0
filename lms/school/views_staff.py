"""Staff (administrators): teachers and admins with their classroom assignments."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_, select

from lms.auth.models import Role, User
from lms.centres.filtering import centre_names_for, only_members, selected_centre_id
from lms.common.access import allow
from lms.common.errors import NotFound
from lms.common.formviews import render_form, saving
from lms.common.htmx import redirect_to, render, render_form_errors
from lms.common.labels import classroom_label
from lms.common.navigation import nav_item
from lms.common.pagination import paginate
from lms.core.academic_year import current_academic_year
from lms.extensions import db
from lms.school import people, services
from lms.school.forms import AssignClassroomForm, StaffForm, choices
from lms.school.models import TeacherAssignment

bp = Blueprint("staff", __name__, url_prefix="/staff")

nav_item("school.staff.index", _l("Staff"), Role.ADMIN, order=40, group="school")


@bp.route("")
@allow(Role.ADMIN)
def index():
    q = request.args.get("q", "").strip()[:100]
    stmt = select(User).where(User.role.in_([Role.TEACHER, Role.ADMIN]))
    if q:
        pattern = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(User.full_name).like(pattern), User.email.like(pattern)))
    centre_id = selected_centre_id()
    stmt = only_members(stmt, User.id, centre_id)
    results = paginate(stmt.order_by(User.role.desc(), User.full_name, User.id), per_page=50)
    year = current_academic_year()
    assignments: dict[int, list[TeacherAssignment]] = {}
    ids = [u.id for u in results.items]
    if ids:
        for a in people.assignments_for_teachers(ids, academic_year=year):
            assignments.setdefault(a.teacher_id, []).append(a)
    return render("school/staff.html", "school/_staff_list.html", results=results, q=q, centre_id=centre_id, assignments=assignments,
                  centre_names=centre_names_for(ids),
                  year=year)


@bp.route("/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def create():
    form = StaffForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            user, password = people.create_staff_member(current_user, form.full_name.data, form.email.data,
                                                          form.role.data)
        if saved:
            # The first password is shown once, on this response only (never flashed or stored).
            return render("school/staff_created.html", user=user, password=password)
    return render_form("school/staff_form.html", "school/_staff_form.html", form=form)


def _classroom_choices() -> list:
    rooms = services.classrooms_of_year(current_user, include_archived=False)
    return choices([(c.id, classroom_label(c)) for c in rooms])


def _detail_context(member: User, form=None) -> dict:
    if form is None:
        form = AssignClassroomForm(formdata=None)
    form.classroom_id.choices = _classroom_choices()
    return {"member": member, "assignments": people.assignments_of_teacher(member), "form": form,
            "year": current_academic_year()}


@bp.route("/<int:staff_id>")
@allow(Role.ADMIN)
def detail(staff_id):
    member = people.get_staff_member(staff_id)
    return render("school/staff_member.html", **_detail_context(member))


@bp.route("/<int:staff_id>/assignments", methods=["POST"])
@allow(Role.ADMIN)
def assign(staff_id):
    member = people.get_staff_member(staff_id)
    form = AssignClassroomForm()
    form.classroom_id.choices = _classroom_choices()
    if form.validate():
        with saving(form) as saved:
            classroom = services.get_classroom_for(current_user, form.classroom_id.data)
            people.assign_teacher(current_user, member, classroom, form.role.data, form.subject_name.data)
        if saved:
            flash(_("%(name)s now teaches in %(classroom)s.", name=member.full_name, classroom=classroom_label(classroom)),
                  "success")
            return redirect_to(url_for("school.staff.detail", staff_id=staff_id))
    member = people.get_staff_member(staff_id)
    return render_form_errors("school/staff_member.html", "school/_staff_assign_form.html",
                              **_detail_context(member, form))


@bp.route("/<int:staff_id>/assignments/<int:assignment_id>/delete", methods=["POST"])
@allow(Role.ADMIN)
def unassign(staff_id, assignment_id):
    member = people.get_staff_member(staff_id)
    assignment = people.get_assignment(assignment_id)
    if assignment.teacher_id != member.id:
        raise NotFound(_("That assignment does not exist."))
    people.unassign_teacher(current_user, assignment)
    db.session.commit()
    flash(_("Assignment removed."), "success")
    return redirect_to(url_for("school.staff.detail", staff_id=staff_id))
