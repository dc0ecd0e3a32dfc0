"""The weekly parent digest job (declared in ``lms/periodic.py``; it runs every 15 minutes).

``send_weekly_digests()`` does nothing until the organization's send moment of the ISO week has
come (``lms.digest.services.due_week``); from then until the week ends each run sends the digest
of every parent who has none for this week yet, one parent per transaction.  Idempotent: a rerun
sends nothing twice (``DigestDelivery`` is unique per parent and week).
"""

from __future__ import annotations

import logging

from lms.digest import services
from lms.extensions import db
from lms.jobs import background_job

log = logging.getLogger(__name__)
BATCH = 500  # parents per run; the next run (15 minutes later) carries on


@background_job
def send_weekly_digests(now=None) -> int:
    """Send the digests due now; returns how many emails were queued."""
    week = services.due_week(now)
    if week is None:
        return 0
    sent = 0
    for parent_id in services.parents_due(week, limit=BATCH):
        try:
            status = services.deliver(parent_id, week, now)
        except Exception:
            db.session.rollback()
            log.exception("weekly digest for parent %s failed", parent_id)
            continue
        if status == services.DigestStatus.SENT:
            sent += 1
    return sent
