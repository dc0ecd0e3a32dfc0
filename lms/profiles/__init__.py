"""People's profiles: contact details and photos."""

from functools import cache

from flask import Blueprint


@cache
def blueprint() -> Blueprint:
    """People's profiles, contact details and photos: ``profiles.<view>``."""
    from lms.profiles.views import bp

    return bp
