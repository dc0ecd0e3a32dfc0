"""How resources plug into other domains' signals (``connect_signals``, when the library's blueprint
is registered): a copied subject's sections show the same resources as the original's.

The copy links the same library resources (no file is duplicated): a resource cannot be deleted
while any section shows it, and a stored file goes only when no resource uses it, so removing
the original subject (or its sections) never takes a file from the copy.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.common.copying import copy_rows
from lms.core import signals
from lms.curriculum.models import Part, Section, Unit
from lms.extensions import db
from lms.resources.models import SectionResource


def _sections_of(subject):
    return select(Section.id).join(Part, Part.id == Section.part_id).join(Unit, Unit.id == Part.unit_id).where(
        Unit.subject_id == subject.id)


def _copy_preview(subject) -> dict:
    links = db.session.scalar(select(func.count()).select_from(SectionResource).where(
        SectionResource.section_id.in_(_sections_of(subject))))
    return {"label": _("Resource links in sections"), "count": links or 0, "items": [],
            "left_behind": [_("Files are not duplicated: the copy shows the same library resources as the "
                              "original.")] if links else []}


def _copy_section_resources(subject, *, copy, actor, nodes) -> dict[str, int]:
    sections = nodes["section"]
    copied = copy_rows(SectionResource, SectionResource.section_id.in_(_sections_of(subject)),
                       order_by=(SectionResource.section_id, SectionResource.position),
                       setting={"section_id": lambda row: sections[row.section_id]})
    return {"resource_links": copied}


def connect_signals() -> None:
    signals.subject_copy_preview.connect(_copy_preview)
    signals.subject_copying.connect(_copy_section_resources)
