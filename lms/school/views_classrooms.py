"""Classrooms: the list by level, a classroom's page, teachers' "my classes"."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from lms.auth.models import Role, User, normalise_email
from lms.common.access import allow
from lms.common.errors import NotFound, ValidationFailed
from lms.common.formviews import render_form, saving
from lms.common.htmx import redirect_to, render
from lms.common.labels import classroom_label, level_label, level_name
from lms.common.navigation import nav_item
from lms.core.academic_year import current_academic_year
from lms.core.organization import current_organization
from lms.extensions import db
from lms.school import class_codes, people, services
from lms.school.forms import AddToClassroomForm, AssignTeacherForm, ClassCodeForm, ClassroomForm, choices
from lms.school.labels import ASSIGNMENT_ROLE, MEMBERSHIP_STATUS
from lms.school.models import Classroom, StudentProfile, TeacherAssignment

bp = Blueprint("classrooms", __name__)

nav_item("school.classrooms.index", _l("Classrooms"), Role.ADMIN, order=20, group="school")
nav_item("school.classrooms.my_classes", _l("My classes"), Role.TEACHER, order=20, group="school")


def _years(current: str) -> list[str]:
    years = set(db.session.scalars(select(Classroom.academic_year).distinct()))
    years.add(current)
    return sorted(years, reverse=True)


def _classroom_form(year: str, formdata=None) -> ClassroomForm:
    form = ClassroomForm(formdata=formdata) if formdata is not None else ClassroomForm(formdata=None)
    form.level_id.choices = choices([(lv.id, f"{level_label(lv)} · {level_name(lv)}") for lv in services.list_levels()])
    if not form.academic_year.data:
        form.academic_year.data = year
    return form


def _list_page(year: str, form=None, status: int = 200):
    classrooms = services.classrooms_of_year(current_user, year)
    ids = [c.id for c in classrooms]
    groups: list[tuple] = []
    for classroom in classrooms:
        if not groups or groups[-1][0].id != classroom.level_id:
            groups.append((classroom.level, []))
        groups[-1][1].append(classroom)
    ctx = {
        "year": year, "current_year": current_academic_year(), "years": _years(year),
        "groups": groups, "counts": services.active_counts(ids), "homerooms": services.homerooms_by_classroom(ids),
        "form": form if form is not None else (_classroom_form(year) if current_user.is_admin else None),
        "limit": current_organization().classes_per_level,
    }
    return render_form("school/classrooms.html", "school/_classrooms.html", failed=status == 422, **ctx)


def _year_arg() -> str:
    return (request.args.get("year") or current_academic_year()).strip()[:20]


@bp.route("/classrooms")
@allow(Role.ADMIN, Role.TEACHER)
def index():
    return _list_page(_year_arg())


@bp.route("/classrooms", methods=["POST"])
@allow(Role.ADMIN)
def create():
    year = _year_arg()
    form = _classroom_form(year, formdata=request.form)
    if not form.validate():
        return _list_page(form.academic_year.data or year, form, 422)
    with saving(form) as saved:
        level = services.get_level(form.level_id.data)
        classroom = services.create_classroom(current_user, level, form.number.data, form.academic_year.data)
    if not saved:
        return _list_page(form.academic_year.data or year, form, 422)
    flash(_("Classroom %(name)s created for %(year)s.", name=classroom_label(classroom), year=classroom.academic_year), "success")
    return _list_page(classroom.academic_year)


@bp.route("/my/classes")
@allow(Role.TEACHER)
def my_classes():
    year = current_academic_year()
    assignments = people.assignments_of_teacher(current_user)
    current = [a for a in assignments if a.classroom.academic_year == year]
    earlier = [a for a in assignments if a.classroom.academic_year != year]
    counts = services.active_counts({a.classroom_id for a in current})
    return render("school/my_classes.html", current=current, earlier=earlier, counts=counts, year=year)


def _detail_context(classroom: Classroom, teacher_form=None, student_form=None) -> dict:
    ctx = {
        "classroom": classroom,
        "assignments": services.assignments_of_classroom(classroom),
        "students": services.roster(classroom),
        "is_admin": current_user.is_admin,
        "class_code": (code := class_codes.code_of(classroom)),
        "class_code_expired": code is not None and class_codes.is_expired(code),
        "registrations": class_codes.pending_of(classroom),
        "class_code_form": ClassCodeForm(formdata=None),
    }
    # Issue 15.5/15.7: photos and parents' phones on the roster (one query each, whatever the size).
    # upward call (pyproject.toml's import contract lists it)
    from lms.profiles.services import parents_by_student, photo_versions

    student_ids = [student.id for student, _profile in ctx["students"]]
    ctx["photos"] = photo_versions(student_ids)
    ctx["roster_parents"] = parents_by_student(student_ids)
    if current_user.is_admin:
        if teacher_form is None:
            teacher_form = AssignTeacherForm(formdata=None)
        teacher_form.teacher_id.choices = choices(
            [(t.id, f"{t.full_name} ({t.email})") for t in people.list_teachers()])
        ctx["teacher_form"] = teacher_form
        ctx["student_form"] = student_form or AddToClassroomForm(formdata=None)
    return ctx


def _panel(classroom: Classroom, fragment: str, **posted_forms):
    """One panel of the classroom page; with a posted form, that form's messages (422 for htmx)."""
    return render_form("school/classroom.html", fragment, failed=bool(posted_forms),
                       **_detail_context(classroom, **posted_forms))


