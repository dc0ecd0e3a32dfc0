"""Moodle's GIFT format: import and export of single/multiple choice, true/false, short answer,
numeric and matching questions (and essays ``{}`` as long answers).

Supported when reading:

* questions separated by blank lines; ``//`` comment lines (a comment with ``[tag:name]`` right
  before a question gives it that tag); ``$CATEGORY: a/b/c`` makes the last part (``c``) a tag
  of the following questions;
* an optional title ``::Title::`` and format marker (``[markdown]``, ``[html]``, ``[plain]``,
  ``[moodle]``; the text is kept as written);
* escaped characters ``\\~ \\= \\# \\{ \\} \\:`` and ``\\n`` for a new line;
* ``{=right ~wrong ~wrong}`` (single choice), ``{~%50%a ~%50%b ~%-100%c}`` (multiple choice, with
  partial credit), ``{T}``/``{TRUE}``/``{F}``/``{FALSE}``, ``{=answer =other answer}`` (short
  answer), ``{#5:0.5}``, ``{#1..5}`` and ``{#=5:0 =%50%5:2}`` (numeric: value and absolute
  tolerance, a range, or several answers of which the full-credit one is used), ``{}`` (essay);
* ``#feedback`` after an answer (kept for choice questions, shown with the results) and
  ``####general feedback`` at the end of the answers;
* ``{=cat -> animal =rose -> flower = -> gas}`` (matching: at least two ``=left -> right`` pairs;
  ``= -> gas``, with nothing on the left, is an extra wrong answer, as in Moodle);
* answers in the middle of the text ("Two plus two is {=4 ~5} exactly.") become a blank "_____".

Refused with the line (a clear error for that question; nothing is imported): missing-word
questions without a correct answer, two questions without a blank line between them, a ``{``
without its ``}`` before the next ``{``, two answer blocks in one question, weights outside
-100%..100%; matching blocks with a pair without ``->``, a ``~`` answer, a weight or feedback in
a pair, or fewer than two pairs.  GIFT has no points: a question gets 1 point, or N from a
``// [points:N]`` comment right before it (the export writes one for every question not worth
1, so an export imports back with its points).  Export writes the same syntax; multiple-choice questions are written with
percentage weights (Moodle always gives partial credit for them), long answers as essays
``{}``; file-upload questions cannot be written in GIFT and are left out (with a comment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from lms.assessments import matching
from lms.assessments import questions as qtypes
from lms.assessments.models import QuestionType
from lms.common.errors import ValidationFailed

SPECIAL = "~=#{}:"
MAX_GIFT_BYTES = 2 * 1024 * 1024
FORMAT_RE = re.compile(r"^\s*\[(markdown|html|plain|moodle)\]\s*", re.IGNORECASE)
TAG_RE = re.compile(r"\[tag:([^\]]+)\]")
POINTS_RE = re.compile(r"\[points:([^\]]+)\]")
TF_RE = re.compile(r"^(T|TRUE|F|FALSE)\s*((?:#(?:[^#\\]|\\.)*)?)\s*((?:#(?:[^#\\]|\\.)*)?)\s*$", re.IGNORECASE | re.DOTALL)
WEIGHT_RE = re.compile(r"^%(-?\d+(?:\.\d+)?)%")


@dataclass
class _Block:
    line: int
    text: str
    tags: list = field(default_factory=list)
    points: str | None = None  # from a "// [points:2]" comment right before the question

    def line_at(self, text: str, position: int) -> int:
        """The file's line number of ``position`` in ``text``, a suffix of this block's stripped text."""
        stripped = self.text.strip()
        offset = len(self.text) - len(self.text.lstrip()) + len(stripped) - len(text) + position
        return self.line + self.text[:offset].count("\n")


def unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\n" if nxt == "n" else nxt)
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def escape(text: str) -> str:
    text = str(text).replace("\\", "\\\\")
    for char in SPECIAL:
        text = text.replace(char, "\\" + char)
    return text.replace("\r\n", "\n").replace("\n", "\\n")


def _find(text: str, target: str, start: int = 0) -> int:
    """Index of the first unescaped ``target`` at or after ``start`` (-1 if none)."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(target, i):
            return i
        i += 1
    return -1


