"""Background work of the auth domain."""

from __future__ import annotations

import logging

from lms.auth import login_sessions
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
    from lms.auth.remember import delete_expired

    deleted = delete_expired()
    db.session.commit()
    return deleted
