from __future__ import annotations

from flask import Blueprint, url_for
from flask_login import current_user

from lms.common.access import PUBLIC, allow
from lms.common.htmx import redirect_to, render

bp = Blueprint("home", __name__)


@bp.route("/")
@allow(PUBLIC)
def index():
    if not current_user.is_authenticated:
        return redirect_to(url_for("auth.login"), status=302)
    return render("home/index.html")
