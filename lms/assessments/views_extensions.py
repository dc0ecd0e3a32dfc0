"""Extensions from the assessment's page: the list of students with one, and granting, changing or
removing one for any student the assessment is for (``lms.assessments.extensions``).  The
gradebook's extension links (``views_gradebook``) use the same form and answers.

The form (``_extension_form.html``, ``#extension-panel``) is swapped in place with its messages
(422); once saved, htmx gets the list it came from (``HX-Retarget``: the assessment's extension list
or the gradebook table), a plain post is redirected there.
"""

from __future__ import annotations

from flask import Blueprint, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.assessments import extensions, services
from lms.assessments.forms import ExtensionForm
from lms.assessments.views_bank import editable_assessment
from lms.auth.models import Role
from lms.common.access import allow
from lms.common.edge import form_checks_text
from lms.common.formviews import arg_int, form_int, render_form, saving
from lms.common.htmx import is_htmx, redirect_to, render

bp = Blueprint("extensions", __name__)

FORM_FRAGMENT = "assessments/_extension_form.html"
LIST_FRAGMENT = "assessments/_extensions.html"


def form_context(assessment, student, form: ExtensionForm | None = None, **urls) -> dict:
    """The extension form of ``student`` (filled from their extension on first display).  ``urls``:
    ``save_url``, ``remove_url``, ``list_target`` and the ``hidden`` fields the form posts."""
    extension = extensions.extension_of(assessment.id, student.id)
    if form is None:
        form = ExtensionForm(formdata=None)
        form.fill(extension)
    return {"assessment": assessment, "student": student, "extension": extension, "form": form, **urls}


def save(form: ExtensionForm, assessment, student) -> bool:
    """Grant or change the extension from a submitted form; False (the form has the messages) when refused."""
    if not form.validate_on_submit():
        return False
    with saving(form) as saved:
        extensions.grant_extension(current_user, assessment, student, due_at=form.due_at.data,
                                   extra_attempts=form.extra_attempts.data, reason=form.reason.data)
    if saved:
        flash(_("%(name)s has an extension for “%(title)s”.", name=student.full_name, title=assessment.title),
              "success")
    return bool(saved)


def removed(assessment, student) -> None:
    with saving() as saved:
        extensions.remove_extension(current_user, assessment, student)
    if saved:
        flash(_("%(name)s no longer has an extension for “%(title)s”.", name=student.full_name,
                title=assessment.title), "success")


def list_answer(page: str, fragment: str, target: str, url: str, **context):
    """After a change: htmx gets the list (in ``target``), a plain post goes to ``url``."""
    if not is_htmx():
        return redirect_to(url)
    response = render(page, fragment, **context)
    response.headers["HX-Retarget"] = target
    return response


# --- the assessment's page --------------------------------------------------------------------------------


def _list_context(assessment) -> dict:
    return {"assessment": assessment, "extension_rows": extensions.extensions_of(assessment),
            "candidates": extensions.extension_candidates(current_user, assessment)}


def _urls(assessment) -> dict:
    return {"save_url": url_for("assessments.extensions.edit", assessment_id=assessment.id),
            "remove_url": url_for("assessments.extensions.remove", assessment_id=assessment.id),
            "list_target": "#assessment-extensions"}


def _assessment_and_student(assessment_id, student_id):
    assessment = editable_assessment(assessment_id)
    return assessment, extensions.extension_student(current_user, assessment, student_id)


@bp.route("/assessments/<int:assessment_id>/extensions")
@allow(Role.ADMIN, Role.TEACHER)
def index(assessment_id):
    assessment = services.get_assessment_for(current_user, assessment_id)
    services.require_edit_assessment(current_user, assessment)
    return render("assessments/extensions.html", LIST_FRAGMENT, **_list_context(assessment))


@bp.route("/assessments/<int:assessment_id>/extensions/edit", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.TEACHER)
@form_checks_text
def edit(assessment_id):
    assessment, student = _assessment_and_student(assessment_id, form_int("student_id") or arg_int("student_id"))
    urls = {**_urls(assessment), "hidden": {"student_id": student.id}}
    form = ExtensionForm()
    if save(form, assessment, student):
        return list_answer("assessments/extensions.html", LIST_FRAGMENT, "#assessment-extensions",
                           url_for("assessments.extensions.index", assessment_id=assessment.id),
                           **_list_context(assessment))
    return render_form("assessments/extension_page.html", FORM_FRAGMENT,
                       **form_context(assessment, student, form if form.is_submitted() else None, **urls))


@bp.route("/assessments/<int:assessment_id>/extensions/remove", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def remove(assessment_id):
    assessment, student = _assessment_and_student(assessment_id, form_int("student_id"))
    removed(assessment, student)
    return list_answer("assessments/extensions.html", LIST_FRAGMENT, "#assessment-extensions",
                       url_for("assessments.extensions.index", assessment_id=assessment.id),
                       **_list_context(assessment))
