"""Meetings and attendance of a teaching session.

* A meeting is a local date with a start and an end time in the session's timezone (or the
  school's); "repeat weekly until" creates one meeting per week up to that date (at most 52).
  Meetings fall within the session's dates (by local day).
* A session in a room books it: a meeting that overlaps another meeting in the same room is refused
  (409 ROOM_TAKEN naming it, ``lms.teaching.modes``).
* Attendance is one mark per meeting and enrolled student: PRESENT, LATE, EXCUSED or ABSENT; the
  session's settings give the points (2/1/1/0 by default) and the status for students left unmarked
  once the meeting has ended (applied by a periodic job).  Marking needs attendance tracking on;
  giving a student the mark a teacher already gave changes nothing (no write, no audit entry).
* Check-in: during the meeting (from its start to its end) a student types the short code the
  teacher shows: PRESENT within the first ``LATE_AFTER`` minutes, LATE after that.  A mark the
  teacher already gave is kept.
* Reports: per student (counts, points, rate, the last meetings in order) and per meeting; the
  attendance rate is (present + late) / marks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from lms.audit.services import record
from lms.auth.models import User
from lms.common.edge import date_range_message, year_in_range
from lms.common.errors import BusinessRuleViolation, ValidationFailed
from lms.common.ids import as_id
from lms.common.services import flush_or_raise, get_visible
from lms.common.types import utcnow
from lms.core.localtime import zone
from lms.extensions import db
from lms.teaching import codes, modes, rules
from lms.teaching.models import AttendanceSource, AttendanceStatus, CourseSession, CourseSessionAttendance
from lms.teaching.models import CourseSessionEnrollment as E
from lms.teaching.models import CourseSessionMeeting as M
from lms.teaching.models import SessionEnrollmentStatus as Enr
from lms.teaching.services import get_session_for, is_expired, settings_of

MAX_REPEAT = 52
LATE_AFTER = timedelta(minutes=15)
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
STATUSES = tuple(s.value for s in AttendanceStatus)


def session_zone(course_session: CourseSession) -> ZoneInfo:
    return zone(course_session.session_timezone) if course_session.session_timezone else zone()


def local_date(course_session: CourseSession, instant: datetime) -> date:
    return instant.astimezone(session_zone(course_session)).date()


def require_tracking(course_session: CourseSession) -> None:
    if not settings_of(course_session).attendance_tracking_enabled:
        raise BusinessRuleViolation(_("Attendance tracking is off for this session. Turn it on in the settings."),
                                    code="ATTENDANCE_DISABLED")


def meetings_query(course_session: CourseSession):
    """A SELECT of the session's meetings in time order."""
    return select(M).where(M.course_session_id == course_session.id).order_by(M.starts_at, M.id)


def meetings_of(course_session: CourseSession) -> list[M]:
    return list(db.session.scalars(meetings_query(course_session)))


def get_meeting_for(actor, course_session: CourseSession, meeting_id) -> M:
    return get_visible(select(M).where(M.course_session_id == course_session.id), M, meeting_id,
                       rules.meeting_not_found())


def _parse_date(value, field_name: str, label: str, required: bool = True) -> date | None:
    if isinstance(value, date):
        return value
    if value in (None, ""):
        if required:
            raise ValidationFailed(_("%(label)s is required", label=label), field=field_name)
        return None
    try:
        parsed = date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed(_("%(label)s must be a date like 2026-05-14", label=label), field=field_name) from None
    if not year_in_range(parsed):
        raise ValidationFailed(date_range_message(), field=field_name)
    return parsed


def _parse_time(value, field_name: str, label: str) -> time:
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationFailed(_("%(label)s must be a time like 09:30", label=label), field=field_name) from None


def create_meetings(actor, course_session: CourseSession, *, day, start, end, repeat_until=None) -> list[M]:
    """One meeting (or one per week until ``repeat_until``)."""
    get_session_for(actor, course_session.id)
    if is_expired(course_session):
        raise rules.session_expired()
    first = _parse_date(day, "meeting_date", _("Date"))
    starts, ends = _parse_time(start, "start_time", _("Start time")), _parse_time(end, "end_time", _("End time"))
    until = _parse_date(repeat_until, "repeat_until", _("Repeat until"), required=False)
    if ends <= starts:
        raise ValidationFailed(_("The meeting must end after it starts"), field="end_time")
    if until is not None and until < first:
        raise ValidationFailed(_("Repeat until must be on or after the first date"), field="repeat_until")
    window = (local_date(course_session, course_session.start_date), local_date(course_session, course_session.end_date))
    days = [first]
    while until is not None and days[-1] + timedelta(days=7) <= until:
        days.append(days[-1] + timedelta(days=7))
        if len(days) > MAX_REPEAT:
            raise ValidationFailed(_("At most %(n)d meetings at once", n=MAX_REPEAT), field="repeat_until")
    outside = [d for d in days if not window[0] <= d <= window[1]]
    if outside:
        raise ValidationFailed(_("Meetings must fall between the session's start and end (%(start)s – %(end)s)",
                                 start=window[0].isoformat(), end=window[1].isoformat()), field="meeting_date")
    tz = session_zone(course_session)
    created = []
    for each in days:
        meeting = M(course_session_id=course_session.id, meeting_date=each,
                    starts_at=datetime.combine(each, starts, tzinfo=tz).astimezone(UTC),
                    ends_at=datetime.combine(each, ends, tzinfo=tz).astimezone(UTC),
                    checkin_code=codes.random_code(codes.CHECKIN_CODE_LENGTH), created_by=actor.id)
        created.append(meeting)
    modes.check_meetings_free(course_session, [(m.starts_at, m.ends_at) for m in created])
    with flush_or_raise(ValidationFailed(_("There is already a meeting at that time"), field="meeting_date")):
        db.session.add_all(created)
    record(actor, "course_session.meetings_create", course_session, count=len(created),
           first=first.isoformat(), until=(until or first).isoformat())
    return created


