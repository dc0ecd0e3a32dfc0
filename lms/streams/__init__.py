"""Streams of classrooms, subjects and teaching sessions: posts, comments, reactions, moderation."""

from functools import cache

from flask import Blueprint

from lms.common.blueprints import domain_blueprint


@cache
def blueprint() -> Blueprint:
    """Stream pages: ``streams.stream.<view>`` and ``streams.moderation.<view>``."""
    from lms.streams import views_moderation, views_stream

    return domain_blueprint("streams", __name__, views_moderation, views_stream)
