"""Reading the audit log: the query behind the page and its CSV, and each entry as a person reads
it — the action's label, the target's name, the changes as "before → after" and the other details
with their names — in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, or_, select

from lms.audit.labels import ACTION_LABELS, DETAIL_LABELS, ENTITY_LABELS, SIGN_IN_METHODS
from lms.audit.models import AuditLog
from lms.auth.models import User
from lms.extensions import db

NAME_ATTRIBUTES = ("full_name", "session_name", "title", "name", "email", "label")
# Details naming a person by id: shown with the person's name.
PERSON_KEYS = ("student_id", "teacher_id", "parent_id", "user_id")


def _utc_start_of(day: date) -> datetime:
    """Midnight of ``day`` in the organization's timezone, as an aware UTC datetime."""
    from lms.common.i18n import select_timezone

    local = datetime.combine(day, time.min, tzinfo=ZoneInfo(select_timezone()))
    return local.astimezone(ZoneInfo("UTC"))


def audit_query(*, actor: str = "", action: str = "", date_from: date | None = None,
                date_to: date | None = None):
    """Entries newest first.  ``actor`` (a name or an email, in part) matches the person who acted
    or the person the entry is about."""
    stmt = select(AuditLog)
    if actor:
        like = f"%{actor.strip().lower()}%"
        person = or_(func.lower(User.email).like(like), func.lower(User.full_name).like(like),
                     func.lower(User.username).like(like))
        stmt = stmt.where(or_(
            exists().where(User.id == AuditLog.actor_id, person),
            and_(AuditLog.entity_type == "User", exists().where(User.id == AuditLog.entity_id, person))))
    if action:
        stmt = stmt.where(AuditLog.action == action)
    if date_from:
        stmt = stmt.where(AuditLog.created_at >= _utc_start_of(date_from))
    if date_to:
        stmt = stmt.where(AuditLog.created_at < _utc_start_of(date_to + timedelta(days=1)))
    return stmt.order_by(AuditLog.created_at.desc(), AuditLog.id.desc())


def _humanise(code: str) -> str:
    words = code.replace(".", ": ").replace("_", " ")
    return words[:1].upper() + words[1:]


def action_label(code: str) -> str:
    text = ACTION_LABELS.get(code)
    return str(text) if text is not None else _humanise(code)


def action_choices() -> list[tuple[str, str]]:
    """``(code, label)`` of every action the log holds, by label."""
    codes = db.session.scalars(select(AuditLog.action).distinct())
    return sorted(((code, action_label(code)) for code in codes), key=lambda pair: pair[1].lower())


@dataclass
class ReadableEntry:
    entry: AuditLog
    action: str
    target: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)   # (what, before, after)
    details: list[tuple[str, str]] = field(default_factory=list)        # (what, value)

    def details_text(self) -> str:
        parts = [f"{what}: {before} → {after}" for what, before, after in self.changes]
        parts += [f"{what}: {value}" for what, value in self.details]
        return "; ".join(parts)


def _key_label(key: str) -> str:
    text = DETAIL_LABELS.get(key)
    return str(text) if text is not None else _humanise(key)


def _value(value, people: dict[int, str]) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(_value(v, people) for v in value) if value else "—"
    if isinstance(value, dict):
        return ", ".join(f"{_key_label(k)}: {_value(v, people)}" for k, v in value.items())
    return str(value)


def _model_classes() -> dict[str, type]:
    return {mapper.class_.__name__: mapper.class_ for mapper in db.Model.registry.mappers}


def _name_of(row) -> str | None:
    for attribute in NAME_ATTRIBUTES:
        value = getattr(row, attribute, None)
        if isinstance(value, str) and value:
            return value
    return None


def _target_names(entries) -> dict[tuple[str, int], str]:
    """``{(entity type, id): name}`` of the records the entries are about (one query per type)."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        if entry.entity_type and entry.entity_id:
            wanted.setdefault(entry.entity_type, set()).add(entry.entity_id)
    classes, names = _model_classes(), {}
    for entity_type, ids in wanted.items():
        model = classes.get(entity_type)
        if model is None or not hasattr(model, "id"):
            continue
        for row in db.session.scalars(select(model).where(model.id.in_(ids))):
            name = _name_of(row)
            if name:
                names[(entity_type, row.id)] = name
    return names


def _people(entries) -> dict[int, str]:
    ids = {value for entry in entries for key, value in (entry.details or {}).items()
           if key in PERSON_KEYS and isinstance(value, int)}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


def _target(entry: AuditLog, names: dict) -> str:
    if not entry.entity_type:
        return ""
    kind = ENTITY_LABELS.get(entry.entity_type)
    kind = str(kind) if kind is not None else _humanise(entry.entity_type)
    details = entry.details or {}
    name = names.get((entry.entity_type, entry.entity_id)) or next(
        (details[k] for k in ("full_name", "title", "name", "email") if isinstance(details.get(k), str)), None)
    if name:
        return f"{kind}: {name}"
    return f"{kind} #{entry.entity_id}" if entry.entity_id else kind


def _paired_changes(details: dict, people: dict[int, str]) -> list[tuple[str, str, str]]:
    """Take the before/after pairs out of ``details`` (in place) as (what, before, after)."""
    changes: list[tuple[str, str, str]] = []
    if isinstance(details.get("changes"), dict):
        for key, pair in details.pop("changes").items():
            if isinstance(pair, list) and len(pair) == 2:
                changes.append((_key_label(key), _value(pair[0], people), _value(pair[1], people)))
            else:
                changes.append((_key_label(key), "", _value(pair, people)))
    before, after = details.get("before"), details.get("after")
    if isinstance(before, dict):
        changes += _before_after_dicts(details, before, after, people)
    elif "before" in details and "after" in details:
        changes.append((_("Change"), _value(details.pop("before"), people), _value(details.pop("after"), people)))
    for key in [k for k in details if k.startswith("old_")]:
        new_key = "new_" + key[4:]
        if new_key in details:
            changes.append((_key_label(key[4:]), _value(details.pop(key), people),
                            _value(details.pop(new_key), people)))
    return changes


def _before_after_dicts(details: dict, before: dict, after, people: dict[int, str]) -> list[tuple[str, str, str]]:
    details.pop("before")
    if isinstance(after, dict):
        details.pop("after")
    newer = after if isinstance(after, dict) else details
    changes = []
    for key, old in before.items():
        if key in newer and newer[key] != old:
            changes.append((_key_label(key), _value(old, people), _value(newer[key], people)))
            if newer is details:
                details.pop(key)
    return changes


def _shown_detail(key: str, value, people: dict[int, str]) -> tuple[str, str]:
    if key in PERSON_KEYS and isinstance(value, int):
        return _key_label(key.removesuffix("_id")), people.get(value, f"#{value}")
    if key == "method" and isinstance(value, str):
        method = SIGN_IN_METHODS.get(value)
        return _key_label(key), str(method) if method is not None else value
    return _key_label(key), _value(value, people)


def _split_details(entry: AuditLog, people: dict[int, str]) -> tuple[list, list]:
    details = dict(entry.details or {})
    changes = _paired_changes(details, people)
    return changes, [_shown_detail(key, value, people) for key, value in details.items()]


def readable(entries) -> list[ReadableEntry]:
    """The entries as people read them (three queries at most for a page, plus one per kind of target)."""
    entries = list(entries)
    names, people = _target_names(entries), _people(entries)
    result = []
    for entry in entries:
        changes, details = _split_details(entry, people)
        result.append(ReadableEntry(entry, action_label(entry.action), _target(entry, names), changes, details))
    return result
