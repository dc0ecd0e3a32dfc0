"""Sections: the reading page (phones first), "mark as done", the content editor and the
section's ordered resources."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.models import Role
from lms.auth.view_as import viewing as viewing_as_someone
from lms.common.access import SIGNED_IN, allow
from lms.common.errors import ValidationFailed
from lms.common.formviews import saved_answer, saving
from lms.common.htmx import is_htmx, redirect_to, render, render_form_errors
from lms.common.markdown import render_markdown
from lms.curriculum import services, tree, visits
from lms.curriculum.forms import SectionForm
from lms.extensions import db
from lms.resources import services as resources
from lms.resources.forms import ResourceForm

bp = Blueprint("sections", __name__)


def _reading_context(section) -> dict:
    subject = services.subject_of(section)
    learner = services.is_learner(current_user)
    subject_tree = tree.subject_tree(subject, published_only=learner)
    previous, following = tree.neighbours(subject_tree, section)
    ctx = {
        "section": section, "part": section.part, "unit": section.part.unit, "subject": subject,
        "previous": previous, "next": following,
        # Images already shown inside the text are not repeated below it.
        "resources": [r for r in resources.section_resources([section.id])[section.id]
                      if f"/resources/{r.id}/download" not in (section.content or "")],
        "editable": services.can_edit_subject(current_user, subject),
        "done": section.id in services.done_section_ids(current_user, [section.id])
        if current_user.role == Role.STUDENT else False,
        "is_student": current_user.role == Role.STUDENT,
    }
    return ctx


@bp.route("/sections/<int:section_id>")
@allow(SIGNED_IN)
def detail(section_id):
    section = services.get_section_for(current_user, section_id)
    response = render("curriculum/section.html", **_reading_context(section))
    # "continue where I stopped" on the home page; never while an admin views as the student
    if current_user.role == Role.STUDENT and not viewing_as_someone():
        visits.record_visit(current_user, section)
        db.session.commit()
    return response


@bp.route("/sections/<int:section_id>/done", methods=["POST"])
@allow(Role.STUDENT)
def toggle_done(section_id):
    section = services.get_section_for(current_user, section_id)
    done = services.set_section_done(current_user, section, request.form.get("done", "1") == "1")
    db.session.commit()
    if not is_htmx():
        return redirect_to(url_for("curriculum.sections.detail", section_id=section.id))
    return render("curriculum/section.html", "curriculum/_done_toggle.html", section=section, done=done)


# --- editing ----------------------------------------------------------------------------------


def _editor_context(section, form=None, upload_form=None) -> dict:
    form = form or SectionForm(formdata=None, obj=section)
    upload_form = upload_form or ResourceForm(formdata=None, section_id=section.id)
    subject = services.subject_of(section)
    return {
        "section": section, "part": section.part, "unit": section.part.unit, "subject": subject,
        "form": form, "upload_form": upload_form,
        "attached": resources.section_resources([section.id])[section.id],
        "attachable": resources.attachable_resources(current_user, section),
        "preview": render_markdown(form.content.data or ""),
        "limits": resources.size_limits(),
    }


def _editable_section(section_id):
    section = services.get_section_for(current_user, section_id)
    services.require_edit(current_user, services.subject_of(section))
    return section


@bp.route("/sections/<int:section_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.TEACHER)
def edit(section_id):
    section = _editable_section(section_id)
    if request.method == "GET":
        return render("curriculum/section_edit.html", **_editor_context(section))
    form = SectionForm()
    if form.validate():
        with saving(form) as saved:
            tree.update_section(current_user, section, form.title.data, form.content.data)
        if saved:
            return saved_answer(_("Section saved."), url_for("curriculum.sections.edit", section_id=section.id),
                                "curriculum/section_edit.html", "curriculum/_section_form.html",
                                lambda: _editor_context(section, form=form))
    section = _editable_section(section_id)
    return render_form_errors("curriculum/section_edit.html", "curriculum/_section_form.html",
                              **_editor_context(section, form=form))


@bp.route("/sections/<int:section_id>/preview", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def preview(section_id):
    _editable_section(section_id)
    return render("curriculum/_preview.html", preview=render_markdown(request.form.get("content", "")))


# --- resources in a section -------------------------------------------------------------------


def _resources_answer(section, *, status: int = 200):
    if not is_htmx():
        return redirect_to(url_for("curriculum.sections.edit", section_id=section.id))
    return render("curriculum/section_edit.html", "curriculum/_section_resources.html", status=status,
                  **_editor_context(section))


def _resource_action(section_id, action):
    section = _editable_section(section_id)
    with saving(catch=ValidationFailed) as saved:
        message = action(section)
    if not saved:
        return _resources_answer(_editable_section(section_id), status=422)
    if message:
        flash(message, "success")
    return _resources_answer(section)


@bp.route("/sections/<int:section_id>/resources", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def attach(section_id):
    def action(section):
        value = request.form.get("resource_id", "")
        if not value:
            raise ValidationFailed(_("Choose a resource to add."), field="resource_id")
        resource = resources.get_resource_for(current_user, value)
        resources.attach(current_user, section, resource)
        return _("“%(title)s” added to the section.", title=resource.title)

    return _resource_action(section_id, action)


@bp.route("/sections/<int:section_id>/resources/<int:resource_id>/detach", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def detach(section_id, resource_id):
    def action(section):
        resources.detach(current_user, section, resource_id)
        return _("The resource was removed from the section (it stays in the library).")

    return _resource_action(section_id, action)


@bp.route("/sections/<int:section_id>/resources/<int:resource_id>/move", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def move_resource(section_id, resource_id):
    def action(section):
        resources.step(current_user, section, resource_id, request.form.get("direction", ""))

    return _resource_action(section_id, action)


@bp.route("/sections/<int:section_id>/resources/order", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def order_resources(section_id):
    def action(section):
        resources.reorder(current_user, section, request.form.getlist("resource_id"))

    return _resource_action(section_id, action)
