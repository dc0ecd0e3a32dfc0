"""The weekly email to parents (missing and upcoming work, grades returned, attendance)."""

from functools import cache

from flask import Blueprint


@cache
def blueprint() -> Blueprint:
    """The weekly digest preference and unsubscribe pages: ``digest.<view>``."""
    from lms.digest.views import bp

    return bp
