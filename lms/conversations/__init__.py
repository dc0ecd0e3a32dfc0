"""Messages between parents and their children's teachers, and students' help requests."""

from functools import cache

from flask import Blueprint


@cache
def blueprint() -> Blueprint:
    """``conversations.messages.<view>`` and ``conversations.help.<view>``."""
    from lms.common.blueprints import domain_blueprint
    from lms.conversations import views_help, views_messages

    return domain_blueprint("conversations", __name__, views_messages, views_help)
