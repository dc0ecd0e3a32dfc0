"""The plain text people write here (messages, questions, answers): trimmed, line breaks kept,
checked for emptiness, control characters and length, with the message next to the field."""

from __future__ import annotations

from flask_babel import gettext as _

from lms.common.edge import has_forbidden_characters
from lms.common.errors import ValidationFailed


def clean_text(value, *, field: str, maximum: int, empty: str, too_long: str | None = None) -> str:
    text = str(value or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationFailed(empty, field=field)
    if has_forbidden_characters(text):
        raise ValidationFailed(_("Remove the control characters (such as NUL bytes) from the text."), field=field)
    if len(text) > maximum:
        raise ValidationFailed(too_long or _("The text is too long (%(max)s characters at most).", max=maximum),
                               field=field)
    return text
