"""The JSON API v1 (teaching sessions), bearer tokens and the OpenAPI document (see docs/api.md)."""

from functools import cache

from flask import Blueprint

from lms.common.blueprints import domain_blueprint


@cache
def blueprint() -> Blueprint:
    """``api.v1.<view>`` (the JSON API under /api/v1) and ``api.tokens.<view>`` (the token page under /me)."""
    from lms.api import views, views_tokens

    return domain_blueprint("api", __name__, views, views_tokens)
