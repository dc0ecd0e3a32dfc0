"""Background work of the auth domain."""

from __future__ import annotations

import logging

from lms.auth import login_sessions
from lms.auth.login_cards import delete_expired_batches
from lms.auth.remember import delete_expired
from lms.auth.services import email_reset_link
from lms.auth.suspension import lift_ended
from lms.jobs import background_job, committed

log = logging.getLogger(__name__)


@background_job
def close_inactive_login_sessions() -> int:
    """Every minute: close login sessions idle for longer than the organization's timeout
    (one UPDATE; durations run to each session's last heartbeat).  Idempotent."""
    return committed(login_sessions.close_inactive_login_sessions(), log, "closed %d inactive login sessions")


@background_job
def delete_expired_remember_tokens() -> int:
    """Hourly: forget remembered browsers past their expiry (they are refused already).  Idempotent."""
    return committed(delete_expired())


@background_job
def send_password_reset(email: str) -> bool:
    """A reset link for ``email`` (asked for on the forgot-password page), when an active account has
    it.  The lookup happens here, not in the request, so the page answers alike for every address."""
    return committed(email_reset_link(email))


@background_job
def lift_ended_suspensions() -> int:
    """Every five minutes: lift suspensions whose end has passed (one UPDATE, audited).  Idempotent."""
    return committed(lift_ended(), log, "lifted %d ended suspensions")


@background_job
def delete_expired_login_card_batches() -> int:
    """Every 10 minutes: forget printable login cards (one-time passwords) past their short window."""
    return committed(delete_expired_batches())
