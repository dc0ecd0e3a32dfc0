"""Picture passwords for young learners: three of twelve pictures, in order.

The organization names the levels (by code, ``Organization.picture_password_levels``) whose students
may sign in this way.  A picture password is stored like a password: hashed with the same KDF
(``PASSWORD_HASH_METHOD``) over the user id and the ordered picture ids, in its own column.
Signing in with pictures goes through the same checks, counters and ``sign_in`` as a password.
"""

from __future__ import annotations

import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from lms.audit.services import record
from lms.auth.credentials import revoke_credentials
from lms.auth.models import User
from lms.auth.services import find_user_by_login, record_login_attempt, wrong_credentials
from lms.auth.suspension import refuse_if_suspended
from lms.common.errors import ValidationFailed
from lms.core import signals
from lms.core.organization import current_organization
from lms.extensions import db

PICTURE_COUNT = 3  # pictures in a picture password
DEFAULT_LEVELS = "P1,P2,P3"

# The twelve pictures (static/img/pictures/<id>.svg), in the order they are shown.
PICTURES: dict[str, object] = {
    "sun": _l("sun"),
    "moon": _l("moon"),
    "star": _l("star"),
    "cat": _l("cat"),
    "fish": _l("fish"),
    "tree": _l("tree"),
    "flower": _l("flower"),
    "car": _l("car"),
    "house": _l("house"),
    "ball": _l("ball"),
    "apple": _l("apple"),
    "boat": _l("boat"),
}


def picture_label(picture_id: str) -> str:
    return str(PICTURES[picture_id])


def level_codes(text: str | None) -> list[str]:
    """The level codes a stored setting names (comma-separated), in order, without repeats."""
    codes: list[str] = []
    for code in (text or "").split(","):
        code = code.strip()
        if code and code not in codes:
            codes.append(code)
    return codes


def picture_levels() -> list[str]:
    return level_codes(current_organization().picture_password_levels)


def uses_picture_password(user) -> bool:
    """May ``user`` sign in with a picture password: a student whose current classroom's level is
    one the organization names."""
    if user is None or getattr(user, "is_anonymous", False) or not user.is_student:
        return False
    level = signals.first_answer(signals.current_level_code, user)
    return level is not None and level in picture_levels()


def valid_sequence(picks) -> bool:
    return (isinstance(picks, (list, tuple)) and len(picks) == PICTURE_COUNT
            and all(isinstance(p, str) and p in PICTURES for p in picks))


def _secret(user: User, picks) -> str:
    return f"{user.id}:" + "-".join(picks)


def has_picture_password(user: User) -> bool:
    return bool(user.picture_password_hash)


def set_picture_password(user: User, picks) -> None:
    """Set (or change) the signed-in student's own picture password; audited."""
    if not uses_picture_password(user):
        raise ValidationFailed(str(_l("Picture passwords are not used in your class.")), code="NOT_ALLOWED")
    if not valid_sequence(picks):
        raise ValidationFailed(str(_l("Choose three pictures.")), field="picture")
    changed = has_picture_password(user)
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    user.picture_password_hash = generate_password_hash(_secret(user, picks), method=method)
    if user.must_change_password:  # signed in with a login card: the pictures replace its one-time password
        user.password_hash = generate_password_hash(secrets.token_urlsafe(32), method=method)  # unusable
        user.must_change_password = False
    revoked = {}
    if changed:  # like a password change: every other browser signed in with the old one is signed out
        revoked = revoke_credentials(user, keep_this_browser=True)
    record(user, "auth.picture_password_changed" if changed else "auth.picture_password_set", user, **revoked)
    db.session.flush()


def check_picture_password(user: User, picks) -> bool:
    if not user.picture_password_hash or not valid_sequence(picks):
        return False
    return check_password_hash(user.picture_password_hash, _secret(user, picks))


def reset_picture_password(actor, student: User) -> bool:
    """Remove a student's picture password (an admin or one of their teachers; the caller checks
    that ``actor`` may see the student); audited.  False when there was none."""
    if not has_picture_password(student):
        return False
    student.picture_password_hash = None
    # Like a password reset: whoever signed in with the old pictures is signed out.
    revoked = revoke_credentials(student)
    record(actor, "auth.picture_password_reset", student, **revoked)
    db.session.flush()
    return True


_DUMMY_HASH: str | None = None


def _spend_time_like_a_check(picks) -> None:
    """Unknown account: take as long as a real check, so both cases look the same."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        _DUMMY_HASH = generate_password_hash("0:not-a-real-sequence", method=method)
    check_password_hash(_DUMMY_HASH, "0:" + "-".join(str(p) for p in picks))


def authenticate_with_pictures(login: str, picks) -> User:
    """The user this login and picture sequence sign in, or ValidationFailed with the same neutral
    message as a wrong password.  Every attempt is recorded; the caller commits in both cases."""
    user = find_user_by_login(login)
    if user is None:
        _spend_time_like_a_check(picks)
        record_login_attempt(login, None, False, "UNKNOWN_EMAIL")
        raise ValidationFailed(wrong_credentials(), code="INVALID_CREDENTIALS", field="picture")
    if not check_picture_password(user, picks) or not uses_picture_password(user):
        record_login_attempt(login, user, False, "WRONG_PICTURES")
        raise ValidationFailed(wrong_credentials(), code="INVALID_CREDENTIALS", field="picture")
    if not user.active:
        record_login_attempt(login, user, False, "INACTIVE")
        raise ValidationFailed(str(_l("This account has been deactivated. Ask the school office.")),
                               code="ACCOUNT_INACTIVE", field="picture")
    refuse_if_suspended(user, login)  # after the pictures are known right: only the owner learns why
    record_login_attempt(login, user, True, "OK_PICTURES")
    return user
