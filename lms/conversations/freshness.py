"""Conditional answers for htmx polls: an ETag from one cheap query, 304 when nothing changed.

A polling element carries the ETag it was rendered with (``data-poll-etag``; ``app.js`` sends it
as ``If-None-Match``); the browser's own cache may send it too.  htmx does not swap a 304 (``responseHandling`` in
``base.html``), so an idle poll costs the sign-in's query and the version query.
"""

from __future__ import annotations

import hashlib

from flask import make_response, request
from flask_login import current_user

POLL_SECONDS = 20


def etag_of(*parts) -> str:
    key = repr((current_user.get_id(), request.path, sorted(request.args.items(multi=True)), parts))
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def not_modified(etag: str):
    """The 304 answer when the client already has ``etag``; None otherwise."""
    if etag in request.if_none_match:
        response = make_response("", 304)
        return _headers(response, etag)
    return None


def _headers(response, etag: str):
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Vary"] = "Cookie, HX-Request"
    return response


def with_etag(response, etag: str):
    return _headers(response, etag)

