"""The organization's academic year ("2026", "2026/27", "2026-2027")."""

from __future__ import annotations

import re

from lms.core.localtime import local_today
from lms.core.organization import current_organization


def current_academic_year() -> str:
    """The organization's academic year (the calendar year until one is set)."""
    return current_organization().academic_year or str(local_today().year)


YEAR_RE = re.compile(r"^(\d{4})(?:([/-])(\d{2}|\d{4}))?$")


def next_academic_year(year: str | None) -> str:
    """"2026" → "2027", "2026/27" → "2027/28", "2026-2027" → "2027-2028"; "" when unknown."""
    match = YEAR_RE.match((year or "").strip())
    if not match:
        return ""
    first, sep, second = match.groups()
    nxt = str(int(first) + 1)
    if not sep:
        return nxt
    second_next = str(int(second) + 1)
    if len(second) == 2:
        second_next = second_next[-2:].zfill(2)
    return f"{nxt}{sep}{second_next}"
