"""A teacher's messages settings: messages on or off, and office hours in school time.

Office hours are windows ``[weekday, "HH:MM", "HH:MM"]`` (0 = Monday) in the organization's
timezone.  No window at all means parents may write at any time.  Outside the windows parents
cannot send; they are told when the next window opens.  Teachers can always reply.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.common.errors import BusinessRuleViolation, ValidationFailed
from lms.common.types import utcnow
from lms.conversations.models import MessageSettings
from lms.core.organization import current_organization
from lms.extensions import db

WEEKDAYS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
            _l("Sunday"))
TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
MAX_WINDOWS = 14


def school_zone() -> ZoneInfo:
    try:
        return ZoneInfo(current_organization().timezone or "UTC")
    except Exception:
        return ZoneInfo("UTC")


def settings_of(teacher_id: int) -> MessageSettings:
    """The teacher's settings (a default, unsaved row when they never changed them)."""
    return db.session.get(MessageSettings, teacher_id) or MessageSettings(
        teacher_id=teacher_id, messages_enabled=True, office_hours=[])


def _clean_time(value, field: str) -> str:
    text = str(value or "").strip()[:5]
    if not TIME.match(text):
        raise ValidationFailed(_("Enter a time as HH:MM, for example 15:30."), field=field)
    return text


def clean_windows(days, start, end) -> list[list]:
    """``days`` (weekday numbers) with one window ``start``–``end`` each; no day: no office hours."""
    chosen = sorted({int(d) for d in days or () if str(d).isdigit() and 0 <= int(d) <= 6})
    if not chosen:
        return []
    start, end = _clean_time(start, "start"), _clean_time(end, "end")
    if end <= start:
        raise ValidationFailed(_("The office hours must end after they start."), field="end")
    return [[day, start, end] for day in chosen][:MAX_WINDOWS]


def save_settings(teacher, *, enabled: bool, windows: list[list]) -> MessageSettings:
    row = db.session.get(MessageSettings, teacher.id)
    if row is None:
        row = MessageSettings(teacher_id=teacher.id)
        db.session.add(row)
    row.messages_enabled = bool(enabled)
    row.office_hours = windows
    db.session.flush()
    return row


def _window_bounds(day, window) -> tuple[datetime, datetime]:
    _weekday, start, end = window
    sh, sm = (int(x) for x in start.split(":"))
    eh, em = (int(x) for x in end.split(":"))
    return datetime.combine(day, time(sh, sm)), datetime.combine(day, time(eh, em))


def next_opening(settings: MessageSettings, now: datetime | None = None) -> datetime | None:
    """None when parents may write now; else the (aware, school-time) start of the next window."""
    windows = [w for w in settings.office_hours or [] if isinstance(w, list) and len(w) == 3]
    if not windows:
        return None
    local = (now or utcnow()).astimezone(school_zone()).replace(tzinfo=None)
    for offset in range(8):
        day = (local + timedelta(days=offset)).date()
        for window in sorted((w for w in windows if w[0] == day.weekday()), key=lambda w: w[1]):
            opens, closes = _window_bounds(day, window)
            if opens <= local < closes:
                return None
            if opens > local:
                return opens.replace(tzinfo=school_zone())
    return None


def check_open(teacher) -> None:
    """Refuse a parent's message when the teacher turned messages off or it is outside office hours."""
    settings = settings_of(teacher.id)
    if not settings.messages_enabled:
        raise BusinessRuleViolation(
            _("%(name)s does not take messages at the moment. Please contact the school office.",
              name=teacher.full_name))
    opens = next_opening(settings)
    if opens is not None:
        raise BusinessRuleViolation(
            _("%(name)s takes messages during office hours only. You can write again from %(when)s.",
              name=teacher.full_name, when=format_datetime(opens.astimezone(UTC), "EEEE d MMMM, HH:mm")))


def describe(settings: MessageSettings) -> list[str]:
    """The office hours as lines such as "Monday 15:00–16:00"."""
    return [f"{WEEKDAYS[w[0]]} {w[1]}–{w[2]}" for w in sorted(settings.office_hours or [])
            if isinstance(w, list) and len(w) == 3 and 0 <= w[0] <= 6]
