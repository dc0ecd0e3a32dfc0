"""Teaching sessions: visibility, create, edit, publish, delete, expire, lists.

Who manages a teaching session: admins (every session) and its teacher.  Pages answer 404 for a
session the actor may not see (as every page does); the API keeps its contract and answers 403 "You can only
manage your own course sessions" for another teacher's session (``api=True``).

Lifecycle: DRAFT → PUBLISHED → EXPIRED, one way.  Only drafts are deleted (soft delete).  Once
published only ``EDITABLE_WHEN_PUBLISHED`` may change (name, description, end date, capacity — not
below the seats taken —, enrollment deadline, auto-expire); the course, the teacher, the start date
and the timezone are fixed.  An expired session cannot be edited.  Where and how it meets (mode, centre,
room, meeting link) may change while it runs: ``lms.teaching.modes`` checks it and the room's other meetings.

Public functions (first argument: the acting user):

* ``manageable_sessions(actor)`` (a SELECT), ``get_session_for(actor, id, api=False)``
* ``create_session(actor, data)``, ``update_session(actor, s, data)``, ``publish_session(actor, s)``,
  ``delete_session(actor, s)``; ``expire_session(s)`` (the system)
* ``session_list_query(actor, ...)`` rows of (CourseSession, enrolled_count)
* ``seats_taken(session_id)``, ``enrolled_counts(ids)``, ``settings_of(session)``
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from lms.audit.services import record
from lms.auth.models import Role, User
from lms.centres.filtering import only_centre
from lms.common.errors import Forbidden, ValidationFailed
from lms.common.ids import as_id
from lms.common.services import is_taken
from lms.common.sql import where_given
from lms.common.types import utcnow
from lms.core.organization import current_organization
from lms.curriculum.models import Subject, SubjectTeacher
from lms.extensions import db
from lms.school.services import ensure_organization
from lms.teaching import codes, limits, modes, rules
from lms.teaching.models import (
    CourseSession,
    CourseSessionEnrollment,
    CourseSessionSettings,
)
from lms.teaching.models import CourseSessionStatus as Status
from lms.teaching.models import SessionEnrollmentStatus as Enr

PAST_GRACE = timedelta(minutes=5)  # "now" typed into a form is not "in the past"
EDITABLE_WHEN_PUBLISHED = ("session_name", "session_description", "end_date", "max_students",
                           "enrollment_deadline", "auto_expire_enabled")
FIXED_WHEN_PUBLISHED = ("teacher_id", "course_id", "start_date", "session_timezone")
SEAT_STATUSES = (Enr.PENDING, Enr.ENROLLED, Enr.COMPLETED)
ENROLLED_STATUSES = (Enr.ENROLLED, Enr.COMPLETED)
SORTABLE = {"course_session_id": CourseSession.id, "session_name": CourseSession.session_name,
            "start_date": CourseSession.start_date, "end_date": CourseSession.end_date,
            "created_at": CourseSession.created_at, "updated_at": CourseSession.updated_at}


def tenant_id() -> int:
    org = current_organization()
    return org.id if org.id is not None else ensure_organization().id


def is_manager(actor) -> bool:
    return getattr(actor, "role", None) in (Role.ADMIN, Role.TEACHER)


# --- visibility -------------------------------------------------------------------------------


def manageable_sessions(actor):
    """A SELECT of the (not deleted) teaching sessions ``actor`` manages."""
    stmt = select(CourseSession).where(CourseSession.is_deleted.is_(False))
    if getattr(actor, "role", None) == Role.ADMIN:
        return stmt
    if getattr(actor, "role", None) == Role.TEACHER:
        return stmt.where(CourseSession.teacher_id == actor.id)
    return stmt.where(False)


def load_session(session_id, *, lock: bool = False) -> CourseSession:
    """The (not deleted) session with this id, else SESSION_NOT_FOUND; no access check."""
    ident = as_id(session_id)
    stmt = select(CourseSession).where(CourseSession.id == ident, CourseSession.is_deleted.is_(False))
    if lock:
        stmt = stmt.with_for_update()
    course_session = db.session.scalar(stmt) if ident else None
    if course_session is None:
        raise rules.session_not_found(session_id)
    return course_session


def get_session_for(actor, session_id, *, api: bool = False, lock: bool = False) -> CourseSession:
    """The session if ``actor`` manages it.  Another teacher's: 404 on pages, 403 in the API."""
    course_session = load_session(session_id, lock=lock)
    if getattr(actor, "role", None) == Role.ADMIN:
        return course_session
    if getattr(actor, "role", None) == Role.TEACHER:
        if course_session.teacher_id == actor.id:
            return course_session
        if api:
            raise Forbidden(_("You can only manage your own course sessions"))
    if api and getattr(actor, "role", None) == Role.STUDENT:
        raise Forbidden(_("Students can only access enrolled sessions"))
    raise rules.session_not_found(session_id)


