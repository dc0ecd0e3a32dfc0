"""The school: organization, levels, classrooms, students, staff, parents, year-end rollover."""

from functools import cache

from flask import Blueprint

from lms.common.blueprints import domain_blueprint


@cache
def blueprint() -> Blueprint:
    """The school's pages, one nested blueprint per area: ``school.<area>.<view>``."""
    from lms.school import (
        sign_in_hooks,
        views_admin,
        views_bulk,
        views_centres,
        views_class_codes,
        views_classrooms,
        views_cohorts,
        views_family,
        views_import,
        views_rollover,
        views_staff,
        views_students,
    )

    return domain_blueprint("school", __name__, views_admin, views_classrooms, views_rollover, views_students,
                            views_import, views_bulk, views_staff, views_class_codes, views_family, views_cohorts, views_centres,
                            connect_signals=sign_in_hooks.connect_signals)
