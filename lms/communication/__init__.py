"""School communication: announcements (targeted, scheduled, read status) and in-app notifications."""

from functools import cache

from flask import Blueprint

from lms.common.blueprints import domain_blueprint


@cache
def blueprint() -> Blueprint:
    """Announcements and notifications: ``communication.<area>.<view>``."""
    from lms.communication import views_announcements, views_emails, views_notifications

    return domain_blueprint("communication", __name__, views_announcements, views_notifications, views_emails)
