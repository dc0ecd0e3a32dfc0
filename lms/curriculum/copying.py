"""Copying a subject to another level, classroom or academic year.

A copy is a new subject with the original's core subject and description, its Unit → Part →
Section tree (titles, order, section content) and, through ``lms.core.signals.subject_copying``,
what the domains above keep in it: the sections' resource links (the same library resources: no
file is duplicated) and the assessments (as drafts, without dates).  Students' work, progress,
grades, attempts and extensions stay with the original.

Who: someone who may change the original (its teachers, admins) and create a subject for the
target (``audiences_for(actor, any_year=True)``: a teacher the levels and classrooms they teach,
next year's included).  The year of a copy is its classroom's: a subject for a whole level is not
tied to a year.

The copy runs in the request's one transaction, inside a savepoint: a refusal anywhere leaves
nothing behind.  The form carries a one-time token (``SubjectCopy.token``): sending it again (two
tabs, a double click) answers the copy already made.  The original's row is locked while it is
copied, so two copies of it never interleave (and the name check sees the other's copy).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from lms.audit.services import record
from lms.auth.models import Role, User
from lms.common.copying import copy_rows_mapped
from lms.common.errors import Conflict, Forbidden, ValidationFailed
from lms.common.services import is_taken
from lms.core import signals
from lms.curriculum import ordering
from lms.curriculum.models import Part, Section, Subject, SubjectCopy, Unit
from lms.curriculum.services import (
    Audience,
    _add_teacher,
    _clean_text,
    audiences_for,
    can_edit_subject,
    resolve_audience,
    subject_visibility,
)
from lms.extensions import db

NAME_MAX = 100
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_token() -> str:
    """The one-time token of a copy form."""
    return secrets.token_urlsafe(24)


def default_name(subject: Subject) -> str:
    """"Mathematics P1 (copy)", cut to fit."""
    suffix = " " + _("(copy)")
    return subject.name[:NAME_MAX - len(suffix)] + suffix


def require_copy(actor, subject: Subject) -> None:
    """Only someone who may change a subject copies it (the view has checked it is visible)."""
    if getattr(actor, "role", None) not in (Role.ADMIN, Role.TEACHER) or not can_edit_subject(actor, subject):
        raise Forbidden(_("Only the subject's teachers or an administrator can copy it."))


def copy_targets(actor) -> list[Audience]:
    """Where ``actor`` may copy a subject to: levels and classrooms, next year's included."""
    return audiences_for(actor, any_year=True)


def _name_taken(name: str, audience: Audience) -> bool:
    """A subject that the copy's students would also see has this name (any case; archived
    subjects do not count)."""
    same_place = (or_(Subject.classroom_id.is_(None), Subject.classroom_id == audience.classroom.id)
                  if audience.classroom else Subject.id.isnot(None))
    return is_taken(Subject.id, Subject.level_id == audience.level.id, same_place, Subject.archived.is_(False),
                    func.lower(Subject.name) == name.lower())


def _clean_name(name: str, audience: Audience) -> str:
    name = _clean_text(name, "name", NAME_MAX, label=_("name"))
    if _name_taken(name, audience):
        raise ValidationFailed(_("There is already a subject called “%(name)s” for %(audience)s. Choose another "
                                 "name.", name=name, audience=audience.label), field="name")
    return name


# --- the preview ------------------------------------------------------------------------------


@dataclass
class CopyPlan:
    source: Subject
    audience: Audience
    name: str
    keep_published: bool
    units: int
    parts: int
    sections: int
    teachers: list[User]
    # What the domains above copy: {"label", "count", "items", "left_behind"} (the signal's answers).
    others: list[dict] = field(default_factory=list)

    @property
    def left_behind(self) -> list[str]:
        return [_("Students' progress (sections marked as done) and which sections they opened")] + [
            line for part in self.others for line in part.get("left_behind", [])]


def _teachers_of_copy(actor, source: Subject) -> list[User]:
    """A teacher teaches their copy; an administrator's copy keeps the original's teachers."""
    if actor.role == Role.TEACHER:
        return [actor]
    return [teacher for teacher in source.teachers if teacher.active and teacher.role == Role.TEACHER]


def _checked(actor, source: Subject, audience: str, name: str) -> tuple[Audience, str]:
    """The target and the copy's name, once every rule of a copy is met."""
    require_copy(actor, source)
    if source.core_subject.archived:
        raise ValidationFailed(_("%(name)s is archived, so no new subject can be made for it.",
                                 name=source.core_subject.name))
    target = resolve_audience(actor, audience, any_year=True)
    return target, _clean_name(name, target)


