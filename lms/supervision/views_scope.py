"""``/admin/users/<id>/supervision``: an admin chooses what a supervisor oversees (centres or everything).

The supervisor's admin page (``/admin/users/<id>``) loads this panel; it works as a page of its own too.
"""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.models import Role
from lms.common.access import allow
from lms.common.formviews import saving
from lms.common.htmx import is_htmx, redirect_to, render
from lms.supervision import scope as scopes

bp = Blueprint("scope", __name__, url_prefix="/admin/users")


def _context(supervisor) -> dict:
    return {"supervisor": supervisor, "choices": scopes.centre_choices(supervisor)}


@bp.route("/<int:user_id>/supervision")
@allow(Role.ADMIN)
def edit(user_id: int):
    supervisor = scopes.get_supervisor(user_id)
    return render("supervision/scope.html", "supervision/_scope.html", **_context(supervisor))


@bp.route("/<int:user_id>/supervision", methods=["POST"])
@allow(Role.ADMIN)
def save(user_id: int):
    supervisor = scopes.get_supervisor(user_id)
    whole = request.form.get("whole") == "1"
    with saving(quiet=True) as outcome:
        scopes.set_scope(current_user, supervisor, request.form.getlist("centre_ids"), whole)
    if outcome:
        message = _("%(name)s now oversees the whole organization.", name=supervisor.full_name) if whole else \
            _("%(name)s now oversees the centres ticked.", name=supervisor.full_name)
        status = 200
    else:
        message, status = outcome.error.message, 422
    if is_htmx():
        return render("supervision/_scope.html", status=status, done=message if outcome else None,
                      error=None if outcome else message, **_context(supervisor))
    flash(message, "success" if outcome else "error")
    return redirect_to(url_for("supervision.scope.edit", user_id=supervisor.id))
