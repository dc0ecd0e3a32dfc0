"""The timezones an organization or a centre may use (the IANA names with a region, such as
"Asia/Bangkok"): one list for the organization's settings and the centres' forms."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones


@cache
def timezone_choices() -> tuple[str, ...]:
    """The timezones offered in a form, sorted."""
    return tuple(sorted(tz for tz in available_timezones() if "/" in tz and not tz.startswith(("Etc/", "SystemV/"))))


def is_timezone(name: str | None) -> bool:
    """Is ``name`` a timezone this server knows?"""
    return bool(name) and name in available_timezones()