def delete_meeting(actor, course_session: CourseSession, meeting: M) -> None:
    get_session_for(actor, course_session.id)
    record(actor, "course_session.meeting_delete", course_session, meeting_id=meeting.id,
           date=meeting.meeting_date.isoformat())
    db.session.delete(meeting)
    db.session.flush()


def _upsert(meeting: M, student_id: int, status: str, source: str, marked_by: int | None,
            row: CourseSessionAttendance | None = None) -> CourseSessionAttendance:
    if row is None:
        row = _mark_of(meeting, student_id)
    try:
        with db.session.begin_nested():
            if row is None:
                row = CourseSessionAttendance(meeting_id=meeting.id, student_id=student_id, status=status,
                                              source=source, marked_by=marked_by, marked_at=utcnow())
                db.session.add(row)
            else:
                row.status, row.source, row.marked_by, row.marked_at = status, source, marked_by, utcnow()
    except IntegrityError:  # marked at the same moment elsewhere: the other mark stands
        row = _mark_of(meeting, student_id)
    return row


def _mark_of(meeting: M, student_id: int) -> CourseSessionAttendance | None:
    return db.session.scalar(select(CourseSessionAttendance).where(
        CourseSessionAttendance.meeting_id == meeting.id, CourseSessionAttendance.student_id == student_id))


def enrolled_students(course_session: CourseSession) -> list[User]:
    return list(db.session.scalars(
        select(User).join(E, E.student_id == User.id)
        .where(E.course_session_id == course_session.id, E.enrollment_status.in_((Enr.ENROLLED, Enr.COMPLETED)))
        .order_by(func.lower(User.full_name), User.id)))


def mark(actor, course_session: CourseSession, meeting: M, student_id, status) -> CourseSessionAttendance:
    """The teacher's mark of one student.  Giving the mark the student already has from a teacher is a
    no-op: no write (``marked_at`` stays), no audit entry; confirming a check-in mark makes it the teacher's."""
    get_session_for(actor, course_session.id)
    require_tracking(course_session)
    status = rules.parse_choice(status, "status", AttendanceStatus,
                                _("Attendance must be PRESENT, LATE, EXCUSED or ABSENT"))
    ident = as_id(student_id)
    enrolled = db.session.scalar(select(E.id).where(E.course_session_id == course_session.id, E.student_id == ident,
                                                    E.enrollment_status.in_((Enr.ENROLLED, Enr.COMPLETED))))
    if enrolled is None:
        raise rules.enrollment_not_found()
    existing = _mark_of(meeting, ident)
    if existing is not None and existing.status == status and existing.source == AttendanceSource.TEACHER:
        return existing
    row = _upsert(meeting, ident, status, AttendanceSource.TEACHER, actor.id, existing)
    record(actor, "course_session.attendance", row, meeting_id=meeting.id, student_id=ident, status=status)
    return row


MAX_MARKS = 200


def mark_many(actor, course_session: CourseSession, meeting: M, entries) -> list[CourseSessionAttendance]:
    """Several marks of one meeting, each as ``mark`` gives it: all or nothing (the first bad entry raises,
    and the request is rolled back).  Marking a student twice in one call is refused."""
    if not isinstance(entries, list) or not entries or len(entries) > MAX_MARKS:
        raise ValidationFailed(_("Give between 1 and %(n)d marks.", n=MAX_MARKS), field="marks")
    seen: set = set()
    rows = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise ValidationFailed(_("Each mark needs a student_id and a status."), field="marks")
        student_id = as_id(entry.get("student_id"))  # None (no such student: 404) for anything but an id
        if student_id is not None and student_id in seen:
            raise ValidationFailed(_("A student can be marked only once in a request."), field="marks")
        seen.add(student_id)
        rows.append(mark(actor, course_session, meeting, student_id, entry.get("status")))
    return rows


