"""``POST /students/bulk``: an action on the ticked students (or everyone matching the filter).

The first POST shows a confirmation (the count, the first names, the action); the second
(``confirm=1``) runs it, all or nothing, and comes back to the list with a summary.  Works as a
plain form and with htmx (the confirmation is swapped into the page; errors answer 422).
"""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms.auth.models import Role
from lms.centres.filtering import selected_centre_id
from lms.common.access import allow
from lms.common.errors import ValidationFailed
from lms.common.formviews import saving
from lms.common.htmx import is_htmx, redirect_to, render
from lms.common.ids import as_id
from lms.common.labels import classroom_label
from lms.core.academic_year import current_academic_year
from lms.extensions import db
from lms.school import bulk, student_csv
from lms.school.labels import STUDENT_STATUS
from lms.school.models import STUDENT_STATUSES, Classroom

bp = Blueprint("bulk", __name__)

PREVIEW_NAMES = 10
FILTER_FIELDS = ("q", "level", "classroom", "status", "unplaced", "centre")


def _filters_from_form() -> dict:
    """The list's filter, sent back in ``filter_*`` fields, parsed like the list's query string."""
    form = request.form
    status = form.get("filter_status", "")
    return {
        "q": form.get("filter_q", "").strip()[:100],
        "level_id": as_id(form.get("filter_level", "")),
        "classroom_id": as_id(form.get("filter_classroom", "")),
        "status": status if status in STUDENT_STATUSES else "",
        "unplaced": form.get("filter_unplaced") == "1" or form.get("filter_classroom") == "none",
        "centre_id": selected_centre_id(form.get("filter_centre", "")),
    }


def _selection() -> bulk.Selection:
    scope = request.form.get("scope", "selected")
    if scope == "all":
        return bulk.select_students(current_user, filters=_filters_from_form())
    if scope == "page":
        return bulk.select_students(current_user, ids=request.form.getlist("page_id"))
    return bulk.select_students(current_user, ids=request.form.getlist("student_id"))


def _context(action: str, selection: bulk.Selection | None, problems=None) -> dict:
    classroom = None
    if action == bulk.MOVE and (target := as_id(request.form.get("target_classroom", ""))):
        classroom = db.session.get(Classroom, target)
    status = request.form.get("target_status", "")
    return {
        "action": action, "action_label": bulk.ACTIONS.get(action, ""), "selection": selection,
        "names": [user.full_name for user, _p, _r in (selection.rows if selection else [])][:PREVIEW_NAMES],
        "problems": problems or [], "classroom": classroom, "classroom_name": classroom_label(classroom) if classroom else "",
        "target_status": status if status in STUDENT_STATUSES else "", "status_labels": STUDENT_STATUS,
        "scope": request.form.get("scope", "selected"), "form": request.form,
        "filter_fields": FILTER_FIELDS,
    }


def _answer(context: dict, status: int = 200):
    if context["problems"] and is_htmx():
        status = 422
    return render("school/bulk_confirm.html", "school/_bulk_confirm.html", status=status, **context)


def _back_to_list():
    args = {k: request.form.get(f"filter_{k}") for k in FILTER_FIELDS if request.form.get(f"filter_{k}")}
    return url_for("school.students.index", **args)


@bp.route("/students/bulk", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def run():
    action = request.form.get("action", "")
    bulk.check_allowed(current_user, action)  # unknown: 400 with a message; not allowed: 403
    try:
        selection = _selection()
    except ValidationFailed as err:
        return _answer(_context(action, None, [err.message]), status=400 if not is_htmx() else 422)
    context = _context(action, selection)
    if action == bulk.MOVE:
        context["problems"] = bulk.check_move(current_user, selection, context["classroom"])
    elif action == bulk.SET_STATUS and not context["target_status"]:
        context["problems"] = [_("Choose a valid status.")]
    elif action == bulk.INVITE_PARENTS:
        context["invitations"] = bulk.pending_parent_invitations(selection)
        if not context["invitations"]:
            context["problems"] = [_("None of these students has a parent invitation waiting to be accepted. "
                                     "Invite parents from a student's page or the invitations page.")]
    if context["problems"] or request.form.get("confirm") != "1":
        return _answer(context)
    return _perform(action, selection, context)


def _perform(action: str, selection: bulk.Selection, context: dict):
    if action == bulk.EXPORT:
        response = student_csv.export_response(f"students-{current_academic_year()}-selection.csv",
                                               selection.rows)  # built before the commit expires the rows
        bulk.record_export(current_user, selection)
        db.session.commit()
        return response
    with saving(quiet=True) as saved:
        if action == bulk.MOVE:
            moved = bulk.move(current_user, selection, context["classroom"])
            message = ngettext("%(num)d student is now in %(classroom)s (%(moved)d moved).",
                               "%(num)d students are now in %(classroom)s (%(moved)d moved).", selection.count,
                               classroom=context["classroom_name"], moved=moved)
        elif action == bulk.SET_STATUS:
            changed = bulk.set_status(current_user, selection, context["target_status"])
            message = ngettext("%(num)d student is now “%(status)s” (%(changed)d changed).",
                               "%(num)d students are now “%(status)s” (%(changed)d changed).", selection.count,
                               status=STUDENT_STATUS[context["target_status"]], changed=changed)
        elif action == bulk.INVITE_PARENTS:
            sent, without = bulk.invite_parents(current_user, selection)
            message = ngettext("%(num)d parent invitation sent again with a new link.",
                               "%(num)d parent invitations sent again with new links.", sent)
            if without:
                message += " " + ngettext("%(num)d of the selected students has no parent invitation waiting.",
                                          "%(num)d of the selected students have no parent invitation waiting.",
                                          without)
        else:  # bulk.PREPARE_SIGN_IN, once a handler is registered
            message = bulk.prepare_sign_in_handler(current_user, selection)
    if not saved:
        context["problems"] = [saved.message]
        return _answer(context, status=422 if is_htmx() else 200)
    flash(message, "success")
    return redirect_to(_back_to_list())
