"""Table-of-contents import: a pasted outline → a preview → units, parts and sections.

Two ways to show depth (depth 1 = unit, 2 = part, 3 = section):

* numbering: ``1``, ``1.1``, ``1.1.1`` (optionally followed by ``.``, ``)`` or ``:``, and
  optionally preceded by a word like "Unit", "Part", "Section", "Chapter", "บทที่", "หน่วยที่"), or
* indentation: spaces or tabs (not both in one outline); bullets ``-``, ``*``, ``•`` and simple
  numbers ("1)", "a.") in front of an indented title are dropped.

The outline uses numbering when every line is numbered, otherwise indentation.  Malformed
lines — a level skipped, deeper than a section, indentation that does not line up or is one
space deeper than the line above, an empty title, numbered and unnumbered lines mixed in an
outline without indentation (a "Table of contents" line above a numbered outline) — are reported with their line numbers, and then nothing is created.  Importing matches
titles under the same parent (ignoring case and spaces), so pasting the same outline again
creates nothing new.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from lms.common.errors import ValidationFailed
from lms.curriculum import tree
from lms.curriculum.models import TITLE_MAX, Part, Unit
from lms.curriculum.services import require_edit
from lms.curriculum.tree import subject_tree
from lms.extensions import db

MAX_LINES = 2000
KIND_BY_DEPTH = {1: "unit", 2: "part", 3: "section"}

PREFIX_WORDS = r"(?:unit|part|section|chapter|lesson|topic|บทที่|บท|หน่วยที่|หน่วย|ตอนที่|ตอน|เรื่องที่)"
NUMBERED = re.compile(
    rf"^\s*(?:{PREFIX_WORDS}\s*)?(?P<num>\d+(?:\.\d+)*)\.?(?:\)|:|\s*[-–—:])?(?:\s+(?P<title>.*))?$",
    re.IGNORECASE)
INDENT_PREFIX = re.compile(
    rf"^(?:[-*•+]\s+|{PREFIX_WORDS}\s*\d+(?:\.\d+)*\s*[.):\-–—]?\s+|\d+(?:\.\d+)*[.):]\s+|\d+(?:\.\d+)+\s+"
    r"|\(?[a-zA-Z][.)]\s+)", re.IGNORECASE)


@dataclass
class OutlineNode:
    title: str
    line: int
    depth: int
    children: list[OutlineNode] = field(default_factory=list)
    existing_id: int | None = None  # set by the import plan when a node with this title exists

    @property
    def kind(self) -> str:
        return KIND_BY_DEPTH[self.depth]

    @property
    def is_new(self) -> bool:
        return self.existing_id is None


@dataclass
class OutlineError:
    line: int
    message: str
    text: str


@dataclass
class ParsedOutline:
    nodes: list[OutlineNode]
    errors: list[OutlineError]

    def walk(self):
        stack = list(reversed(self.nodes))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


def normalise(title: str) -> str:
    """The matching key of a title: case and spacing do not matter."""
    return " ".join(title.split()).casefold()


def _clean(title: str) -> str:
    return " ".join((title or "").split())


def parse(text: str) -> ParsedOutline:
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(lines) > MAX_LINES:
        raise ValidationFailed(_("The outline is too long (%(max)s lines at most).", max=MAX_LINES),
                               field="outline")
    entries = [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
    if not entries:
        raise ValidationFailed(_("Paste an outline: one title per line."), field="outline")
    numbered = [bool(NUMBERED.match(line)) for _n, line in entries]
    if any(numbered) and not all(numbered) and _is_flat(entries):
        return ParsedOutline([], _mixed_numbering(entries, numbered))
    items, errors = (_by_numbering if all(numbered) else _by_indentation)(entries)
    for number, depth, title, raw in items:
        if depth is None:
            continue
        if not title:
            errors.append(OutlineError(number, _("The title is empty."), raw))
        elif len(title) > TITLE_MAX:
            errors.append(OutlineError(number, _("The title is too long (%(max)s characters at most).",
                                                 max=TITLE_MAX), raw))
    nodes: list[OutlineNode] = []
    stack: list[OutlineNode] = []
    for number, depth, title, raw in items:
        if depth is None:
            continue
        if depth > 3:
            errors.append(OutlineError(number, _("Too deep: an outline has units, parts and sections "
                                                 "(three levels)."), raw))
            continue
        if depth > len(stack) + 1:
            errors.append(OutlineError(number, _("A level is skipped: a %(kind)s needs a %(parent)s above it.",
                                                 kind=_kind_label(depth), parent=_kind_label(depth - 1)), raw))
            continue
        node = OutlineNode(title=title, line=number, depth=depth)
        del stack[depth - 1:]
        (stack[-1].children if stack else nodes).append(node)
        stack.append(node)
    errors.sort(key=lambda e: e.line)
    return ParsedOutline(nodes, errors)


def _indent(line: str) -> str:
    return re.match(r"^[ \t]*", line).group(0)


def _is_flat(entries) -> bool:
    return len({_indent(line) for _n, line in entries}) == 1


def _mixed_numbering(entries, numbered: list[bool]) -> list[OutlineError]:
    """A flat outline where some lines are numbered and some are not: the odd ones out are errors
    (guessing would either flatten the numbered outline or cut titles)."""
    if sum(numbered) * 2 >= len(numbered):
        return [OutlineError(number, _("This line has no number but the other lines are numbered (1, 1.1, "
                                       "1.1.1). Number it, or delete it if it is a heading such as "
                                       "“Table of contents”."), line.strip())
                for (number, line), is_numbered in zip(entries, numbered, strict=True) if not is_numbered]
    return [OutlineError(number, _("This line is numbered but the other lines are not. Number every line, "
                                   "or none and show the levels with indentation."), line.strip())
            for (number, line), is_numbered in zip(entries, numbered, strict=True) if is_numbered]


def _kind_label(depth: int) -> str:
    return {1: _("unit"), 2: _("part"), 3: _("section")}.get(depth, _("section"))


def _by_numbering(entries):
    items, errors = [], []
    for number, line in entries:
        match = NUMBERED.match(line)
        depth = len(match.group("num").split("."))
        items.append((number, depth, _clean(match.group("title") or ""), line.strip()))
    return items, errors


def _by_indentation(entries):
    items, errors = [], []
    indents = [_indent(line) for _n, line in entries]
    if any(" " in i for i in indents) and any("\t" in i for i in indents):
        number, line = next(entry for entry, i in zip(entries, indents, strict=True) if "\t" in i)
        errors.append(OutlineError(number, _("The outline mixes tabs and spaces for indentation; "
                                             "use one or the other."), line.strip()))
        return [], errors
    levels: list[int] = []  # indent widths of the open levels
    for (number, line), indent in zip(entries, indents, strict=True):
        width = len(indent)
        if not levels:
            levels.append(width)
        elif width == levels[-1] + 1 and " " in indent:
            errors.append(OutlineError(number, _("This line is indented one space more than the line above. "
                                                 "Indent it like the line above for the same level, or by at "
                                                 "least two more spaces for a level below."), line.strip()))
            items.append((number, None, "", line.strip()))
            continue
        elif width > levels[-1]:
            levels.append(width)
        elif width in levels:
            del levels[levels.index(width) + 1:]
        else:
            errors.append(OutlineError(number, _("The indentation does not line up with the lines above."),
                                       line.strip()))
            items.append((number, None, "", line.strip()))
            continue
        title = INDENT_PREFIX.sub("", line.strip(), count=1)
        items.append((number, len(levels), _clean(title), line.strip()))
    return items, errors


# --- import ----------------------------------------------------------------------------------


@dataclass
class ImportPlan:
    outline: ParsedOutline
    new_counts: dict[str, int]
    existing_count: int

    @property
    def errors(self) -> list[OutlineError]:
        return self.outline.errors

    @property
    def nothing_new(self) -> bool:
        return not any(self.new_counts.values())


def plan(subject, text: str) -> ImportPlan:
    """Parse ``text`` and match it against the subject's tree (nothing is written)."""
    outline = parse(text)
    tree = subject_tree(subject)
    existing_units = {normalise(u.unit.title): u for u in tree.units}
    for unit in outline.nodes:
        unit_node = existing_units.get(normalise(unit.title))
        unit.existing_id = unit_node.unit.id if unit_node else None
        parts = {normalise(p.part.title): p for p in unit_node.parts} if unit_node else {}
        for part in unit.children:
            part_node = parts.get(normalise(part.title))
            part.existing_id = part_node.part.id if part_node else None
            sections = {normalise(s.title): s for s in part_node.sections} if part_node else {}
            for section in part.children:
                match = sections.get(normalise(section.title))
                section.existing_id = match.id if match else None
    counts = {"unit": 0, "part": 0, "section": 0}
    existing = 0
    for node in outline.walk():
        if node.is_new:
            counts[node.kind] += 1
        else:
            existing += 1
    return ImportPlan(outline, counts, existing)


