"""``/admin/users/<id>/view-as`` (start) and ``/view-as/stop``; the read-only rule for every request."""

from __future__ import annotations

from flask import Blueprint, flash, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth import view_as
from lms.auth.models import Role
from lms.common.access import SIGNED_IN, allow
from lms.common.errorpages import error_response
from lms.common.htmx import redirect_to
from lms.common.navigation import safe_next
from lms.extensions import db

bp = Blueprint("view_as", __name__)


def _safe_back(target: str | None, default: str) -> str:
    return safe_next(target) if target else default


@bp.route("/admin/users/<int:user_id>/view-as", methods=["POST"])
@allow(Role.ADMIN)
def start(user_id: int):
    back = _safe_back(request.form.get("back"), url_for("auth.users.detail", user_id=user_id))
    user = view_as.start(current_user, user_id, back)
    db.session.commit()
    flash(_("You are now viewing as %(name)s. Nothing can be changed until you stop.", name=user.full_name), "info")
    return redirect_to(url_for("home.index"))


@bp.route("/view-as/stop", methods=["POST"])
@allow(SIGNED_IN)
def stop():
    back = view_as.end(view_as.EndReason.STOPPED) if view_as.viewing() else None
    db.session.commit()
    if back:
        flash(_("You are yourself again."), "success")
    return redirect_to(back or url_for("home.index"))


@bp.before_app_request
def refuse_changes_while_viewing():
    """Read-only: while an admin views as someone, only GET (and Stop, sign-out, heartbeat) get through,
    and what a GET would have written is rolled back (pages skip their known writes themselves)."""
    if view_as.refuses(request.method, request.endpoint):
        return error_response(403, view_as.refusal_message(), code="VIEW_AS_READ_ONLY")
    if request.method in view_as.SAFE_METHODS and view_as.VIEW_AS_KEY in session and view_as.viewing():
        view_as.make_this_request_read_only()
    return None


@bp.teardown_app_request
def restore_commits(_exc=None):
    view_as.restore_commits()


@bp.app_context_processor
def view_as_context():
    return {"acting_admin": view_as.acting_admin, "view_as_ends_at": view_as.ends_at}
