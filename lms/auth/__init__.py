"""Accounts and sign-in: users, roles, login sessions, passwords, invitations, login cards, SSO."""

from functools import cache

from flask import Blueprint


@cache
def blueprint() -> Blueprint:
    """Sign-in pages at ``auth.<view>``; the admin areas nested as ``auth.<area>.<view>``."""
    from lms.auth import views, views_invitations, views_suspension, views_users, views_view_as

    for area in (views_users, views_suspension, views_view_as, views_invitations):
        views.bp.register_blueprint(area.bp)
    return views.bp
