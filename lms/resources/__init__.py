"""Resources: uploaded files and links, storage, content sniffing, thumbnails, download."""

from functools import cache

from flask import Blueprint


@cache
def blueprint() -> Blueprint:
    """The resource library: ``resources.<view>``."""
    from lms.resources.views import bp

    return bp