def check_in(student, course_session: CourseSession, raw_code) -> CourseSessionAttendance:
    """The student types the code of the meeting happening now."""
    require_tracking(course_session)
    enrolled = db.session.scalar(select(E.id).where(E.course_session_id == course_session.id,
                                                    E.student_id == student.id, E.enrollment_status == Enr.ENROLLED))
    if enrolled is None:
        raise rules.enrollment_not_found()
    now = utcnow()
    meeting = current_meeting(course_session, now)
    if meeting is None:
        raise BusinessRuleViolation(_("There is no meeting going on right now. Check in during the meeting."),
                                    code="NO_MEETING_NOW")
    if codes.normalise_code(raw_code) != meeting.checkin_code:
        raise ValidationFailed(_("That is not the code of this meeting."), field="code", code="INVALID_CHECKIN_CODE")
    existing = _mark_of(meeting, student.id)
    if existing is not None and existing.source == AttendanceSource.TEACHER:
        return existing
    status = AttendanceStatus.PRESENT if now - meeting.starts_at <= LATE_AFTER else AttendanceStatus.LATE
    return _upsert(meeting, student.id, status, AttendanceSource.CHECKIN, student.id, existing)


def current_meeting(course_session: CourseSession, now: datetime | None = None) -> M | None:
    """The meeting going on at ``now`` (default: this instant), if any."""
    now = now or utcnow()
    return db.session.scalar(select(M).where(M.course_session_id == course_session.id, M.starts_at <= now,
                                             M.ends_at > now).order_by(M.starts_at.desc()).limit(1))


def marks_of_meeting(meeting: M) -> dict[int, CourseSessionAttendance]:
    return {row.student_id: row for row in db.session.scalars(
        select(CourseSessionAttendance).where(CourseSessionAttendance.meeting_id == meeting.id))}


# --- reports ----------------------------------------------------------------------------------


@dataclass
class StudentReport:
    student: User
    counts: dict = field(default_factory=dict)
    points: int = 0
    marks: list = field(default_factory=list)  # statuses (or None) in meeting order

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def rate(self) -> float | None:
        attended = sum(self.counts.get(s, 0) for s in ATTENDED)
        return round(100 * attended / self.total, 1) if self.total else None


def report(course_session: CourseSession) -> dict:
    """Per student and per meeting (three queries whatever the size)."""
    settings = settings_of(course_session)
    points = settings.points()
    meetings = meetings_of(course_session)
    students = enrolled_students(course_session)
    index = {m.id: i for i, m in enumerate(meetings)}
    rows = db.session.execute(
        select(CourseSessionAttendance.meeting_id, CourseSessionAttendance.student_id, CourseSessionAttendance.status)
        .join(M, M.id == CourseSessionAttendance.meeting_id).where(M.course_session_id == course_session.id)).all()
    by_student = {s.id: StudentReport(s, {}, 0, [None] * len(meetings)) for s in students}
    per_meeting = {m.id: dict.fromkeys(STATUSES, 0) for m in meetings}
    for meeting_id, student_id, status in rows:
        per_meeting[meeting_id][status] += 1
        entry = by_student.get(student_id)
        if entry is not None:
            entry.counts[status] = entry.counts.get(status, 0) + 1
            entry.points += points.get(status, 0)
            entry.marks[index[meeting_id]] = status
    now = utcnow()
    held = sum(1 for m in meetings if m.starts_at <= now)  # meetings still to come earn no points yet
    meeting_rates = []
    for m in meetings:
        counts = per_meeting[m.id]
        total = sum(counts.values())
        attended = counts[AttendanceStatus.PRESENT] + counts[AttendanceStatus.LATE]
        meeting_rates.append((m, counts, round(100 * attended / total, 1) if total else None))
    return {"meetings": meetings, "students": list(by_student.values()), "per_meeting": meeting_rates,
            "points": points, "max_points": max(points.values()) * held if held else 0}


def attendance_rate(course_session_id: int) -> float | None:
    """(present + late) / marks for the whole session, in SQL."""
    attended = func.sum(case((CourseSessionAttendance.status.in_(ATTENDED), 1), else_=0))
    total, present = db.session.execute(
        select(func.count(), attended).select_from(CourseSessionAttendance)
        .join(M, M.id == CourseSessionAttendance.meeting_id).where(M.course_session_id == course_session_id)).one()
    return round(100.0 * (present or 0) / total, 1) if total else None


def my_attendance(student, course_session: CourseSession) -> list[tuple[M, str | None]]:
    rows = db.session.execute(
        select(M, CourseSessionAttendance.status).outerjoin(
            CourseSessionAttendance, (CourseSessionAttendance.meeting_id == M.id)
            & (CourseSessionAttendance.student_id == student.id))
        .where(M.course_session_id == course_session.id).order_by(M.starts_at)).all()
    return [(m, status) for m, status in rows]