def _split_unescaped(text: str, separators: str) -> list[tuple[str, str]]:
    """Split at unescaped separator characters: [(separator, piece), ...]."""
    parts: list[tuple[str, str]] = []
    current, sep, i = [], "", 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            current.append(text[i:i + 2])
            i += 2
            continue
        if char in separators:
            if current or sep:
                parts.append((sep, "".join(current)))
            current, sep = [], char
            i += 1
            continue
        current.append(char)
        i += 1
    if current or sep:
        parts.append((sep, "".join(current)))
    return parts


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    current: list[str] = []
    start = 0
    pending_tags: list[str] = []
    pending_points: str | None = None
    category: list[str] = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            pending_tags.extend(t.strip() for t in TAG_RE.findall(stripped))
            pending_points = next((p.strip() for p in POINTS_RE.findall(stripped)), pending_points)
            continue
        if not current and stripped.upper().startswith("$CATEGORY:"):
            path = stripped.split(":", 1)[1].strip().strip("/")
            last = path.rsplit("/", 1)[-1].strip() if path else ""
            category = [last] if last and last not in ("$course$", "$system$", "top") else []
            continue
        if not stripped:
            if current:
                blocks.append(_Block(start, "\n".join(current), category + pending_tags, pending_points))
                current, pending_tags, pending_points = [], [], None
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        blocks.append(_Block(start, "\n".join(current), category + pending_tags, pending_points))
    return blocks


def _weight_of(match) -> float:
    weight = float(match.group(1))
    if not -100 <= weight <= 100:
        raise ValidationFailed(_("the weight %(weight)s is not between -100%% and 100%%", weight=match.group(0)))
    return weight


def _answers(body: str) -> tuple[list[dict], str]:
    """[{"mark": "=" or "~", "weight": float|None, "text": str, "feedback": str}], general feedback."""
    general = ""
    at = _find(body, "####")
    if at >= 0:
        body, general = body[:at], unescape(body[at + 4:]).strip()
    answers = []
    for mark, piece in _split_unescaped(body, "=~"):
        if not mark:
            if piece.strip():
                raise ValidationFailed(_("answers must start with = (right) or ~ (wrong)"))
            continue
        piece = piece.strip()
        weight = None
        match = WEIGHT_RE.match(piece)
        if match:
            weight = _weight_of(match)
            piece = piece[match.end():]
        hash_at = _find(piece, "#")
        feedback = ""
        if hash_at >= 0:
            piece, feedback = piece[:hash_at], unescape(piece[hash_at + 1:]).strip()
        answers.append({"mark": mark, "weight": weight, "text": unescape(piece).strip(), "feedback": feedback})
    return answers, general


def _numeric(body: str) -> dict:
    body = body.strip()[1:]  # after the '#'
    general = ""
    at = _find(body, "####")
    if at >= 0:
        body, general = body[:at], unescape(body[at + 4:]).strip()
    if _find(body, "=") >= 0:
        best = None
        for mark, piece in _split_unescaped(body, "="):
            if not mark:
                continue
            piece = piece.strip()
            weight = 100.0
            match = WEIGHT_RE.match(piece)
            if match:
                weight, piece = _weight_of(match), piece[match.end():]
            hash_at = _find(piece, "#")
            if hash_at >= 0:
                piece = piece[:hash_at]
            if best is None or weight > best[0]:
                best = (weight, piece.strip())
        if best is None or best[0] <= 0:
            raise ValidationFailed(_("the numeric question has no full-credit answer"))
        spec = best[1]
    else:
        hash_at = _find(body, "#")
        spec = body[:hash_at] if hash_at >= 0 else body
    spec = unescape(spec).strip()
    if ".." in spec:
        low_text, high_text = spec.split("..", 1)
        low, high = qtypes.parse_number(low_text), qtypes.parse_number(high_text)
        if low is None or high is None or high < low:
            raise ValidationFailed(_("the numeric range “%(spec)s” is not like 1..5", spec=spec))
        value, tolerance = (low + high) / 2, (high - low) / 2
    else:
        value_text, _sep, tolerance_text = spec.partition(":")
        value = qtypes.parse_number(value_text)
        tolerance = qtypes.parse_number(tolerance_text) if tolerance_text.strip() else 0.0
        if value is None or tolerance is None:
            raise ValidationFailed(_("the numeric answer “%(spec)s” is not like 5 or 5:0.5", spec=spec))
    return {"type": QuestionType.NUMERIC, "key": {"value": value, "tolerance": abs(tolerance)}, "feedback": general}


