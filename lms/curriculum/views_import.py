"""Table-of-contents import: paste an outline, preview the tree (htmx), create it."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.auth.models import Role
from lms.common.access import allow
from lms.common.errors import ValidationFailed
from lms.common.formviews import render_form
from lms.common.htmx import redirect_to, render, render_form_errors
from lms.curriculum import outline, services
from lms.curriculum.forms import OutlineForm
from lms.extensions import db

bp = Blueprint("import", __name__)

EXAMPLE = _l("""1 Numbers to 100
1.1 Counting
1.1.1 Counting in ones
1.1.2 Counting in tens
1.2 Comparing numbers
2 Shapes
2.1 Flat shapes""")


def _editable(subject_id):
    subject = services.get_subject_for(current_user, subject_id)
    services.require_edit(current_user, subject)
    return subject


@bp.route("/subjects/<int:subject_id>/import-outline", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.TEACHER)
def import_outline(subject_id):
    subject = _editable(subject_id)
    if request.method == "GET":
        return render("curriculum/import.html", subject=subject, form=OutlineForm(formdata=None), plan=None,
                      example=EXAMPLE)
    form = OutlineForm()
    ctx = {"subject": subject, "form": form, "plan": None, "example": EXAMPLE}
    if not form.validate():
        return render_form_errors("curriculum/import.html", "curriculum/_import_preview.html", **ctx)
    create = request.form.get("action") == "create"
    try:
        if create:
            result = outline.import_outline(current_user, subject, form.outline.data)
        else:
            result = outline.plan(subject, form.outline.data)
    except ValidationFailed as err:
        db.session.rollback()
        if err.field == "outline" and "lines" in err.details:
            ctx["plan"] = outline.plan(subject, form.outline.data)
        form.outline.errors = [*form.outline.errors, err.message]
        return render_form_errors("curriculum/import.html", "curriculum/_import_preview.html", **ctx)
    if create:
        db.session.commit()
        counts = result.new_counts
        if result.nothing_new:
            flash(_("Nothing new: every title of the outline is already in the subject."), "info")
        else:
            flash(_("Created %(units)s units, %(parts)s parts and %(sections)s sections (not published yet).",
                    units=counts["unit"], parts=counts["part"], sections=counts["section"]), "success")
        return redirect_to(url_for("curriculum.subjects.detail", subject_id=subject.id))
    ctx["plan"] = result
    return render_form("curriculum/import.html", "curriculum/_import_preview.html", failed=bool(result.errors), **ctx)
