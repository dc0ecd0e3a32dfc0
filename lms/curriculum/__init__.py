"""Curriculum: core subjects, subjects, units, parts, sections, outline import, progress."""

from functools import cache

from flask import Blueprint

from lms.common.blueprints import domain_blueprint


@cache
def blueprint() -> Blueprint:
    """The curriculum's pages, one nested blueprint per area: ``curriculum.<area>.<view>``."""
    from lms.curriculum import hooks, views_copy, views_import, views_sections, views_subjects, views_tree

    return domain_blueprint("curriculum", __name__, views_subjects, views_tree, views_sections, views_import,
                            views_copy, connect_signals=hooks.connect_signals)