def _parse_block(block: _Block) -> qtypes.QuestionInput | None:
    text = block.text.strip()
    if text.startswith("::"):
        end = _find(text, "::", 2)
        if end < 0:
            raise ValidationFailed(_("the title is not closed with ::"))
        text = text[end + 2:].strip()
    text = FORMAT_RE.sub("", text, count=1)
    open_at = _find(text, "{")
    if open_at < 0:
        return None  # a description: nothing to answer
    close_at = _find(text, "}", open_at + 1)
    if close_at < 0:
        raise ValidationFailed(_("the answers are not closed with }"))
    _check_one_answer_block(block, text, open_at, close_at)
    before, body, after = text[:open_at], text[open_at + 1:close_at], text[close_at + 1:]
    question_text = unescape(before).strip()
    if after.strip():
        question_text = f"{question_text} _____ {unescape(after).strip()}".strip()
    body_stripped = body.strip()
    result: dict
    if not body_stripped:
        result = {"type": QuestionType.LONG_ANSWER, "key": {}, "feedback": ""}
    elif body_stripped.startswith("#"):
        result = _numeric(body_stripped)
    elif _has_pairs(body_stripped):
        body_at = open_at + 1 + len(body) - len(body.lstrip())
        result = _matching(body_stripped, lambda at: block.line_at(text, body_at + at))
    elif TF_RE.match(_before_general(body_stripped)):
        match = TF_RE.match(_before_general(body_stripped))
        at = _find(body_stripped, "####")
        general = unescape(body_stripped[at + 4:]).strip() if at >= 0 else ""
        result = {"type": QuestionType.TRUE_FALSE, "key": {"correct": match.group(1).upper().startswith("T")},
                  "feedback": general}
    else:
        answers, general = _answers(body_stripped)
        if not answers:
            raise ValidationFailed(_("there are no answers between { and }"))
        result = _choice_or_short(answers)
        result["feedback"] = general
    return qtypes.QuestionInput(type=result["type"], text=question_text,
                                points=block.points if block.points is not None else 1,
                                options=result.get("options", []), key=result["key"],
                                feedback=result.get("feedback", ""), tags=block.tags)


def _has_pairs(body: str) -> bool:
    """Whether an answer (not its feedback) has a ``->``: a matching question."""
    for _mark, piece in _split_unescaped(_before_general(body), "=~"):
        hash_at = _find(piece, "#")
        if _find(piece[:hash_at] if hash_at >= 0 else piece, "->") >= 0:
            return True
    return False


