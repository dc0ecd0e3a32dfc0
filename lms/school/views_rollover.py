"""The year-end rollover wizard: preview, untick repeaters, run, summary, undo (administrators)."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.models import Role
from lms.common.access import allow
from lms.common.errors import DomainError
from lms.common.htmx import redirect_to, render, render_form_errors
from lms.common.ids import as_id
from lms.extensions import db
from lms.school import rollover, services
from lms.school.forms import RolloverForm
from lms.school.viewutils import attach_error

bp = Blueprint("rollover", __name__, url_prefix="/classrooms/rollover")


def _ids(values) -> set[int]:
    parts = (as_id(part.strip()) for value in values for part in str(value).split(","))
    return {ident for ident in parts if ident is not None}


def _wizard(form: RolloverForm, *, status: int = 200, promoted: set[int] | None = None):
    plan, plan_error = None, None
    try:
        plan = rollover.preview_rollover(current_user, form.to_year.data)
    except DomainError as err:
        plan_error = err.message
    ctx = {"form": form, "plan": plan, "plan_error": plan_error, "promoted": promoted,
           "batches": rollover.list_batches(), "current_year": services.current_academic_year()}
    if status == 422:
        return render_form_errors("school/rollover.html", "school/_rollover_preview.html", **ctx)
    return render("school/rollover.html", "school/_rollover_preview.html", **ctx)


@bp.route("", methods=["GET"])
@allow(Role.ADMIN)
def wizard():
    form = RolloverForm(formdata=None)
    form.to_year.data = (request.args.get("to_year") or "").strip()[:20] or \
        services.next_academic_year(services.current_academic_year())
    if "to_year" in request.args:
        form.copy_teachers.data = request.args.get("copy_teachers") == "y"
    return _wizard(form)


@bp.route("", methods=["POST"])
@allow(Role.ADMIN)
def run():
    form = RolloverForm()
    promoted = _ids(request.form.getlist("promote"))
    if not form.validate():
        return _wizard(form, status=422, promoted=promoted)
    shown = _ids(request.form.getlist("students"))
    try:
        batch = rollover.run_rollover(current_user, form.to_year.data, repeaters=shown - promoted,
                                      expected_students=shown, copy_teachers=form.copy_teachers.data,
                                      expected_from_year=request.form.get("from_year") or None)
    except DomainError as err:
        db.session.rollback()
        attach_error(form, err)
        return _wizard(form, status=422, promoted=promoted)
    db.session.commit()
    flash(_("The school has moved to %(year)s.", year=form.to_year.data), "success")
    return redirect_to(url_for("school.rollover.summary", batch_id=batch.id))


@bp.route("/<int:batch_id>")
@allow(Role.ADMIN)
def summary(batch_id):
    batch = rollover.get_batch(batch_id)
    moves = rollover.batch_moves(batch)
    groups: dict[str, list] = {}
    for move in moves:
        groups.setdefault(move.from_classroom_name, []).append(move)
    return render("school/rollover_summary.html", batch=batch, groups=groups,
                  blocker=rollover.undo_blocker(batch))


@bp.route("/<int:batch_id>/undo", methods=["POST"])
@allow(Role.ADMIN)
def undo(batch_id):
    batch = rollover.get_batch(batch_id)
    try:
        rollover.undo_rollover(current_user, batch)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect_to(url_for("school.rollover.summary", batch_id=batch_id))
    db.session.commit()
    flash(_("The rollover was undone: classrooms, students and the academic year are as they were."), "success")
    return redirect_to(url_for("school.rollover.summary", batch_id=batch_id))
