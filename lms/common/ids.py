"""Ids from URLs and forms: a positive decimal integer, or None for anything else."""

from __future__ import annotations

from lms.common.errors import ValidationFailed

ID_MAX = 2**31 - 1  # PostgreSQL ``integer``: a larger number is no id (and would overflow the query)


def as_id(value) -> int | None:
    """``int(value)`` when ``value`` (str or int) is all digits and at most ``ID_MAX``, else None
    (never raises)."""
    text = str(value) if value is not None and not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(ID_MAX)):  # "²".isdigit() is True
        return None
    number = int(text)
    return number if number <= ID_MAX else None


def unique_ids(values) -> list[int] | None:
    """The ids of ``values`` (a form's list of ticked boxes), each once, in order; None when one of
    them is not an id."""
    ids: list[int] = []
    for value in values or []:
        ident = as_id(value)
        if ident is None:
            return None
        if ident not in ids:
            ids.append(ident)
    return ids


def chosen_ids(raw_ids, *, field: str, most: int, invalid: str, empty: str, too_many: str) -> list[int]:
    """The ids ticked in a form's list (``unique_ids``), at least one and at most ``most``; else
    ValidationFailed on ``field`` saying ``invalid`` (one is no id), ``empty`` or ``too_many``."""
    ids = unique_ids(raw_ids)
    if ids is None:
        raise ValidationFailed(invalid, field=field)
    if not ids:
        raise ValidationFailed(empty, field=field)
    if len(ids) > most:
        raise ValidationFailed(too_many, field=field)
    return ids
