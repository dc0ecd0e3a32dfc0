"""Attendance by week: everything in a supervisor's scope, per centre, one student or one session.

One aggregate query (marks counted per centre, meeting day and status), bucketed into weeks
(Monday first, the organization's local dates) here. A week's rate is the share of marks that are
present or late, as on the student's and parent's pages.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from lms.core.localtime import as_date, local_today
from lms.extensions import db
from lms.supervision.scope import Scope
from lms.teaching.models import AttendanceStatus, CourseSession, CourseSessionAttendance, CourseSessionMeeting

DEFAULT_WEEKS = 8
MAX_WEEKS = 52
STATUSES = (AttendanceStatus.PRESENT.value, AttendanceStatus.LATE.value, AttendanceStatus.EXCUSED.value,
            AttendanceStatus.ABSENT.value)
ATTENDED = (AttendanceStatus.PRESENT.value, AttendanceStatus.LATE.value)


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass
class Week:
    start: date
    counts: dict = field(default_factory=dict)

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)

    def share(self, status: str) -> int | None:
        return percent(self.count(status), self.total)

    @property
    def rate(self) -> int | None:
        """Present or late, as a percentage of the marks (None without marks)."""
        return percent(sum(self.count(s) for s in ATTENDED), self.total)


def weeks_arg(raw) -> int:
    """``?weeks=`` as a number of weeks (1…MAX_WEEKS; the default when missing or not a number)."""
    text = str(raw or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 3:
        return DEFAULT_WEEKS
    return min(max(int(text), 1), MAX_WEEKS)


def week_starts(weeks: int, today: date | None = None) -> list[date]:
    """The Mondays of the last ``weeks`` weeks, oldest first (this week last)."""
    today = today or local_today()
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def _marks(scope: Scope, first_day: date, last_day: date, *conditions):
    return (select(CourseSession.centre_id, CourseSessionMeeting.meeting_date, CourseSessionAttendance.status,
                   func.count())
            .join(CourseSessionMeeting, CourseSessionMeeting.id == CourseSessionAttendance.meeting_id)
            .join(CourseSession, CourseSession.id == CourseSessionMeeting.course_session_id)
            .where(scope.sessions_condition(), CourseSessionMeeting.meeting_date >= first_day,
                   CourseSessionMeeting.meeting_date <= last_day, *conditions)
            .group_by(CourseSession.centre_id, CourseSessionMeeting.meeting_date, CourseSessionAttendance.status))


@dataclass
class Trend:
    weeks: list[Week]
    by_centre: dict[int | None, list[Week]]   # centre id (None: no centre) -> weeks

    @property
    def total(self) -> int:
        return sum(w.total for w in self.weeks)


def attendance_trend(scope: Scope, weeks: int = DEFAULT_WEEKS, *conditions, today: date | None = None) -> Trend:
    """Marks per week over the last ``weeks`` weeks in ``scope`` (narrowed by SQL ``conditions``,
    e.g. one student or one session), in all and per centre."""
    today = today or local_today()
    starts = week_starts(weeks, today)
    index = {start: i for i, start in enumerate(starts)}
    overall = [Week(start) for start in starts]
    by_centre: dict[int | None, list[Week]] = defaultdict(lambda: [Week(start) for start in starts])
    for centre_id, day, status, count in db.session.execute(_marks(scope, starts[0], today, *conditions)):
        day = as_date(day)
        i = index[day - timedelta(days=day.weekday())]
        for week in (overall[i], by_centre[centre_id][i]):
            week.counts[status] = week.counts.get(status, 0) + count
    return Trend(overall, dict(by_centre))


def student_condition(student_id: int):
    return CourseSessionAttendance.student_id == student_id


def session_condition(session_id: int):
    return CourseSession.id == session_id
