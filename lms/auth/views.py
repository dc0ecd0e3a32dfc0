"""Signing in and out, the heartbeat, password reset, invitation links, email confirmation.

The ``auth`` blueprint has no URL prefix: its pages live under ``/auth/...``, the heartbeat at
``/api/session/ping`` and the profile at ``/me`` (``lms.auth.views_profile``).
"""

from __future__ import annotations

from flask import Blueprint, flash, g, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from lms.audit.services import record
from lms.auth import invitations, login_sessions, view_as
from lms.auth.forms import AcceptInvitationForm, ForgotPasswordForm, LoginForm, NewPasswordForm
from lms.auth.models import TokenPurpose, normalise_email
from lms.auth.services import (
    authenticate,
    confirm_email_change,
    request_password_reset,
    reset_password,
    sign_in,
    sign_out,
    valid_token,
)
from lms.auth.sign_in_limits import sign_in_limits
from lms.common.access import PUBLIC, SIGNED_IN, allow
from lms.common.errorpages import error_response
from lms.common.errors import NotFound, ValidationFailed
from lms.common.formviews import attach_error, render_form, saving
from lms.common.htmx import redirect_to, render, render_form_errors
from lms.common.navigation import safe_next
from lms.common.ratelimit import client_ip, config_limit
from lms.extensions import csrf, db, limiter

bp = Blueprint("auth", __name__)



# --- sign-in, with rate limits on failed attempts -----------------------------------------


def _form_email() -> str:
    return normalise_email(request.form.get("email", ""))[:254]


@bp.route("/auth/login", methods=["GET", "POST"])
@allow(PUBLIC)
@sign_in_limits  # one counter with the API's token endpoint
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect_to(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.login.data, form.password.data)
        except ValidationFailed as err:
            g.lms_login_failed = True
            db.session.commit()  # the failed attempt is recorded
            attach_error(form, err)
            return render_form_errors("auth/login.html", "auth/_login_form.html", form=form)
        sign_in(user, remember=form.remember.data)
        record(user, "user.login", user, method="password")
        db.session.commit()
        return redirect_to(safe_next(request.args.get("next")))
    return render_form("auth/login.html", "auth/_login_form.html", form=form)


@bp.route("/auth/logout", methods=["POST"])
@allow(PUBLIC)
def logout():
    if current_user.is_authenticated:
        if view_as.viewing():
            view_as.end(view_as.EndReason.LOGOUT)
        sign_out()
        db.session.commit()
        flash(_("You have been signed out."), "info")
    return redirect_to(url_for("auth.login"))


# --- the heartbeat ------------------------------------------------------------------------


@csrf.exempt  # only refreshes the caller's own login session; SameSite=Lax keeps other sites out
@bp.route("/api/session/ping", methods=["POST"])
@allow(SIGNED_IN)
def ping():
    """204 while the login session is open (one UPDATE); 401 once it has ended."""
    if view_as.viewing():  # the admin's own login session, never the viewed user's
        if not view_as.keep_admin_alive():
            return error_response(401)
        db.session.commit()
        return "", 204
    login_session_id = login_sessions.current_login_session_id()
    if login_session_id is None:  # signed in before login sessions existed: start one now
        login_sessions.start_login_session(current_user)
    elif not login_sessions.touch_login_session(current_user.id, login_session_id,
                                                g.get("lms_login_session_timeout")):
        db.session.rollback()
        session.pop(login_sessions.LOGIN_SESSION_KEY, None)
        logout_user()
        return error_response(401)
    db.session.commit()
    return "", 204


# --- password reset -----------------------------------------------------------------------


@bp.route("/auth/forgot-password", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(config_limit("FORGOT_PASSWORD_LIMIT_PER_IP"), key_func=client_ip, methods=["POST"])
@limiter.limit(config_limit("FORGOT_PASSWORD_LIMIT_PER_EMAIL"), key_func=_form_email, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data)
        db.session.commit()
        # The same answer whether or not the address has an account.
        return render("auth/forgot_password.html", "auth/_forgot_password.html", form=None, sent=True)
    return render_form("auth/forgot_password.html", "auth/_forgot_password.html", form=form)


def _token_not_found():
    raise NotFound(_("This link is invalid or has expired. Ask for a new one."))


@bp.route("/auth/reset-password/<token>", methods=["GET", "POST"], endpoint="reset_password")
@allow(PUBLIC)
@limiter.limit(config_limit("TOKEN_LIMIT_PER_IP"), key_func=client_ip, methods=["POST"])
def reset_password_page(token: str):
    if valid_token(token, TokenPurpose.RESET_PASSWORD) is None:
        _token_not_found()
    form = NewPasswordForm()
    if form.validate_on_submit():
        with saving(form, catch=ValidationFailed) as saved:
            user = reset_password(token, form.password.data)
            sign_in(user)
            record(user, "user.login", user, method="password_reset")
        if saved:
            flash(_("Your password has been changed. You are signed in; other devices were signed out."), "success")
            return redirect_to(url_for("home.index"))
    return render_form("auth/reset_password.html", "auth/_reset_password_form.html", form=form, token=token)


# --- invitations ----------------------------------------------------------------------------


@bp.route("/auth/invite/<token>", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(config_limit("TOKEN_LIMIT_PER_IP"), key_func=client_ip, methods=["POST"])
def accept_invitation(token: str):
    invitation = invitations.invitation_for_token(token)  # NotFound (with the reason) otherwise
    form = AcceptInvitationForm()
    if request.method == "GET" and invitation.full_name and not form.full_name.data:
        form.full_name.data = invitation.full_name
    context = {"form": form, "token": token, "invitation": invitation,
               "grants": invitations.grants_label(invitation.grants),
               "role_label": invitations.ROLE_LABELS.get(invitation.role, invitation.role)}
    if form.validate_on_submit():
        with saving(form, catch=ValidationFailed) as saved:
            user = invitations.accept(token, form.full_name.data, form.password.data)
            if current_user.is_authenticated:
                sign_out()
            sign_in(user)
            record(user, "user.login", user, method="invitation")
        if saved:
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.full_name), "success")
            return redirect_to(url_for("home.index"))
    return render_form("auth/accept_invitation.html", "auth/_accept_invitation_form.html", **context)


# --- email change confirmation -------------------------------------------------------------


@bp.route("/auth/confirm-email/<token>", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(config_limit("TOKEN_LIMIT_PER_IP"), key_func=client_ip, methods=["POST"])
def confirm_email(token: str):
    """GET shows a button (mail scanners that open links must not use the token); POST confirms."""
    pending = valid_token(token, TokenPurpose.CHANGE_EMAIL)
    if pending is None:
        _token_not_found()
    if request.method == "POST":
        try:
            user = confirm_email_change(token)
        except ValidationFailed as err:
            db.session.rollback()
            raise NotFound(err.message) from None
        db.session.commit()
        flash(_("Your email address is now %(email)s.", email=user.email), "success")
        return redirect_to(url_for("auth.profile") if current_user.is_authenticated else url_for("auth.login"))
    return render("auth/confirm_email.html", new_email=pending.new_email, token=token)


# /me, /auth/sso/<provider> (single sign-on), login-card and picture-password routes live on this blueprint
from lms.auth import views_cards, views_picture_password, views_profile, views_sso  # noqa: E402,F401
