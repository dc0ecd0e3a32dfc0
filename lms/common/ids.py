"""Ids from URLs and forms: a positive decimal integer, or None for anything else."""

from __future__ import annotations


def as_id(value) -> int | None:
    """``int(value)`` when ``value`` (str or int) is all digits, else None (never raises)."""
    text = str(value) if value is not None else ""
    return int(text) if text.isascii() and text.isdigit() else None  # "²".isdigit() is True
