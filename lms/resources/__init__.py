"""Resources: uploaded files and links, storage, content sniffing, thumbnails, download."""

from functools import cache

from flask import Blueprint


@cache
def blueprint() -> Blueprint:
    """The resource library: ``resources.<view>``."""
    from lms.resources import hooks
    from lms.resources.views import bp

    bp.record_once(lambda _state: hooks.connect_signals())
    return bp
