"""Everything the school keeps about one student, as a zip: ``student.json`` and their uploaded files.

The document is built from the database first (one query per table that points at users, plus
the answers, attempt history and audit entries about the student), then streamed: the zip is
written on the fly in small chunks (``stream_zip``), so a large export never sits in memory or on
disk, and the response starts at once.  Secrets (password and token hashes) are left out.
"""

from __future__ import annotations

import json
import zipfile
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Text, and_, cast, or_, select

from lms.assessments.models import Answer, Assessment, QuestionVersion, Submission, SubmissionEvent
from lms.audit.models import AuditLog
from lms.auth.models import User
from lms.common.types import utcnow
from lms.core.organization import current_organization
from lms.extensions import db
from lms.privacy.catalog import SECRET_COLUMNS, user_columns
from lms.resources import storage
from lms.resources.models import Resource, StoredFile
from lms.school.models import Classroom, ParentLink

FORMAT = "lms.student-export"
VERSION = 1
CHUNK = 64 * 1024


def _value(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _row(mapping, drop=()) -> dict:
    return {key: _value(value) for key, value in mapping.items() if key not in SECRET_COLUMNS and key not in drop}


def _rows(stmt) -> list[dict]:
    return [_row(row._mapping) for row in db.session.execute(stmt)]


def records_of(student_id: int) -> dict[str, list[dict]]:
    """``{table: [rows]}``: every row of every table with a column pointing at the student."""
    by_table: dict = {}
    for table, column in user_columns():
        by_table.setdefault(table, []).append(column)
    records = {}
    for table, columns in sorted(by_table.items(), key=lambda item: item[0].name):
        stmt = select(table).where(or_(*(column == student_id for column in columns)))
        pk = list(table.primary_key.columns)
        rows = _rows(stmt.order_by(*pk))
        if rows:
            records[table.name] = rows
    return records


def _mentions(student_id: int):
    """Audit details naming the student by id (``"student_id": 5``), as JSON text on both databases."""
    text = cast(AuditLog.details, Text)
    return or_(text.contains(f'"student_id": {student_id},', autoescape=True),
               text.contains(f'"student_id": {student_id}}}', autoescape=True))


def audit_entries_about(student_id: int, records: dict[str, list[dict]]) -> list[dict]:
    """Audit entries about the student: their account, any row exported about them, or naming
    their id in the details (entries where they acted are in ``records["audit_log"]``)."""
    conditions = [and_(AuditLog.entity_type == "User", AuditLog.entity_id == student_id), _mentions(student_id)]
    for mapper in db.Model.registry.mappers:
        cls = mapper.class_
        name = getattr(cls, "__tablename__", None)
        if name in records and name != "audit_log" and "id" in records[name][0]:
            ids = [row["id"] for row in records[name]]
            conditions.append(and_(AuditLog.entity_type == cls.__name__, AuditLog.entity_id.in_(ids)))
    submissions = [row["id"] for row in records.get("submission", [])]
    if submissions:
        conditions.append(and_(AuditLog.entity_type == "Submission", AuditLog.entity_id.in_(submissions)))
    stmt = (select(AuditLog.__table__).where(or_(*conditions))
            .order_by(AuditLog.created_at, AuditLog.id))
    return _rows(stmt)


def answers_of(submission_ids: list[int]) -> list[dict]:
    """The student's answers with the question as they saw it (text, type, points)."""
    if not submission_ids:
        return []
    stmt = (select(Answer.__table__, QuestionVersion.type.label("question_type"),
                   QuestionVersion.text.label("question_text"), QuestionVersion.points.label("question_points"))
            .join(QuestionVersion, QuestionVersion.id == Answer.question_version_id)
            .where(Answer.submission_id.in_(submission_ids))
            .order_by(Answer.submission_id, Answer.id))
    return _rows(stmt)


def _safe_name(name: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "._- " else "_" for ch in (name or "file"))
    return cleaned.strip(" .")[:120] or "file"


def files_of(student_id: int) -> list[dict]:
    """The files the student uploaded (answer files): zip path, resource, size, and where it is stored."""
    stmt = (select(Resource.id, Resource.filename, Resource.title, StoredFile.storage_name, StoredFile.size,
                   StoredFile.content_type)
            .join(StoredFile, StoredFile.id == Resource.file_id)
            .where(Resource.owner_id == student_id).order_by(Resource.id))
    files = []
    for row in db.session.execute(stmt):
        path = storage.path_of(row.storage_name)
        files.append({"path": f"files/{row.id}-{_safe_name(row.filename or row.title)}", "resource_id": row.id,
                      "filename": row.filename, "size": row.size, "content_type": row.content_type,
                      "missing": not path.is_file(), "_source": str(path)})
    return files


def build(student: User, actor=None) -> tuple[dict, list[tuple[str, Path]]]:
    """The JSON document and the files to add: ``(document, [(zip path, file on disk)])``."""
    user_row = db.session.execute(select(User.__table__).where(User.id == student.id)).one()
    records = records_of(student.id)
    submission_ids = [row["id"] for row in records.get("submission", [])]
    parents = db.session.execute(
        select(User.id, User.full_name, User.email, ParentLink.created_at.label("linked_at"))
        .join(ParentLink, ParentLink.parent_id == User.id)
        .where(ParentLink.student_id == student.id).order_by(User.full_name, User.id))
    events = (_rows(select(SubmissionEvent.__table__).where(SubmissionEvent.submission_id.in_(submission_ids))
                    .order_by(SubmissionEvent.created_at, SubmissionEvent.id)) if submission_ids else [])
    assessments = {}
    if submission_ids:
        assessments = dict(db.session.execute(
            select(Assessment.id, Assessment.title).join(Submission, Submission.assessment_id == Assessment.id)
            .where(Submission.id.in_(submission_ids)).distinct()).all())
    classroom_ids = {row["classroom_id"] for row in records.get("classroom_membership", [])}
    classrooms = {}
    if classroom_ids:
        classrooms = {room.id: f"{room.name} {room.academic_year}" for room in db.session.scalars(
            select(Classroom).where(Classroom.id.in_(classroom_ids)))}
    files = files_of(student.id)
    org = current_organization()
    document = {
        "format": FORMAT,
        "version": VERSION,
        "generated_at": utcnow().isoformat(),
        "generated_by": getattr(actor, "id", None),
        "organization": getattr(org, "name", None),
        "student": _row(user_row._mapping),
        "parents": [_row(row._mapping) for row in parents],
        "records": records,
        "answers": answers_of(submission_ids),
        "submission_events": events,
        "assessment_titles": {str(k): v for k, v in sorted(assessments.items())},
        "classroom_names": {str(k): v for k, v in sorted(classrooms.items())},
        "audit_entries_about_student": audit_entries_about(student.id, records),
        "files": [{k: v for k, v in f.items() if not k.startswith("_")} for f in files],
    }
    to_add = [(f["path"], Path(f["_source"])) for f in files if not f["missing"]]
    return document, to_add


class _Pipe:
    """A write-only, unseekable stream: zipfile writes into it, the response drains it."""

    def __init__(self):
        self._chunks: list[bytes] = []

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def stream_zip(document: dict, files: list[tuple[str, Path]]):
    """Yield the zip's bytes as they are produced: at most one chunk of a file is in memory."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("student.json", json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True))
        yield pipe.take()
        for name, path in files:
            try:
                source = open(path, "rb")  # noqa: SIM115 - closed below
            except OSError:
                continue
            with source, archive.open(name, "w", force_zip64=True) as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    data = pipe.take()
                    if data:
                        yield data
            yield pipe.take()
    yield pipe.take()