def settings_of(course_session: CourseSession) -> CourseSessionSettings:
    found = db.session.scalar(select(CourseSessionSettings).where(
        CourseSessionSettings.course_session_id == course_session.id))
    if found is None:  # sessions always get one; be forgiving with rows made by hand
        found = CourseSessionSettings(tenant_id=course_session.tenant_id, course_session_id=course_session.id,
                                      created_by=course_session.created_by)
        db.session.add(found)
        db.session.flush()
    return found


# --- counts ---------------------------------------------------------------------------------


def seats_taken(session_id: int) -> int:
    """Pending, enrolled and completed students (dropped and expelled ones free their seat)."""
    return db.session.scalar(select(func.count()).select_from(CourseSessionEnrollment).where(
        CourseSessionEnrollment.course_session_id == session_id,
        CourseSessionEnrollment.enrollment_status.in_(SEAT_STATUSES))) or 0


def enrolled_count_expr():
    """Enrolled + completed students of ``CourseSession`` (a correlated scalar subquery)."""
    return (select(func.count()).select_from(CourseSessionEnrollment)
            .where(CourseSessionEnrollment.course_session_id == CourseSession.id,
                   CourseSessionEnrollment.enrollment_status.in_(ENROLLED_STATUSES))
            .correlate(CourseSession).scalar_subquery())


def enrolled_counts(session_ids) -> dict[int, dict[str, int]]:
    """``{session id: {status: count}}`` (one query)."""
    ids = list(session_ids)
    result: dict[int, dict[str, int]] = {i: {} for i in ids}
    if ids:
        rows = db.session.execute(
            select(CourseSessionEnrollment.course_session_id, CourseSessionEnrollment.enrollment_status,
                   func.count()).where(CourseSessionEnrollment.course_session_id.in_(ids))
            .group_by(CourseSessionEnrollment.course_session_id, CourseSessionEnrollment.enrollment_status))
        for session_id, status, count in rows:
            result[session_id][status] = count
    return result


# --- choices for forms ----------------------------------------------------------------------


def courses_for(actor, teacher_id: int | None = None) -> list[Subject]:
    """Courses a session may be created for: the subjects the teacher teaches (not archived)."""
    teacher_id = actor.id if actor.role == Role.TEACHER else teacher_id
    stmt = select(Subject).where(Subject.archived.is_(False))
    if teacher_id:
        stmt = stmt.where(exists().where(SubjectTeacher.subject_id == Subject.id,
                                         SubjectTeacher.teacher_id == teacher_id))
    return list(db.session.scalars(stmt.order_by(func.lower(Subject.name), Subject.id)))


def teachers() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == Role.TEACHER, User.active.is_(True))
                                   .order_by(User.full_name, User.id)))


# --- validation -----------------------------------------------------------------------------


def _name(value) -> str:
    return rules.parse_text(value, "session_name", _("Session name must be between 2 and 255 characters"),
                            minimum=rules.NAME_MIN, maximum=rules.NAME_MAX, collapse=True)


def _description(value) -> str | None:
    return rules.parse_text(value, "session_description",
                            _("Session description must be at most %(n)d characters", n=rules.DESCRIPTION_MAX),
                            minimum=0, maximum=rules.DESCRIPTION_MAX, required=False)


