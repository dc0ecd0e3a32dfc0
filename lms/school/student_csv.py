"""Students in and out of spreadsheets: CSV import (preview, then all or nothing) and export.

The format (UTF-8, a header row; Excel's "CSV UTF-8" and Thai Windows files both read):

    student_number,full_name,email,username,classroom,date_of_birth,status

``full_name`` is required; a student needs no email (a blank ``student_number`` is generated, a
blank ``username`` is made from the student number; files without the ``username`` column, as
before, still import); ``classroom`` is a name like P1/1 in the current
academic year (blank: not placed); ``date_of_birth`` is YYYY-MM-DD or DD/MM/YYYY (a year
after 2400 is read as Buddhist era); ``status`` defaults to ACTIVE.  The export writes the
same columns with their headers and values in the reader's language ("รหัสนักเรียน", "ป.1/1",
"กำลังศึกษา"); the import reads those as well as the codes, so a spreadsheet can go out and
come back in either language.  The template keeps the machine-readable English header row.
"""

from __future__ import annotations

import csv
import io
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from email_validator import EmailNotValidError, validate_email
from flask import Response, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from lms.audit.services import record
from lms.auth.models import Role, User, normalise_email, normalise_username
from lms.auth.usernames import USERNAME_RE
from lms.common.csvexport import BOM, csv_response
from lms.common.csvimport import decode_csv
from lms.common.edge import year_in_range
from lms.common.errors import ValidationFailed
from lms.common.i18n import SUPPORTED_LOCALES
from lms.common.labels import classroom_label, classroom_names, label
from lms.common.types import utcnow
from lms.core.academic_year import current_academic_year
from lms.core.localtime import local_today
from lms.extensions import db
from lms.school.labels import STUDENT_STATUS
from lms.school.models import (
    STUDENT_STATUSES,
    Classroom,
    ClassroomMembership,
    MembershipStatus,
    StudentProfile,
    StudentStatus,
)
from lms.school.people import STUDENT_NUMBER_RE, unusable_password_hash
from lms.school.services import ordered_classrooms, require_admin
from lms.school.sign_in_names import next_student_numbers

COLUMNS = ["student_number", "full_name", "email", "username", "classroom", "date_of_birth", "status"]
# The export's header row, in the reader's language (the import reads these and the codes).
COLUMN_LABELS = {"student_number": _l("Student number"), "full_name": _l("Full name"), "email": _l("Email"),
                 "username": _l("Username"), "classroom": _l("Classroom"), "date_of_birth": _l("Date of birth"), "status": _l("Status")}
REQUIRED = {"full_name"}
MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass
class ImportRow:
    line: int                     # the row number a spreadsheet shows (the header is row 1)
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    classroom: Classroom | None = None
    date_of_birth: date | None = None


@dataclass
class ImportPreview:
    rows: list[ImportRow]
    file_errors: list[str]
    academic_year: str
    token: str | None = None

    @property
    def error_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.error_rows and bool(self.rows)


class ImportRejected(ValidationFailed):
    """The file has errors; ``preview`` says which rows.  Nothing was stored."""

    def __init__(self, preview: ImportPreview):
        super().__init__(_("Nothing was imported: fix the rows listed and upload the file again."))
        self.preview = preview


TEMPLATE_EXAMPLE = ["S0001", "Somchai Jaidee", "somchai@example.org", "s0001", "P1/1", "2019-05-14", "ACTIVE"]


def _key(text: str) -> str:
    return text.strip().lstrip(BOM).casefold().replace(" ", "_")


def _translations(labels: dict) -> dict[str, str]:
    """``{what a file may say: code}``: each code and its label in every language."""
    known = {_key(code): code for code in labels}
    for locale in SUPPORTED_LOCALES:
        with force_locale(locale):
            known.update({_key(str(text)): code for code, text in labels.items()})
    return known


def _parse_date(text: str) -> date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            value = datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
        if value.year > 2400:  # Buddhist era, as Thai schools often write it
            value = value.replace(year=value.year - 543)
        if not year_in_range(value):
            break
        return value
    raise ValueError(text)