def _matching(body: str, line_of) -> dict:
    """``=left -> right`` pairs; ``= -> right`` (nothing on the left) is an extra wrong answer.
    ``line_of(position in body)`` is the file's line, for the errors."""
    general = ""
    at = _find(body, "####")
    if at >= 0:
        body, general = body[:at], unescape(body[at + 4:]).strip()
    pairs, extras, position = [], [], 0
    for mark, piece in _split_unescaped(body, "=~"):
        start, position = position + len(mark), position + len(mark) + len(piece)
        if not mark:
            if piece.strip():
                raise ValidationFailed(_("answers must start with = (right) or ~ (wrong)"))
            continue
        line = line_of(start + len(piece) - len(piece.lstrip()))
        if mark == "~":
            raise ValidationFailed(_("line %(line)s: a matching question has only =left -> right pairs, no ~ "
                                     "answers", line=line))
        arrow = _find(piece, "->")
        if arrow < 0:
            raise ValidationFailed(_("line %(line)s: the pair “%(text)s” has no -> (write =left -> right)",
                                     line=line, text=unescape(piece).strip()))
        if WEIGHT_RE.match(piece.strip()) or _find(piece, "#") >= 0:
            raise ValidationFailed(_("line %(line)s: a matching pair has no %%weight%% or #feedback", line=line))
        left, right = unescape(piece[:arrow]).strip(), unescape(piece[arrow + 2:]).strip()
        if not right:
            raise ValidationFailed(_("line %(line)s: the pair has nothing after ->", line=line))
        if left:
            pairs.append((left, right))
        else:
            extras.append(right)
    if len(pairs) < 2:
        raise ValidationFailed(_("a matching question needs at least two pairs =left -> right (this one has "
                                 "%(n)s)", n=len(pairs)))
    options, key = matching.matching_input(pairs, extras)
    return {"type": QuestionType.MATCHING, "options": options, "key": key, "feedback": general}


def _check_one_answer_block(block: _Block, text: str, open_at: int, close_at: int) -> None:
    """One ``{…}`` per question: a ``{`` inside the answers is a missing ``}``; a second ``{`` after
    them is a second question without the blank line before it, or a second set of answers."""
    inner = _find(text, "{", open_at + 1)
    if 0 <= inner < close_at:
        raise ValidationFailed(_("the answers opened with { on line %(start)s are not closed before the { on "
                                 "line %(line)s: add the missing }", start=block.line_at(text, open_at),
                                 line=block.line_at(text, inner)))
    second = _find(text, "{", close_at + 1)
    if second < 0:
        return
    line = block.line_at(text, second)
    if "\n" in text[close_at:second]:
        raise ValidationFailed(_("line %(line)s starts another question: leave a blank line between two "
                                 "questions", line=line))
    raise ValidationFailed(_("a question has one set of answers; a second { starts on line %(line)s", line=line))


def _before_general(body: str) -> str:
    at = _find(body, "####")
    return body[:at].strip() if at >= 0 else body


def _choice_or_short(answers: list[dict]) -> dict:
    if all(a["mark"] == "=" for a in answers):
        accepted = [a["text"] for a in answers if a["weight"] is None or a["weight"] >= 100]
        if not accepted:
            raise ValidationFailed(_("the short answer has no full-credit answer"))
        return {"type": QuestionType.SHORT_ANSWER, "key": {"accepted": accepted}}
    options = [a["text"] for a in answers]
    correct = [i for i, a in enumerate(answers)
               if a["mark"] == "=" or (a["weight"] is not None and a["weight"] > 0)]
    if not correct:
        raise ValidationFailed(_("no answer is marked right (= or a positive %weight%)"))
    feedback = [a["feedback"] for a in answers]
    single = len(correct) == 1 and (answers[correct[0]]["mark"] == "=" or answers[correct[0]]["weight"] >= 100)
    if single:
        key = {"correct": correct[0]}
        qtype = QuestionType.SINGLE_CHOICE
    else:
        key = {"correct": correct, "partial": any(a["weight"] is not None for a in answers)}
        qtype = QuestionType.MULTIPLE_CHOICE
    if any(feedback):
        key["feedback"] = feedback
    return {"type": qtype, "options": options, "key": key}


