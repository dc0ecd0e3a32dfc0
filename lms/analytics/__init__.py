"""Login analytics: time online per user, classroom and school, in the organization's timezone."""

from functools import cache

from flask import Blueprint


@cache
def blueprint() -> Blueprint:
    """Login analytics pages and exports: ``analytics.<view>``."""
    from lms.analytics.views import bp

    return bp
