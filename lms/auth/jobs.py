"""Background work of the auth domain."""

from __future__ import annotations

import logging

from lms.auth import login_sessions
from lms.auth.login_cards import delete_expired_batches
from lms.auth.remember import delete_expired
from lms.auth.services import email_reset_link
from lms.auth.suspension import lift_ended
from lms.extensions import db
from lms.jobs import background_job

log = logging.getLogger(__name__)


@background_job
def close_inactive_login_sessions() -> int:
    """Every minute: close login sessions idle for longer than the organization's timeout
    (one UPDATE; durations run to each session's last heartbeat).  Idempotent."""
    closed = login_sessions.close_inactive_login_sessions()
    db.session.commit()
    if closed:
        log.info("closed %d inactive login sessions", closed)
    return closed


@background_job
def delete_expired_remember_tokens() -> int:
    """Hourly: forget remembered browsers past their expiry (they are refused already).  Idempotent."""
    deleted = delete_expired()
    db.session.commit()
    return deleted


@background_job
def send_password_reset(email: str) -> bool:
    """A reset link for ``email`` (asked for on the forgot-password page), when an active account has
    it.  The lookup happens here, not in the request, so the page answers alike for every address."""
    sent = email_reset_link(email)
    db.session.commit()
    return sent


@background_job
def lift_ended_suspensions() -> int:
    """Every five minutes: lift suspensions whose end has passed (one UPDATE, audited).  Idempotent."""
    lifted = lift_ended()
    db.session.commit()
    if lifted:
        log.info("lifted %d ended suspensions", lifted)
    return lifted


@background_job
def delete_expired_login_card_batches() -> int:
    """Every 10 minutes: forget printable login cards (one-time passwords) past their short window."""
    deleted = delete_expired_batches()
    db.session.commit()
    return deleted
