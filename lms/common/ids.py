"""Ids from URLs and forms: a positive decimal integer, or None for anything else."""

from __future__ import annotations

ID_MAX = 2**31 - 1  # PostgreSQL ``integer``: a larger number is no id (and would overflow the query)


def as_id(value) -> int | None:
    """``int(value)`` when ``value`` (str or int) is all digits and at most ``ID_MAX``, else None
    (never raises)."""
    text = str(value) if value is not None and not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(ID_MAX)):  # "²".isdigit() is True
        return None
    number = int(text)
    return number if number <= ID_MAX else None