def _max_students(value) -> int | None:
    return rules.parse_int(value, "max_students", _("max_students must be a positive integer (minimum 1)"),
                           minimum=1, maximum=100000, allow_none=True)


def _timezone(value) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 50:
        raise ValidationFailed(_("session_timezone must be a valid IANA timezone"), field="session_timezone")
    try:
        ZoneInfo(value)
    except Exception:
        raise ValidationFailed(_("session_timezone must be a valid IANA timezone"),
                               field="session_timezone") from None
    return value


def _teacher(actor, value) -> User:
    if actor.role == Role.TEACHER:
        if value not in (None, "") and rules.parse_int(value, "teacher_id", _("teacher_id must be a valid teacher"),
                                                       minimum=1) != actor.id:
            raise Forbidden(_("You can only manage your own course sessions"))
        return actor
    ident = rules.parse_int(value, "teacher_id", _("teacher_id must be a valid teacher"), minimum=1)
    teacher = db.session.get(User, ident)
    if teacher is None or teacher.role != Role.TEACHER or not teacher.active:
        raise ValidationFailed(_("teacher_id must be a valid teacher"), field="teacher_id")
    return teacher


def _course(value, teacher: User) -> Subject:
    ident = rules.parse_int(value, "course_id", _("course_id must be a valid course"), minimum=1)
    course = db.session.get(Subject, ident)
    if course is None or course.archived:
        raise ValidationFailed(_("course_id must be a valid course"), field="course_id")
    if not any(link.teacher_id == teacher.id for link in course.teacher_links):
        raise ValidationFailed(_("The teacher does not teach this course"), field="course_id")
    return course


def _dates(start, end, *, check_past: bool) -> None:
    if check_past and start < utcnow() - PAST_GRACE:
        raise ValidationFailed(_("Start date cannot be in the past"), field="start_date")
    if end <= start:
        raise ValidationFailed(_("End date must be after start date"), field="end_date")


def _deadline(deadline, end) -> None:
    if deadline is not None and deadline > end:
        raise ValidationFailed(_("Enrollment deadline must be before the end date"), field="enrollment_deadline")


def _name_taken(teacher_id: int, course_id: int, name: str, except_id: int | None = None) -> bool:
    return is_taken(CourseSession.id, CourseSession.teacher_id == teacher_id, CourseSession.course_id == course_id,
                    CourseSession.session_name == name, CourseSession.is_deleted.is_(False), except_id=except_id)


def _active_taken(teacher_id: int, course_id: int, except_id: int | None = None) -> bool:
    """The teacher has a draft or published session for this course already (seed 000's one active one)."""
    return is_taken(CourseSession.id, CourseSession.teacher_id == teacher_id, CourseSession.course_id == course_id,
                    CourseSession.is_deleted.is_(False), CourseSession.status != Status.EXPIRED, except_id=except_id)


def _flush_session(course_session: CourseSession, *, new_code: bool) -> None:
    """Flush; a taken code is drawn again (a few times), a taken name is DUPLICATE_SESSION_NAME, a second
    active session of the teacher for the course (a race the checks before missed) ACTIVE_SESSION_EXISTS."""
    for _attempt in range(8):
        try:
            with db.session.begin_nested():
                db.session.flush()
            return
        except IntegrityError as err:
            problem = str(err.orig).lower()
            if new_code and "session_code" in problem:
                course_session.session_code = unique_join_code()
                continue
            if "session_name" not in problem and ("teacher_course_active" in problem or "teacher_id" in problem):
                raise rules.active_session_exists() from err
            raise rules.duplicate_session_name() from err
    raise rules.duplicate_session_name()


def unique_join_code() -> str:
    """A join code no session has (drawn again on the rare collision)."""
    for _attempt in range(20):
        code = codes.random_code()
        if db.session.scalar(select(CourseSession.id).where(CourseSession.session_code == code)) is None:
            return code
    raise RuntimeError("could not draw a free join code")  # pragma: no cover - 32**8 codes


# --- writing ----------------------------------------------------------------------------------


