"""The audit log of administrative and grading actions."""

from functools import cache

from flask import Blueprint


@cache
def blueprint() -> Blueprint:
    """The audit log page: ``audit.<view>``."""
    from lms.audit.views import bp

    return bp
