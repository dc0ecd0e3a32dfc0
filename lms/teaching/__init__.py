"""Teaching sessions: a teacher, a course, many students, a time window (see docs/teaching.md)."""

from functools import cache

from flask import Blueprint

from lms.common.blueprints import domain_blueprint


@cache
def blueprint() -> Blueprint:
    """Teaching-session pages, one nested blueprint per area: ``teaching.<area>.<view>``."""
    from lms.teaching import (
        hooks,
        views_announcements,
        views_attendance,
        views_enrollments,
        views_family,
        views_sessions,
        views_student,
    )

    return domain_blueprint("teaching", __name__, views_sessions, views_enrollments, views_announcements,
                            views_attendance, views_student, views_family, connect_signals=hooks.connect_signals)