def import_outline(actor, subject, text: str) -> ImportPlan:
    """Create the outline's new units, parts and sections (appended, unpublished).

    Refused with the line-numbered errors (and nothing created) when the outline is malformed.
    """
    require_edit(actor, subject)
    result = plan(subject, text)
    if result.errors:
        raise ValidationFailed(_("The outline has problems; nothing was created."), field="outline",
                               details={"lines": [e.line for e in result.errors]})
    # The same title twice under one parent in the pasted outline is created once.
    seen_units = {}
    for unit in result.outline.nodes:
        key = normalise(unit.title)
        unit_obj = db.session.get(Unit, unit.existing_id) if unit.existing_id else seen_units.get(key)
        if unit_obj is None:
            unit_obj = tree.add_child(actor, subject, unit.title)
        seen_units[key] = unit_obj
        seen_parts = {}
        for part in unit.children:
            key = normalise(part.title)
            part_obj = db.session.get(Part, part.existing_id) if part.existing_id else seen_parts.get(key)
            if part_obj is None:
                part_obj = tree.add_child(actor, unit_obj, part.title)
            seen_parts[key] = part_obj
            seen_sections = set()
            for section in part.children:
                key = normalise(section.title)
                if section.existing_id or key in seen_sections:
                    continue
                tree.add_child(actor, part_obj, section.title)
                seen_sections.add(key)
    return result
