"""Whole assessments as JSON: export, and import as a new draft in the bank.

The format (``"format": "lms-assessment"``, ``"version": 1``)::

    {
      "format": "lms-assessment",
      "version": 1,
      "assessment": {
        "title": "Fractions quiz",
        "instructions": "Markdown; may use [[media:label]]",
        "core_subject": "Mathematics",          # by name (optional)
        "level": "P1",                          # by code (optional)
        "settings": {"attempts_allowed": 2, "scoring_policy": "HIGHEST", "late_policy": "ACCEPT",
                     "late_deduction_percent": 10, "late_floor_percent": 50, "time_limit_minutes": 20,
                     "shuffle_questions": false, "shuffle_options": true,
                     "results_visibility": "AFTER_SUBMIT", "display_mode": "ONE_PER_SCREEN",
                     "random_count": null, "random_tag": null,
                     "opens_at": "2026-06-01T01:00:00Z", "due_at": null},
        "media": [{"label": "cake", "filename": "cake.png", "title": "A cake", "kind": "IMAGE"}],
        "questions": [
          {"type": "SINGLE_CHOICE", "text": "½ of 8? [[media:cake]]", "points": 1,
           "options": ["2", "4", "6"], "key": {"correct": 1}, "feedback": "", "tags": ["halves"]}
        ]
      }
    }

Question ``type``, ``options`` and ``key`` are described in ``lms.assessments.questions``.
Media are exported by label and file name only (no file contents): an imported assessment keeps
its ``[[media:label]]`` references unresolved until files with those labels are added to it (the
publish check lists them).  Import checks everything first and stores nothing when anything is
wrong; errors name the question ("Question 3: …").
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.assessments import questions as qtypes
from lms.assessments.authoring import add_questions
from lms.assessments.media import media_of
from lms.assessments.models import DisplayMode, LatePolicy, ResultsVisibility, ScoringPolicy
from lms.assessments.services import (
    SETTING_FIELDS,
    SettingsInput,
    clean_settings,
    create_assessment,
    questions_of,
)
from lms.common.edge import (
    MAX_JSON_DEPTH,
    YEAR_MAX,
    YEAR_MIN,
    JSONTooDeep,
    first_bad_in_json,
    loads_limited,
    year_in_range,
)
from lms.common.errors import ValidationFailed
from lms.curriculum.models import CoreSubject
from lms.extensions import db
from lms.school.models import Level

FORMAT = "lms-assessment"
VERSION = 1
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_QUESTIONS = 500


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime(f"{value.astimezone(UTC).year:04d}-%m-%dT%H:%M:%SZ") if value else None


def export_assessment(assessment) -> dict:
    settings = {name: getattr(assessment, name) for name in SETTING_FIELDS}
    settings["opens_at"], settings["due_at"] = _iso(assessment.opens_at), _iso(assessment.due_at)
    return {
        "format": FORMAT,
        "version": VERSION,
        "assessment": {
            "title": assessment.title,
            "instructions": assessment.instructions,
            "core_subject": assessment.core_subject.name if assessment.core_subject else None,
            "level": assessment.level.code if assessment.level else None,
            "settings": settings,
            "media": [{"label": m.label, "filename": m.resource.filename, "title": m.resource.title,
                       "kind": m.resource.kind} for m in media_of(assessment.id)],
            "questions": [{"type": q.type, "text": q.text, "points": q.points, "options": list(q.options or []),
                           "key": dict(q.key or {}), "feedback": q.feedback, "tags": q.tags}
                          for q in questions_of(assessment.id)],
        },
    }


def export_json(assessment) -> str:
    return json.dumps(export_assessment(assessment), ensure_ascii=False, indent=2)


def _datetime(value, field: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed(_("Settings: %(field)s is not a date and time like 2026-06-01T08:00:00Z.",
                                 field=field)) from None
    if not year_in_range(parsed):
        raise ValidationFailed(_("Settings: %(field)s must be a date between %(first)d and %(last)d.",
                                 field=field, first=YEAR_MIN, last=YEAR_MAX))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _settings_input(title: str, instructions: str, settings: dict, core_id, level_id) -> SettingsInput:
    if not isinstance(settings, dict):
        raise ValidationFailed(_("“settings” must be an object."))
    defaults = SettingsInput(title=title)
    values = {name: settings.get(name, getattr(defaults, name)) for name in SETTING_FIELDS}
    for name in ("opens_at", "due_at"):
        values[name] = _datetime(settings.get(name), name)
    for name in ("shuffle_questions", "shuffle_options"):
        values[name] = bool(values[name])
    values["random_tag"] = values.get("random_tag") or ""
    values.setdefault("scoring_policy", ScoringPolicy.HIGHEST)
    values.setdefault("late_policy", LatePolicy.REFUSE)
    values.setdefault("results_visibility", ResultsVisibility.AFTER_SUBMIT)
    values.setdefault("display_mode", DisplayMode.ALL_AT_ONCE)
    return SettingsInput(title=title, instructions=instructions, core_subject_id=core_id, level_id=level_id,
                         **values)


def parse_document(raw: str | bytes) -> dict:
    if isinstance(raw, bytes):
        if len(raw) > MAX_IMPORT_BYTES:
            raise ValidationFailed(_("The file is too large (2 MB at most)."))
        raw = raw.decode("utf-8-sig", errors="replace")
    try:
        document = loads_limited(raw)
    except JSONTooDeep:
        raise ValidationFailed(_("The JSON is nested too deeply (more than %(depth)d levels).",
                                 depth=MAX_JSON_DEPTH)) from None
    except json.JSONDecodeError as err:
        raise ValidationFailed(_("This is not valid JSON (line %(line)s, column %(col)s).",
                                 line=err.lineno, col=err.colno)) from None
    if first_bad_in_json(document):
        raise ValidationFailed(_("The file contains a control character (such as a NUL byte) that cannot be "
                                 "accepted."))
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValidationFailed(_("This is not an exported assessment (“format” must be “%(format)s”).",
                                 format=FORMAT))
    if document.get("version") != VERSION:
        raise ValidationFailed(_("This file's format version is %(version)s; this site reads version %(ours)s.",
                                 version=document.get("version"), ours=VERSION))
    body = document.get("assessment")
    if not isinstance(body, dict):
        raise ValidationFailed(_("“assessment” must be an object."))
    return body


def question_inputs(items) -> list[qtypes.QuestionInput]:
    if not isinstance(items, list):
        raise ValidationFailed(_("“questions” must be a list."))
    if len(items) > MAX_QUESTIONS:
        raise ValidationFailed(_("At most %(n)s questions can be imported at once.", n=MAX_QUESTIONS))
    inputs, errors = [], []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            errors.append(_("Question %(n)s: it must be an object.", n=number))
            continue
        data = qtypes.QuestionInput(type=item.get("type", ""), text=str(item.get("text") or ""),
                                    points=item.get("points", 1), options=item.get("options") or [],
                                    key=item.get("key") or {}, feedback=str(item.get("feedback") or ""),
                                    tags=item.get("tags") or [])
        try:
            qtypes.clean_question(data)
        except ValidationFailed as err:
            errors.append(_("Question %(n)s: %(message)s", n=number, message=err.message))
            continue
        inputs.append(data)
    if errors:
        raise ValidationFailed(" ".join(errors), details={"errors": errors})
    return inputs


def import_json(actor, raw: str | bytes):
    """A new draft in the bank from an exported document (nothing stored on any error)."""
    body = parse_document(raw)
    title = str(body.get("title") or "")
    instructions = str(body.get("instructions") or "")
    core_id = level_id = None
    if body.get("core_subject"):
        core_id = db.session.scalar(select(CoreSubject.id).where(
            func.lower(CoreSubject.name) == str(body["core_subject"]).strip().lower()))
    if body.get("level"):
        level_id = db.session.scalar(select(Level.id).where(Level.code == str(body["level"]).strip()))
    errors = []
    settings = None
    try:
        settings = clean_settings(_settings_input(title, instructions, body.get("settings") or {}, core_id, level_id))
    except ValidationFailed as err:
        errors.append(_("Settings: %(message)s", message=err.message))
    try:
        inputs = question_inputs(body.get("questions") or [])
    except ValidationFailed as err:
        errors.extend(err.details.get("errors") or [err.message])
        inputs = []
    if errors:
        raise ValidationFailed(" ".join(errors), details={"errors": errors})
    assessment = create_assessment(actor, settings["title"], instructions=settings["instructions"],
                                   core_subject_id=core_id, level_id=level_id)
    for name in SETTING_FIELDS:
        setattr(assessment, name, settings[name])
    db.session.flush()
    add_questions(actor, assessment, inputs)
    return assessment
