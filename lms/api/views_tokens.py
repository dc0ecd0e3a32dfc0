"""``/me``: personal access tokens for the API (make one — shown once —, see them, revoke them).

The profile page includes ``api/_tokens.html`` (the list comes from the ``my_api_tokens()`` template
global, so the profile view itself needs no change)."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.api import tokens
from lms.common.access import SIGNED_IN, allow
from lms.common.errors import ValidationFailed
from lms.common.formviews import saving
from lms.common.htmx import is_htmx, redirect_to, render
from lms.common.ratelimit import config_limit
from lms.extensions import db, limiter

bp = Blueprint("tokens", __name__)
bp.record_once(lambda _state: tokens.connect_signals())


@bp.app_template_global("my_api_tokens")
def my_api_tokens():
    return tokens.tokens_of(current_user) if current_user.is_authenticated else []


def _user_key() -> str:
    return f"user:{current_user.id}"


def _fragment(**context):
    context.setdefault("expiry_choices", tokens.PAT_EXPIRY_CHOICES)
    return render("api/tokens_page.html", "api/_tokens.html", **context)


@bp.route("/me/api-tokens", methods=["GET"])
@allow(SIGNED_IN)
def index():
    return _fragment()


@bp.route("/me/api-tokens", methods=["POST"])
@allow(SIGNED_IN)
@limiter.limit(config_limit("ACCOUNT_CHANGE_LIMIT_PER_USER"), key_func=_user_key)
def create():
    with saving(quiet=True, catch=ValidationFailed) as saved:
        token, raw = tokens.create_personal_token(current_user, request.form.get("name"), request.form.get("days"))
    if not saved:
        response = _fragment(token_error=saved.message, token_name=request.form.get("name", ""))
        if is_htmx():
            response.status_code = 422
        return response
    return _fragment(new_token=raw, new_token_name=token.name)


@bp.route("/me/api-tokens/<unbounded_int:token_id>/revoke", methods=["POST"])
@allow(SIGNED_IN)
def revoke(token_id: int):
    token = tokens.revoke_personal_token(current_user, token_id)
    db.session.commit()
    if is_htmx():
        return _fragment(done=_("“%(name)s” was revoked.", name=token.name))
    flash(_("“%(name)s” was revoked.", name=token.name), "success")
    return redirect_to(url_for("api.tokens.index"))
