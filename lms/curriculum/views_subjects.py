"""Core subjects and subjects: lists, creation, details, teachers, archive; the subject page."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from lms.auth.models import Role, User
from lms.common.access import SIGNED_IN, allow
from lms.common.errors import NotFound
from lms.common.formviews import arg_int, render_form, saving
from lms.common.htmx import redirect_to, render, render_form_errors
from lms.common.markdown import render_markdown
from lms.common.navigation import nav_item
from lms.common.pagination import paginate
from lms.curriculum import services, tree
from lms.curriculum.forms import CoreSubjectForm, SubjectForm, SubjectTeacherForm
from lms.extensions import db
from lms.school.forms import choices
from lms.school.services import list_levels

bp = Blueprint("subjects", __name__)

nav_item("curriculum.subjects.index", _l("Subjects"), Role.ADMIN, Role.TEACHER, Role.STUDENT, Role.PARENT, order=30,
         group="school")


@bp.app_template_filter("markdown")
def markdown_filter(text):
    return render_markdown(text)


@bp.app_context_processor
def curriculum_helpers():
    def classroom_subjects(classroom):
        return services.subjects_of_classroom(current_user, classroom)

    return {"classroom_subjects": classroom_subjects}


# --- core subjects ----------------------------------------------------------------------------


def _core_page(form=None, status=200, editing=None):
    ctx = {"cores": services.list_core_subjects(), "counts": services.subject_counts_by_core(),
           "form": form or CoreSubjectForm(formdata=None), "editing": editing,
           "is_admin": current_user.is_admin}
    return render_form("curriculum/core_subjects.html", "curriculum/_core_subjects.html", failed=status == 422, **ctx)


@bp.route("/core-subjects")
@allow(Role.ADMIN, Role.TEACHER)
def core_index():
    return _core_page()


@bp.route("/core-subjects", methods=["POST"])
@allow(Role.ADMIN)
def core_create():
    form = CoreSubjectForm()
    if form.validate():
        with saving(form) as saved:
            core = services.create_core_subject(current_user, form.name.data, form.description.data)
        if saved:
            flash(_("Core subject %(name)s added.", name=core.name), "success")
            return _core_page()
    return _core_page(form, 422)


@bp.route("/core-subjects/<int:core_id>", methods=["POST"])
@allow(Role.ADMIN)
def core_update(core_id):
    core = services.get_core_subject(core_id)
    form = CoreSubjectForm(prefix=f"core{core.id}", meta={"csrf": False})  # CSRFProtect checks the request
    if form.validate():
        with saving(form) as saved:
            services.update_core_subject(current_user, core, form.name.data, form.description.data,
                                         archived=form.archived.data)
        if saved:
            flash(_("Core subject %(name)s saved.", name=core.name), "success")
            return _core_page()
    return _core_page(status=422, editing=(core_id, form))


@bp.route("/core-subjects/<int:core_id>/delete", methods=["POST"])
@allow(Role.ADMIN)
def core_delete(core_id):
    core = services.get_core_subject(core_id)
    name = core.name
    services.delete_core_subject(current_user, core)
    db.session.commit()
    flash(_("Core subject %(name)s deleted.", name=name), "success")
    return _core_page()


# --- subject list -----------------------------------------------------------------------------


@bp.route("/subjects")
@allow(SIGNED_IN)
def index():
    filters = {"q": request.args.get("q", "").strip()[:100], "level_id": arg_int("level"),
               "core_id": arg_int("core"), "teacher_id": arg_int("teacher"),
               "archived": request.args.get("archived", "")}
    page = paginate(services.subject_list_query(current_user, **filters), per_page=30)
    progress = {}
    if current_user.role == Role.STUDENT:
        progress = services.progress_by_subject(current_user, [s.id for s in page.items])
    ctx = {
        "results": page, "filters": filters, "progress": progress,
        "levels": list_levels(), "cores": services.list_core_subjects(),
        "teachers": services.list_teachers() if current_user.is_admin else [],
        "staff": current_user.role in (Role.ADMIN, Role.TEACHER),
    }
    return render("curriculum/subjects.html", "curriculum/_subject_list.html", **ctx)


# --- create and edit --------------------------------------------------------------------------


def _subject_form(formdata=None, subject=None) -> SubjectForm:
    form = SubjectForm(formdata=formdata) if formdata is not None else SubjectForm(formdata=None, obj=subject)
    cores = services.list_core_subjects(include_archived=False)
    if subject is not None and subject.core_subject.archived:
        cores.append(subject.core_subject)
    form.core_subject_id.choices = choices([("", _("Choose…"))] + [(c.id, c.name) for c in cores])
    audiences = services.audiences_for(current_user)
    if subject is not None:
        current = services.Audience(subject.level, subject.classroom)
        if all(a.value != current.value for a in audiences):
            audiences.insert(0, current)
        if formdata is None:
            form.audience.data = current.value
    form.audience.choices = choices([("", _("Choose…"))] + [(a.value, a.label) for a in audiences])
    return form


def _audience(value: str, subject=None):
    if subject is not None:
        current = services.Audience(subject.level, subject.classroom)
        if value == current.value:
            return current
    return services.resolve_audience(current_user, value)


@bp.route("/subjects/new", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.TEACHER)
def create():
    if request.method == "GET":
        return render("curriculum/subject_form.html", form=_subject_form(), subject=None)
    form = _subject_form(formdata=request.form)
    if form.validate():
        with saving(form) as saved:
            core = services.get_core_subject(form.core_subject_id.data)
            subject = services.create_subject(current_user, core, _audience(form.audience.data),
                                              form.name.data, form.description.data)
        if saved:
            flash(_("Subject %(name)s created.", name=subject.name), "success")
            return redirect_to(url_for("curriculum.subjects.detail", subject_id=subject.id))
    return render_form_errors("curriculum/subject_form.html", form=form, subject=None)


@bp.route("/subjects/<int:subject_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.TEACHER)
def edit(subject_id):
    subject = services.get_subject_for(current_user, subject_id)
    services.require_edit(current_user, subject)
    if request.method == "GET":
        return render("curriculum/subject_form.html", form=_subject_form(subject=subject), subject=subject)
    form = _subject_form(formdata=request.form, subject=subject)
    if form.validate():
        with saving(form) as saved:
            core = services.get_core_subject(form.core_subject_id.data)
            services.update_subject(current_user, subject, name=form.name.data or subject.name,
                                    description=form.description.data, core=core,
                                    audience=_audience(form.audience.data, subject))
        if saved:
            flash(_("Subject %(name)s saved.", name=subject.name), "success")
            return redirect_to(url_for("curriculum.subjects.detail", subject_id=subject.id))
    subject = services.get_subject_for(current_user, subject_id)
    return render_form_errors("curriculum/subject_form.html", form=form, subject=subject)


@bp.route("/subjects/<int:subject_id>/archive", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def archive(subject_id):
    subject = services.get_subject_for(current_user, subject_id)
    archived = request.form.get("archived", "1") == "1"
    services.set_subject_archived(current_user, subject, archived)
    db.session.commit()
    flash(_("Subject %(name)s archived.", name=subject.name) if archived else
          _("Subject %(name)s restored.", name=subject.name), "success")
    return redirect_to(url_for("curriculum.subjects.detail", subject_id=subject.id))


# --- the subject page -------------------------------------------------------------------------


def _teacher_form(form=None):
    form = form or SubjectTeacherForm(formdata=None)
    form.teacher_id.choices = choices([("", _("Choose…"))] + [(t.id, f"{t.full_name} ({t.email})")
                                                               for t in services.list_teachers()])
    return form


def subject_context(subject, **extra) -> dict:
    """What the subject page needs (the tree in a fixed number of queries)."""
    # upward call (pyproject.toml's import contract lists it)
    from lms.resources.services import usage_by_section

    editable = services.can_edit_subject(current_user, subject)
    learner = services.is_learner(current_user)
    subject_tree = tree.subject_tree(subject, published_only=learner)
    ctx = {"subject": subject, "tree": subject_tree, "editable": editable, "learner": learner,
           "is_admin": current_user.is_admin}
    if editable:
        ctx["delete_warnings"] = tree.delete_warnings(
            subject_tree, usage_by_section([s.id for s in subject_tree.sections()]))
    if current_user.role == Role.STUDENT:
        sections = subject_tree.sections()
        ctx["done"] = services.done_section_ids(current_user, [s.id for s in sections])
        ctx["progress"] = services.Progress(len(ctx["done"]), len(sections))
    if current_user.is_admin:
        ctx["teacher_form"] = _teacher_form(extra.pop("teacher_form", None))
    ctx.update(extra)
    return ctx


@bp.route("/subjects/<int:subject_id>")
@allow(SIGNED_IN)
def detail(subject_id):
    subject = services.get_subject_for(current_user, subject_id)
    return render("curriculum/subject.html", **subject_context(subject))


def _teachers_panel(subject_id, teacher_form=None):
    """The subject's teachers, read again after the commit or rollback; a posted form shows its messages."""
    subject = services.get_subject_for(current_user, subject_id)
    return render_form("curriculum/subject.html", "curriculum/_subject_teachers.html",
                       failed=teacher_form is not None, **subject_context(subject, teacher_form=teacher_form))


@bp.route("/subjects/<int:subject_id>/teachers", methods=["POST"])
@allow(Role.ADMIN)
def add_teacher(subject_id):
    subject = services.get_subject_for(current_user, subject_id)
    form = _teacher_form(SubjectTeacherForm())
    if form.validate():
        with saving(form) as saved:
            teacher = db.session.scalar(select(User).where(User.id == form.teacher_id.data))
            if teacher is None:
                raise NotFound(_("That teacher does not exist."))
            services.add_subject_teacher(current_user, subject, teacher)
        if saved:
            flash(_("%(name)s now teaches %(subject)s.", name=teacher.full_name, subject=subject.name), "success")
            return _teachers_panel(subject_id)
    return _teachers_panel(subject_id, teacher_form=form)


@bp.route("/subjects/<int:subject_id>/teachers/<int:teacher_id>/delete", methods=["POST"])
@allow(Role.ADMIN)
def remove_teacher(subject_id, teacher_id):
    subject = services.get_subject_for(current_user, subject_id)
    services.remove_subject_teacher(current_user, subject, teacher_id)
    db.session.commit()
    flash(_("The teacher was removed from %(subject)s.", subject=subject.name), "success")
    return _teachers_panel(subject_id)
