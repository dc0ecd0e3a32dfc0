"""The year-end rollover wizard: preview, untick repeaters, run, summary, undo (administrators)."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.models import Role
from lms.common.access import allow
from lms.common.errors import DomainError
from lms.common.formviews import render_form, saving
from lms.common.htmx import redirect_to, render
from lms.common.ids import as_id
from lms.core.academic_year import current_academic_year, next_academic_year
from lms.school import rollover
from lms.school.forms import RolloverForm

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
           "batches": rollover.list_batches(), "current_year": current_academic_year()}
    return render_form("school/rollover.html", "school/_rollover_preview.html", failed=status == 422, **ctx)


@bp.route("", methods=["GET"])
@allow(Role.ADMIN)
def wizard():
    form = RolloverForm(formdata=None)
    form.to_year.data = (request.args.get("to_year") or "").strip()[:20] or \
        next_academic_year(current_academic_year())
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
    with saving(form) as saved:
        batch = rollover.run_rollover(current_user, form.to_year.data, repeaters=shown - promoted,
                                      expected_students=shown, copy_teachers=form.copy_teachers.data,
                                      ungraded_acknowledged=bool(form.ungraded_acknowledged.data),
                                      expected_from_year=request.form.get("from_year") or None)
    if not saved:
        return _wizard(form, status=422, promoted=promoted)
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
    with saving() as saved:
        rollover.undo_rollover(current_user, batch)
    if not saved:
        return redirect_to(url_for("school.rollover.summary", batch_id=batch_id))
    flash(_("The rollover was undone: classrooms, students and the academic year are as they were."), "success")
    return redirect_to(url_for("school.rollover.summary", batch_id=batch_id))
