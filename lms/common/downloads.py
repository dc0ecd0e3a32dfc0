"""Byte ranges answered as RFC 9110 says, on every file the app sends (downloads, thumbnails, the
logo, static files).

Werkzeug answers ``Range: bytes=-N`` with N larger than the file with 416 Range Not Satisfiable;
RFC 9110 §14.1.2 says a suffix range longer than the representation selects all of it.  The app's
response class reads such a range as the whole file (206 with the full range) before Werkzeug
looks at it; ``send_file`` (and so every download route) goes through ``make_conditional``.
"""

from __future__ import annotations

import re

from flask import Response

SUFFIX_RANGE = re.compile(r"^\s*bytes\s*=\s*-\s*(\d+)\s*$", re.IGNORECASE)


class RangeResponse(Response):
    def make_conditional(self, request_or_environ, accept_ranges=False, complete_length=None):
        environ = getattr(request_or_environ, "environ", request_or_environ)
        match = SUFFIX_RANGE.match(environ.get("HTTP_RANGE", "") or "")
        if accept_ranges and complete_length and match and int(match.group(1)) > complete_length:
            environ["HTTP_RANGE"] = "bytes=0-"
        return super().make_conditional(request_or_environ, accept_ranges=accept_ranges,
                                        complete_length=complete_length)
