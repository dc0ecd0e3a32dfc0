"""QR sign-in (``/auth/qr/<token>``), activation links, and "choose a new password".

A user with ``must_change_password`` (signed in with a card or a one-time password) can open only
the choose-password page, sign out, the heartbeat and static files until a new password is set.
"""

from __future__ import annotations

from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.audit.services import record
from lms.auth import login_cards, view_as
from lms.auth.forms import NewPasswordForm
from lms.auth.models import TokenPurpose, User
from lms.auth.services import sign_in, sign_out, valid_token
from lms.auth.views import bp
from lms.common.access import PUBLIC, SIGNED_IN, allow
from lms.common.errorpages import error_response
from lms.common.errors import ValidationFailed
from lms.common.formviews import render_form, saving
from lms.common.htmx import is_htmx, redirect_to, render
from lms.common.ratelimit import client_ip, config_limit
from lms.extensions import db, limiter

# What a user who must choose a new password may still reach.
ALLOWED_BEFORE_NEW_PASSWORD = {"auth.choose_password", "auth.logout", "auth.ping", "static",
                               "auth.picture_password_setup", "health.healthz", "home.set_language", "auth.view_as.stop"}


@bp.before_app_request
def require_new_password():
    if (request.endpoint not in ALLOWED_BEFORE_NEW_PASSWORD and current_user.is_authenticated
            and getattr(current_user, "must_change_password", False) and not view_as.viewing()):
        if request.method == "GET" and not is_htmx() and not request.path.startswith("/api/"):
            return redirect_to(login_cards.after_card_sign_in_url(current_user))
        # Background requests (htmx polling, the API) get nothing rather than a loop of redirects.
        if is_htmx():
            return "", 204
        return error_response(403, _("Choose your own password first."), code="PASSWORD_CHANGE_REQUIRED")
    return None


@bp.route("/auth/qr/<token>", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(config_limit("TOKEN_LIMIT_PER_IP"), key_func=client_ip, methods=["POST"])
def qr_sign_in(token: str):
    """GET asks "Sign in as …?" (link previewers must not use the card); POST signs in once."""
    card = login_cards.card_for_token(token)
    user = db.session.get(User, card.user_id) if card else None
    if user is None:
        return render("auth/qr_invalid.html", status=404)
    first_name = user.full_name.split()[0] if user.full_name.split() else user.full_name
    if request.method == "POST":
        try:
            user = login_cards.redeem(token)
        except ValidationFailed as err:
            db.session.commit()  # a refused (suspended) attempt is recorded
            return render("auth/qr_confirm.html", first_name=first_name, token=token, error=err.message,
                          status=403 if err.code == "ACCOUNT_SUSPENDED" else 404)
        if current_user.is_authenticated:
            sign_out()
        sign_in(user)
        db.session.commit()
        return redirect_to(login_cards.after_card_sign_in_url(user))
    return render("auth/qr_confirm.html", first_name=first_name, token=token, error=None)


@bp.route("/auth/new-password", methods=["GET", "POST"], endpoint="choose_password")
@allow(SIGNED_IN)
def choose_password_page():
    form = NewPasswordForm()
    if form.validate_on_submit():
        with saving(form, catch=ValidationFailed) as saved:
            login_cards.choose_password(current_user._get_current_object(), form.password.data)
        if saved:
            flash(_("Your new password is saved. Use it with your username next time."), "success")
            return redirect_to(url_for("home.index"))
    return render_form("auth/choose_password.html", "auth/_choose_password_form.html", form=form)


@bp.route("/auth/activate/<token>", methods=["GET", "POST"], endpoint="activate")
@allow(PUBLIC)
@limiter.limit(config_limit("TOKEN_LIMIT_PER_IP"), key_func=client_ip, methods=["POST"])
def activate_page(token: str):
    pending = valid_token(token, TokenPurpose.ACTIVATE)
    if pending is None:
        return render("auth/qr_invalid.html", activation=True, status=404)
    form = NewPasswordForm()
    if form.validate_on_submit():
        with saving(form, catch=ValidationFailed) as saved:
            user = login_cards.activate(token, form.password.data)
            if current_user.is_authenticated:
                sign_out()
            sign_in(user)
            record(user, "user.login", user, method="activation")
        if saved:
            flash(_("Your password is set. Welcome!"), "success")
            return redirect_to(url_for("home.index"))
    return render_form("auth/activate.html", "auth/_activate_form.html", form=form, token=token)
