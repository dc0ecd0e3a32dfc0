"""``/auth/sso/<provider>``: "Sign in with Google / Microsoft / ..." (OpenID Connect, ``lms.auth.sso``).

The button sends the browser to the provider; the provider sends it back to the callback, which
checks state, PKCE and the ID token (Authlib), finds the account by verified email and signs in
exactly as the password form does (``sign_in``: a new login session, last login).  Refusals get a
message page; failed callbacks count against the per-address sign-in limit.
"""

from __future__ import annotations

import logging

from authlib.common.errors import AuthlibBaseError
from flask import g, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from joserfc.errors import JoseError
from requests import RequestException

from lms.auth import sso
from lms.auth.services import sign_in
from lms.auth.views import bp
from lms.common.access import PUBLIC, allow
from lms.common.errors import NotFound
from lms.common.htmx import redirect_to, render
from lms.common.navigation import safe_next
from lms.common.ratelimit import client_ip, config_limit
from lms.extensions import db, limiter

log = logging.getLogger(__name__)

NEXT_KEY = "lms_sso_next"


def _settings_or_404(provider: str) -> dict:
    settings = sso.provider(provider)
    if settings is None:
        raise NotFound(_("There is no such sign-in provider."))
    return settings


def _refused(settings: dict, message: str, status: int):
    g.lms_login_failed = True  # counts against the per-address limit of failed sign-ins
    return render("auth/sso_refused.html", provider_label=settings["label"], message=message, status=status)


def _not_completed(settings: dict):
    return _refused(settings, _("Sign-in with %(provider)s could not be completed (the link was used already, "
                                "has expired or was changed). Start again from the sign-in page.",
                                provider=settings["label"]), 400)


@bp.route("/auth/sso/<provider>")
@allow(PUBLIC)
def sso_start(provider: str):
    """Send the browser to the provider's sign-in page (state, nonce and PKCE kept in the session)."""
    settings = _settings_or_404(provider)
    if current_user.is_authenticated:
        return redirect_to(safe_next(request.args.get("next")))
    session[NEXT_KEY] = safe_next(request.args.get("next"))
    try:
        return sso.client(provider).authorize_redirect(sso.redirect_uri(provider))
    except (AuthlibBaseError, JoseError, RequestException, ValueError) as err:
        log.warning("single sign-on with %s could not start: %r", provider, err)
        return _refused(settings, _("%(provider)s cannot be reached right now. Try again in a minute, or "
                                    "sign in with your password.", provider=settings["label"]), 503)


@bp.route("/auth/sso/<provider>/callback")
@allow(PUBLIC)
@limiter.shared_limit(config_limit("LOGIN_LIMIT_PER_IP"), scope="sign-in-ip", key_func=lambda: "ip:" + client_ip(),
                      deduct_when=lambda response: bool(g.get("lms_login_failed")))
def sso_callback(provider: str):
    """Back from the provider: check everything, then sign in like the password form does."""
    settings = _settings_or_404(provider)
    if request.args.get("error"):
        return _refused(settings, _("Sign-in with %(provider)s was cancelled or refused.",
                                    provider=settings["label"]), 400)
    try:
        token = sso.client(provider).authorize_access_token()
    except (AuthlibBaseError, JoseError, RequestException, ValueError, KeyError, TypeError) as err:
        log.warning("single sign-on with %s refused: %r", provider, err)
        return _not_completed(settings)
    claims = token.get("userinfo")
    # The discovery document must name the configured issuer (OpenID Connect Discovery 4.3); Authlib
    # then checked the ID token's "iss" against it.
    issuer = str(sso.client(provider).load_server_metadata().get("issuer", "")).rstrip("/")
    if not claims or issuer != settings["issuer"]:
        log.warning("single sign-on with %s refused: no ID token or issuer %r is not the configured one",
                    provider, issuer)
        return _not_completed(settings)
    try:
        user = sso.account_for(settings, dict(claims))
    except sso.SignInRefused as err:
        db.session.commit()  # a known account's refused attempt is kept in its login history
        return _refused(settings, err.message, err.status)
    target = session.pop(NEXT_KEY, None) or url_for("home.index")
    sign_in(user)
    db.session.commit()
    return redirect_to(safe_next(target))
