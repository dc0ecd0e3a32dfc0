"""Organization settings (``/admin/organization``) and the school logo file."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from lms.audit.services import record
from lms.common.errors import ValidationFailed
from lms.common.i18n import SUPPORTED_LOCALES
from lms.common.uploads import sniffing, virus_scan
from lms.common.uploads.images import check_image, max_image_pixels
from lms.core.models import Organization
from lms.core.timezones import is_timezone
from lms.core.timezones import timezone_choices as core_timezone_choices
from lms.extensions import db
from lms.school.models import Level
from lms.school.services import ensure_organization, require_admin

MAX_LOGO_BYTES = 1024 * 1024
# Content types recognised from the file's first bytes (never from its name or the browser).
LOGO_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}
SETTINGS_FIELDS = ("name", "timezone", "locale", "academic_year", "session_timeout_minutes",
                   "heartbeat_seconds", "classes_per_level", "invitation_days", "use_buddhist_era",
                   "digest_weekday", "digest_hour", "log_retention_days", "audit_retention_days")
# Settings a form may leave out (kept as they are): the weekly parent email's day and hour.
OPTIONAL_LIMITS = {"digest_weekday": (0, 6), "digest_hour": (0, 23)}
# Privacy (lms.privacy.retention): how long logs and the audit log are kept, in days.  A form may
# leave them out (kept as they are); the audit log is never kept for less time than the logs.
RETENTION_LIMITS = {"log_retention_days": (30, 3650), "audit_retention_days": (365, 3650)}
LIMITS = {
    "session_timeout_minutes": (1, 1440),
    "heartbeat_seconds": (10, 600),
    "classes_per_level": (1, 50),
    "invitation_days": (1, 90),
}


def timezone_choices() -> list[str]:
    return list(core_timezone_choices())


def check_logo(actor, data: bytes, filename: str | None) -> str:
    """The content type of a logo upload: an image by its content and structure (the library's
    checks in ``lms.common.uploads``: name and content agree, Pillow reads it), scanned for viruses
    when enabled."""
    try:
        sniffed = sniffing.sniff(io.BytesIO(data), filename)
        if sniffed.content_type not in LOGO_TYPES:
            raise ValidationFailed(_("The logo must be a PNG, JPEG, GIF or WebP image."), field="logo")
        check_image(io.BytesIO(data), max_image_pixels(), sniffed.content_type)
        virus_scan.check_upload(io.BytesIO(data), actor, filename or "logo")
    except ValidationFailed as err:
        if err.field == "logo":
            raise
        raise ValidationFailed(err.message, field="logo", status=err.status) from err
    return sniffed.content_type


def validate_settings(values: dict) -> dict:
    """Checked and normalised settings; ValidationFailed names the first bad field."""
    cleaned = _identity_settings(values)
    cleaned.update(_limited_settings(values))
    if cleaned["heartbeat_seconds"] >= cleaned["session_timeout_minutes"] * 60:
        raise ValidationFailed(_("The heartbeat must be shorter than the login-session timeout, or every "
                                 "session would expire between two heartbeats."), field="heartbeat_seconds")
    cleaned["use_buddhist_era"] = bool(values.get("use_buddhist_era"))
    cleaned.update(_optional_settings(values))
    cleaned.update(_retention_settings(values))
    return cleaned


def _identity_settings(values: dict) -> dict:
    """Name, timezone, language and academic year."""
    name = (values.get("name") or "").strip()
    if not name or len(name) > 200:
        raise ValidationFailed(_("Give the organization's name (up to 200 characters)."), field="name")
    timezone = (values.get("timezone") or "").strip()
    if not is_timezone(timezone):
        raise ValidationFailed(_("Choose a timezone from the list."), field="timezone")
    if values.get("locale") not in SUPPORTED_LOCALES:
        raise ValidationFailed(_("Choose a language from the list."), field="locale")
    year = (values.get("academic_year") or "").strip()
    if not year or len(year) > 20:
        raise ValidationFailed(_("Give the current academic year, e.g. 2026."), field="academic_year")
    return {"name": name, "timezone": timezone, "locale": values["locale"], "academic_year": year}


def _limited_settings(values: dict) -> dict:
    cleaned = {}
    for key, (low, high) in LIMITS.items():
        try:
            number = int(values.get(key))
        except (TypeError, ValueError):
            number = None
        if number is None or not low <= number <= high:
            raise ValidationFailed(_("Enter a whole number from %(low)s to %(high)s.", low=low, high=high),
                                   field=key)
        cleaned[key] = number
    return cleaned


def _optional_settings(values: dict) -> dict:
    """The digest's day and hour; None keeps the current value."""
    cleaned = {}
    for key, (low, high) in OPTIONAL_LIMITS.items():
        raw = values.get(key)
        if raw in (None, ""):
            cleaned[key] = None  # unchanged
            continue
        try:
            number = int(raw)
        except (TypeError, ValueError):
            number = None
        if number is None or not low <= number <= high:
            raise ValidationFailed(_("Choose a value from the list."), field=key)
        cleaned[key] = number
    return cleaned


