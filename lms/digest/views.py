"""The weekly digest's settings: the parent's choice on ``/me`` and the one-click unsubscribe link.

The link in each email (``/digest/unsubscribe/<token>``) works without signing in: ``GET`` only
shows a confirmation page; the ``POST`` of its form — or the mail program's one-click POST
(RFC 8058, ``List-Unsubscribe-Post``), without a CSRF token — opts out.  A tampered or
unknown token answers 404.
"""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.models import Role
from lms.common.access import PUBLIC, allow
from lms.common.htmx import is_htmx, redirect_to, render
from lms.digest import labels, services  # noqa: F401 - labels: registers the digest's labels
from lms.extensions import csrf, db

bp = Blueprint("digest", __name__)


@bp.app_template_global("digest_preference")
def digest_preference() -> dict | None:
    """For the profile page: ``{"opted_out": row or None, "schedule": "every Friday at 16:00"}``
    for a signed-in parent, else None."""
    if not current_user.is_authenticated or current_user.role != Role.PARENT:
        return None
    return {"opted_out": services.preference_of(current_user), "schedule": services.schedule_text()}


@bp.route("/me/digest", methods=["POST"])
@allow(Role.PARENT)
def preference():
    user = current_user._get_current_object()
    if request.form.get("subscribe") == "1":
        changed = services.opt_in(user)
        message = _("You will get the weekly email again.")
    else:
        changed = services.opt_out(user, "WEB")
        message = _("You will not get the weekly email any more.")
    db.session.commit()
    if is_htmx():
        return render("digest/_preference.html", done=message if changed else None)
    flash(message, "success")
    return redirect_to(url_for("auth.profile"))


@bp.route("/digest/unsubscribe/<token>", methods=["GET"])
@allow(PUBLIC)
def unsubscribe(token: str):
    user = services.user_for_token(token)
    return render("digest/unsubscribe.html", user=user, token=token, opted_out=services.is_opted_out(user),
                  done=False)


@csrf.exempt  # the signed token is the authority; mail programs POST without a CSRF token (RFC 8058)
@bp.route("/digest/unsubscribe/<token>", methods=["POST"])
@allow(PUBLIC)
def confirm_unsubscribe(token: str):
    user = services.user_for_token(token)
    services.opt_out(user, "EMAIL")
    db.session.commit()
    return render("digest/unsubscribe.html", user=user, token=token, opted_out=True, done=True)
