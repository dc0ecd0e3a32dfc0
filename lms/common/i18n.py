"""Locale and timezone selection, and the date filters templates use."""

from __future__ import annotations

from datetime import datetime

from babel.dates import get_date_format, get_datetime_format
from flask import current_app, has_request_context, request, session
from flask_babel import (
    format_date,
    format_datetime,
    format_time,
    format_timedelta,
    get_locale,
    get_translations,
    to_user_timezone,
)
from flask_login import current_user

from lms.common import labels
from lms.common.types import utcnow
from lms.core.organization import current_organization

SUPPORTED_LOCALES = ("en", "th")
# Each language named in itself, for the language switch.
LANGUAGE_NAMES = {"en": "English", "th": "ไทย"}
SESSION_LOCALE_KEY = "lms_locale"


API_PATH_PREFIX = "/api/"


def select_locale() -> str:
    """Signed in: the user's choice, else the organization's.  Signed out: the language switch,
    else the browser's Accept-Language, else the organization's.

    The JSON API (``/api/...``) answers in the language its client asks for with Accept-Language,
    else in English (the API contract's messages): a script's messages do not change with the language its
    user chose for the pages.  Codes and field names are English whatever the language."""
    if has_request_context() and request.path.startswith(API_PATH_PREFIX):
        return request.accept_languages.best_match(SUPPORTED_LOCALES) or "en"
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in SUPPORTED_LOCALES:
        return user_locale
    if current_user and getattr(current_user, "is_authenticated", False):
        return _org_locale()
    if not has_request_context():
        return _org_locale()
    chosen = session.get(SESSION_LOCALE_KEY)
    if chosen in SUPPORTED_LOCALES:
        return chosen
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or _org_locale()


def _org_locale() -> str:
    try:
        locale = current_organization().locale
    except Exception:  # the database may be unreachable (health checks, error pages)
        locale = current_app.config.get("ORG_LOCALE", "en")
    return locale if locale in SUPPORTED_LOCALES else "en"


def select_timezone() -> str:
    try:
        return current_organization().timezone
    except Exception:
        return current_app.config.get("ORG_TIMEZONE", "UTC")


def uses_buddhist_era() -> bool:
    """Thai readers of an organization that shows years in the Buddhist era (B.E. = A.D. + 543)."""
    try:
        use_be = current_organization().use_buddhist_era
    except Exception:
        use_be = False
    return bool(use_be) and str(get_locale()) == "th"


NAMED_FORMATS = ("short", "medium", "long", "full")
BUDDHIST_ERA_OFFSET = 543


def buddhist_era_pattern(pattern: str, year: int) -> str:
    """An LDML date pattern showing ``year`` in the Buddhist era: each year field (``y``, ``yy``,
    ``yyyy``) becomes the B.E. year (two digits for ``yy``) and the era field (``G``, "ค.ศ." in
    Thai's long formats) becomes "พ.ศ.".  Quoted literal text is left alone."""
    be_year = year + BUDDHIST_ERA_OFFSET
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "'":
            end = pattern.find("'", i + 1)
            end = len(pattern) - 1 if end == -1 else end
            out.append(pattern[i:end + 1])
            i = end + 1
            continue
        j = i
        while j < len(pattern) and pattern[j] == char:
            j += 1
        if char in "yY":
            out.append(f"'{be_year % 100:02d}'" if j - i == 2 else f"'{be_year}'")
        elif char == "G":
            out.append("'พ.ศ.'")
        else:
            out.append(pattern[i:j])
        i = j
    return "".join(out)


def _shown_year(value) -> int:
    """The year as the reader sees it (a datetime in the organization's timezone)."""
    if isinstance(value, datetime):
        value = to_user_timezone(value)
    return value.year


def _date_pattern(format: str) -> str:  # noqa: A002
    return str(get_date_format(format, locale=get_locale()).pattern) if format in NAMED_FORMATS else format


def dt_filter(value, format="medium"):  # noqa: A002 - Jinja filter signature
    if value is None:
        return ""
    if not uses_buddhist_era():
        return format_datetime(value, format)
    year = _shown_year(value)
    if format not in NAMED_FORMATS:
        return format_datetime(value, buddhist_era_pattern(format, year))
    # Babel joins the locale's date and time formats with its datetime pattern ("{1} {0}").
    joined = str(get_datetime_format(format, locale=get_locale())).replace("'", "")
    return (joined.replace("{0}", format_time(value, format))
            .replace("{1}", format_date(value, buddhist_era_pattern(_date_pattern(format), year))))


def date_filter(value, format="medium"):  # noqa: A002
    if value is None:
        return ""
    if not uses_buddhist_era():
        return format_date(value, format)
    return format_date(value, buddhist_era_pattern(_date_pattern(format), _shown_year(value)))


def time_filter(value, format="short"):  # noqa: A002
    if value is None:
        return ""
    return format_time(value, format)


def timeago_filter(value):
    """"5 minutes ago" / "in 2 days" in the reader's language."""
    if value is None:
        return ""

    return format_timedelta(value - utcnow(), add_direction=True, threshold=0.9)


class FormTranslations:
    """WTForms' built-in messages ("This field is required.") from the LMS catalogs, in the
    reader's language.  WTForms formats the result itself (``%(min)d``), so no formatting here."""

    def gettext(self, string):
        return get_translations().gettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ngettext(singular, plural, n)


FORM_TRANSLATIONS = FormTranslations()


def install_form_translations() -> None:
    """Every ``FlaskForm`` (all domains) translates WTForms' messages with our catalogs: WTForms
    has no Thai catalog of its own, so they are extracted from ``lms/common/wtforms_messages.py``."""
    from flask_wtf import FlaskForm

    def get_translations(self, form):
        return FORM_TRANSLATIONS

    FlaskForm.Meta.get_translations = get_translations


def init_app(app) -> None:
    install_form_translations()
    app.jinja_env.filters["datetime"] = dt_filter
    app.jinja_env.filters["date"] = date_filter
    app.jinja_env.filters["time"] = time_filter
    app.jinja_env.filters["timeago"] = timeago_filter
    app.jinja_env.globals["language_names"] = LANGUAGE_NAMES

    labels.init_app(app)
