"""The home page for each role and the language switch."""

from functools import cache

from flask import Blueprint


@cache
def blueprint() -> Blueprint:
    """The home page, who is online, the language switch: ``home.<view>``."""
    from lms.home.views import bp

    return bp