def _tree_counts(subject: Subject) -> tuple[int, int, int]:
    """The subject's units, parts and sections (one query, no content loaded)."""
    units = select(Unit.id).where(Unit.subject_id == subject.id)
    parts = select(Part.id).where(Part.unit_id.in_(units))
    counted = [select(func.count()).where(model.id.in_(ids)).scalar_subquery()
               for model, ids in ((Unit, units), (Part, parts),
                                  (Section, select(Section.id).where(Section.part_id.in_(parts))))]
    return tuple(db.session.execute(select(*counted)).one())


def plan_copy(actor, source: Subject, *, audience: str, name: str, keep_published: bool = False) -> CopyPlan:
    """What copying ``source`` would make (refusals as they would be at the copy)."""
    target, name = _checked(actor, source, audience, name)
    units, parts, sections = _tree_counts(source)
    others = sorted(signals.answers(signals.subject_copy_preview, source), key=lambda part: part["label"])
    return CopyPlan(source, target, name, bool(keep_published), units, parts, sections,
                    _teachers_of_copy(actor, source), others)


# --- the copy ---------------------------------------------------------------------------------


def _clean_token(token) -> str:
    token = str(token or "")
    if not TOKEN_RE.match(token):
        raise ValidationFailed(_("This copy form is out of date. Start the copy again."))
    return token


def copy_made_with(actor, token: str) -> Subject | None:
    """The subject a copy form's token already made, if ``actor`` may see it."""
    copy_id = db.session.scalar(select(SubjectCopy.copy_id).where(SubjectCopy.token == token))
    if copy_id is None:
        return None
    return db.session.scalar(select(Subject).where(Subject.id == copy_id, subject_visibility(actor)))


def _copy_tree(source: Subject, copy: Subject, keep_published: bool) -> dict[str, dict[int, int]]:
    """The original's units, parts and sections under ``copy``, in order (one INSERT per kind)."""

    def published(row) -> bool:
        return keep_published and row.published

    units = copy_rows_mapped(Unit, Unit.subject_id == source.id, order_by=(Unit.position,),
                             setting={"subject_id": copy.id, "published": published},
                             unique_by=("subject_id", "position"))
    parts = copy_rows_mapped(Part, Part.unit_id.in_(select(Unit.id).where(Unit.subject_id == source.id)),
                             order_by=(Part.unit_id, Part.position),
                             setting={"unit_id": lambda row: units[row.unit_id], "published": published},
                             unique_by=("unit_id", "position"))
    sections = copy_rows_mapped(Section, Section.part_id.in_(select(Part.id).join(Unit, Unit.id == Part.unit_id)
                                                             .where(Unit.subject_id == source.id)),
                                order_by=(Section.part_id, Section.position),
                                setting={"part_id": lambda row: parts[row.part_id], "published": published},
                                unique_by=("part_id", "position"))
    return {"unit": units, "part": parts, "section": sections}


@dataclass(frozen=True)
class CopyOutcome:
    subject: Subject
    made: bool  # False: this form had already made it


def copy_subject(actor, source: Subject, *, audience: str, name: str, token: str,
                 keep_published: bool = False) -> CopyOutcome:
    """Copy ``source`` as the preview described it; a token already used answers its copy."""
    token = _clean_token(token)
    require_copy(actor, source)
    ordering.lock(Subject, source.id)  # one copy of a subject at a time: see the module's docstring
    done = copy_made_with(actor, token)
    if done is not None:
        return CopyOutcome(done, made=False)
    target, name = _checked(actor, source, audience, name)
    try:
        with db.session.begin_nested():
            copy = Subject(core_subject_id=source.core_subject_id, level=target.level, classroom=target.classroom,
                           name=name, description=source.description, created_by_id=actor.id)
            db.session.add(copy)
            db.session.flush()
            db.session.add(SubjectCopy(token=token, source_id=source.id, copy_id=copy.id))
            db.session.flush()
            for teacher in _teachers_of_copy(actor, source):
                _add_teacher(copy, teacher)
            nodes = _copy_tree(source, copy, bool(keep_published))
            counts = {"units": len(nodes["unit"]), "parts": len(nodes["part"]), "sections": len(nodes["section"])}
            for answer in signals.answers(signals.subject_copying, source, copy=copy, actor=actor, nodes=nodes):
                counts.update(answer or {})
    except IntegrityError as err:  # the token, used at the same moment (the lock makes it rare)
        done = copy_made_with(actor, token)
        if done is not None:
            return CopyOutcome(done, made=False)
        raise Conflict(_("The subject could not be copied; please try again.")) from err
    year = {"academic_year": copy.classroom.academic_year} if copy.classroom else {}
    record(actor, "subject.copy", copy, name=copy.name, copied_from=source.name, target=copy.audience, **year,
           **counts)
    return CopyOutcome(copy, made=True)
