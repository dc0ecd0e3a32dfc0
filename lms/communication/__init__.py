"""School communication: announcements (targeted, scheduled, read status) and in-app notifications."""

from functools import cache

from flask import Blueprint


@cache
def blueprint() -> Blueprint:
    """Announcements and notifications: ``communication.<area>.<view>``."""
    from lms.communication import views_announcements, views_notifications

    bp = Blueprint("communication", __name__)
    for area in (views_announcements, views_notifications):
        bp.register_blueprint(area.bp)
    return bp
