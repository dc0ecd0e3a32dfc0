"""Usernames: what an account without an email signs in with (checked form, free or taken)."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from lms.auth.models import USERNAME_PATTERN, User, normalise_username
from lms.common.errors import ValidationFailed
from lms.common.services import is_taken

USERNAME_RE = re.compile(USERNAME_PATTERN)


def clean_username(username: str | None) -> str | None:
    """The normalised username, None when blank; ValidationFailed (field ``username``) when malformed."""
    username = normalise_username(username)
    if not username:
        return None
    if not USERNAME_RE.match(username):
        raise ValidationFailed(
            _("A username is 3 to 40 letters (a–z), digits, “.”, “_” or “-”, starting with a letter or digit."),
            field="username")
    return username


def username_taken(username: str, exclude_user_id: int | None = None) -> bool:
    return is_taken(User.id, User.username == normalise_username(username), except_id=exclude_user_id)


def check_username_free(username: str | None, exclude_user_id: int | None = None) -> None:
    if username and username_taken(username, exclude_user_id):
        raise ValidationFailed(_("The username %(username)s is already taken.", username=username),
                               field="username")
