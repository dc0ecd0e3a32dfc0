"""Import and export: whole assessments as JSON, questions as Moodle GIFT."""

from __future__ import annotations

import re

from flask import Blueprint, Response, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.assessments import authoring, gift, interchange, services
from lms.assessments.forms import ImportForm
from lms.auth.models import Role
from lms.common.access import allow
from lms.common.errors import ValidationFailed
from lms.common.formviews import render_form, saving
from lms.common.htmx import redirect_to

bp = Blueprint("interchange", __name__)


def _filename(assessment, extension: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", assessment.title).strip("-")[:60] or "assessment"
    return f"{stem}-{assessment.id}.{extension}"


@bp.route("/assessments/<int:assessment_id>/export.json")
@allow(Role.ADMIN, Role.TEACHER)
def export_json(assessment_id):
    assessment = services.get_assessment_for(current_user, assessment_id)
    return Response(interchange.export_json(assessment), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{_filename(assessment, "json")}"'})


@bp.route("/assessments/<int:assessment_id>/export.gift")
@allow(Role.ADMIN, Role.TEACHER)
def export_gift(assessment_id):
    assessment = services.get_assessment_for(current_user, assessment_id)
    text = gift.export_gift(assessment, services.questions_of(assessment.id))
    return Response(text, content_type="text/plain; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{_filename(assessment, "gift.txt")}"'})


@bp.route("/assessments/import", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.TEACHER)
def import_assessment():
    form = ImportForm() if request.method == "POST" else ImportForm(formdata=None)
    errors: list[str] = []
    if request.method == "POST" and form.validate():
        upload = request.files.get("file")
        raw = upload.read(interchange.MAX_IMPORT_BYTES + 1) if upload is not None and upload.filename else \
            (form.text.data or "").encode("utf-8")
        text = raw.decode("utf-8-sig", errors="replace").lstrip()
        with saving(quiet=True, catch=ValidationFailed) as saved:
            if not text:
                raise ValidationFailed(_("Choose a file or paste an exported assessment or GIFT questions."))
            if text.startswith("{"):
                assessment = interchange.import_json(current_user, raw)
            else:
                items = gift.parse_gift(raw)
                title = (form.title.data or "").strip() or (upload.filename.rsplit(".", 1)[0]
                                                            if upload is not None and upload.filename else "")
                if not title:
                    raise ValidationFailed(_("Give a title for the new assessment."), field="title")
                assessment = services.create_assessment(current_user, title)
                authoring.add_questions(current_user, assessment, items)
        if saved:
            flash(_("“%(title)s” was imported as a draft in the bank.", title=assessment.title), "success")
            return redirect_to(url_for("assessments.detail", assessment_id=assessment.id))
        errors = saved.messages
    return render_form("assessments/import.html", "assessments/_import_form.html", form=form, errors=errors)
