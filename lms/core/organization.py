"""This instance's organization row."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy import select

from lms.core.models import Organization
from lms.extensions import db


def current_organization() -> Organization:
    """This instance's organization row (one cheap query per request, cached on ``g``).

    Before the row exists (a fresh database) a transient default built from the
    instance settings is returned, so pages still render.
    """
    org = g.get("_lms_org")
    if org is None:
        org = db.session.scalar(select(Organization).order_by(Organization.id).limit(1))
        if org is None:
            org = default_organization()
        g._lms_org = org
    return org


def default_organization() -> Organization:
    cfg = current_app.config
    return Organization(
        name=cfg["ORG_NAME"],
        slug=cfg.get("LMS_INSTANCE") or "default",
        timezone=cfg["ORG_TIMEZONE"],
        locale=cfg["ORG_LOCALE"],
        session_timeout_minutes=10,
        heartbeat_seconds=60,
        classes_per_level=6,
        invitation_days=7,
        use_buddhist_era=False,
        digest_weekday=4,
        digest_hour=16,
        log_retention_days=365,
        audit_retention_days=1825,
        picture_password_levels=Organization.picture_password_levels.default.arg,
    )
