"""Students: the list (search, filters, export), a student's page, editing, placement, parents."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.auth.models import Role, User
from lms.centres.filtering import centre_names_for, selected_centre_id
from lms.common.access import allow
from lms.common.errors import NotFound
from lms.common.formviews import arg_int, form_int, render_form, saving
from lms.common.htmx import redirect_to, render
from lms.common.labels import classroom_label
from lms.common.navigation import nav_item
from lms.common.pagination import paginate
from lms.core.academic_year import current_academic_year
from lms.extensions import db
from lms.school import bulk, deletion, people, services, student_csv
from lms.school.family_codes import current_code
from lms.school.forms import (
    InviteParentForm,
    LinkParentForm,
    PlaceStudentForm,
    StudentEditForm,
    StudentForm,
    choices,
)
from lms.school.labels import STUDENT_STATUS
from lms.school.models import STUDENT_STATUSES

bp = Blueprint("students", __name__)

nav_item("school.students.index", _l("Students"), Role.ADMIN, order=30, group="school")
nav_item("school.students.my_children", _l("My children"), Role.PARENT, order=20)

STATUS_LABELS = STUDENT_STATUS


def _filters() -> dict:
    status = request.args.get("status", "")
    return {
        "q": request.args.get("q", "").strip()[:100],
        "level_id": arg_int("level"),
        "classroom_id": arg_int("classroom"),
        "status": status if status in STUDENT_STATUSES else "",
        "unplaced": request.args.get("unplaced") == "1" or request.args.get("classroom") == "none",
        "centre_id": selected_centre_id(),
    }


@bp.route("/students")
@allow(Role.ADMIN, Role.TEACHER)
def index():
    filters = _filters()
    results = paginate(services.student_list_query(current_user, **filters), scalars=False, per_page=50)
    year = current_academic_year()
    return render("school/students.html", "school/_student_list.html", results=results, filters=filters,
                  levels=services.list_levels(), classrooms=services.classrooms_of_year(current_user, year),
                  year=year, status_labels=STATUS_LABELS, bulk_actions=bulk.available_actions(current_user),
                  max_selection=bulk.MAX_SELECTION,
                  centre_names=centre_names_for(student.id for student, _profile, _room in results.items))


@bp.route("/students/export.csv")
@allow(Role.ADMIN, Role.TEACHER)
def export():
    rows = db.session.execute(services.student_list_query(current_user, **_filters())).all()
    return student_csv.export_response(f"students-{current_academic_year()}.csv", rows)


def _classroom_choices(blank_label) -> list:
    rooms = services.classrooms_of_year(current_user, include_archived=False)
    return choices([(None, blank_label)] + [(c.id, classroom_label(c)) for c in rooms])


def _classroom_by_id(classroom_id):
    if not classroom_id:
        return None
    return services.get_classroom_for(current_user, classroom_id)


@bp.route("/students/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def create():
    form = StudentForm()
    form.classroom_id.choices = _classroom_choices(_("— not placed yet —"))
    if request.method == "GET" and arg_int("classroom"):
        form.classroom_id.data = arg_int("classroom")
    if form.validate_on_submit():
        with saving(form) as saved:
            student = people.create_student(
                current_user, form.full_name.data, form.email.data, form.student_number.data,
                classroom=_classroom_by_id(form.classroom_id.data), date_of_birth=form.date_of_birth.data,
                guardian_notes=form.guardian_notes.data, username=form.username.data)
        if saved:
            flash(_("%(name)s was added.", name=student.full_name), "success")
            return redirect_to(url_for("school.students.detail", student_id=student.id))
    return render_form("school/student_form.html", "school/_student_form.html", form=form, student=None)


@bp.route("/students/<int:student_id>")
@allow(Role.ADMIN, Role.TEACHER, Role.STUDENT, Role.PARENT)
def detail(student_id):
    student = services.get_student_for(current_user, student_id)
    return render("school/student.html", **_detail_context(student))


def _detail_context(student: User, parent_form=None, place_form=None) -> dict:
    membership = services.current_membership_of(student)
    classroom = membership.classroom if membership else None
    ctx = {
        "student": student,
        "profile": people.profile_of(student),
        "membership": membership,
        "classroom": classroom,
        "teachers": services.assignments_of_classroom(classroom) if classroom else [],
        "is_admin": current_user.is_admin,
        "status_labels": STATUS_LABELS,
        "year": current_academic_year(),
        "children": services.children_of(current_user) if current_user.is_parent else [],
        "photos": _photos_of(student),
    }
    if current_user.is_admin or current_user.is_teacher:
        ctx["history"] = services.membership_history(student)
        ctx.update(_family_context(student))
    if current_user.is_admin:
        ctx["parent_form"] = parent_form or LinkParentForm(formdata=None)
        if place_form is None:
            place_form = PlaceStudentForm(formdata=None)
            place_form.classroom_id.data = classroom.id if classroom else None
        place_form.classroom_id.choices = _classroom_choices(_("— not in a classroom —"))
        ctx["place_form"] = place_form
        _current, next_level, targets = people.promotion_targets(student)
        ctx["promotion"] = {"next_level": next_level, "targets": targets,
                            "default": next((c.id for c in targets if classroom and c.number == classroom.number),
                                            None)}
    return ctx


def _parents_panel(student: User, parent_form=None):
    """The student page's parents panel; with a posted form, its messages (422 for htmx)."""
    return render_form("school/student.html", "school/_parents.html", failed=parent_form is not None,
                       **_detail_context(student, parent_form=parent_form))


def _photos_of(student: User) -> dict:
    # upward call (pyproject.toml's import contract lists it)
    from lms.profiles.services import photo_versions

    return photo_versions([student.id])


