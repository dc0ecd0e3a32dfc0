"""``/me``: the signed-in user's profile, email and password, and their login sessions."""

from __future__ import annotations

import json

from flask import flash, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth import appearance, login_sessions
from lms.auth.forms import EmailChangeForm, PasswordChangeForm, ProfileForm
from lms.auth.labels import THEME as THEME_LABELS
from lms.auth.picture_password import uses_picture_password
from lms.auth.services import (
    change_password,
    request_email_change,
    sign_out_everywhere,
    sign_out_everywhere_else,
    update_profile,
)
from lms.auth.views import bp
from lms.common.access import SIGNED_IN, allow
from lms.common.errors import ValidationFailed
from lms.common.formviews import saving
from lms.common.htmx import is_htmx, redirect_to, render, render_form_errors
from lms.common.navigation import safe_next
from lms.common.ratelimit import config_limit
from lms.extensions import db, limiter


def _user_key() -> str:
    return f"user:{current_user.get_id().partition(':')[0]}" if current_user.is_authenticated else ""


def _context(**overrides) -> dict:
    user = current_user._get_current_object()
    context = {
        "profile_form": ProfileForm(formdata=None, full_name=user.full_name, locale=user.locale or ""),
        "email_form": EmailChangeForm(formdata=None),
        "password_form": PasswordChangeForm(formdata=None),
        "login_sessions": login_sessions.login_sessions_of(user),
        "current_login_session_id": login_sessions.current_login_session_id(),
        "describe_device": login_sessions.describe_device,
        "picture_password": uses_picture_password(user),
    }
    # upward call (pyproject.toml's import contract lists it)
    from lms.profiles.contact import contact_context

    context.update(contact_context(user))
    context.update(overrides)
    return context


@bp.route("/me")
@allow(SIGNED_IN)
def profile():
    return render("auth/profile.html", **_context())


def _form_answer(fragment: str, message: str):
    """After a successful change: the fresh fragment saying so (htmx), or back to /me."""
    if is_htmx():
        return render("auth/profile.html", fragment, **_context(done=message))
    flash(message, "success")
    return redirect_to(url_for("auth.profile"))


@bp.route("/me/profile", methods=["POST"])
@allow(SIGNED_IN)
def update_profile_view():
    form = ProfileForm()
    if form.validate_on_submit():
        with saving(form, catch=ValidationFailed) as saved:
            update_profile(current_user, form.full_name.data, form.locale.data)
        if saved:
            # The language may have changed: show the whole page again.
            flash(_("Your profile has been saved."), "success")
            return redirect_to(url_for("auth.profile"))
    return render_form_errors("auth/profile.html", "auth/_profile_form.html", **_context(profile_form=form))


@bp.route("/me/email", methods=["POST"])
@allow(SIGNED_IN)
@limiter.limit(config_limit("ACCOUNT_CHANGE_LIMIT_PER_USER"), key_func=_user_key)
def change_email():
    form = EmailChangeForm()
    if form.validate_on_submit():
        with saving(form, catch=ValidationFailed) as saved:
            new_email = request_email_change(current_user, form.new_email.data, form.current_password.data)
        if saved:
            return _form_answer("auth/_email_form.html", _(
                "We sent a confirmation link to %(email)s. Your address changes when you open it.",
                email=new_email))
    return render_form_errors("auth/profile.html", "auth/_email_form.html", **_context(email_form=form))


@bp.route("/me/password", methods=["POST"])
@allow(SIGNED_IN)
@limiter.limit(config_limit("ACCOUNT_CHANGE_LIMIT_PER_USER"), key_func=_user_key)
def change_password_view():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        with saving(form, catch=ValidationFailed) as saved:
            change_password(user, form.current_password.data, form.new_password.data)
        if saved:
            return _form_answer("auth/_password_form.html",
                                _("Your password has been changed. Your other devices were signed out "
                                  "and your API tokens revoked."))
    return render_form_errors("auth/profile.html", "auth/_password_form.html", **_context(password_form=form))


@bp.route("/me/sessions/sign-out-others", methods=["POST"])
@allow(SIGNED_IN)
def sign_out_others():
    user = current_user._get_current_object()
    ended = sign_out_everywhere_else(user)
    db.session.commit()
    return _form_answer("auth/_login_sessions.html",
                        _("Signed out everywhere else (%(n)d login sessions ended).", n=ended))


@bp.route("/me/sessions/sign-out-everywhere", methods=["POST"])
@allow(SIGNED_IN)
def sign_out_all():
    """Every login session (this one too), remembered browser and API token ends; back to sign-in."""
    counts = sign_out_everywhere(current_user._get_current_object())
    db.session.commit()
    flash(_("You were signed out everywhere (%(n)d login sessions ended, %(t)d API tokens revoked).",
            n=counts["sessions_ended"], t=counts["api_tokens_revoked"]), "info")
    return redirect_to(url_for("auth.login"))


@bp.app_template_global("html_theme")
def html_theme() -> str | None:
    return appearance.html_theme()


@bp.app_template_global("theme_choices")
def theme_choices() -> dict:
    """For the theme forms: the current choice and the labels of all three."""
    return {"current": appearance.theme_of_request(), "labels": THEME_LABELS}


@bp.route("/me/theme", methods=["POST"])
@allow(SIGNED_IN)
def set_theme():
    """The theme chosen on the profile page or with the header's toggle. htmx (the toggle) gets the
    toggle back, still open, and an ``lms:theme`` event that ``app.js`` applies to the page; a plain
    post goes back to ``next``, drawn in the new theme by the server."""
    with saving() as saved:
        theme = appearance.set_theme(current_user, request.form.get("theme"))
    if is_htmx():
        response = make_response(render_template("auth/_theme_toggle.html", theme_menu_open=True,
                                                 theme_next=safe_next(request.form.get("next")))
                                 + render_template("_flash_oob.html"), 200 if saved else 422)
        if saved:
            response.headers["HX-Trigger"] = json.dumps({"lms:theme": appearance.html_value(theme) or "system"})
        return response
    if saved:
        flash(_("Theme: %(theme)s.", theme=THEME_LABELS[theme]), "success")
    return redirect_to(safe_next(request.form.get("next")))
