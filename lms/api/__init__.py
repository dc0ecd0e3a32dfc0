"""The JSON API v1 (teaching sessions), bearer tokens and the OpenAPI document (see docs/api.md)."""

from functools import cache

from flask import Blueprint


@cache
def blueprint() -> Blueprint:
    """``api.v1.<view>`` (the JSON API under /api/v1) and ``api.tokens.<view>`` (the token page under /me)."""
    from lms.api import views, views_tokens

    bp = Blueprint("api", __name__)
    for area in (views, views_tokens):
        bp.register_blueprint(area.bp)
    return bp