def create_session(actor, data: dict) -> CourseSession:
    """A new teaching session (DRAFT unless ``course_session_status`` is PUBLISHED) with its settings
    and a join code."""
    if not is_manager(actor):
        raise Forbidden(_("Only teachers and administrators can create course sessions."))
    limits.hit("TEACHING_SESSION_CREATE_LIMIT_PER_TEACHER", actor.id)
    name = _name(data.get("session_name"))
    description = _description(data.get("session_description"))
    teacher = _teacher(actor, data.get("teacher_id"))
    course = _course(data.get("course_id"), teacher)
    status = Status.DRAFT
    if data.get("course_session_status") not in (None, ""):
        status = rules.parse_choice(data["course_session_status"], "course_session_status", Status,
                                    _("course_session_status must be one of DRAFT, PUBLISHED, EXPIRED"))
        if status == Status.EXPIRED:
            raise ValidationFailed(_("A new session starts as DRAFT or PUBLISHED"), field="course_session_status")
    start = rules.parse_datetime(data.get("start_date"), "start_date", _("Start date"), required=True)
    end = rules.parse_datetime(data.get("end_date"), "end_date", _("End date"), required=True)
    _dates(start, end, check_past=True)
    max_students = _max_students(data.get("max_students"))
    deadline = rules.parse_datetime(data.get("enrollment_deadline"), "enrollment_deadline", _("Enrollment deadline"))
    _deadline(deadline, end)
    timezone = _timezone(data.get("session_timezone"))
    auto_expire = rules.parse_bool(data["auto_expire_enabled"], "auto_expire_enabled") \
        if data.get("auto_expire_enabled") is not None else True
    place = modes.place_fields(data)
    if _name_taken(teacher.id, course.id, name):
        raise rules.duplicate_session_name()
    if _active_taken(teacher.id, course.id):
        raise rules.active_session_exists()
    now, ip = utcnow(), rules.client_ip()
    course_session = CourseSession(
        tenant_id=tenant_id(), session_name=name, session_description=description, teacher_id=teacher.id,
        course_id=course.id, status=status, start_date=start, end_date=end, max_students=max_students,
        enrollment_deadline=deadline, session_timezone=timezone, session_code=unique_join_code(),
        auto_expire_enabled=auto_expire, published_at=now if status == Status.PUBLISHED else None,
        created_by=actor.id, created_ip=ip, updated_ip=ip, **place)
    db.session.add(course_session)
    _flush_session(course_session, new_code=True)
    db.session.add(CourseSessionSettings(tenant_id=course_session.tenant_id, course_session_id=course_session.id,
                                         created_by=actor.id, created_ip=ip))
    db.session.flush()
    record(actor, "course_session.create", course_session, name=name, course_id=course.id,
           teacher_id=teacher.id, status=status)
    return course_session


def update_session(actor, course_session: CourseSession, data: dict) -> CourseSession:
    """Change the given fields (a PATCH).  Restricted once published; refused once expired."""
    get_session_for(actor, course_session.id, api=True)
    if course_session.status == Status.EXPIRED:
        raise rules.session_expired()
    changes = _requested_changes(actor, course_session, data)
    new_status = None
    if data.get("course_session_status") not in (None, ""):
        new_status = rules.parse_choice(data["course_session_status"], "course_session_status", Status,
                                        _("course_session_status must be one of DRAFT, PUBLISHED, EXPIRED"))
    changes = {k: v for k, v in changes.items() if getattr(course_session, k) != v}
    _check_changes(course_session, changes)
    if changes.get("room_id") is not None:  # a new room: its other meetings must leave ours free
        modes.check_room_free(course_session, changes["room_id"])
    before = {k: str(getattr(course_session, k)) for k in changes}
    for key, value in changes.items():
        setattr(course_session, key, value)
    if changes:
        course_session.updated_by, course_session.updated_ip = actor.id, rules.client_ip()
        _flush_session(course_session, new_code=False)
        record(actor, "course_session.update", course_session, before=before,
               after={k: str(v) for k, v in changes.items()})
    if new_status is not None and new_status != course_session.status:
        _change_status(actor, course_session, new_status)
    return course_session


