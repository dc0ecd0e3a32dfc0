"""Ids typed into URLs and forms: digits only, anything else is "no such id" (never a 500)."""

import pytest

from lms.common.ids import as_id


@pytest.mark.parametrize("value, expected", [
    ("12", 12), (12, 12), ("0", 0), ("", None), (None, None), ("-3", None), ("1.5", None), ("x1", None),
    ("²", None), ("１２", None),  # str.isdigit() accepts superscripts and full-width digits
    ("2147483647", 2147483647), ("2147483648", None), (10**30, None), ("9" * 5000, None),  # PostgreSQL integer
    (True, None),
])
def test_as_id(value, expected):
    assert as_id(value) == expected
