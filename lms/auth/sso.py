"""Single sign-on through OpenID Connect providers (Google, Microsoft, any other), with Authlib.

The providers come from the instance's env file (``lms.config.parse_oidc_providers``) into
``app.config["OIDC_PROVIDERS"]``.  Authlib runs the authorization code flow with PKCE (S256),
keeps state, nonce and code verifier in the signed Flask session, fetches the provider's discovery
document and verifies the ID token's signature against its JWKS, its issuer, audience, expiry and
nonce.  What is left here is the school's rule for who may come in:

* only a **verified** email (the provider's ``email_verified`` claim, or the claim the instance
  names) is matched, against an existing account;
* an unknown verified email gets an account only when its domain is listed for the provider
  (``OIDC_<NAME>_AUTO_CREATE_DOMAINS``), with the provider's configured role (never ADMIN);
* an unverified or unknown email, and a deactivated account, are refused with a clear message;
  nothing is stored for an email that has no account.
"""

from __future__ import annotations

from authlib.integrations.flask_client import OAuth
from flask import current_app
from flask_babel import gettext as _

from lms.audit.services import record
from lms.auth.models import Role, User, normalise_email
from lms.auth.services import find_user_by_email, record_login_attempt
from lms.auth.suspension import suspension_message
from lms.common.errors import DomainError
from lms.core import signals
from lms.extensions import db

SCOPE = "openid email profile"
HTTP_TIMEOUT_SECONDS = 10


class SignInRefused(DomainError):
    """The provider vouched for someone this school does not let in (shown on a message page)."""

    status = 403
    code = "SSO_REFUSED"


def providers() -> dict[str, dict]:
    """The configured providers by name, in the configured order (empty: no single sign-on)."""
    return current_app.config.get("OIDC_PROVIDERS") or {}


def provider(name: str) -> dict | None:
    return providers().get(name)


def client(name: str):
    """The Authlib client for provider ``name`` (registered once per app, on first use)."""
    oauth = current_app.extensions.get("lms_oidc")
    if oauth is None:
        oauth = current_app.extensions["lms_oidc"] = OAuth(current_app)
    registered = oauth.create_client(name)
    if registered is not None:
        return registered
    settings = providers()[name]
    return oauth.register(
        name,
        client_id=settings["client_id"],
        client_secret=settings["client_secret"],
        server_metadata_url=settings["issuer"] + "/.well-known/openid-configuration",
        client_kwargs={"scope": SCOPE, "code_challenge_method": "S256",
                       "default_timeout": HTTP_TIMEOUT_SECONDS},
    )


def redirect_uri(name: str) -> str:
    """The callback address to register at the provider: ``<BASE_URL>/auth/sso/<name>/callback``."""
    return f"{current_app.config['BASE_URL']}/auth/sso/{name}/callback"


def _is_true(value) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in {"true", "1"}) or value == 1


def account_for(settings: dict, claims: dict) -> User:
    """The account the provider's verified claims sign in to; SignInRefused otherwise.

    The caller commits (an auto-created account, the login attempt of a known account)."""
    email = normalise_email(str(claims.get("email") or ""))[:254]
    label = settings["label"]
    if not email or "@" not in email or not _is_true(claims.get(settings["email_verified_claim"])):
        raise SignInRefused(_("%(provider)s did not confirm that your email address is verified, so we "
                              "cannot tell which account is yours. Sign in with your password, or ask the "
                              "school office.", provider=label), code="SSO_EMAIL_NOT_VERIFIED")
    user = find_user_by_email(email)
    if user is None:
        if email.rpartition("@")[2] not in settings["auto_create_domains"]:
            raise SignInRefused(_("There is no account for %(email)s at this school. Ask the school office "
                                  "to create one or to invite you.", email=email), code="SSO_UNKNOWN_EMAIL")
        user = _create_account(settings, email, claims)
    if not user.active:
        record_login_attempt(email, user, False, "INACTIVE")
        raise SignInRefused(_("This account has been deactivated. Ask the school office."),
                            code="ACCOUNT_INACTIVE")
    if user.is_suspended:
        record_login_attempt(email, user, False, "SUSPENDED")
        raise SignInRefused(suspension_message(user), code="ACCOUNT_SUSPENDED")
    record_login_attempt(email, user, True, "SSO")
    record(user, "user.login", user, method="sso", provider=settings["name"])
    return user


def _create_account(settings: dict, email: str, claims: dict) -> User:
    """An account for a verified address of an allowed domain, with the provider's role (never ADMIN)."""
    role = settings["auto_create_role"]
    if role == Role.ADMIN:  # refused by the config already; never let it through
        raise SignInRefused(_("There is no account for %(email)s at this school. Ask the school office "
                              "to create one or to invite you.", email=email), code="SSO_UNKNOWN_EMAIL")
    full_name = " ".join(str(claims.get("name") or "").split())[:200] or email.partition("@")[0]
    user = User(email=email, full_name=full_name, role=role, password_hash=None)
    db.session.add(user)
    db.session.flush()
    signals.sso_account_created.send(user)  # a student gets a student profile
    record(user, "user.create", user, method="sso", provider=settings["name"], email=email, role=role)
    return user