def parse_gift(text: str | bytes) -> list[qtypes.QuestionInput]:
    """The questions of a GIFT text; ``ValidationFailed`` listing every bad question otherwise."""
    if isinstance(text, bytes):
        if len(text) > MAX_GIFT_BYTES:
            raise ValidationFailed(_("The file is too large (2 MB at most)."))
        text = text.decode("utf-8-sig", errors="replace")
    questions, errors = [], []
    for block in _blocks(text):
        number = len(questions) + len(errors) + 1
        try:
            item = _parse_block(block)
            if item is None:
                continue
            qtypes.clean_question(item)
        except ValidationFailed as err:
            errors.append(_("Question %(n)s (line %(line)s): %(message)s", n=number, line=block.line,
                            message=err.message))
            continue
        questions.append(item)
    if errors:
        raise ValidationFailed(" ".join(errors), details={"errors": errors})
    if not questions:
        raise ValidationFailed(_("No questions were found. GIFT questions look like: "
                                 "What is 2+2? {=4 ~3 ~5}"))
    return questions


# --- export ---------------------------------------------------------------------------------------------


def _weight(value: float) -> str:
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return f"%{text}%"


def _with_feedback(text: str, feedback: str) -> str:
    return f"{escape(text)}#{escape(feedback)}" if feedback else escape(text)


def question_to_gift(number: int, question) -> str | None:
    qtype, key, options = question.type, dict(question.key or {}), list(question.options or [])
    lines = []
    points = qtypes.plain_number(getattr(question, "points", 1) or 0)
    marks = [f"[tag:{t}]" for t in question.tags] + ([f"[points:{points}]"] if points != "1" else [])
    if marks:
        lines.append("// " + " ".join(marks))
    head = f"::Q{number}:: [markdown]{escape(question.text)}"
    feedback = list(key.get("feedback") or [""] * len(options))
    feedback += [""] * (len(options) - len(feedback))
    general = f"\n####{escape(question.feedback)}" if question.feedback else ""
    if qtype == QuestionType.SINGLE_CHOICE:
        answers = [("=" if key.get("correct") == i else "~") + _with_feedback(o, feedback[i])
                   for i, o in enumerate(options)]
        body = "\n".join(answers)
    elif qtype == QuestionType.MULTIPLE_CHOICE:
        correct = set(key.get("correct") or [])
        share = 100 / len(correct) if correct else 0
        answers = [f"~{_weight(share if i in correct else -share)}" + _with_feedback(o, feedback[i])
                   for i, o in enumerate(options)]
        body = "\n".join(answers)
    elif qtype == QuestionType.TRUE_FALSE:
        body = "TRUE" if key.get("correct") else "FALSE"
    elif qtype == QuestionType.SHORT_ANSWER:
        body = " ".join("=" + escape(a) for a in key.get("accepted") or [])
    elif qtype == QuestionType.NUMERIC:
        value = qtypes.plain_number(key.get("value", 0))
        tolerance = key.get("tolerance") or 0
        body = f"#{value}:{qtypes.plain_number(tolerance)}" if tolerance else f"#{value}"
    elif qtype == QuestionType.MATCHING:
        body = _matching_body(question.options, key)
    elif qtype == QuestionType.LONG_ANSWER:
        body = ""
    else:
        return f"// Question {number} (file upload) cannot be written in GIFT and was left out."
    lines.append(head + "{" + ("\n" + body + general + "\n" if body or general else "") + "}")
    return "\n".join(lines)


def _matching_body(options, key: dict) -> str:
    pairs, extras = matching.pairs_of(options, key)

    def side(text: str) -> str:
        return escape(text).replace("->", "\\->")
    return "\n".join([f"={side(left)} -> {side(right)}" for left, right in pairs]
                     + [f"= -> {side(extra)}" for extra in extras])


def export_gift(assessment, questions) -> str:
    parts = [f"// {assessment.title}", f"// exported from the LMS (assessment {assessment.id})", ""]
    for number, question in enumerate(questions, start=1):
        text = question_to_gift(number, question)
        if text:
            parts.append(text)
            parts.append("")
    return "\n".join(parts)