@bp.route("/classrooms/<int:classroom_id>")
@allow(Role.ADMIN, Role.TEACHER)
def detail(classroom_id):
    classroom = services.get_classroom_for(current_user, classroom_id)
    return render("school/classroom.html", **_detail_context(classroom))


@bp.route("/classrooms/<int:classroom_id>/teachers", methods=["POST"])
@allow(Role.ADMIN)
def assign_teacher(classroom_id):
    classroom = services.get_classroom_for(current_user, classroom_id)
    form = AssignTeacherForm()
    form.teacher_id.choices = choices([(t.id, t.full_name) for t in people.list_teachers()])
    if form.validate():
        with saving(form) as saved:
            teacher = db.session.get(User, form.teacher_id.data)
            if teacher is None:
                raise NotFound(_("That teacher does not exist."))
            people.assign_teacher(current_user, teacher, classroom, form.role.data, form.subject_name.data)
        if saved:
            flash(_("%(name)s now teaches in %(classroom)s.", name=teacher.full_name, classroom=classroom_label(classroom)),
                  "success")
            return _panel(classroom, "school/_teachers.html")
    return _panel(services.get_classroom_for(current_user, classroom_id), "school/_teachers.html", teacher_form=form)


@bp.route("/classrooms/<int:classroom_id>/teachers/<int:assignment_id>/delete", methods=["POST"])
@allow(Role.ADMIN)
def unassign_teacher(classroom_id, assignment_id):
    classroom = services.get_classroom_for(current_user, classroom_id)
    assignment = db.session.scalar(select(TeacherAssignment).where(
        TeacherAssignment.id == assignment_id, TeacherAssignment.classroom_id == classroom.id))
    if assignment is None:
        raise NotFound(_("That assignment does not exist."))
    name = assignment.teacher.full_name
    people.unassign_teacher(current_user, assignment)
    db.session.commit()
    flash(_("%(name)s no longer teaches in %(classroom)s.", name=name, classroom=classroom_label(classroom)), "success")
    return _panel(classroom, "school/_teachers.html")


def _find_student(text: str) -> User:
    text = (text or "").strip()
    student = db.session.scalar(select(User).outerjoin(StudentProfile, StudentProfile.user_id == User.id).where(
        User.role == Role.STUDENT,
        (StudentProfile.student_number == text) | (User.email == normalise_email(text))
        | (User.username == normalise_email(text))))
    if student is None:
        raise ValidationFailed(_("No student has the number or email “%(text)s”.", text=text), field="student")
    return student


@bp.route("/classrooms/<int:classroom_id>/students", methods=["POST"])
@allow(Role.ADMIN)
def add_student(classroom_id):
    classroom = services.get_classroom_for(current_user, classroom_id)
    form = AddToClassroomForm()
    if form.validate():
        with saving(form) as saved:
            student = _find_student(form.student.data)
            people.enroll_student(current_user, student, classroom)
        if saved:
            flash(_("%(name)s is now in %(classroom)s.", name=student.full_name, classroom=classroom_label(classroom)), "success")
            return _panel(classroom, "school/_roster.html")
    return _panel(services.get_classroom_for(current_user, classroom_id), "school/_roster.html", student_form=form)


@bp.route("/classrooms/<int:classroom_id>/archive", methods=["POST"])
@allow(Role.ADMIN)
def archive(classroom_id):
    classroom = services.get_classroom_for(current_user, classroom_id)
    archived = request.form.get("archived", "1") == "1"
    services.set_classroom_archived(current_user, classroom, archived)
    db.session.commit()
    flash(_("%(name)s archived.", name=classroom_label(classroom)) if archived else _("%(name)s restored.", name=classroom_label(classroom)),
          "success")
    return redirect_to(url_for("school.classrooms.detail", classroom_id=classroom.id))


@bp.route("/classrooms/<int:classroom_id>/delete", methods=["POST"])
@allow(Role.ADMIN)
def delete(classroom_id):
    classroom = services.get_classroom_for(current_user, classroom_id)
    name, year = classroom_label(classroom), classroom.academic_year
    with saving() as saved:
        services.delete_classroom(current_user, classroom)
    if not saved:
        return redirect_to(url_for("school.classrooms.detail", classroom_id=classroom_id))
    flash(_("%(name)s (%(year)s) deleted.", name=name, year=year), "success")
    return redirect_to(url_for("school.classrooms.index", year=year))


# Used by templates to label roles.
ROLE_LABELS = ASSIGNMENT_ROLE
MEMBERSHIP_LABELS = MEMBERSHIP_STATUS


@bp.app_context_processor
def school_labels():
    return {"assignment_role_labels": ROLE_LABELS, "membership_labels": MEMBERSHIP_LABELS}

# "Prepare sign-in" and login cards (lms.school.views_cards) live on this blueprint
from lms.school import views_cards  # noqa: E402,F401