def _read_rows(data: bytes) -> tuple[list[ImportRow], list[str]]:
    if len(data) > MAX_BYTES:
        return [], [_("The file is larger than 2 MB; split it into smaller files.")]
    text = decode_csv(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return [], [_("The file is empty.")]
    headers = _translations(COLUMN_LABELS)
    names = [headers.get(_key(h), _key(h)) for h in header]
    missing = [c for c in COLUMNS if c in REQUIRED and c not in names]
    if missing:
        return [], [_("The header row must name the columns %(columns)s (missing: %(missing)s). "
                      "Download the template to see the format.",
                      columns=", ".join(COLUMNS), missing=", ".join(missing))]
    unknown = [h for h in names if h and h not in COLUMNS]
    file_errors = [_("Unknown column(s): %(columns)s. The columns are %(known)s.",
                     columns=", ".join(unknown), known=", ".join(COLUMNS))] if unknown else []
    rows = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        values = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(names) if name}
        rows.append(ImportRow(line=line, values=values))
        if len(rows) > MAX_ROWS:
            return [], [_("The file has more than %(max)s students; split it into smaller files.", max=MAX_ROWS)]
    if not rows and not file_errors:
        file_errors.append(_("The file has a header but no students."))
    return rows, file_errors


def _in_chunks(values: list, size: int = 500):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def check_import(actor, data: bytes) -> ImportPreview:
    """Parse and validate a CSV; every problem is reported against its row.  No writes."""
    require_admin(actor)
    year = current_academic_year()
    rows, file_errors = _read_rows(data)
    preview = ImportPreview(rows=rows, file_errors=file_errors, academic_year=year)
    if not rows:
        return preview

    emails = [normalise_email(r.values.get("email", "")) for r in rows]
    numbers = [r.values.get("student_number", "") for r in rows]
    usernames = [normalise_username(r.values.get("username", "")) for r in rows]
    known = _KnownValues.load(year, emails, numbers, usernames)
    for row, email, number, username in zip(rows, emails, numbers, usernames, strict=True):
        _check_name(row)
        _check_username(row, username, known)
        row.values["username"] = username
        _check_email(row, email, known)
        _check_student_number(row, number, known)
        status = _check_status(row, known)
        _check_classroom(row, status, known)
        _check_date_of_birth(row)
        row.values["email"] = email
    return preview


@dataclass
class _KnownValues:
    """What the school already holds (taken names, classrooms) and the first row of each value
    seen so far in the file, for the row checks."""

    year: str
    taken_emails: set[str]
    taken_numbers: set[str]
    taken_usernames: set[str]
    classrooms: dict[str, Classroom]
    statuses: dict[str, str]
    first_email_row: dict[str, int] = field(default_factory=dict)
    first_number_row: dict[str, int] = field(default_factory=dict)
    first_username_row: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, year: str, emails: list[str], numbers: list[str], usernames: list[str]) -> _KnownValues:
        taken_emails, taken_numbers, taken_usernames = set(), set(), set()
        for chunk in _in_chunks(sorted({u for u in usernames if u})):
            taken_usernames.update(db.session.scalars(select(User.username).where(User.username.in_(chunk))))
        for chunk in _in_chunks(sorted({e for e in emails if e})):
            taken_emails.update(db.session.scalars(select(User.email).where(User.email.in_(chunk))))
        for chunk in _in_chunks(sorted({n for n in numbers if n})):
            taken_numbers.update(db.session.scalars(
                select(StudentProfile.student_number).where(StudentProfile.student_number.in_(chunk))))
        classrooms = {name: c for c in db.session.scalars(ordered_classrooms(
            select(Classroom).where(Classroom.academic_year == year))) for name in classroom_names(c)}
        return cls(year=year, taken_emails=taken_emails, taken_numbers=taken_numbers,
                   taken_usernames=taken_usernames, classrooms=classrooms, statuses=_translations(STUDENT_STATUS))


def _check_name(row: ImportRow) -> None:
    name = row.values.get("full_name", "")
    if not name:
        row.errors.append(_("The full name is missing."))
    elif len(name) > 200:
        row.errors.append(_("The full name is longer than 200 characters."))


