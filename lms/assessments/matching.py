"""Matching questions: each left item (a prompt) is matched with one right item (its answer).
Pure functions; ``lms.assessments.questions`` dispatches to them for ``QuestionType.MATCHING``.

Stored like the other types, in the ``options`` and ``key`` JSON columns::

    options   [["cat", "rose", "iron"], ["animal", "flower", "gas", "metal"]]   # [left items, right items]
    key       {"matches": [0, 1, 3]}          # for each left item, the index of its right item
    response  {"matches": [0, 3, None]}       # for each left item, the right item chosen (None: none yet)

* Right items are what the students choose from: every pair's answer (two pairs may share one)
  plus any extra wrong answers (*distractors*: right items no pair uses).  They are kept sorted
  (the cleaner sorts them), so changing only which answer goes with which prompt leaves the
  options as they were: it is a key correction, and earlier answers are re-scored.  Students see
  them in an order shuffled once per attempt (``taking.new_attempt``).
* Scoring: each correct pair earns ``points / number of pairs``; a wrong or missing one earns
  nothing and costs nothing (3 pairs, 2 right, 3 points: 2 points).
* The take page posts one ``answer`` field per left item, ``"<left index>:<right index>"``
  (empty: not chosen).
"""

from __future__ import annotations

from flask_babel import gettext as _

from lms.common.errors import ValidationFailed
from lms.common.ids import as_id

MAX_PAIRS = 12
MAX_EXTRAS = 8
LEFT_MAX = 300
RIGHT_MAX = 200  # shown inside a drop-down on a phone


def sides(options) -> tuple[list[str], list[str]]:
    """(left items, right items) of stored options (empty lists for anything else)."""
    if isinstance(options, list) and len(options) == 2 and all(isinstance(side, list) for side in options):
        return [str(t) for t in options[0]], [str(t) for t in options[1]]
    return [], []


def matches_of(key_or_response) -> list:
    matches = (key_or_response or {}).get("matches")
    return list(matches) if isinstance(matches, list) else []


def matching_input(pairs: list[tuple[str, str]], extras: list[str]) -> tuple[list, dict]:
    """Options and key from (left, right) pairs and extra wrong answers, as typed (not yet
    cleaned: a pair may lack either side, ``clean`` says so).  Pairs with the same right item
    share it."""
    lefts, rights, matches = [], [], []
    for left, right in pairs:
        left, right = " ".join(str(left).split()), " ".join(str(right).split())
        lefts.append(left)
        if right and right not in rights:
            rights.append(right)
        matches.append(rights.index(right) if right else None)
    rights.extend(" ".join(str(extra).split()) for extra in extras if str(extra).strip())
    return [lefts, rights], {"matches": matches}


def pairs_of(options, key) -> tuple[list[tuple[str, str]], list[str]]:
    """The (left, right) pairs and the extra wrong answers (the editor's rows; the GIFT export)."""
    lefts, rights = sides(options)
    matches = matches_of(key)
    pairs = []
    for index, left in enumerate(lefts):
        match = matches[index] if index < len(matches) else None
        pairs.append((left, rights[match] if _is_index(match, len(rights)) else ""))
    used = {m for m in matches if _is_index(m, len(rights))}
    return pairs, [right for index, right in enumerate(rights) if index not in used]


