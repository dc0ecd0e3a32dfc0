"""CSV downloads that spreadsheet programs open with Thai intact.

Every export of the LMS goes through here:

* UTF-8 with a byte-order mark (Excel reads UTF-8 only with it; without it Thai turns into
  mojibake), ``text/csv; charset=utf-8``, ``Content-Disposition: attachment``;
* the header row in the reader's language (pass translated labels); values that are stored
  codes are shown with their labels (``lms.common.labels``); dates and times as ISO 8601
  (``2026-05-14 08:30:00``, Gregorian, the organization's timezone) so that spreadsheets read
  them as dates whatever their language;
* cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first) are
  prefixed with ``'``.

Import templates are different: they keep machine-readable English column names
(``student_number,full_name,...``), see ``lms.school.student_csv``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from flask import Response

BOM = "\ufeff"
MIMETYPE = "text/csv; charset=utf-8"


def local_datetime(value, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """A stored (UTC) datetime as ISO-like text in the organization's timezone (Gregorian whatever
    the reader's era), ``""`` for None: what spreadsheets read as a date."""
    if value is None:
        return ""
    from flask_babel import get_timezone

    local = value.astimezone(get_timezone())
    return local.strftime(fmt.replace("%Y", f"{local.year:04d}"))  # strftime writes year 5 as "5"


def safe_cell(value) -> str:
    """Spreadsheet-safe text: a leading = + - @ (or tab/CR) would be read as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


class _Line:
    """A file-like object that hands back what csv.writer wrote."""

    def __init__(self):
        self.value = ""

    def write(self, text: str) -> None:
        self.value += text


def _lines(header: list, rows: Iterable[Iterable]):
    line = _Line()
    writer = csv.writer(line, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    yield BOM + line.value
    for row in rows:
        line.value = ""
        writer.writerow([safe_cell(v) if isinstance(v, str) else v for v in row])
        yield line.value


def csv_text(header: list, rows: Iterable[Iterable]) -> str:
    """The whole file as text: BOM, header row, rows."""
    out = io.StringIO()
    for chunk in _lines(header, rows):
        out.write(chunk)
    return out.getvalue()


def csv_response(filename: str, header: list, rows: Iterable[Iterable]) -> Response:
    """``rows`` as a CSV download.  Built before the response leaves the view (rows may come
    from a query read in batches), so nothing needs the request context afterwards."""
    return Response(csv_text(header, rows), content_type=MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
