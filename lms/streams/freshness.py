"""Conditional requests for stream polls: an idle poll is one SQL statement after the sign-in's.

The page's list polls every 30 s with ``If-None-Match`` set to the tag it was rendered with.  The
tag is the stream's ``version`` (moved by every change) with the reader's id and language, read
together with the reader's right to see the stream in one SELECT of the stream row.  Unchanged:
304 (htmx leaves the page alone).  A scheduled post whose time has come counts as a change.
"""

from __future__ import annotations

from email.utils import format_datetime

from flask import request
from sqlalchemy import select

from lms.common.types import utcnow
from lms.extensions import db
from lms.streams.models import Stream
from lms.streams.spaces import COLUMN, visibility


def tag_of(stream_id: int, version: int, reader) -> str:
    # The reader's own language choice (not the organization's: that would cost a query).
    return f'W/"stream-{stream_id}-{version}-{reader.id}-{getattr(reader, "locale", None) or "-"}"'


def unchanged(reader, kind: str, target_id: int) -> tuple[str, object] | None:
    """``(etag, changed_at)`` when the request's ``If-None-Match`` is still the stream's tag and
    ``reader`` may read it; None when the full answer is needed (changed, not visible, no stream)."""
    sent = request.headers.get("If-None-Match")
    if not sent or kind not in COLUMN:
        return None
    row = db.session.execute(
        select(Stream.id, Stream.version, Stream.changed_at, Stream.next_publish_at)
        .where(getattr(Stream, COLUMN[kind]) == target_id, visibility(reader, kind))).first()
    if row is None:
        return None
    stream_id, version, changed_at, next_publish_at = row
    if next_publish_at is not None and next_publish_at <= utcnow():
        return None
    etag = tag_of(stream_id, version, reader)
    return (etag, changed_at) if etag in [t.strip() for t in sent.split(",")] else None


def with_validators(response, stream: Stream, reader):
    """Mark an answer with the stream's tag and time; the browser must ask again every time."""
    response.headers["ETag"] = tag_of(stream.id, stream.version, reader)
    response.headers["Last-Modified"] = format_datetime(stream.changed_at, usegmt=True)
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Vary"] = "Cookie, HX-Request"
    return response
