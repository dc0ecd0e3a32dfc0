"""Byte ranges answered as RFC 9110 says, on every file the app sends (downloads, thumbnails, the
logo, static files).

Werkzeug answers ``Range: bytes=-N`` with N larger than the file with 416 Range Not Satisfiable;
RFC 9110 §14.1.2 says a suffix range longer than the representation selects all of it.  The app's
response class reads such a range as the whole file (206 with the full range) before Werkzeug
looks at it; ``send_file`` (and so every download route) goes through ``make_conditional``.
"""

from __future__ import annotations

import re

from flask import Response, send_file

SUFFIX_RANGE = re.compile(r"^\s*bytes\s*=\s*-\s*(\d+)\s*$", re.IGNORECASE)


class RangeResponse(Response):
    def make_conditional(self, request_or_environ, accept_ranges=False, complete_length=None):
        environ = getattr(request_or_environ, "environ", request_or_environ)
        match = SUFFIX_RANGE.match(environ.get("HTTP_RANGE", "") or "")
        if accept_ranges and complete_length and match and int(match.group(1)) > complete_length:
            environ["HTTP_RANGE"] = "bytes=0-"
        return super().make_conditional(request_or_environ, accept_ranges=accept_ranges,
                                        complete_length=complete_length)


def private_file(path, content_type: str, *, csp: str = "sandbox; default-src 'none'", max_age: int = 0,
                 **send_file_args):
    """A user's file: never sniffed or run as a page, kept out of shared caches and other sites."""
    response = send_file(path, mimetype=content_type, conditional=True, etag=True, max_age=max_age,
                         **send_file_args)
    response.headers["Content-Type"] = content_type  # as stored: send_file would add a second charset
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = csp
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.cache_control.private = True
    return response
