"""Privacy of children's data: a student's export, erasure of a student who left, retention of logs."""

from functools import cache

from flask import Blueprint


@cache
def blueprint() -> Blueprint:
    """A student's data export and erasure: ``privacy.<view>``."""
    from lms.privacy.views import bp

    return bp
