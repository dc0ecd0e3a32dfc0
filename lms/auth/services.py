"""Accounts: signing in and out, passwords, password reset, profile and email change."""

from __future__ import annotations

from datetime import timedelta

from flask import flash, has_request_context, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy import or_, select, update
from werkzeug.security import check_password_hash

from lms.audit.services import record
from lms.auth import login_sessions, view_as
from lms.auth import remember as remember_tokens
from lms.auth.credentials import revoke_credentials
from lms.auth.models import AccountToken, EndReason, LoginAttempt, Role, TokenPurpose, User, normalise_email
from lms.auth.suspension import refuse_if_suspended
from lms.auth.tokens import hash_token, new_token
from lms.common.errors import ValidationFailed
from lms.common.i18n import SUPPORTED_LOCALES
from lms.common.types import utcnow
from lms.core import signals
from lms.extensions import db
from lms.jobs import enqueue
from lms.mail import absolute_url, send_email

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
RESET_TOKEN_LIFETIME = timedelta(hours=1)
EMAIL_CHANGE_TOKEN_LIFETIME = timedelta(hours=24)

def wrong_credentials() -> str:
    return _("Wrong sign-in name or password.")

# Compared against when the email is unknown, so both cases take the same time.
_DUMMY_HASH = None


def find_user_by_email(email: str) -> User | None:
    email = normalise_email(email)
    if not email:
        return None
    return db.session.scalar(select(User).where(User.email == email))


def normalise_login(login: str | None) -> str:
    """What the sign-in form's ``login`` field names, normalised (email, username or student number)."""
    return (login or "").strip().lower()[:254]


def find_user_by_login(login: str | None) -> User | None:
    """The account an email, a username (any case) or a student number (any case) names.

    With "@" it is an email; otherwise a username first, then a student's number (the school
    answers ``sign_in_name_condition``). Always the same number of queries for a known and an
    unknown name (no timing difference between them)."""
    text = normalise_login(login)
    if not text:
        return None
    if "@" in text:
        return find_user_by_email(text)
    other_names = [c for c in signals.answers(signals.sign_in_name_condition, text) if c is not None]
    users = db.session.scalars(select(User).where(or_(User.username == text, *other_names)).limit(5)).all()
    by_username = [user for user in users if user.username == text]
    if by_username:
        return by_username[0]
    by_other_name = [user for user in users if user.is_student]
    return by_other_name[0] if len(by_other_name) == 1 else None


# --- signing in -----------------------------------------------------------------------


def record_login_attempt(login: str, user: User | None, success: bool, reason: str) -> LoginAttempt:
    """``login`` is what was typed (email, username or student number), kept normalised."""
    ip, agent = login_sessions._client()
    attempt = LoginAttempt(email=normalise_login(login), user_id=user.id if user else None, ip=ip,
                           user_agent=agent, success=success, reason=reason)
    db.session.add(attempt)
    return attempt


def authenticate(login: str, password: str) -> User:
    """The user with these credentials (``login``: email, username or student number), or
    ValidationFailed with one neutral message.

    Every attempt is recorded (``LoginAttempt``); the caller commits in both cases.
    """
    global _DUMMY_HASH
    email = login
    user = find_user_by_login(login)
    if user is None:
        if _DUMMY_HASH is None:
            probe = User(email="x@x", full_name="x", role="STUDENT")
            probe.set_password("not-a-real-password")
            _DUMMY_HASH = probe.password_hash
        check_password_hash(_DUMMY_HASH, password)
        record_login_attempt(email, None, False, "UNKNOWN_EMAIL")
        raise ValidationFailed(wrong_credentials(), code="INVALID_CREDENTIALS", field="password")
    if not user.check_password(password):
        record_login_attempt(email, user, False, "WRONG_PASSWORD")
        raise ValidationFailed(wrong_credentials(), code="INVALID_CREDENTIALS", field="password")
    if user.role == Role.STUDENT and signals.first_answer(signals.registration_pending, user, default=False):
        record_login_attempt(email, user, False, "PENDING")
        raise ValidationFailed(_("Your teacher has not approved your registration yet. Please wait, then try again."),
                               code="REGISTRATION_PENDING", field="password")
    if not user.active:
        record_login_attempt(email, user, False, "INACTIVE")
        raise ValidationFailed(_("This account has been deactivated. Ask the school office."),
                               code="ACCOUNT_INACTIVE", field="password")
    refuse_if_suspended(user, email)  # after the password check: only the owner learns why
    record_login_attempt(email, user, True, "OK")
    return user


def sign_in(user: User, *, remember: bool = False):
    """Sign ``user`` in on this browser: a fresh cookie session and a new login session; with
    ``remember``, a new remember-me series (``lms.auth.remember``), never Flask-Login's cookie."""
    previous = login_sessions.current_login_session_id()
    if previous:
        login_sessions.end_login_session(previous, EndReason.LOGOUT)
    remember_tokens.forget_this_browser()  # whoever this browser remembered before
    # Rotate: nothing from before the sign-in (including the CSRF token) carries over.
    session.clear()
    login_session = login_sessions.start_login_session(user)
    user.last_login_at = login_session.started_at
    login_user(user)
    if remember:
        remember_tokens.remember(user, login_session.id)
    return login_session


