"""The school: organization, levels, classrooms, students, staff, parents, year-end rollover."""

from functools import cache

from flask import Blueprint


@cache
def blueprint() -> Blueprint:
    """The school's pages, one nested blueprint per area: ``school.<area>.<view>``."""
    from lms.school import (
        sign_in_hooks,
        views_admin,
        views_bulk,
        views_class_codes,
        views_classrooms,
        views_family,
        views_import,
        views_rollover,
        views_staff,
        views_students,
    )

    bp = Blueprint("school", __name__)
    bp.record_once(lambda _state: sign_in_hooks.connect_signals())
    for area in (views_admin, views_classrooms, views_rollover, views_students, views_import, views_bulk,
                 views_staff, views_class_codes, views_family):
        bp.register_blueprint(area.bp)
    return bp
