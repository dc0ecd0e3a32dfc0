"""Teaching sessions: a teacher, a course, many students, a time window (see docs/teaching.md)."""

from functools import cache

from flask import Blueprint


@cache
def blueprint() -> Blueprint:
    """Teaching-session pages, one nested blueprint per area: ``teaching.<area>.<view>``."""
    from lms.teaching import (
        hooks,
        views_announcements,
        views_attendance,
        views_enrollments,
        views_sessions,
        views_student,
    )

    bp = Blueprint("teaching", __name__)
    bp.record_once(lambda _state: hooks.connect_signals())
    for area in (views_sessions, views_enrollments, views_announcements, views_attendance, views_student):
        bp.register_blueprint(area.bp)
    return bp