def _retention_settings(values: dict) -> dict:
    """Days the logs and the audit log are kept; None keeps the current value."""
    cleaned = {}
    for key, (low, high) in RETENTION_LIMITS.items():
        raw = values.get(key)
        if raw in (None, ""):
            cleaned[key] = None  # unchanged
            continue
        number = raw if isinstance(raw, int) and not isinstance(raw, bool) else as_whole_number(raw)
        if number is None or not low <= number <= high:
            raise ValidationFailed(_("Enter a whole number from %(low)s to %(high)s.", low=low, high=high),
                                   field=key)
        cleaned[key] = number
    return cleaned

def as_whole_number(raw) -> int | None:
    text = str(raw).strip()
    return int(text) if text.isascii() and text.isdigit() else None


def _check_retention(org: Organization, cleaned: dict) -> None:
    logs = cleaned["log_retention_days"] if cleaned["log_retention_days"] is not None else org.log_retention_days
    audit = (cleaned["audit_retention_days"] if cleaned["audit_retention_days"] is not None
             else org.audit_retention_days)
    if audit < logs:
        raise ValidationFailed(_("Keep the audit log at least as long as the other logs (%(days)s days or more).",
                                 days=logs), field="audit_retention_days")


def weekday_choices() -> list[tuple[int, str]]:
    """(0, "Monday") … (6, "Sunday") in the reader's language (Babel's day names)."""
    from babel.dates import get_day_names
    from flask_babel import get_locale

    names = get_day_names("wide", locale=get_locale())
    return [(i, names[i]) for i in range(7)]


def update_organization(actor, values: dict) -> Organization:
    """Save the settings form; the changed fields are audited."""
    require_admin(actor)
    cleaned = validate_settings(values)
    org = ensure_organization()
    _check_retention(org, cleaned)
    changes = {}
    for key in SETTINGS_FIELDS:
        if (key in OPTIONAL_LIMITS or key in RETENTION_LIMITS) and cleaned[key] is None:
            continue
        before = getattr(org, key)
        if before != cleaned[key]:
            changes[key] = [before, cleaned[key]]
            setattr(org, key, cleaned[key])
    db.session.flush()
    if changes:
        record(actor, "organization.update", org, changes=changes)
    return org


def logo_dir() -> Path:
    return Path(current_app.config["STORAGE_DIR"]) / "organization"


def logo_path(org: Organization) -> Path | None:
    if not org.logo_file:
        return None
    path = logo_dir() / org.logo_file
    return path if path.is_file() else None


def set_logo(actor, data: bytes, filename: str | None = None) -> str | None:
    """Store a new logo; returns the previous file's name (to delete after the commit)."""
    require_admin(actor)
    if not data:
        raise ValidationFailed(_("Choose an image file."), field="logo")
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationFailed(_("The logo must be smaller than 1 MB."), field="logo")
    content_type = check_logo(actor, data, filename)
    org = ensure_organization()
    previous = org.logo_file
    name = f"logo-{secrets.token_hex(12)}.{LOGO_TYPES[content_type]}"
    directory = logo_dir()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data)
    org.logo_file, org.logo_content_type = name, content_type
    db.session.flush()
    record(actor, "organization.logo", org, content_type=content_type, size=len(data))
    return previous


def remove_logo(actor) -> str | None:
    require_admin(actor)
    org = ensure_organization()
    previous = org.logo_file
    if previous:
        org.logo_file = org.logo_content_type = None
        db.session.flush()
        record(actor, "organization.logo_removed", org)
    return previous


def delete_logo_file(name: str | None) -> None:
    """Remove a replaced logo once the change is committed (best effort)."""
    if not name or "/" in name or "\\" in name:
        return
    try:
        (logo_dir() / name).unlink()
    except OSError:
        pass


def set_picture_password_levels(actor, codes) -> Organization:
    """The levels (by code) whose students may sign in with a picture password; audited."""
    require_admin(actor)
    known = {level.code: level.position for level in db.session.scalars(select(Level))}
    wanted = {str(code).strip() for code in (codes or []) if str(code).strip()}
    if not wanted <= set(known):
        raise ValidationFailed(_("Choose levels from the list."), field="picture_password_levels")
    value = ",".join(sorted(wanted, key=lambda code: (known[code], code)))
    if len(value) > 500:
        raise ValidationFailed(_("Choose fewer levels."), field="picture_password_levels")
    org = ensure_organization()
    if org.picture_password_levels != value:
        record(actor, "organization.update", org,
               changes={"picture_password_levels": [org.picture_password_levels, value]})
        org.picture_password_levels = value
        db.session.flush()
    return org