def _check_username(row: ImportRow, username: str, known: _KnownValues) -> None:
    if not username:
        return
    if not USERNAME_RE.match(username):
        row.errors.append(_("Username “%(username)s” may only use letters (a–z), digits, “.”, “_” and "
                            "“-” (3 to 40).", username=username))
        return
    _once(row, username, known.taken_usernames, known.first_username_row,
          lambda: _("The username %(username)s is already taken.", username=username),
          lambda line: _("Username %(username)s is also on row %(row)s.", username=username, row=line))


def _check_email(row: ImportRow, email: str, known: _KnownValues) -> None:
    if not email:
        return
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        row.errors.append(_("“%(email)s” is not a valid email address.", email=email))
        return
    _once(row, email, known.taken_emails, known.first_email_row,
          lambda: _("%(email)s already has an account.", email=email),
          lambda line: _("%(email)s is also on row %(row)s.", email=email, row=line))


def _check_student_number(row: ImportRow, number: str, known: _KnownValues) -> None:
    if number and not STUDENT_NUMBER_RE.match(number):
        row.errors.append(_("Student number “%(number)s” may only use letters, digits, “-”, “/” "
                            "and “.” (32 at most).", number=number))
    elif number:
        _once(row, number, known.taken_numbers, known.first_number_row,
              lambda: _("Student number %(number)s is already used by another student.", number=number),
              lambda line: _("Student number %(number)s is also on row %(row)s.", number=number, row=line))


def _once(row: ImportRow, value: str, taken, first_row: dict, taken_message, repeated_message) -> None:
    """Refuse a value another account already has, or an earlier row of the file; else note its row."""
    if value in taken:
        row.errors.append(taken_message())
    elif value in first_row:
        row.errors.append(repeated_message(first_row[value]))
    else:
        first_row[value] = row.line


def _check_status(row: ImportRow, known: _KnownValues) -> str:
    """The row's status code (its cell in either language, ACTIVE when blank), stored in the row."""
    v = row.values
    status = known.statuses.get(_key(v.get("status") or ""), (v.get("status") or StudentStatus.ACTIVE.value).upper())
    if status not in STUDENT_STATUSES:
        row.errors.append(_("Unknown status “%(status)s” (use %(known)s).", status=v.get("status"),
                            known=", ".join(STUDENT_STATUSES)))
    v["status"] = status
    return status


def _check_classroom(row: ImportRow, status: str, known: _KnownValues) -> None:
    room = row.values.get("classroom", "")
    if not room:
        return
    row.classroom = known.classrooms.get(room.upper().replace(" ", ""))
    if row.classroom is None:
        row.errors.append(_("There is no classroom %(name)s in %(year)s.", name=room, year=known.year))
    elif row.classroom.archived:
        row.errors.append(_("%(name)s is archived.", name=classroom_label(row.classroom)))
    elif status != StudentStatus.ACTIVE:
        row.errors.append(_("Only active students can be placed in a classroom."))


def _check_date_of_birth(row: ImportRow) -> None:
    if not row.values.get("date_of_birth"):
        return
    try:
        row.date_of_birth = _parse_date(row.values["date_of_birth"])
    except ValueError:
        row.errors.append(_("Date of birth “%(value)s” is not a date like 2019-05-14.",
                            value=row.values["date_of_birth"]))

def import_students(actor, data: bytes, *, source: str = "") -> int:
    """Create every student of the CSV in the caller's transaction, or none (ImportRejected)."""
    preview = check_import(actor, data)
    if not preview.ok:
        raise ImportRejected(preview)
    now, today = utcnow(), local_today()
    _fill_numbers_and_usernames(preview.rows)
    password_hash = unusable_password_hash()  # one random, forgotten password for the whole file
    user_rows = [{"email": r.values["email"] or None, "username": r.values["username"] or None,
                  "full_name": r.values["full_name"], "role": Role.STUDENT.value,
                  "password_hash": password_hash, "active": True, "login_version": 1,
                  "created_at": now, "updated_at": now} for r in preview.rows]
    ids = list(db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), user_rows))
    db.session.execute(insert(StudentProfile), [
        {"user_id": uid, "student_number": r.values.get("student_number") or None, "status": r.values["status"],
         "date_of_birth": r.date_of_birth, "guardian_notes": "", "created_at": now, "updated_at": now}
        for uid, r in zip(ids, preview.rows, strict=True)])
    memberships = [{"student_id": uid, "classroom_id": r.classroom.id, "academic_year": r.classroom.academic_year,
                    "status": MembershipStatus.ACTIVE.value, "started_on": today, "created_at": now}
                   for uid, r in zip(ids, preview.rows, strict=True) if r.classroom is not None]
    if memberships:
        db.session.execute(insert(ClassroomMembership), memberships)
    record(actor, "student.import", None, count=len(ids), placed=len(memberships), source=source[:200])
    return len(ids)


