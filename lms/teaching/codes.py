"""Join codes and check-in codes: easy to read aloud (no 0/O, no 1/I), random, unique."""

from __future__ import annotations

import re
import secrets

# 32 characters: digits 2-9 and letters without I and O.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8          # 8-10 characters are accepted (the demo's is 8)
CHECKIN_CODE_LENGTH = 4
_CODE_RE = re.compile(rf"^[{ALPHABET}]{{8,10}}$")


def random_code(length: int = JOIN_CODE_LENGTH) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalise_code(raw) -> str:
    """What a student typed: case, spaces and dashes do not matter."""
    if not isinstance(raw, str):
        return ""
    return re.sub(r"[\s-]+", "", raw).upper()


def is_join_code(code: str) -> bool:
    return bool(_CODE_RE.match(code or ""))


def spaced(code: str | None) -> str:
    """"MATHSTAR" → "MATH STAR" (read aloud in two halves)."""
    if not code:
        return ""
    half = (len(code) + 1) // 2
    return f"{code[:half]} {code[half:]}"
