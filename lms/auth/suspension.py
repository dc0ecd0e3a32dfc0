"""Suspending an account: for a reason, until a day (or until lifted), by an administrator.

A suspended user cannot sign in by any path (password, API token, remember-me cookie, personal
access token, any single sign-on that goes through :func:`lms.auth.services.authenticate`); the
moment they are suspended every login session, remembered browser and token of theirs ends
(:func:`lms.auth.credentials.revoke_credentials`).  After a correct password they are told why and
until when (:func:`refuse_if_suspended`); a wrong password gets the usual neutral message.

The end is a day in the school's timezone: the account opens again at the start of that day.  The
periodic job :func:`lms.auth.jobs.lift_ended_suspensions` clears ended suspensions (one UPDATE);
until it runs, an ended suspension already counts as lifted (``User.is_suspended``).
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from lms.audit.services import record
from lms.auth.credentials import revoke_credentials
from lms.auth.models import Role, User
from lms.common.errors import BusinessRuleViolation, ValidationFailed
from lms.common.i18n import date_filter
from lms.common.types import utcnow
from lms.core.organization import current_organization
from lms.extensions import db

MAX_REASON_LENGTH = 500
MIN_YEAR, MAX_YEAR = 1900, 2200


def _zone() -> ZoneInfo:
    try:
        return ZoneInfo(current_organization().timezone)
    except Exception:
        return ZoneInfo("UTC")


def _local_today() -> date:
    return datetime.now(_zone()).date()


def start_of_local_day(day: date) -> datetime:
    """The UTC instant (naive, as stored) at which ``day`` begins in the school's timezone."""
    from datetime import UTC

    return datetime.combine(day, time(0), tzinfo=_zone()).astimezone(UTC).replace(tzinfo=None)


def local_end_date(user: User) -> date | None:
    """The day the account opens again, in the school's timezone (None: until lifted)."""
    if user.suspended_until is None:
        return None
    from datetime import UTC

    return user.suspended_until.replace(tzinfo=UTC).astimezone(_zone()).date()


def parse_end_date(raw: str | None) -> date | None:
    """``YYYY-MM-DD`` (empty: until lifted); a day after today, years 1900–2200."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(_("Enter the end date as a date, e.g. 2026-12-31."), field="until") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValidationFailed(_("Enter a year between %(low)d and %(high)d.", low=MIN_YEAR, high=MAX_YEAR),
                               field="until")
    if day <= _local_today():
        raise ValidationFailed(_("The end date must be after today."), field="until")
    return day


def clean_reason(raw: str | None) -> str:
    reason = " ".join((raw or "").split())
    if not reason:
        raise ValidationFailed(_("Give a reason: the user sees it when they try to sign in."), field="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=MAX_REASON_LENGTH), field="reason")
    return reason


def _other_active_admins(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.role == Role.ADMIN, User.active.is_(True), User.suspended_at.is_(None), User.id != user.id)) or 0


def suspend(actor: User, user: User, reason: str | None, until: str | None) -> User:
    """Suspend ``user`` (or change the reason/end of a suspension); they are signed out everywhere."""
    if user.id == actor.id:
        raise BusinessRuleViolation(_("You cannot suspend your own account."))
    reason = clean_reason(reason)
    end_day = parse_end_date(until)
    if user.role == Role.ADMIN and _other_active_admins(user) == 0:
        raise BusinessRuleViolation(_("This is the last active administrator."))
    now = utcnow()
    was_suspended = user.is_suspended
    user.suspended_at = user.suspended_at if was_suspended else now
    user.suspended_until = start_of_local_day(end_day) if end_day else None
    user.suspension_reason = reason
    user.suspended_by_id = actor.id
    counts = revoke_credentials(user)
    record(actor, "user.suspension_changed" if was_suspended else "user.suspended", user, email=user.email,
           reason=reason, until=end_day.isoformat() if end_day else None,
           sessions_ended=counts["sessions_ended"], api_tokens_revoked=counts["api_tokens_revoked"])
    return user


def _clear(user: User) -> None:
    user.suspended_at = user.suspended_until = user.suspension_reason = user.suspended_by_id = None


def lift(actor: User, user: User) -> User:
    """End the suspension now (nothing happens when there is none)."""
    if user.suspended_at is None:
        return user
    reason = user.suspension_reason
    _clear(user)
    record(actor, "user.suspension_lifted", user, email=user.email, reason=reason)
    return user


def lift_ended(now: datetime | None = None) -> int:
    """Clear every suspension whose end has passed: one UPDATE; safe to run again (idempotent)."""
    now = now or utcnow()
    lifted = db.session.execute(
        update(User).where(User.suspended_until.is_not(None), User.suspended_until <= now)
        .values(suspended_at=None, suspended_until=None, suspension_reason=None, suspended_by_id=None)
        .returning(User.id, User.email)
        .execution_options(synchronize_session=False)
    ).all()
    for user_id, email in lifted:
        record(None, "user.suspension_ended", db.session.get(User, user_id), email=email)
    return len(lifted)


def suspension_message(user: User) -> str:
    end_day = local_end_date(user)
    if end_day is None:
        return _("Your account is suspended: %(reason)s. Ask the school office.", reason=user.suspension_reason)
    return _("Your account is suspended until %(date)s: %(reason)s. Ask the school office.",
             date=date_filter(end_day), reason=user.suspension_reason)


def refuse_if_suspended(user: User, attempted_login: str) -> None:
    """Called by the one sign-in function once the password is known to be right: a suspended user
    is told why and until when (the attempt is recorded as SUSPENDED)."""
    if user.is_suspended:
        from lms.auth.services import record_login_attempt  # import cycle: auth.services imports this module

        record_login_attempt(attempted_login, user, False, "SUSPENDED")
        raise ValidationFailed(suspension_message(user), code="ACCOUNT_SUSPENDED", field="password")