def _fill_numbers_and_usernames(rows: list[ImportRow]) -> None:
    """Blank student numbers get generated ones (after every number in the school and the file);
    blank usernames are made from the student number, avoiding every taken and listed name."""
    blank = [r for r in rows if not r.values.get("student_number")]
    if blank:
        listed = [r.values["student_number"] for r in rows if r.values.get("student_number")]
        for row, number in zip(blank, next_student_numbers(len(blank), also_taken=listed), strict=True):
            row.values["student_number"] = number
    proposals = {}
    for row in rows:
        if not row.values.get("username"):
            proposals[row.line] = normalise_username(row.values["student_number"].replace("/", "-"))[:36]
            if len(proposals[row.line]) < 3:
                proposals[row.line] = "s-" + proposals[row.line]
    taken = {r.values["username"] for r in rows if r.values.get("username")}
    wanted = sorted(set(proposals.values()))
    for chunk in _in_chunks(wanted):
        taken.update(db.session.scalars(select(User.username).where(User.username.in_(chunk))))
    # Names that a suffixed proposal could also hit ("2026-2").
    for chunk in _in_chunks(wanted):
        for base in chunk:
            taken.update(db.session.scalars(select(User.username).where(User.username.like(base + "-%"))))
    for row in rows:
        base = proposals.get(row.line)
        if base is None:
            continue
        candidate, suffix = base, 1
        while candidate in taken:
            suffix += 1
            candidate = f"{base}-{suffix}"
        taken.add(candidate)
        row.values["username"] = candidate


# --- the uploaded file between the preview and the confirmation ---------------------------


def _imports_dir() -> Path:
    path = Path(current_app.config["STORAGE_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stash_upload(actor, data: bytes) -> str:
    """Keep the uploaded bytes until the admin confirms; old stashes (a day) are removed."""
    directory = _imports_dir()
    cutoff = time.time() - 86400
    for old in directory.glob("*.csv"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass
    token = secrets.token_urlsafe(24)
    (directory / f"{actor.id}-{token}.csv").write_bytes(data)
    return token


def _stash_path(actor, token: str) -> Path:
    if not token or not TOKEN_RE.match(token):
        raise ValidationFailed(_("This import has expired. Upload the file again."), field="file")
    return _imports_dir() / f"{actor.id}-{token}.csv"


def load_stash(actor, token: str) -> bytes:
    path = _stash_path(actor, token)
    if not path.exists():
        raise ValidationFailed(_("This import has expired. Upload the file again."), field="file")
    return path.read_bytes()


def drop_stash(actor, token: str) -> None:
    try:
        os.unlink(_stash_path(actor, token))
    except (OSError, ValidationFailed):
        pass


# --- export -----------------------------------------------------------------------------------


def export_response(filename: str, rows) -> Response:
    """The rows of ``student_list_query`` as a download in the import's columns, with the header,
    classroom names and statuses in the reader's language."""
    header = [str(COLUMN_LABELS[c]) for c in COLUMNS]
    return csv_response(filename, header, ([
        profile.student_number if profile else "", user.full_name, user.email or "", user.username or "",
        classroom_label(classroom) if classroom else "",
        profile.date_of_birth.isoformat() if profile and profile.date_of_birth else "",
        label("student_status", profile.status if profile else StudentStatus.ACTIVE.value),
    ] for user, profile, classroom in rows))