def _is_index(value, count: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < count


def _texts(side, limit: int, too_long: str) -> list[str]:
    if not isinstance(side, list) or not all(isinstance(t, (str, int, float)) for t in side):
        raise ValidationFailed(_("A matching question's options are two lists: the left items and the right "
                                 "items."), field="options")
    texts = [" ".join(str(t).split()) for t in side]
    if any(len(t) > limit for t in texts):
        raise ValidationFailed(too_long, field="options")
    return texts


def _first_duplicate(texts: list[str]) -> str | None:
    seen = set()
    for text in texts:
        if text.casefold() in seen:
            return text
        seen.add(text.casefold())
    return None


def _check_pairs(lefts: list[str], rights: list[str], matches: list) -> None:
    """Each left item is written and has one right item; no right item is empty."""
    for number, left in enumerate(lefts, start=1):
        if not left:
            raise ValidationFailed(_("Pair %(n)s has no left item (extra wrong answers go in their own box).",
                                     n=number), field="options")
        match = matches[number - 1] if number - 1 < len(matches) else None
        if not _is_index(match, len(rights)):
            raise ValidationFailed(_("Pair %(n)s (“%(left)s”) has no right item.", n=number, left=left),
                                   field="options")
    if len(matches) != len(lefts):
        raise ValidationFailed(_("Every left item needs one right item."), field="key")
    if any(not right for right in rights):
        raise ValidationFailed(_("A right item is empty."), field="options")


def clean(options, key: dict) -> tuple[list, dict]:
    """Checked and sorted options and key (``ValidationFailed`` with a clear message otherwise).
    A question without any item is an empty draft (``problems`` says what it lacks)."""
    if options in (None, [], [[], []]) and not matches_of(key):
        return [[], []], {}
    if not isinstance(options, list) or len(options) != 2:
        raise ValidationFailed(_("A matching question's options are two lists: the left items and the right "
                                 "items."), field="options")
    lefts = _texts(options[0], LEFT_MAX, _("A left item is at most %(n)s characters.", n=LEFT_MAX))
    rights = _texts(options[1], RIGHT_MAX, _("A right item is at most %(n)s characters.", n=RIGHT_MAX))
    if len(lefts) > MAX_PAIRS:
        raise ValidationFailed(_("A matching question has at most %(n)s pairs.", n=MAX_PAIRS), field="options")
    if len(lefts) < 2:
        raise ValidationFailed(_("A matching question needs at least two pairs."), field="options")
    matches = matches_of(key)
    _check_pairs(lefts, rights, matches)
    duplicate = _first_duplicate(lefts)
    if duplicate is not None:
        raise ValidationFailed(_("Two left items are the same: “%(text)s”.", text=duplicate), field="options")
    duplicate = _first_duplicate(rights)
    if duplicate is not None:
        raise ValidationFailed(_("The right item “%(text)s” is there twice (check the pairs and the extra wrong "
                                 "answers).", text=duplicate), field="options")
    if len(rights) - len(set(matches)) > MAX_EXTRAS:
        raise ValidationFailed(_("A matching question has at most %(n)s extra wrong answers.", n=MAX_EXTRAS),
                               field="options")
    order = sorted(range(len(rights)), key=lambda i: (rights[i].casefold(), rights[i]))
    new_index = {old: new for new, old in enumerate(order)}
    return [lefts, [rights[i] for i in order]], {"matches": [new_index[m] for m in matches]}


def problems(options, key: dict) -> list[str]:
    lefts, rights = sides(options)
    if len(lefts) < 2:
        return [_("it needs at least two pairs")]
    matches = matches_of(key)
    if len(matches) != len(lefts) or not all(_is_index(m, len(rights)) for m in matches):
        return [_("a pair has no right item")]
    return []


# --- responses and scoring ---------------------------------------------------------------------------


def clean_response(options, values: list) -> dict:
    """``{"matches": [...]}`` from the posted ``"<left>:<right>"`` values (empty ones skipped)."""
    lefts, rights = sides(options)
    matches: list = [None] * len(lefts)
    for value in values:
        if str(value) == "":
            continue
        left_text, sep, right_text = str(value).partition(":")
        left, right = as_id(left_text), as_id(right_text)
        if not sep or left is None or right is None or left >= len(lefts) or right >= len(rights) \
                or matches[left] is not None:
            raise ValidationFailed(_("That option is not one of the question's options."), field="answer")
        matches[left] = right
    return {"matches": matches}


def is_answered(response: dict | None) -> bool:
    return any(m is not None for m in matches_of(response))


def correct_pairs(key: dict, response: dict | None) -> int:
    correct, given = matches_of(key), matches_of(response)
    return sum(1 for index, match in enumerate(correct)
               if index < len(given) and _is_index(given[index], 10**6) and given[index] == match)


def score(key: dict, points: float, response: dict | None) -> float:
    pairs = len(matches_of(key))
    return round(points * correct_pairs(key, response) / pairs + 0.0, 2) if pairs else 0.0


def _pairs_text(lefts: list[str], rights: list[str], matches: list) -> str:
    def right(index: int) -> str:
        match = matches[index] if index < len(matches) else None
        return rights[match] if _is_index(match, len(rights)) else "–"
    return "; ".join(f"{left} → {right(index)}" for index, left in enumerate(lefts))


def correct_text(options, key: dict) -> str:
    lefts, rights = sides(options)
    return _pairs_text(lefts, rights, matches_of(key)) if lefts else ""


def response_text(options, response: dict | None) -> str:
    lefts, rights = sides(options)
    return _pairs_text(lefts, rights, matches_of(response)) if is_answered(response) else ""


def response_fields(response: dict | None) -> list[str]:
    return [f"{left}:{right}" for left, right in enumerate(matches_of(response)) if right is not None]


def review(options, key: dict, response: dict | None) -> list[dict]:
    """Each left item with the student's right item and the correct one (the result pages)."""
    lefts, rights = sides(options)
    correct, given = matches_of(key), matches_of(response)

    def text(matches: list, index: int) -> str:
        match = matches[index] if index < len(matches) else None
        return rights[match] if _is_index(match, len(rights)) else ""
    return [{"left": left, "given": text(given, index), "correct": text(correct, index),
             "ok": bool(text(given, index)) and text(given, index) == text(correct, index)}
            for index, left in enumerate(lefts)]
