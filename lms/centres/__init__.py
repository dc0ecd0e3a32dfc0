"""Tutoring centres: the sites (campuses, branches) of one organization, their rooms, and who
belongs to which centre. A school with one site has at most one centre and sees no centre UI."""

from functools import cache

from flask import Blueprint

from lms.common.blueprints import domain_blueprint


def _template_globals(state) -> None:
    from lms.centres.filtering import centre_filter_options
    from lms.centres.members import centres_of
    from lms.centres.scope import several_centres

    state.app.jinja_env.globals.update(centre_filter_options=centre_filter_options, several_centres=several_centres,
                                  centres_of_user=centres_of)


@cache
def blueprint() -> Blueprint:
    """The centres' pages (administrators): ``centres.<area>.<view>``."""
    from lms.centres import views_admin, views_members, views_rooms

    bp = domain_blueprint("centres", __name__, views_admin, views_rooms, views_members)
    bp.record_once(_template_globals)
    return bp