def sign_out() -> None:
    """End this browser's login session and forget the user (and this browser's remember-me series)."""
    if current_user.is_authenticated:
        record(current_user._get_current_object(), "user.logout", current_user._get_current_object())
    login_sessions.end_login_session(login_sessions.current_login_session_id(), EndReason.LOGOUT)
    remember_tokens.forget_this_browser()
    session.pop(login_sessions.LOGIN_SESSION_KEY, None)
    logout_user()


def _signed_out_message(reason: str | None) -> str:
    if reason == EndReason.EXPIRED:
        return _("You were signed out after a period without activity. Please sign in again.")
    return _("You were signed out. Please sign in again.")


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: the cookie carries ``id:login_version``; the Flask session carries the
    login session id.  One SELECT loads both; an inactive user, an old login version or an ended
    (or expired) login session signs the browser out."""
    ident, _sep, version = str(user_id).partition(":")
    if not ident.isdigit():
        return None
    user, state = login_sessions.load_user_with_login_session(
        int(ident), login_sessions.current_login_session_id())
    reason = None
    if user is None or not user.active or user.is_suspended or (version and str(user.login_version) != version):
        user = None
    elif state is not None:
        live, reason = login_sessions.login_session_is_live(state)
        if not live:
            user = None
    if user is None and has_request_context():
        had_login_session = session.pop(login_sessions.LOGIN_SESSION_KEY, None) is not None
        session.pop("_user_id", None)
        if had_login_session and reason and not request.cookies.get(remember_tokens.cookie_name()):
            flash(_signed_out_message(reason), "info")
    return view_as.swap(user)  # an admin viewing as someone: that someone (lms.auth.view_as)


# --- passwords ------------------------------------------------------------------------


def check_new_password(password: str, email: str, *, field: str = "password") -> None:
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(_("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field=field)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=MAX_PASSWORD_LENGTH), field=field)
    if normalise_email(password) == normalise_email(email):
        raise ValidationFailed(_("Your password must not be your email address."), field=field)


def change_password(actor: User, current_password: str, new_password: str) -> int:
    """Change the actor's own password: this browser stays signed in; every other login session,
    remembered browser, API token (JWT) and personal access token stops working.  Returns how many
    login sessions ended."""
    if not actor.check_password(current_password or ""):
        raise ValidationFailed(_("Your current password is not correct."), field="current_password")
    check_new_password(new_password, actor.email, field="new_password")
    actor.set_password(new_password)
    counts = revoke_credentials(actor, keep_this_browser=True)
    record(actor, "user.password_changed", actor, other_sessions_ended=counts["sessions_ended"],
           api_tokens_revoked=counts["api_tokens_revoked"])
    return counts["sessions_ended"]


def sign_out_everywhere_else(actor: User) -> int:
    """Every other browser and app signed in with the password (login sessions, remembered browsers,
    JWTs) is signed out; this browser and the personal access tokens stay."""
    counts = revoke_credentials(actor, keep_this_browser=True, keep_api_tokens=True)
    record(actor, "user.signed_out_elsewhere", actor, sessions_ended=counts["sessions_ended"])
    return counts["sessions_ended"]


def sign_out_everywhere(actor: User) -> dict:
    """Every login session (this one too), remembered browser, JWT and personal access token ends."""
    counts = revoke_credentials(actor)
    record(actor, "user.signed_out_everywhere", actor, **counts)
    sign_out()
    return counts


# --- password reset -------------------------------------------------------------------


def _issue_token(user: User, purpose: str, lifetime: timedelta, new_email: str | None = None) -> str:
    """A new single-use token; older unused tokens of the same purpose stop working."""
    now = utcnow()
    db.session.execute(
        update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False)
    )
    raw, digest = new_token()
    db.session.add(AccountToken(user_id=user.id, purpose=purpose, token_hash=digest, new_email=new_email,
                                expires_at=now + lifetime))
    db.session.flush()
    return raw


def _send_reset_email(user: User, raw_token: str) -> None:
    send_email(user.email, _l("Reset your password"), "password_reset", locale=user.locale, user=user,
               link=absolute_url("auth.reset_password", token=raw_token),
               hours=int(RESET_TOKEN_LIFETIME.total_seconds() // 3600))


def request_password_reset(email: str) -> None:
    """Someone asked for a reset link for ``email``: the request does the same work whatever the
    address (it queues one job, :func:`lms.auth.jobs.send_password_reset`, which looks the account
    up), so neither the answer nor its timing tells whether the address has an account."""
    from lms.auth.jobs import send_password_reset  # import cycle: auth.jobs imports this module

    enqueue(send_password_reset, normalise_email(email or "")[:254])


def email_reset_link(email: str) -> bool:
    """Email a reset link when an active account has this address; nothing otherwise.  True when sent."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return False
    raw = _issue_token(user, TokenPurpose.RESET_PASSWORD, RESET_TOKEN_LIFETIME)
    _send_reset_email(user, raw)
    return True