def _requested_changes(actor, course_session: CourseSession, data: dict) -> dict:
    """Each field given in ``data``, parsed (not yet compared with the session's values)."""
    changes: dict = {}
    if "session_name" in data:
        changes["session_name"] = _name(data["session_name"])
    if "session_description" in data:
        changes["session_description"] = _description(data["session_description"])
    if "teacher_id" in data and data["teacher_id"] not in (None, ""):
        changes["teacher_id"] = _teacher(actor, data["teacher_id"]).id
    if "course_id" in data and data["course_id"] not in (None, ""):
        teacher = db.session.get(User, changes.get("teacher_id", course_session.teacher_id))
        changes["course_id"] = _course(data["course_id"], teacher).id
    for field, label in (("start_date", _("Start date")), ("end_date", _("End date"))):
        if field in data:
            changes[field] = rules.parse_datetime(data[field], field, label, required=True)
    if "max_students" in data:
        changes["max_students"] = _max_students(data["max_students"])
    if "enrollment_deadline" in data:
        changes["enrollment_deadline"] = rules.parse_datetime(data["enrollment_deadline"], "enrollment_deadline",
                                                              _("Enrollment deadline"))
    if "session_timezone" in data:
        changes["session_timezone"] = _timezone(data["session_timezone"])
    if "auto_expire_enabled" in data:
        changes["auto_expire_enabled"] = rules.parse_bool(data["auto_expire_enabled"], "auto_expire_enabled")
    changes.update(modes.place_fields(data, course_session))
    return changes


def _check_changes(course_session: CourseSession, changes: dict) -> None:
    """The session's rules for the changed fields: what is fixed once published, the dates, the
    capacity, and the unique name and single active session per teacher and course."""
    published = course_session.status == Status.PUBLISHED
    if published:
        fixed = sorted(k for k in changes if k in FIXED_WHEN_PUBLISHED)
        if fixed:
            raise rules.BusinessRuleViolation(
                _("Once published, only the name, description, end date, capacity, enrollment deadline and "
                  "auto-expire can change"), code="SESSION_PUBLISHED", details={"fields": fixed})
    start = changes.get("start_date", course_session.start_date)
    end = changes.get("end_date", course_session.end_date)
    _dates(start, end, check_past="start_date" in changes)
    if "end_date" in changes and published and end <= utcnow():
        raise ValidationFailed(_("End date must be in the future"), field="end_date")
    _deadline(changes.get("enrollment_deadline", course_session.enrollment_deadline), end)
    if changes.get("max_students") is not None:
        taken = seats_taken(course_session.id)
        if changes["max_students"] < taken:
            raise rules.BusinessRuleViolation(
                _("max_students cannot be below the %(n)d students already in the session", n=taken),
                code="CAPACITY_BELOW_ENROLLED", details={"field": "max_students", "enrolled": taken})
    teacher_id = changes.get("teacher_id", course_session.teacher_id)
    course_id = changes.get("course_id", course_session.course_id)
    if {"session_name", "teacher_id", "course_id"} & changes.keys() and _name_taken(
            teacher_id, course_id, changes.get("session_name", course_session.session_name), course_session.id):
        raise rules.duplicate_session_name()
    if {"teacher_id", "course_id"} & changes.keys() and _active_taken(teacher_id, course_id, course_session.id):
        raise rules.active_session_exists()


def _change_status(actor, course_session: CourseSession, new_status: str) -> None:
    if course_session.status == Status.DRAFT and new_status == Status.PUBLISHED:
        publish_session(actor, course_session)
    elif course_session.status == Status.PUBLISHED and new_status == Status.EXPIRED:
        expire_session(course_session, actor=actor)
    else:
        raise _one_way(course_session.status, new_status)

def _one_way(current: str, wanted: str):
    return rules.invalid_transition(_(
        "A session's status only moves forward, DRAFT → PUBLISHED → EXPIRED: it cannot go from %(current)s "
        "to %(wanted)s", current=current, wanted=wanted))


