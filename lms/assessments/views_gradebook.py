"""The gradebook (a classroom × a subject; CSV; excusing) and a student's progress page."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.assessments import gradebook, grading, history, services, views_extensions
from lms.assessments.forms import ExtensionForm
from lms.assessments.views_bank import common_context
from lms.auth.models import Role, User
from lms.common.access import allow
from lms.common.csvexport import csv_response
from lms.common.edge import form_checks_text
from lms.common.errors import NotFound
from lms.common.formviews import arg_int, form_int, render_form
from lms.common.htmx import is_htmx, redirect_to, render
from lms.common.navigation import nav_item
from lms.core.academic_year import current_academic_year
from lms.curriculum import services as curriculum
from lms.extensions import db
from lms.school import history as school_history
from lms.school import services as school

bp = Blueprint("gradebook", __name__)

nav_item("assessments.gradebook.index", _l("Gradebook"), Role.ADMIN, Role.TEACHER, order=42,
         group="assessments")
nav_item("assessments.gradebook.my_progress", _l("Progress"), Role.STUDENT, Role.PARENT, order=41)


def _classroom_subject(classroom_id, subject_id):
    """The classroom and one of its subjects, both visible to the actor (404 otherwise)."""
    classroom = school.get_classroom_for(current_user, classroom_id)
    subject = curriculum.get_subject_for(current_user, subject_id)
    belongs = subject.classroom_id == classroom.id or (subject.classroom_id is None
                                                      and subject.level_id == classroom.level_id)
    if not belongs:
        raise NotFound(_("That subject is not taught in this classroom."))
    return classroom, subject


@bp.route("/gradebook")
@allow(Role.ADMIN, Role.TEACHER)
def index():
    classroom_id, subject_id = arg_int("classroom"), arg_int("subject")
    if classroom_id and subject_id:
        return redirect_to(url_for("assessments.gradebook.classroom", classroom_id=classroom_id, subject_id=subject_id),
                           status=302)
    years = school_history.classroom_years(current_user)
    year = request.args.get("year") or current_academic_year()
    this_year = year == current_academic_year()
    # An earlier year's classrooms are archived by the rollover: their gradebooks are read-only.
    classrooms = school.classrooms_of_year(current_user, year, include_archived=not this_year) \
        if year in years else []
    chosen = next((c for c in classrooms if c.id == classroom_id), None) if classroom_id else None
    subjects = [s for s, visible in curriculum.subjects_of_classroom(current_user, chosen,
                                                                     include_archived=not this_year) if visible] \
        if chosen else []
    return render("assessments/gradebook_index.html", "assessments/_gradebook_picker.html",
                  classrooms=classrooms, chosen=chosen, subjects=subjects, years=years, year=year,
                  this_year=this_year)


def _gradebook_page(classroom, subject, status: int = 200):
    book = gradebook.build_gradebook(classroom, subject)
    editable = set() if book.read_only else services.editable_ids(current_user, book.assessments)
    return render("assessments/gradebook.html", "assessments/_gradebook_table.html", status=status, book=book,
                  editable=editable, cell_text=gradebook.cell_text, **common_context())


@bp.route("/classrooms/<int:classroom_id>/gradebook/<int:subject_id>")
@allow(Role.ADMIN, Role.TEACHER)
def classroom(classroom_id, subject_id):
    classroom, subject = _classroom_subject(classroom_id, subject_id)
    return _gradebook_page(classroom, subject)


@bp.route("/classrooms/<int:classroom_id>/gradebook/<int:subject_id>.csv")
@allow(Role.ADMIN, Role.TEACHER)
def export(classroom_id, subject_id):
    classroom, subject = _classroom_subject(classroom_id, subject_id)
    book = gradebook.build_gradebook(classroom, subject)
    name = f"gradebook-{classroom.name.replace('/', '-')}-{subject.id}.csv"
    return csv_response(name, *gradebook.gradebook_table(book))


@bp.route("/classrooms/<int:classroom_id>/gradebook/<int:subject_id>/excuse", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def excuse(classroom_id, subject_id):
    classroom, subject = _classroom_subject(classroom_id, subject_id)
    assessment, student = _gradebook_pair(classroom, subject, form_int("assessment_id"), form_int("student_id"))
    excused = request.form.get("excused", "1") == "1"
    grading.set_excused(current_user, assessment, student, excused)
    db.session.commit()
    flash(_("%(name)s is excused from “%(title)s”.", name=student.full_name, title=assessment.title) if excused
          else _("%(name)s is no longer excused from “%(title)s”.", name=student.full_name, title=assessment.title),
          "success")
    if not is_htmx():
        return redirect_to(url_for("assessments.gradebook.classroom", classroom_id=classroom.id, subject_id=subject.id))
    return _gradebook_page(classroom, subject)


# --- extensions -----------------------------------------------------------------------------------------


def _gradebook_pair(classroom, subject, assessment_id, student_id):
    """An assessment and a student of this gradebook (404 otherwise; last year's assessments are
    not in this year's gradebook)."""
    students = gradebook.gradebook_students(classroom)
    start = None if school_history.is_past(classroom) else school_history.current_year_start()
    assessment = next((a for a in gradebook.gradebook_assessments(classroom, subject, [u.id for u in students], start)
                       if a.id == assessment_id), None)
    student = next((u for u in students if u.id == student_id), None)
    if assessment is None or student is None:
        raise NotFound(_("That student or assessment is not in this gradebook."))
    gradebook.require_current(classroom)
    return assessment, student


def _extension_urls(classroom, subject, assessment, student) -> dict:
    return {"save_url": url_for("assessments.gradebook.extension", classroom_id=classroom.id, subject_id=subject.id),
            "remove_url": url_for("assessments.gradebook.remove_extension", classroom_id=classroom.id,
                                  subject_id=subject.id),
            "list_target": "#gradebook-table", "hidden": {"assessment_id": assessment.id, "student_id": student.id}}


def _after_extension_change(classroom, subject):
    book = gradebook.build_gradebook(classroom, subject)
    return views_extensions.list_answer(
        "assessments/gradebook.html", "assessments/_gradebook_table.html", "#gradebook-table",
        url_for("assessments.gradebook.classroom", classroom_id=classroom.id, subject_id=subject.id), book=book,
        editable=services.editable_ids(current_user, book.assessments), cell_text=gradebook.cell_text,
        **common_context())


@bp.route("/classrooms/<int:classroom_id>/gradebook/<int:subject_id>/extension", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.TEACHER)
@form_checks_text
def extension(classroom_id, subject_id):
    classroom, subject = _classroom_subject(classroom_id, subject_id)
    assessment, student = _gradebook_pair(classroom, subject, form_int("assessment_id") or arg_int("assessment_id"),
                                          form_int("student_id") or arg_int("student_id"))
    services.require_edit_assessment(current_user, assessment)
    form = ExtensionForm()
    if views_extensions.save(form, assessment, student):
        return _after_extension_change(classroom, subject)
    return render_form("assessments/extension_page.html", views_extensions.FORM_FRAGMENT,
                       **views_extensions.form_context(assessment, student, form if form.is_submitted() else None,
                                                       **_extension_urls(classroom, subject, assessment, student)))


@bp.route("/classrooms/<int:classroom_id>/gradebook/<int:subject_id>/extension/remove", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def remove_extension(classroom_id, subject_id):
    classroom, subject = _classroom_subject(classroom_id, subject_id)
    assessment, student = _gradebook_pair(classroom, subject, form_int("assessment_id"), form_int("student_id"))
    views_extensions.removed(assessment, student)
    return _after_extension_change(classroom, subject)


# --- progress -----------------------------------------------------------------------------------------


def _chosen_year(years: list[str]) -> str:
    """The year asked for in the query string (default: this year, or the latest one the viewer
    may read); 404 when it is not one of ``years``."""
    current = current_academic_year()
    year = request.args.get("year") or (current if current in years else next(iter(years), ""))
    if year not in years:
        raise NotFound(_("That academic year is not in this student's history."))
    return year


@bp.route("/students/<int:student_id>/progress")
@allow(Role.ADMIN, Role.TEACHER, Role.STUDENT, Role.PARENT)
def progress(student_id):
    """A student's progress in one academic year: this year by default, every past year with work
    (read-only) in the year choice."""
    student, allowed = school_history.student_for_history(current_user, student_id)
    years = history.progress_years(student, allowed)
    year = _chosen_year(years)
    classrooms = school_history.classrooms_in_year(student, year)
    children = school.children_of(current_user) if current_user.role == Role.PARENT else []
    return render("assessments/progress.html", "assessments/_progress.html", student=student, children=children,
                  subjects=gradebook.student_progress(current_user, student, year), years=years, year=year,
                  past=year < current_academic_year(), classrooms=classrooms, cell_text=gradebook.cell_text,
                  **common_context())


@bp.route("/my/progress")
@allow(Role.STUDENT, Role.PARENT)
def my_progress():
    if current_user.role == Role.STUDENT:
        target: User | None = current_user
    else:
        children = school.children_of(current_user)
        target = children[0] if children else None
    if target is None:
        return render("assessments/progress.html", student=None, children=[], subjects=[], classrooms=[],
                      years=[], year=None, past=False, cell_text=gradebook.cell_text, **common_context())
    return redirect_to(url_for("assessments.gradebook.progress", student_id=target.id), status=302)
