"""A student's data: the export (a zip, streamed) and the erasure of a student who left (admins)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.audit.services import record
from lms.auth.models import Role
from lms.common.access import allow
from lms.common.formviews import saving
from lms.common.htmx import redirect_to, render, render_form_errors
from lms.common.types import utcnow
from lms.extensions import db
from lms.privacy import erase as erasure
from lms.privacy import export as exporting
from lms.privacy.forms import EraseStudentForm
from lms.school import people, services

bp = Blueprint("privacy", __name__)


@bp.route("/students/<int:student_id>/export", methods=["POST"])
@allow(Role.ADMIN)
def export(student_id):
    """Everything about the student as a zip, streamed while it is written (audited first)."""
    student = services.get_student_for(current_user, student_id)
    document, files = exporting.build(student, current_user)
    record(current_user, "student.export", student, files=len(files),
           records=sum(len(rows) for rows in document["records"].values()))
    db.session.commit()
    name = f"student-{student_id}-data-{utcnow():%Y%m%d}.zip"
    response = Response(exporting.stream_zip(document, files), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _erase_context(student, form) -> dict:
    profile = people.profile_of(student)
    refused = erasure.refusal(profile)
    return {"student": student, "profile": profile, "form": form, "refused": refused,
            "summary": None if refused else erasure.summary(student)}


@bp.route("/students/<int:student_id>/erase", methods=["GET", "POST"])
@allow(Role.ADMIN)
def erase(student_id):
    """The confirmation page (what will happen, type the number or name) and the erasure itself."""
    student = services.get_student_for(current_user, student_id)
    form = EraseStudentForm()
    if request.method == "POST":
        if form.validate_on_submit():
            with saving(form) as saved:
                erasure.erase_student(current_user, student, form.confirmation.data)
            if saved:
                flash(_("The student's personal data was erased. Their scores and attendance still count "
                        "in the class figures."), "success")
                return redirect_to(url_for("school.students.detail", student_id=student_id))
            student = services.get_student_for(current_user, student_id)
        return render_form_errors("privacy/erase.html", "privacy/_erase_form.html",
                                  **_erase_context(student, form))
    return render("privacy/erase.html", "privacy/_erase_form.html", **_erase_context(student, form))