def _family_context(student: User) -> dict:
    """Issue 15.5/15.7: parents with their phones (staff), the family code, invite and contact forms (admins)."""
    from lms.profiles.services import phones_of  # upward call (pyproject.toml's import contract lists it)

    parents = services.parents_of(student)
    ctx = {"parents": parents, "parent_phones": phones_of([p.id for p in parents])}
    if current_user.is_admin:
        # upward call (pyproject.toml's import contract lists it)
        from lms.profiles.contact import contact_context

        ctx.update(invite_form=InviteParentForm(formdata=None), family_code=current_code(student),
                   **contact_context(student))
    return ctx


@bp.route("/students/<int:student_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit(student_id):
    student = services.get_student_for(current_user, student_id)
    profile = people.profile_of(student)
    form = StudentEditForm(obj=student if request.method == "GET" else None)
    form.status.choices = choices([(s, STATUS_LABELS[s]) for s in STUDENT_STATUSES])
    del form.classroom_id
    if request.method == "GET" and profile is not None:
        form.student_number.data = profile.student_number
        form.date_of_birth.data = profile.date_of_birth
        form.guardian_notes.data = profile.guardian_notes
        form.status.data = profile.status
    if form.validate_on_submit():
        with saving(form) as saved:
            people.update_student(current_user, student, full_name=form.full_name.data, email=form.email.data,
                                  student_number=form.student_number.data, status=form.status.data,
                                  date_of_birth=form.date_of_birth.data, guardian_notes=form.guardian_notes.data,
                                  username=form.username.data or "")
        if saved:
            flash(_("%(name)s was saved.", name=student.full_name), "success")
            return redirect_to(url_for("school.students.detail", student_id=student.id))
        student = services.get_student_for(current_user, student_id)
    return render_form("school/student_form.html", "school/_student_form.html", form=form, student=student)


@bp.route("/students/<int:student_id>/classroom", methods=["POST"])
@allow(Role.ADMIN)
def place(student_id):
    student = services.get_student_for(current_user, student_id)
    form = PlaceStudentForm()
    form.classroom_id.choices = _classroom_choices("")
    if form.validate():
        with saving() as saved:
            if form.classroom_id.data:
                classroom = _classroom_by_id(form.classroom_id.data)
                people.enroll_student(current_user, student, classroom)
                message = _("%(name)s is now in %(classroom)s.", name=student.full_name, classroom=classroom_label(classroom))
            else:
                people.withdraw_student(current_user, student)
                message = _("%(name)s is no longer in a classroom this year.", name=student.full_name)
        if saved:
            flash(message, "success")
    else:
        flash(_("Choose a classroom from the list."), "error")
    return redirect_to(url_for("school.students.detail", student_id=student_id))


@bp.route("/students/<int:student_id>/promote", methods=["POST"])
@allow(Role.ADMIN)
def promote(student_id):
    student = services.get_student_for(current_user, student_id)
    classroom = _classroom_by_id(form_int("classroom_id"))
    with saving() as saved:
        membership = people.promote_student(current_user, student, classroom)
        message = (_("%(name)s moved up to %(classroom)s.", name=student.full_name,
                     classroom=classroom_label(membership.classroom))
                   if membership else _("%(name)s has graduated.", name=student.full_name))
    if saved:
        flash(message, "success")
    return redirect_to(url_for("school.students.detail", student_id=student_id))


@bp.route("/students/<int:student_id>/parents", methods=["POST"])
@allow(Role.ADMIN)
def link_parent(student_id):
    student = services.get_student_for(current_user, student_id)
    form = LinkParentForm()
    if form.validate():
        with saving(form) as saved:
            parent = people.find_parent_by_email(form.email.data)
            people.link_parent(current_user, parent, student)
        if saved:
            flash(_("%(parent)s now follows %(student)s.", parent=parent.full_name, student=student.full_name),
                  "success")
            return _parents_panel(student)
    return _parents_panel(services.get_student_for(current_user, student_id), parent_form=form)


@bp.route("/students/<int:student_id>/parents/<int:parent_id>/delete", methods=["POST"])
@allow(Role.ADMIN)
def unlink_parent(student_id, parent_id):
    student = services.get_student_for(current_user, student_id)
    parent = db.session.get(User, parent_id)
    if parent is None:
        raise NotFound(_("That parent is not linked to this student."))
    people.unlink_parent(current_user, parent, student)
    db.session.commit()
    flash(_("%(parent)s no longer follows %(student)s.", parent=parent.full_name, student=student.full_name),
          "success")
    return _parents_panel(student)


@bp.route("/students/<int:student_id>/delete", methods=["GET", "POST"])
@allow(Role.ADMIN)
def delete(student_id):
    """Delete a student created by mistake (no work, no history); otherwise explain and offer Deactivate."""
    student = services.get_student_for(current_user, student_id)
    if request.method == "POST":
        name = student.full_name
        with saving() as saved:
            deletion.delete_student(current_user, student)
        if saved:
            flash(_("%(name)s was deleted.", name=name), "success")
            return redirect_to(url_for("school.students.index"))
        student = services.get_student_for(current_user, student_id)
    reasons = deletion.deletion_blockers(student)
    return render("school/student_delete.html", status=422 if reasons and request.method == "POST" else 200,
                  student=student, reasons=reasons, goes=deletion.what_goes(student))


@bp.route("/my/children")
@allow(Role.PARENT)
def my_children():
    children = services.children_of(current_user)
    if len(children) == 1:
        return redirect_to(url_for("school.students.detail", student_id=children[0].id), status=302)
    rooms = {child.id: services.current_classroom_of(child) for child in children}
    return render("school/my_children.html", children=children, rooms=rooms)
