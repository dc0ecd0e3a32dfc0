"""Retention: logs are deleted (or stripped of what identifies a person) after the organization's limits.

Two settings on the organization (``/admin/organization``):

* ``log_retention_days`` (default 365, 30–3650) for logs of people's activity:
  - login attempts (email typed, IP address, browser) are deleted;
  - ended login sessions keep their row (user, start, last activity, duration, end reason: what the
    login analytics count and chart) but lose their IP address and browser;
  - notifications read that long ago are deleted (unread ones stay until read);
  - used or expired email tokens (password reset, email change), invitations that were never
    accepted (they hold a name and an email) and weekly-digest delivery records are deleted.
* ``audit_retention_days`` (default 1825, 365–3650, never shorter than the logs): audit entries.
  The audit log answers questions that come long after the fact (who changed this grade, who
  erased this student), so it is kept for longer; a database CHECK keeps it at least as long as
  the logs.

Each kind is one bulk statement; running the job again deletes nothing more (idempotent).  A row
exactly at the limit is kept: only rows strictly older than ``now - N days`` go.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update

from lms.audit.models import AuditLog
from lms.auth.models import AccountToken, Invitation, InvitationStatus, LoginAttempt, UserSession
from lms.common.types import utcnow
from lms.communication.models import Notification
from lms.core.models import Organization
from lms.digest.models import DigestDelivery
from lms.extensions import db

DEFAULT_LOG_DAYS = 365
DEFAULT_AUDIT_DAYS = 1825
LOG_DAYS_RANGE = (30, 3650)
AUDIT_DAYS_RANGE = (365, 3650)


def retention_days() -> tuple[int, int]:
    """(log days, audit days) from the organization row (defaults before it exists)."""
    row = db.session.execute(select(Organization.log_retention_days, Organization.audit_retention_days)
                             .order_by(Organization.id).limit(1)).first()
    return (row[0], row[1]) if row else (DEFAULT_LOG_DAYS, DEFAULT_AUDIT_DAYS)


def _run(stmt) -> int:
    return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount or 0


def apply_retention(now: datetime | None = None) -> dict[str, int]:
    """Delete (or strip) what is older than the limits; returns the rows affected per kind."""
    now = now or utcnow()
    log_days, audit_days = retention_days()
    logs_before = now - timedelta(days=log_days)
    audit_before = now - timedelta(days=max(audit_days, log_days))
    return {
        "login_attempts": _run(delete(LoginAttempt).where(LoginAttempt.created_at < logs_before)),
        "login_sessions_stripped": _run(
            update(UserSession)
            .where(UserSession.ended_at < logs_before,
                   or_(UserSession.ip.is_not(None), UserSession.user_agent.is_not(None)))
            .values(ip=None, user_agent=None)),
        "notifications": _run(delete(Notification).where(Notification.read_at < logs_before)),
        "account_tokens": _run(delete(AccountToken).where(AccountToken.expires_at < logs_before)),
        "invitations": _run(delete(Invitation).where(Invitation.status != InvitationStatus.ACCEPTED,
                                                     Invitation.expires_at < logs_before)),
        "digest_deliveries": _run(delete(DigestDelivery).where(DigestDelivery.created_at < logs_before)),
        "audit_entries": _run(delete(AuditLog).where(AuditLog.created_at < audit_before)),
    }
