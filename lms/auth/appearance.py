"""A user's colour theme: light, dark, or the device's choice (``User.theme``).

``base.html`` writes ``data-theme="light|dark"`` on ``<html>`` from :func:`html_theme`, so the first
paint already has the right colours and no script runs (the CSP allows none inline). Without the
attribute — SYSTEM, or nobody signed in — Pico CSS and ``static/css/app.css`` follow the device's
``prefers-color-scheme``. The choice is made on the profile page or with the header's toggle
(``auth.set_theme``); ``static/js/app.js`` applies a toggle's answer to the page without a reload.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.models import Theme, User
from lms.common.errors import ValidationFailed

THEMES = tuple(theme.value for theme in Theme)


def html_value(theme: str | None) -> str | None:
    """The ``data-theme`` value of a stored theme (None: follow the device)."""
    return theme.lower() if theme in (Theme.LIGHT, Theme.DARK) else None


def theme_of_request() -> str:
    """The theme the pages of this request use: the signed-in user's (an administrator viewing as
    someone keeps their own), SYSTEM for everyone else."""
    if not current_user.is_authenticated:
        return Theme.SYSTEM
    from lms.auth.view_as import acting_admin

    user = acting_admin() or current_user
    return user.theme or Theme.SYSTEM


def html_theme() -> str | None:
    """Jinja: the ``data-theme`` attribute's value for ``<html>``, or None."""
    return html_value(theme_of_request())


def set_theme(actor: User, theme: str | None) -> str:
    """Remember ``actor``'s theme; the stored value."""
    theme = (theme or "").strip().upper()
    if theme not in THEMES:
        raise ValidationFailed(_("Choose light, dark or the same as this device."), field="theme")
    actor.theme = theme
    return theme
