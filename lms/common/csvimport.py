"""Reading uploaded CSV files (student imports, bulk invitations)."""

from __future__ import annotations

from flask_babel import gettext as _

from lms.common.errors import ValidationFailed


def decode_csv(data: bytes) -> str:
    """A CSV file's text: UTF-8 (with or without a byte-order mark) or Thai Windows (cp874), what
    Excel saves as "CSV" on a Thai computer."""
    for encoding in ("utf-8-sig", "cp874"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed(_("The file is not a text CSV file (save it as “CSV UTF-8”)."), field="file")
