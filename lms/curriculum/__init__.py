"""Curriculum: core subjects, subjects, units, parts, sections, outline import, progress."""

from functools import cache

from flask import Blueprint


@cache
def blueprint() -> Blueprint:
    """The curriculum's pages, one nested blueprint per area: ``curriculum.<area>.<view>``."""
    from lms.curriculum import hooks, views_import, views_sections, views_subjects, views_tree

    bp = Blueprint("curriculum", __name__)
    bp.record_once(lambda _state: hooks.connect_signals())
    for area in (views_subjects, views_tree, views_sections, views_import):
        bp.register_blueprint(area.bp)
    return bp
