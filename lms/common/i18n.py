"""Locale and timezone selection, and the date filters templates use."""

from __future__ import annotations

from flask import current_app, request
from flask_babel import format_date, format_datetime, format_time, get_locale
from flask_login import current_user

SUPPORTED_LOCALES = ("en", "th")


def select_locale() -> str:
    """The user's choice, else the organization's, else the browser's."""
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in SUPPORTED_LOCALES:
        return user_locale
    if current_user and getattr(current_user, "is_authenticated", False):
        return _org_locale()
    browser = request.accept_languages.best_match(SUPPORTED_LOCALES) if request else None
    return browser or _org_locale()


def _org_locale() -> str:
    from lms.school.services import current_organization

    try:
        locale = current_organization().locale
    except Exception:  # the database may be unreachable (health checks, error pages)
        locale = current_app.config.get("ORG_LOCALE", "en")
    return locale if locale in SUPPORTED_LOCALES else "en"


def select_timezone() -> str:
    from lms.school.services import current_organization

    try:
        return current_organization().timezone
    except Exception:
        return current_app.config.get("ORG_TIMEZONE", "UTC")


def _buddhist_era(text: str, value) -> str:
    """Shift the Gregorian year to the Buddhist era (+543) when the organization asks for it."""
    from lms.school.services import current_organization

    try:
        use_be = current_organization().use_buddhist_era
    except Exception:
        use_be = False
    if not use_be or value is None or str(get_locale()) != "th":
        return text
    year = str(value.year)
    return text.replace(year, str(value.year + 543), 1)


def dt_filter(value, format="medium"):  # noqa: A002 - Jinja filter signature
    if value is None:
        return ""
    return _buddhist_era(format_datetime(value, format), value)


def date_filter(value, format="medium"):  # noqa: A002
    if value is None:
        return ""
    return _buddhist_era(format_date(value, format), value)


def time_filter(value, format="short"):  # noqa: A002
    if value is None:
        return ""
    return format_time(value, format)


def init_app(app) -> None:
    app.jinja_env.filters["datetime"] = dt_filter
    app.jinja_env.filters["date"] = date_filter
    app.jinja_env.filters["time"] = time_filter
