"""Conditional answers for htmx polls: an ETag from a small version tuple, 304 when nothing changed.

A polling element carries the tag it was rendered with (``data-poll-etag``); ``static/js/app.js``
sends it as ``If-None-Match``.  The domain gives the version (one cheap query, None when the reader
may no longer see the thing); ``not_modified`` answers 304 when the tag sent is still that version's,
and htmx swaps nothing (``responseHandling`` in ``base.html``).  So an idle poll costs the sign-in's
query and the version query.  The tag is the reader's own (their id and language): one reader's tag
never answers for another.

    version = things.version_of(current_user)
    if (unchanged := freshness.not_modified(version)) is not None:
        return unchanged
    response = render(..., etag=freshness.etag_of(version))
    return freshness.tagged(response, freshness.etag_of(version))
"""

from __future__ import annotations

import hashlib
from email.utils import format_datetime

from flask import make_response, request
from flask_login import current_user

from lms.common.htmx import is_htmx

POLL_ARG = "poll"  # marks a request as the poll; not part of what is shown


def etag_of(version, *, per_url: bool = True, reader=None) -> str:
    """The reader's (default: the signed-in user's) tag of ``version`` (hex).  ``per_url``: the page's
    path and arguments count too (a list's page, filter or search); without it the tag is the same
    wherever the fragment is drawn."""
    reader = current_user if reader is None else reader
    key = (reader.get_id(), getattr(reader, "locale", None), version)
    if per_url:
        key += (request.path, sorted((k, v) for k, v in request.args.items(multi=True) if k != POLL_ARG))
    return hashlib.sha256(repr(key).encode()).hexdigest()[:24]


def not_modified(version, *, per_url: bool = True):
    """The 304 answer when this htmx request sent ``If-None-Match`` with the tag of ``version``;
    None when the full answer is needed.  ``version`` may be a function giving it (called only for
    such a request, so a page load costs no query); a version of None is never unchanged."""
    if not is_htmx() or not request.if_none_match:
        return None
    if callable(version):
        version = version()
    if version is None:
        return None
    etag = etag_of(version, per_url=per_url)
    return tagged(make_response("", 304), etag) if request.if_none_match.is_strong(etag) else None  # not "*"


def tagged(response, etag: str, changed_at=None):
    """Mark an answer with its tag (and time); the browser must ask again every time."""
    response.set_etag(etag)
    if changed_at is not None:
        response.headers["Last-Modified"] = format_datetime(changed_at, usegmt=True)
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Vary"] = "Cookie, HX-Request"
    return response
