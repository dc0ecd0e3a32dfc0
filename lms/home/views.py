from __future__ import annotations

from flask import Blueprint, request, session, url_for
from flask_login import current_user

from lms.common.access import PUBLIC, allow
from lms.common.htmx import redirect_to, render
from lms.common.i18n import SESSION_LOCALE_KEY, SUPPORTED_LOCALES
from lms.extensions import db

bp = Blueprint("home", __name__)


@bp.route("/")
@allow(PUBLIC)
def index():
    if not current_user.is_authenticated:
        return redirect_to(url_for("auth.login"), status=302)
    return render("home/index.html")


@bp.route("/language", methods=["POST"])
@allow(PUBLIC)
def set_language():
    """The language switch on every page: remembered on the account, or for this browser."""
    from lms.auth.views import safe_next

    locale = request.form.get("locale", "")
    if locale in SUPPORTED_LOCALES:
        session[SESSION_LOCALE_KEY] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
            db.session.commit()
    return redirect_to(safe_next(request.form.get("next")))
