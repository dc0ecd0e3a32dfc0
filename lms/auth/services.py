"""Signing in and out."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from lms.auth.models import User, normalise_email
from lms.common.errors import ValidationFailed
from lms.common.types import utcnow
from lms.extensions import db

# Compared against when the email is unknown, so both cases take the same time.
_DUMMY_HASH = None


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User:
    """The user with these credentials, or ValidationFailed with one neutral message."""
    global _DUMMY_HASH
    user = find_user_by_email(email)
    if user is None:
        if _DUMMY_HASH is None:
            probe = User(email="x@x", full_name="x", role="STUDENT")
            probe.set_password("not-a-real-password")
            _DUMMY_HASH = probe.password_hash
        from werkzeug.security import check_password_hash

        check_password_hash(_DUMMY_HASH, password)
        raise ValidationFailed(_("Wrong email or password."), code="INVALID_CREDENTIALS")
    if not user.check_password(password):
        raise ValidationFailed(_("Wrong email or password."), code="INVALID_CREDENTIALS")
    if not user.active:
        raise ValidationFailed(_("This account has been deactivated. Ask the school office."),
                               code="ACCOUNT_INACTIVE")
    user.last_login_at = utcnow()
    return user


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: the cookie carries ``id:login_version``."""
    ident, _sep, version = str(user_id).partition(":")
    if not ident.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active:
        return None
    if version and str(user.login_version) != version:
        return None
    return user
