"""Resource rules: visibility, upload and links, editing, deleting, attaching to sections.

Visibility (``visible_resources(actor)`` / ``get_resource_for(actor, id)``) is the OR of the
rules in ``BUILT_IN_RULES`` and of the answers to ``lms.core.signals.resource_visibility``.
Each rule is a function ``rule(actor)`` returning a SQL condition on ``Resource`` (or None when
it grants nothing to that actor).  Built in: admins see everything; the owner sees their
uploads; anyone sees a resource attached to a section they may read
(``lms.curriculum.services.visible_sections``).  Another domain connects its own rules to the
signal (e.g. resources attached to assessments).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, false, func, or_, select
from sqlalchemy.exc import IntegrityError

from lms.audit.services import record
from lms.auth.models import Role
from lms.common.errors import BusinessRuleViolation, Conflict, Forbidden, NotFound, ValidationFailed
from lms.common.ids import as_id
from lms.common.services import clean_title, flush_or_raise, get_visible
from lms.common.uploads import virus_scan
from lms.common.uploads.images import check_image, max_image_pixels
from lms.common.uploads.sniffing import sniff
from lms.core import signals
from lms.curriculum import ordering
from lms.curriculum.models import Part, Section, Subject, Unit
from lms.curriculum.services import require_edit, subject_of, visible_sections
from lms.extensions import db
from lms.jobs import enqueue
from lms.resources import storage
from lms.resources.jobs import make_thumbnail, thumbnail_job_key, wants_thumbnail
from lms.resources.labels import RESOURCE_KIND
from lms.resources.models import (
    FILE_KINDS,
    LABEL_MAX,
    TITLE_MAX,
    Resource,
    ResourceKind,
    SectionResource,
    StoredFile,
)

# --- settings ---------------------------------------------------------------------------------

MB = 1024 * 1024
DEFAULT_LIMITS_MB = {"IMAGE": 10, "DOCUMENT": 25, "AUDIO": 50, "VIDEO": 200}


def size_limits() -> dict[str, int]:
    """Largest upload per kind, in bytes (``UPLOAD_MAX_<KIND>_MB`` settings)."""
    config = current_app.config
    return {kind: int(float(config.get(f"UPLOAD_MAX_{kind}_MB", mb)) * MB)
            for kind, mb in DEFAULT_LIMITS_MB.items()}


def max_upload_bytes() -> int:
    return max(size_limits().values())


def kind_labels() -> dict[str, str]:
    return RESOURCE_KIND


# --- visibility -------------------------------------------------------------------------------

def _admins_see_everything(actor):
    return Resource.id.isnot(None) if getattr(actor, "role", None) == Role.ADMIN else None


def _owners_see_their_uploads(actor):
    return Resource.owner_id == actor.id if getattr(actor, "role", None) == Role.TEACHER else None


def _attached_to_a_readable_section(actor):
    sections = visible_sections(actor).with_only_columns(Section.id)
    return exists().where(SectionResource.resource_id == Resource.id, SectionResource.section_id.in_(sections))


BUILT_IN_RULES = (_admins_see_everything, _owners_see_their_uploads, _attached_to_a_readable_section)


def in_library():
    """Resources listed in the library (not those that belong to something else, see the signal)."""
    rules = [rule for rule in signals.answers(signals.resource_outside_library, None) if rule is not None]
    return ~or_(*rules) if rules else Resource.id.isnot(None)


def visibility_condition(actor):
    if not getattr(actor, "is_authenticated", False):
        return false()
    answers = [rule(actor) for rule in BUILT_IN_RULES] + signals.answers(signals.resource_visibility, actor)
    conditions = [c for c in answers if c is not None]
    return or_(*conditions) if conditions else false()


def visible_resources(actor):
    """A SELECT of the resources ``actor`` may see (add your own filters and order)."""
    return select(Resource).where(visibility_condition(actor))


def get_resource_for(actor, resource_id) -> Resource:
    return get_visible(visible_resources(actor), Resource, resource_id,
                       _("That resource does not exist or is not available to you."))


def can_manage(actor, resource: Resource) -> bool:
    """Admins and the uploader may edit or delete a resource."""
    return actor.role == Role.ADMIN or (actor.role == Role.TEACHER and resource.owner_id == actor.id)


def require_manage(actor, resource: Resource) -> None:
    if not can_manage(actor, resource):
        raise Forbidden(_("Only the person who added this resource or an administrator can change it."))


# --- input cleaning ---------------------------------------------------------------------------

LABEL_RE = re.compile(r"^[^\s/\\\"'<>`]+$")


def clean_filename(name: str | None) -> str:
    """A display name without any path: refused when the name tries to leave its folder."""
    raw = unicodedata.normalize("NFC", name or "")
    if "/" in raw or "\\" in raw or raw.strip() in (".", "..") or "\x00" in raw:
        raise ValidationFailed(_("The file name must not contain folders (“/”, “\\” or “..”). "
                                 "Rename the file and try again."), field="file")
    cleaned = "".join(c for c in raw if unicodedata.category(c)[0] != "C").strip().strip(".")
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > 150:
        stem, dot, ext = cleaned.rpartition(".")
        cleaned = (stem[:140] + dot + ext[:9]) if dot else cleaned[:150]
    return cleaned or "file"


def clean_label(label: str | None) -> str:
    label = (label or "").strip()
    if not label:
        return ""
    if len(label) > LABEL_MAX:
        raise ValidationFailed(_("The label is too long (%(max)s characters at most).", max=LABEL_MAX),
                               field="label")
    if not LABEL_RE.match(label):
        raise ValidationFailed(_("A label is one short word without spaces, quotes or slashes, e.g. "
                                 "“picture-1”."), field="label")
    return label


def clean_url(url: str | None) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        raise ValidationFailed(_("Give a web address starting with http:// or https://."), field="url")
    if len(url) > 2000:
        raise ValidationFailed(_("The web address is too long."), field="url")
    return url


def _human_size(size: int) -> str:
    return f"{size / MB:.0f} MB" if size >= MB else f"{size / 1024:.0f} KB"


# --- upload -----------------------------------------------------------------------------------


def _stored_file_for(temp: storage.TempUpload, sniffed, width, height) -> StoredFile:
    """The stored file for these bytes: an existing one (de-duplicated) or a new one."""
    existing = db.session.scalar(select(StoredFile).where(StoredFile.checksum == temp.checksum))
    if existing is not None and storage.path_of(existing.storage_name).is_file():
        temp.discard()
        return existing
    name = storage.keep(temp)
    if existing is not None:  # the row survived its file (restored backup…): point it at the new copy
        existing.storage_name = name
        db.session.flush()
        return existing
    stored = StoredFile(checksum=temp.checksum, storage_name=name, size=temp.size,
                        content_type=sniffed.content_type, kind=sniffed.kind, width=width, height=height)
    try:
        with db.session.begin_nested():
            db.session.add(stored)
    except IntegrityError as err:  # the same bytes stored at the same moment by another upload
        other = db.session.scalar(select(StoredFile).where(StoredFile.checksum == temp.checksum))
        if other is None:
            raise Conflict(_("The upload could not be saved; please try again.")) from err
        return other
    return stored


def upload(actor, stream, filename: str, *, title: str = "", label: str = "", description: str = "",
           section: Section | None = None) -> Resource:
    """Store an uploaded file as a new resource (attached to ``section`` when given).

    Everything is checked before anything is kept: on a refusal nothing is stored.
    """
    if actor.role not in (Role.ADMIN, Role.TEACHER):
        raise Forbidden(_("Only teachers and administrators can upload resources."))
    if section is not None:
        clean_filename(filename)
        clean_label(label)
        require_edit(actor, subject_of(section))
    resource = store_upload(actor, stream, filename, title=title, label=label, description=description)
    if section is not None:
        attach(actor, section, resource)
    return resource


def store_upload(owner, stream, filename: str, *, title: str = "", label: str = "",
                 description: str = "") -> Resource:
    """The checks and storage of ``upload`` without its role check or section: for another domain
    that decides itself who may upload (a student's answer file in ``lms.assessments``).  The
    resource is owned by ``owner``; who may see it is decided by the visibility rules."""
    display_name = clean_filename(filename)
    label = clean_label(label)
    stem = display_name.rsplit(".", 1)[0] if "." in display_name else display_name
    title = clean_title(title, max_length=TITLE_MAX, fallback=stem)
    limits = size_limits()
    try:
        temp = storage.receive(stream, max(limits.values()))
    except storage.TooLarge as err:
        raise ValidationFailed(_("The file is too large (%(max)s at most).", max=_human_size(max(limits.values()))),
                               field="file") from err
    try:
        if temp.size == 0:
            raise ValidationFailed(_("The file is empty."), field="file")
        sniffed = sniff(temp.path, display_name)
        if temp.size > limits[sniffed.kind]:
            raise ValidationFailed(_("%(kind)s files can be at most %(max)s; this one is %(size)s.",
                                     kind=kind_labels()[sniffed.kind], max=_human_size(limits[sniffed.kind]),
                                     size=_human_size(temp.size)), field="file")
        width = height = None
        if sniffed.kind == ResourceKind.IMAGE:
            width, height = check_image(temp.path, max_image_pixels(), sniffed.content_type)
        with open(temp.path, "rb") as fh:
            virus_scan.check_upload(fh, owner, display_name)
        stored = _stored_file_for(temp, sniffed, width, height)
    finally:
        temp.discard()
    resource = Resource(kind=stored.kind, title=title, label=label, description=(description or "").strip(),
                        file=stored, filename=display_name, owner_id=owner.id)
    db.session.add(resource)
    db.session.flush()
    record(owner, "resource.upload", resource, title=title, kind=stored.kind, size=stored.size)
    if wants_thumbnail(stored):  # images, video posters, PDF first pages; a failure is not retried
        enqueue(make_thumbnail, stored.id, stored.storage_name, job_id=thumbnail_job_key(stored), retry=False)
    return resource


def add_link(actor, url: str, *, title: str = "", label: str = "", description: str = "",
             section: Section | None = None) -> Resource:
    if actor.role not in (Role.ADMIN, Role.TEACHER):
        raise Forbidden(_("Only teachers and administrators can add resources."))
    url = clean_url(url)
    label = clean_label(label)
    title = clean_title(title, max_length=TITLE_MAX, fallback=urlsplit(url).netloc)
    if section is not None:
        require_edit(actor, subject_of(section))
    resource = Resource(kind=ResourceKind.LINK, title=title, label=label, description=(description or "").strip(),
                        url=url, owner_id=actor.id)
    db.session.add(resource)
    db.session.flush()
    if section is not None:
        attach(actor, section, resource)
    record(actor, "resource.link", resource, title=title, url=url)
    return resource


# --- editing and deleting -----------------------------------------------------------------------


def update(actor, resource: Resource, *, title: str, label: str, description: str) -> Resource:
    require_manage(actor, resource)
    title = clean_title(title, max_length=TITLE_MAX)
    label = clean_label(label)
    key = label.lower()
    if key != resource.label.lower():
        clash = db.session.scalar(
            select(Section.title).join(SectionResource, SectionResource.section_id == Section.id)
            .where(SectionResource.section_id.in_(
                select(SectionResource.section_id).where(SectionResource.resource_id == resource.id)),
                SectionResource.resource_id != resource.id, SectionResource.label_key == key, key != "")
            .limit(1))
        if clash is not None:
            raise ValidationFailed(_("Another resource in “%(section)s” already has the label %(label)s.",
                                     section=clash, label=label), field="label")
    with flush_or_raise(Conflict(_("Another resource in the same section already has the label %(label)s.",
                                   label=label))):
        if key != resource.label.lower():
            for link in db.session.scalars(select(SectionResource)
                                           .where(SectionResource.resource_id == resource.id)):
                link.label_key = key
        resource.title, resource.label, resource.description = title, label, (description or "").strip()
    return resource


def attachments_of(resource: Resource) -> list[tuple[SectionResource, Section, Subject]]:
    """Where a resource is attached (sections with their subjects), in subject order."""
    return list(db.session.execute(
        select(SectionResource, Section, Subject)
        .join(Section, Section.id == SectionResource.section_id)
        .join(Part, Part.id == Section.part_id).join(Unit, Unit.id == Part.unit_id)
        .join(Subject, Subject.id == Unit.subject_id)
        .where(SectionResource.resource_id == resource.id)
        .order_by(Subject.name, Unit.position, Part.position, Section.position)).all())


def places_of(resource: Resource) -> list[str]:
    places = [f"{subject.name} › {section.title}" for _link, section, subject in attachments_of(resource)]
    for found in signals.answers(signals.resource_usage, resource):  # other domains (assessments)
        places.extend(found)
    return places


def delete(actor, resource: Resource) -> None:
    """Delete a resource that is not attached anywhere (its file goes when nothing else uses it)."""
    require_manage(actor, resource)
    places = places_of(resource)
    if places:
        raise BusinessRuleViolation(
            _("“%(title)s” is still used in: %(places)s. Detach it there first.",
              title=resource.title, places="; ".join(places)), details={"places": places})
    stored = resource.file
    record(actor, "resource.delete", resource, title=resource.title, kind=resource.kind)
    with flush_or_raise(BusinessRuleViolation(_("“%(title)s” is still in use; detach it first.",
                                                title=resource.title))):
        db.session.delete(resource)
    if stored is not None:
        still_used = db.session.scalar(select(func.count()).select_from(Resource).where(Resource.file_id == stored.id))
        if not still_used:
            names = (stored.storage_name, stored.thumbnail_name)
            db.session.delete(stored)
            db.session.flush()
            storage.delete_after_commit(*names)


# --- sections -----------------------------------------------------------------------------------


def section_resources(section_ids) -> dict[int, list[Resource]]:
    """``{section id: [resources in order]}`` in one query."""
    ids = list(section_ids)
    result: dict[int, list[Resource]] = {i: [] for i in ids}
    if not ids:
        return result
    rows = db.session.execute(select(SectionResource.section_id, Resource)
                              .join(Resource, Resource.id == SectionResource.resource_id)
                              .where(SectionResource.section_id.in_(ids))
                              .order_by(SectionResource.section_id, SectionResource.position))
    for section_id, resource in rows:
        result[section_id].append(resource)
    return result


def attach(actor, section: Section, resource: Resource, *, index: int | None = None) -> SectionResource:
    """Show ``resource`` in ``section`` (at the end, or at ``index``)."""
    require_edit(actor, subject_of(section))
    if not db.session.scalar(visible_resources(actor).where(Resource.id == resource.id).with_only_columns(
            Resource.id)):
        raise NotFound(_("That resource does not exist or is not available to you."))
    ordering.lock(Section, section.id)
    if db.session.scalar(select(SectionResource.id).where(SectionResource.section_id == section.id,
                                                          SectionResource.resource_id == resource.id)):
        raise ValidationFailed(_("“%(title)s” is already in this section.", title=resource.title), field="resource_id")
    key = resource.label.lower()
    if key and db.session.scalar(select(SectionResource.id).where(SectionResource.section_id == section.id,
                                                                  SectionResource.label_key == key)):
        raise ValidationFailed(_("Another resource in this section already has the label %(label)s.",
                                 label=resource.label), field="resource_id")
    siblings = ordering.sibling_ids(SectionResource, SectionResource.section_id, section.id)
    top = db.session.scalar(select(func.max(SectionResource.position))
                            .where(SectionResource.section_id == section.id))
    link = SectionResource(section_id=section.id, resource_id=resource.id, label_key=key,
                           position=(top + 1) if top is not None else 0)
    with flush_or_raise(Conflict(_("That resource could not be added; please try again."))):
        db.session.add(link)
    ordering.renumber(SectionResource, "section_id", {section.id: ordering.place(siblings, link.id, index)})
    return link


def _link_of(section: Section, resource_id) -> SectionResource:
    link = db.session.scalar(select(SectionResource).where(
        SectionResource.section_id == section.id,
        SectionResource.resource_id == (as_id(resource_id) or -1)))
    if link is None:
        raise NotFound(_("That resource is not in this section."))
    return link


def detach(actor, section: Section, resource_id) -> None:
    require_edit(actor, subject_of(section))
    ordering.lock(Section, section.id)
    link = _link_of(section, resource_id)
    db.session.delete(link)
    db.session.flush()
    ordering.renumber(SectionResource, "section_id", {
        section.id: ordering.sibling_ids(SectionResource, SectionResource.section_id, section.id)})


def reorder(actor, section: Section, resource_ids: list) -> None:
    """Put the section's resources in the order of ``resource_ids`` (a drop); missing ones follow."""
    require_edit(actor, subject_of(section))
    ordering.lock(Section, section.id)
    links = list(db.session.scalars(select(SectionResource).where(SectionResource.section_id == section.id)
                                    .order_by(SectionResource.position)))
    by_resource = {link.resource_id: link.id for link in links}
    wanted = [by_resource[as_id(r)] for r in resource_ids if as_id(r) in by_resource]
    wanted = list(dict.fromkeys(wanted))
    rest = [link.id for link in links if link.id not in wanted]
    ordering.renumber(SectionResource, "section_id", {section.id: wanted + rest})


def step(actor, section: Section, resource_id, direction: str) -> None:
    require_edit(actor, subject_of(section))
    ordering.lock(Section, section.id)
    link = _link_of(section, resource_id)
    ordering.step(SectionResource, "section_id", section.id, link.id, direction)


def attachable_resources(actor, section: Section, limit: int = 200) -> list[Resource]:
    """The actor's resources not yet in ``section`` (for the attach picker)."""
    stmt = (visible_resources(actor).where(in_library())
            .where(~exists().where(SectionResource.resource_id == Resource.id,
                                   SectionResource.section_id == section.id)))
    if actor.role == Role.TEACHER:
        stmt = stmt.where(Resource.owner_id == actor.id)
    return list(db.session.scalars(stmt.order_by(Resource.created_at.desc(), Resource.id.desc()).limit(limit)))


# --- library ----------------------------------------------------------------------------------


def library_query(actor, *, q: str = "", kind: str = "", subject_id: int | None = None):
    stmt = visible_resources(actor).where(in_library())
    q = (q or "").strip().lower()
    if q:
        pattern = f"%{q}%"
        stmt = stmt.where(or_(func.lower(Resource.title).like(pattern), func.lower(Resource.label).like(pattern),
                              func.lower(Resource.description).like(pattern),
                              func.lower(Resource.filename).like(pattern)))
    if kind in (*FILE_KINDS, ResourceKind.LINK):
        stmt = stmt.where(Resource.kind == kind)
    if subject_id:
        in_subject = (select(SectionResource.resource_id).join(Section, Section.id == SectionResource.section_id)
                      .join(Part, Part.id == Section.part_id).join(Unit, Unit.id == Part.unit_id)
                      .where(Unit.subject_id == subject_id))
        stmt = stmt.where(Resource.id.in_(in_subject))
    return stmt.order_by(Resource.created_at.desc(), Resource.id.desc())


def usage_counts(resource_ids) -> dict[int, int]:
    """Sections per resource id (one query)."""
    return _links_per(SectionResource.resource_id, resource_ids)


def usage_by_section(section_ids) -> dict[int, int]:
    """Attached resources per section id (one query)."""
    return _links_per(SectionResource.section_id, section_ids)


def _links_per(column, values) -> dict[int, int]:
    ids = list(values)
    if not ids:
        return {}
    return dict(db.session.execute(select(column, func.count()).where(column.in_(ids)).group_by(column)).all())
