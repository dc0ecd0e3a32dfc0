"""``/students/import``: upload a CSV, preview it row by row, import all or nothing."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms.auth.models import Role
from lms.common.access import allow
from lms.common.csvexport import csv_response
from lms.common.errors import ValidationFailed
from lms.common.formviews import attach_error, render_form
from lms.common.htmx import redirect_to
from lms.core.academic_year import current_academic_year
from lms.extensions import db
from lms.school import student_csv
from lms.school.forms import ImportForm

bp = Blueprint("import", __name__, url_prefix="/students/import")


def _page(form, preview=None, *, status: int = 200):
    ctx = {"form": form, "preview": preview, "columns": student_csv.COLUMNS,
           "year": current_academic_year()}
    return render_form("school/import.html", "school/_import_preview.html", failed=status == 422, **ctx)


@bp.route("", methods=["GET", "POST"])
@allow(Role.ADMIN)
def upload():
    form = ImportForm()
    if request.method == "GET":
        return _page(form)
    upload = request.files.get("file")
    if not form.validate() or upload is None or not upload.filename:
        form.file.errors = [*form.file.errors, _("Choose a CSV file to upload.")]
        return _page(form, status=422)
    data = upload.read(student_csv.MAX_BYTES + 1)
    try:
        preview = student_csv.check_import(current_user, data)
    except ValidationFailed as err:
        attach_error(form, err)
        return _page(form, status=422)
    if preview.ok:
        preview.token = student_csv.stash_upload(current_user, data)
    return _page(form, preview, status=200 if preview.ok else 422)


@bp.route("/confirm", methods=["POST"])
@allow(Role.ADMIN)
def confirm():
    form = ImportForm()
    token = request.form.get("token", "")
    try:
        data = student_csv.load_stash(current_user, token)
        count = student_csv.import_students(current_user, data, source=request.form.get("filename", ""))
    except student_csv.ImportRejected as err:
        db.session.rollback()
        form.form_errors.append(err.message)
        return _page(form, err.preview, status=422)
    except ValidationFailed as err:
        db.session.rollback()
        attach_error(form, err)
        return _page(form, status=422)
    db.session.commit()
    student_csv.drop_stash(current_user, token)
    flash(ngettext("%(count)s student was imported.", "%(count)s students were imported.", count, count=count), "success")
    return redirect_to(url_for("school.students.index"))


@bp.route("/template.csv")
@allow(Role.ADMIN)
def template():
    return csv_response("students-template.csv", student_csv.COLUMNS, [student_csv.TEMPLATE_EXAMPLE])
