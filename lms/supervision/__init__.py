"""Supervision: a centre manager's read-only view of the centres they oversee (``/supervision``):
attendance trends, today's meetings, tutors' workload, at-risk students, and a message to a tutor."""

from functools import cache

from flask import Blueprint


@cache
def blueprint() -> Blueprint:
    """The dashboard and its exports (``supervision.<view>``), trend pages (``supervision.trends.<view>``)
    and the admin's choice of what a supervisor oversees (``supervision.scope.<view>``)."""
    from lms.supervision import views, views_scope, views_trends

    views.bp.register_blueprint(views_trends.bp)
    views.bp.register_blueprint(views_scope.bp)
    return views.bp