def send_reset_link(actor: User, user: User) -> None:
    """An admin sends ``user`` a password-reset link (audited)."""
    if not user.active:
        raise ValidationFailed(_("Reactivate the account before sending a reset link."))
    raw = _issue_token(user, TokenPurpose.RESET_PASSWORD, RESET_TOKEN_LIFETIME)
    _send_reset_email(user, raw)
    record(actor, "user.reset_link_sent", user, email=user.email)


def valid_token(raw: str, purpose: str) -> AccountToken | None:
    """The unused, unexpired token with this value, or None."""
    if not raw or len(raw) > 200:
        return None
    token = db.session.scalar(select(AccountToken).where(
        AccountToken.token_hash == hash_token(raw), AccountToken.purpose == purpose))
    if token is None or token.used_at is not None or token.expires_at <= utcnow():
        return None
    return token


def _token_and_active_user(raw_token: str, purpose: str) -> tuple[AccountToken, User]:
    """The valid token and its active user, else TOKEN_INVALID (the same answer for every reason)."""
    token = valid_token(raw_token, purpose)
    user = db.session.get(User, token.user_id) if token is not None else None
    if user is None or not user.active:
        raise ValidationFailed(_("This link is invalid or has expired. Ask for a new one."), code="TOKEN_INVALID")
    return token, user


def reset_password(raw_token: str, new_password: str) -> User:
    """Set a new password from a reset link; every login session of the user ends."""
    token, user = _token_and_active_user(raw_token, TokenPurpose.RESET_PASSWORD)
    check_new_password(new_password, user.email)
    token.used_at = utcnow()
    user.set_password(new_password)
    counts = revoke_credentials(user)
    record(user, "user.password_reset", user, sessions_ended=counts["sessions_ended"],
           api_tokens_revoked=counts["api_tokens_revoked"])
    return user


# --- profile and email change ---------------------------------------------------------


def update_profile(actor: User, full_name: str, locale: str | None) -> None:
    full_name = (full_name or "").strip()
    if not full_name:
        raise ValidationFailed(_("Enter your name."), field="full_name")
    if len(full_name) > 200:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=200), field="full_name")
    locale = locale or None
    if locale is not None and locale not in SUPPORTED_LOCALES:
        raise ValidationFailed(_("Choose a language from the list."), field="locale")
    actor.full_name = full_name
    actor.locale = locale


def validate_email_address(email: str, *, field: str = "email") -> str:
    """The normalised address, or ValidationFailed with a readable message."""
    from email_validator import EmailNotValidError
    from email_validator import validate_email as check

    email = normalise_email(email)
    if not email:
        raise ValidationFailed(_("Enter an email address."), field=field)
    try:
        check(email, check_deliverability=False)
    except EmailNotValidError:
        raise ValidationFailed(_("%(email)s is not a valid email address.", email=email), field=field) from None
    if len(email) > 254:
        raise ValidationFailed(_("That email address is too long."), field=field)
    return email


def request_email_change(actor: User, new_email: str, current_password: str) -> str:
    """Send a confirmation link to the new address; the email changes when it is opened."""
    new_email = validate_email_address(new_email, field="new_email")
    if not actor.check_password(current_password or ""):
        raise ValidationFailed(_("Your current password is not correct."), field="current_password")
    if new_email == actor.email:
        raise ValidationFailed(_("That is already your email address."), field="new_email")
    if find_user_by_email(new_email) is not None:
        raise ValidationFailed(_("Another account already uses that address."), field="new_email")
    raw = _issue_token(actor, TokenPurpose.CHANGE_EMAIL, EMAIL_CHANGE_TOKEN_LIFETIME, new_email=new_email)

    send_email(new_email, _l("Confirm your new email address"), "email_change", locale=actor.locale,
               user=actor, new_email=new_email, link=absolute_url("auth.confirm_email", token=raw),
               hours=int(EMAIL_CHANGE_TOKEN_LIFETIME.total_seconds() // 3600))
    record(actor, "user.email_change_requested", actor, new_email=new_email)
    return new_email


def confirm_email_change(raw_token: str) -> User:
    token, user = _token_and_active_user(raw_token, TokenPurpose.CHANGE_EMAIL)
    if find_user_by_email(token.new_email) is not None:
        raise ValidationFailed(_("Another account already uses that address."), code="EMAIL_TAKEN")
    old_email = user.email
    token.used_at = utcnow()
    user.email = token.new_email
    record(user, "user.email_changed", user, old_email=old_email, new_email=user.email)

    send_email(old_email, _l("Your email address was changed"), "email_changed", locale=user.locale,
               user=user, old_email=old_email, new_email=user.email)
    return user