def publish_session(actor, course_session: CourseSession) -> CourseSession:
    get_session_for(actor, course_session.id, api=True)
    if course_session.status != Status.DRAFT:
        raise rules.invalid_transition(_("Only draft sessions can be published"))
    if course_session.end_date <= utcnow():
        raise rules.session_expired()
    if not course_session.session_code:
        course_session.session_code = unique_join_code()
    course_session.status, course_session.published_at = Status.PUBLISHED, utcnow()
    course_session.updated_by, course_session.updated_ip = actor.id, rules.client_ip()
    _flush_session(course_session, new_code=True)
    record(actor, "course_session.publish", course_session, name=course_session.session_name)
    return course_session


def delete_session(actor, course_session: CourseSession) -> None:
    """Soft delete; only drafts."""
    get_session_for(actor, course_session.id, api=True)
    if course_session.status != Status.DRAFT:
        if course_session.status == Status.PUBLISHED and seats_taken(course_session.id):
            raise rules.BusinessRuleViolation(_("Cannot delete published session with enrollments"),
                                              code="SESSION_NOT_DELETABLE")
        raise rules.BusinessRuleViolation(_("Only draft sessions can be deleted"), code="SESSION_NOT_DELETABLE")
    now = utcnow()
    course_session.is_deleted, course_session.is_active = True, False
    course_session.deleted_at, course_session.deleted_by = now, actor.id
    course_session.updated_by, course_session.updated_ip = actor.id, rules.client_ip()
    db.session.flush()
    record(actor, "course_session.delete", course_session, name=course_session.session_name)


def expire_session(course_session: CourseSession, actor=None) -> bool:
    """PUBLISHED → EXPIRED (the periodic job, or a manager ending it early through the API)."""
    if course_session.status != Status.PUBLISHED:
        return False
    course_session.status, course_session.expired_at = Status.EXPIRED, utcnow()
    if actor is not None:
        course_session.updated_by = actor.id
    db.session.flush()
    record(actor, "course_session.expire", course_session, name=course_session.session_name)
    return True


def is_expired(course_session: CourseSession) -> bool:
    return course_session.status == Status.EXPIRED or course_session.end_date <= utcnow()


# --- lists --------------------------------------------------------------------------------------


def session_list_query(actor, *, status: str = "", course_id: int | None = None, teacher_id: int | None = None,
                       start_from=None, end_before=None, q: str = "", sort_by: str = "created_at",
                       sort_order: str = "desc", centre_id: int | None = None):
    """Rows of (CourseSession, enrolled_count) the actor manages, filtered and sorted (one statement)."""
    stmt = manageable_sessions(actor).add_columns(enrolled_count_expr().label("enrolled_count"))
    stmt = where_given(stmt, (CourseSession.status, status), (CourseSession.course_id, course_id),
                       (CourseSession.teacher_id, teacher_id))
    stmt = only_centre(stmt, CourseSession.centre_id, centre_id)
    if start_from is not None:
        stmt = stmt.where(CourseSession.start_date >= start_from)
    if end_before is not None:
        stmt = stmt.where(CourseSession.end_date <= end_before)
    q = (q or "").strip()
    if q:
        pattern = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(CourseSession.session_name).like(pattern),
                              CourseSession.session_code == q.upper()))
    column = SORTABLE.get(sort_by, CourseSession.created_at)
    order = column.asc() if sort_order == "asc" else column.desc()
    tie = CourseSession.id.asc() if sort_order == "asc" else CourseSession.id.desc()
    return stmt.order_by(order, tie)


def names_for(sessions) -> dict[int, dict]:
    """``{session id: {"course": name, "teacher": name}}`` for a page of sessions (one query)."""
    ids = [s.id for s in sessions]
    if not ids:
        return {}
    rows = db.session.execute(
        select(CourseSession.id, Subject.name, User.full_name)
        .join(Subject, Subject.id == CourseSession.course_id).join(User, User.id == CourseSession.teacher_id)
        .where(CourseSession.id.in_(ids)))
    return {i: {"course": course, "teacher": teacher} for i, course, teacher in rows}
