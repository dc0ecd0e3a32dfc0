"""The Unit → Part → Section tree of a subject: loading it, and every change to it.

Loading a whole subject takes three queries whatever its size (``subject_tree``).  Changes
lock the parent row and renumber siblings in the same transaction (``lms.curriculum.ordering``).
Write functions take the acting user first; the node they get must come from the
``get_*_for`` visibility functions (so a node the actor may not see is already a 404).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select, update

from lms.audit.services import record
from lms.common.errors import NotFound, ValidationFailed
from lms.common.services import clean_title
from lms.curriculum import ordering, services
from lms.curriculum.models import TITLE_MAX, Part, Section, Subject, Unit
from lms.curriculum.services import require_edit, subject_of
from lms.extensions import db

# kind -> (model, parent attribute, parent model)
KINDS = {
    "unit": (Unit, "subject_id", Subject),
    "part": (Part, "unit_id", Unit),
    "section": (Section, "part_id", Part),
}
CHILD_KIND = {"subject": "unit", "unit": "part", "part": "section"}


def kind_of(node) -> str:
    return "subject" if isinstance(node, Subject) else node.kind


# --- loading ----------------------------------------------------------------------------------


@dataclass
class PartNode:
    part: Part
    sections: list[Section] = field(default_factory=list)


@dataclass
class UnitNode:
    unit: Unit
    parts: list[PartNode] = field(default_factory=list)


@dataclass
class Tree:
    subject: Subject
    units: list[UnitNode]

    def sections(self) -> list[Section]:
        """Every section in reading order."""
        return [s for u in self.units for p in u.parts for s in p.sections]

    def counts(self) -> tuple[int, int, int]:
        parts = [p for u in self.units for p in u.parts]
        return len(self.units), len(parts), sum(len(p.sections) for p in parts)


def subject_tree(subject: Subject, *, published_only: bool = False) -> Tree:
    """The subject's tree in order, in three queries.  ``published_only``: what learners see
    (unpublished nodes and everything under them left out)."""
    unit_stmt = select(Unit).where(Unit.subject_id == subject.id)
    part_stmt = select(Part).join(Unit, Unit.id == Part.unit_id).where(Unit.subject_id == subject.id)
    section_stmt = (select(Section).join(Part, Part.id == Section.part_id).join(Unit, Unit.id == Part.unit_id)
                    .where(Unit.subject_id == subject.id))
    if published_only:
        unit_stmt = unit_stmt.where(Unit.published.is_(True))
        part_stmt = part_stmt.where(Unit.published.is_(True), Part.published.is_(True))
        section_stmt = section_stmt.where(Unit.published.is_(True), Part.published.is_(True),
                                          Section.published.is_(True))
    units = [UnitNode(u) for u in db.session.scalars(unit_stmt.order_by(Unit.position, Unit.id))]
    parts_by_unit: dict[int, list[PartNode]] = {}
    part_nodes: dict[int, PartNode] = {}
    for part in db.session.scalars(part_stmt.order_by(Part.position, Part.id)):
        node = PartNode(part)
        part_nodes[part.id] = node
        parts_by_unit.setdefault(part.unit_id, []).append(node)
    for section in db.session.scalars(section_stmt.order_by(Section.position, Section.id)):
        if section.part_id in part_nodes:
            part_nodes[section.part_id].sections.append(section)
    for unit_node in units:
        unit_node.parts = parts_by_unit.get(unit_node.unit.id, [])
        # The parent objects are known: no lazy load when a template walks up the tree.
        for part_node in unit_node.parts:
            _set_loaded(part_node.part, "unit", unit_node.unit)
            for section in part_node.sections:
                _set_loaded(section, "part", part_node.part)
        _set_loaded(unit_node.unit, "subject", subject)
    return Tree(subject, units)


def _set_loaded(obj, attr: str, value) -> None:
    from sqlalchemy.orm.attributes import set_committed_value

    set_committed_value(obj, attr, value)


def neighbours(tree: Tree, section: Section) -> tuple[Section | None, Section | None]:
    """The previous and next sections in reading order."""
    sections = tree.sections()
    ids = [s.id for s in sections]
    if section.id not in ids:
        return None, None
    i = ids.index(section.id)
    return (sections[i - 1] if i > 0 else None), (sections[i + 1] if i + 1 < len(sections) else None)


# --- changes ---------------------------------------------------------------------------------


def _parent_id(node) -> int:
    model, attr, _parent = KINDS[node.kind]
    return getattr(node, attr)


def add_child(actor, parent, title: str, *, index: int | None = None, published: bool = False):
    """A new unit (under a subject), part (under a unit) or section (under a part)."""
    require_edit(actor, subject_of(parent))
    title = clean_title(title, max_length=TITLE_MAX)
    kind = CHILD_KIND[kind_of(parent)]
    model, attr, parent_model = KINDS[kind]
    ordering.lock(parent_model, parent.id)
    siblings = ordering.sibling_ids(model, getattr(model, attr), parent.id)
    top = db.session.scalar(select(func.max(model.position)).where(getattr(model, attr) == parent.id))
    node = model(title=title, position=(top + 1 if top is not None else 0), published=published,
                 **{attr: parent.id})
    db.session.add(node)
    db.session.flush()
    ordering.renumber(model, attr, {parent.id: ordering.place(siblings, node.id, index)})
    record(actor, f"{kind}.create", node, title=title, subject_id=subject_of(parent).id)
    return node


def rename(actor, node, title: str):
    require_edit(actor, subject_of(node))
    node.title = clean_title(title, max_length=TITLE_MAX)
    db.session.flush()
    return node


def update_section(actor, section: Section, title: str, content: str) -> Section:
    require_edit(actor, subject_of(section))
    content = (content or "").replace("\r\n", "\n")
    if len(content) > 200_000:
        raise ValidationFailed(_("The content is too long (200,000 characters at most)."), field="content")
    section.title = clean_title(title, max_length=TITLE_MAX)
    section.content = content
    db.session.flush()
    return section


def contents_of(node) -> dict[str, int]:
    """What deleting ``node`` also deletes: counts of parts, sections and attached resources."""
    # upward call (pyproject.toml's import contract lists it)
    from lms.resources.models import SectionResource

    kind = node.kind
    if kind == "section":
        section_ids = select(Section.id).where(Section.id == node.id)
        parts = 0
    elif kind == "part":
        section_ids = select(Section.id).where(Section.part_id == node.id)
        parts = 0
    else:
        section_ids = select(Section.id).join(Part, Part.id == Section.part_id).where(Part.unit_id == node.id)
        parts = db.session.scalar(select(func.count()).select_from(Part).where(Part.unit_id == node.id)) or 0
    sections = 0 if kind == "section" else (
        db.session.scalar(select(func.count()).select_from(section_ids.subquery())) or 0)
    resources = db.session.scalar(select(func.count()).select_from(SectionResource)
                                  .where(SectionResource.section_id.in_(section_ids))) or 0
    return {"parts": parts, "sections": sections, "resources": resources}


def describe_contents(node) -> str:
    """"2 parts, 5 sections, 3 resource attachments" (empty when nothing goes with it)."""
    counts = contents_of(node)
    return _with_it(counts["parts"], counts["sections"], counts["resources"])


def delete(actor, node) -> str:
    """Delete a node and everything under it (resources stay in the library, detached)."""
    subject = subject_of(node)
    require_edit(actor, subject)
    model, attr, parent_model = KINDS[node.kind]
    parent_id = _parent_id(node)
    ordering.lock(parent_model, parent_id)
    gone = describe_contents(node)
    record(actor, f"{node.kind}.delete", node, title=node.title, subject_id=subject.id, with_it=gone)
    db.session.delete(node)
    db.session.flush()
    ordering.renumber(model, attr, {parent_id: ordering.sibling_ids(model, getattr(model, attr), parent_id)})
    return gone


def set_published(actor, node, published: bool, *, with_children: bool = False) -> None:
    """Publish or unpublish a node (``with_children``: everything under it too)."""
    require_edit(actor, subject_of(node))
    node.published = published
    db.session.flush()
    if with_children and node.kind in ("unit", "part"):
        # Two UPDATEs whatever the size of the unit (not one per part and section).
        part_ids = select(Part.id).where(Part.id == node.id if node.kind == "part" else Part.unit_id == node.id)
        db.session.execute(update(Part).where(Part.id.in_(part_ids)).values(published=published))
        db.session.execute(update(Section).where(Section.part_id.in_(part_ids)).values(published=published))


def _parents_in_subject(kind: str, subject_id: int) -> list[int]:
    """The possible parents of a ``kind`` node in a subject, in reading order."""
    if kind == "unit":
        return [subject_id]
    if kind == "part":
        return list(db.session.scalars(select(Unit.id).where(Unit.subject_id == subject_id)
                                       .order_by(Unit.position, Unit.id)))
    return list(db.session.scalars(select(Part.id).join(Unit, Unit.id == Part.unit_id)
                                   .where(Unit.subject_id == subject_id)
                                   .order_by(Unit.position, Part.position, Part.id)))


def move(actor, node, *, parent_id: int | None = None, index: int | None = None) -> None:
    """Put ``node`` at ``index`` under ``parent_id`` (its own parent when None): a drag and drop."""
    subject = subject_of(node)
    require_edit(actor, subject)
    model, attr, parent_model = KINDS[node.kind]
    old_parent = _parent_id(node)
    new_parent = old_parent if parent_id is None else int(parent_id)
    if new_parent != old_parent and new_parent not in _parents_in_subject(node.kind, subject.id):
        raise NotFound(_("That place is not in this subject."))
    ordering.lock(parent_model, old_parent, new_parent)
    column = getattr(model, attr)
    current = db.session.scalar(select(column).where(model.id == node.id))
    if current != old_parent:  # moved by someone else meanwhile: lock where it is now
        ordering.lock(parent_model, current)
        old_parent = current
    orders = {new_parent: ordering.place(ordering.sibling_ids(model, column, new_parent), node.id, index)}
    if new_parent != old_parent:
        orders[old_parent] = [i for i in ordering.sibling_ids(model, column, old_parent) if i != node.id]
    ordering.renumber(model, attr, orders)


def step(actor, node, direction: str) -> None:
    """Move one place up or down (the keyboard alternative to dragging).  At the top or bottom of
    its parent a part or section moves on to the end of the previous / start of the next parent."""
    if direction not in ("up", "down"):
        raise ValidationFailed(_("Move up or down."), field="direction")
    subject = subject_of(node)
    require_edit(actor, subject)
    model, attr, parent_model = KINDS[node.kind]
    parent = _parent_id(node)
    ordering.lock(parent_model, parent)
    if ordering.step(model, attr, parent, node.id, direction):
        return
    if node.kind == "unit":
        return  # already first / last
    parents = _parents_in_subject(node.kind, subject.id)
    at = parents.index(parent)
    other = at - 1 if direction == "up" else at + 1
    if not 0 <= other < len(parents):
        return
    move(actor, node, parent_id=parents[other], index=None if direction == "up" else 0)


def node_label(kind: str) -> str:
    return {"unit": _("unit"), "part": _("part"), "section": _("section")}.get(kind, kind)


def get_parent_for_add(actor, kind: str, parent_id):
    """The parent a new ``kind`` goes under (subject for units, unit for parts, part for sections)."""
    getters = {"unit": services.get_subject_for, "part": services.get_unit_for,
               "section": services.get_part_for}
    if kind not in getters:
        raise NotFound(_("That page does not exist."))
    return getters[kind](actor, parent_id)


def _with_it(parts: int, sections: int, resources: int) -> str:
    pieces = []
    if parts:
        pieces.append(ngettext("%(num)d part", "%(num)d parts", parts))
    if sections:
        pieces.append(ngettext("%(num)d section", "%(num)d sections", sections))
    if resources:
        pieces.append(ngettext("%(num)d resource attachment", "%(num)d resource attachments", resources))
    return ", ".join(pieces)


def delete_warnings(t: Tree, attachment_counts: dict[int, int]) -> dict[tuple[str, int], str]:
    """The confirmation text of every node's delete button, from the loaded tree (no queries)."""
    warnings: dict[tuple[str, int], str] = {}

    def text(kind, title, parts, sections, resources):
        gone = _with_it(parts, sections, resources)
        if gone:
            return _("Delete the %(kind)s “%(title)s”? It contains %(contents)s, which will be deleted too "
                     "(resources stay in the library).", kind=node_label(kind), title=title, contents=gone)
        return _("Delete the %(kind)s “%(title)s”?", kind=node_label(kind), title=title)

    for u in t.units:
        unit_sections = unit_resources = 0
        for p in u.parts:
            part_resources = sum(attachment_counts.get(s.id, 0) for s in p.sections)
            for s in p.sections:
                warnings[("section", s.id)] = text("section", s.title, 0, 0, attachment_counts.get(s.id, 0))
            warnings[("part", p.part.id)] = text("part", p.part.title, 0, len(p.sections), part_resources)
            unit_sections += len(p.sections)
            unit_resources += part_resources
        warnings[("unit", u.unit.id)] = text("unit", u.unit.title, len(u.parts), unit_sections, unit_resources)
    return warnings
