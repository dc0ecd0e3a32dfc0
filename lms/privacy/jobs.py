"""Background work of the privacy domain."""

from __future__ import annotations

import logging

from lms.extensions import db
from lms.jobs import background_job
from lms.privacy.retention import apply_retention

log = logging.getLogger(__name__)


@background_job
def apply_retention_limits() -> dict[str, int]:
    """Hourly: delete logs older than the organization's retention settings (idempotent)."""
    counts = apply_retention()
    db.session.commit()
    if any(counts.values()):
        log.info("retention: %s", counts)
    return counts
