from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from lms.auth.forms import LoginForm
from lms.auth.services import authenticate
from lms.common.access import PUBLIC, allow
from lms.common.errors import ValidationFailed
from lms.common.htmx import redirect_to, render, render_form_errors
from lms.extensions import db

bp = Blueprint("auth", __name__, url_prefix="/auth")


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
def login():
    if current_user.is_authenticated:
        return redirect_to(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data)
        except ValidationFailed as err:
            form.password.errors.append(err.message)
            db.session.rollback()
            return render_form_errors("auth/login.html", "auth/_login_form.html", form=form)
        login_user(user, remember=form.remember.data)
        db.session.commit()
        return redirect_to(safe_next(request.args.get("next")))
    if form.is_submitted():
        return render_form_errors("auth/login.html", "auth/_login_form.html", form=form)
    return render("auth/login.html", "auth/_login_form.html", form=form)


@bp.route("/logout", methods=["POST"])
@allow(PUBLIC)
def logout():
    if current_user.is_authenticated:
        logout_user()
        flash(_("You have been signed out."), "info")
    return redirect_to(url_for("auth.login"))
