"""Input parsing and the API contract's error messages, shared by the teaching services.

Services take raw values (JSON from the API, strings from forms) and validate them here, so the
API and the pages give the same messages.  Every problem is a ``ValidationFailed`` naming its
field (400 VALIDATION_ERROR with ``details: {field, reason}``).
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import has_request_context, request
from flask_babel import gettext as _

from lms.common.edge import INT4_MAX, INT4_MIN, YEAR_MAX, YEAR_MIN, year_in_range
from lms.common.errors import BusinessRuleViolation, Conflict, NotFound, ValidationFailed

NAME_MIN, NAME_MAX = 2, 255
TITLE_MIN, TITLE_MAX = 2, 255
MESSAGE_MIN, MESSAGE_MAX = 10, 2000
DESCRIPTION_MAX = 5000
NOTES_MAX = 2000


def client_ip() -> str | None:
    return (request.remote_addr or None) if has_request_context() else None


def parse_datetime(value, field: str, label: str, *, required: bool = False) -> datetime | None:
    """An aware UTC datetime from a datetime or an ISO 8601 string ("...Z", an offset, or none = UTC)."""
    if value is None or value == "":
        if required:
            raise ValidationFailed(_("%(label)s is required", label=label), field=field)
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationFailed(_("%(label)s must be valid ISO date", label=label), field=field) from None
    else:
        raise ValidationFailed(_("%(label)s must be valid ISO date", label=label), field=field)
    if not isinstance(parsed, datetime):  # a bare date
        parsed = datetime.combine(parsed, time.min)
    if not year_in_range(parsed):
        raise ValidationFailed(_("%(label)s must be a date between %(first)d and %(last)d",
                                 label=label, first=YEAR_MIN, last=YEAR_MAX), field=field)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # "9999-12-31T23:59:59-01:00" is past the last representable instant
        raise ValidationFailed(_("%(label)s must be valid ISO date", label=label), field=field) from None


def parse_int(value, field: str, message: str, *, minimum: int | None = None, maximum: int | None = None,
              allow_none: bool = False) -> int | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise ValidationFailed(message, field=field)
    if isinstance(value, bool):
        raise ValidationFailed(message, field=field)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValidationFailed(message, field=field)
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.lstrip("-").isdigit()) or len(text) > 12:
            raise ValidationFailed(message, field=field)
        value = int(text)
    if not isinstance(value, int):
        raise ValidationFailed(message, field=field)
    if not INT4_MIN <= value <= INT4_MAX:  # no column takes more (and PostgreSQL would overflow)
        raise ValidationFailed(message, field=field)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValidationFailed(message, field=field)
    return value


def parse_bool(value, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "on", "y"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "0", "no", "off", "n", ""):
        return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ValidationFailed(_("%(field)s must be true or false", field=field), field=field)


def parse_text(value, field: str, message: str, *, minimum: int, maximum: int, required: bool = True,
               collapse: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip() and not required):
        if required:
            raise ValidationFailed(message, field=field)
        return None
    if not isinstance(value, str):
        raise ValidationFailed(message, field=field)
    text = " ".join(value.split()) if collapse else value.strip()
    if not minimum <= len(text) <= maximum:
        raise ValidationFailed(message, field=field)
    return text


def parse_choice(value, field: str, choices, message: str) -> str:
    if not isinstance(value, str) or value.strip().upper() not in {str(c) for c in choices}:
        raise ValidationFailed(message, field=field)
    return value.strip().upper()


# --- the API contract's errors ---------------------------------------------------------------


def session_not_found(session_id) -> NotFound:
    return NotFound(_("Course session with ID %(id)s not found", id=session_id), code="SESSION_NOT_FOUND")


def enrollment_not_found() -> NotFound:
    return NotFound(_("Session enrollment not found"), code="ENROLLMENT_NOT_FOUND")


def announcement_not_found() -> NotFound:
    return NotFound(_("Session announcement not found"), code="ANNOUNCEMENT_NOT_FOUND")


def meeting_not_found() -> NotFound:
    return NotFound(_("That meeting does not exist."), code="MEETING_NOT_FOUND")


def duplicate_session_name() -> Conflict:
    message = _("Session name already exists for this teacher and course")
    return Conflict(message, code="DUPLICATE_SESSION_NAME", details={"field": "session_name", "reason": message})


def active_session_exists() -> Conflict:
    message = _("This teacher already has an active session for this course")
    return Conflict(message, code="ACTIVE_SESSION_EXISTS", details={"field": "course_id", "reason": message})


def session_expired() -> BusinessRuleViolation:
    return BusinessRuleViolation(_("Session has expired"), code="SESSION_EXPIRED")


def invalid_transition(message: str) -> BusinessRuleViolation:
    return BusinessRuleViolation(message, code="INVALID_STATUS_TRANSITION")
