"""Login analytics: who may see whose login sessions, and the aggregates (all computed in SQL).

Scope (DESIGN.md §2): admins see everyone; a teacher the current students of their classrooms
(``lms.school.services.visible_students``); a parent their children; a student themselves.
Everyone may see their own login sessions.  Anything else answers 404.

Every figure is grouped by the organization's calendar (``LocalClock``); a login session
counts on the local day (and hour) it started, with its whole duration (sessions rarely cross
midnight; when one does, its minutes stay on the day it began).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import distinct, false, func, or_, select

from lms.analytics.localtime import LocalClock, as_date, local_midnight_utc, zone
from lms.auth.models import ROLE_VALUES, Role, User, UserSession
from lms.common.errors import NotFound
from lms.common.sql import seconds_between
from lms.common.types import utcnow
from lms.extensions import db
from lms.school.models import ClassroomMembership, MembershipStatus
from lms.school.services import current_organization, local_today, visible_students

DEFAULT_DAYS = 30
MAX_DAYS = 366
DAILY_COLUMNS_UP_TO = 31  # the classroom grid shows days up to this range, weeks beyond
DEFAULT_IDLE_DAYS = 7
ONLINE_NOW_LIST = 20


# --- the date range ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of local days, with its UTC bounds ``[start_utc, end_utc)``."""

    start: date
    end: date
    tz_name: str

    @property
    def start_utc(self) -> datetime:
        return local_midnight_utc(self.start, zone(self.tz_name))

    @property
    def end_utc(self) -> datetime:
        return local_midnight_utc(self.end + timedelta(days=1), zone(self.tz_name))

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    @property
    def weeks(self) -> list[date]:
        """The Mondays of the weeks the range touches."""
        first = self.start - timedelta(days=self.start.weekday())
        return [first + timedelta(weeks=i) for i in range((self.end - first).days // 7 + 1)]

    @property
    def length(self) -> int:
        return (self.end - self.start).days + 1

    def clock(self) -> LocalClock:
        return LocalClock.for_range(self.start_utc, self.end_utc, self.tz_name)

    def contains(self):
        """The WHERE clause selecting login sessions that started in the range (index on started_at)."""
        return UserSession.started_at >= self.start_utc, UserSession.started_at < self.end_utc

    def as_args(self) -> dict:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def date_range_from(args) -> tuple[DateRange, str | None]:
    """The range asked for in ``?from=&to=`` (default: the last 30 days), and a message when
    what was asked could not be used as it was."""
    from lms.analytics.localtime import organization_timezone

    tz_name = organization_timezone()
    today = local_today()
    raw_from, raw_to = (args.get("from") or "").strip(), (args.get("to") or "").strip()
    start, end = _parse_day(raw_from), _parse_day(raw_to)
    message = None
    if (raw_from and start is None) or (raw_to and end is None):
        message = _("Dates must look like 2026-03-31; showing the last %(days)d days.", days=DEFAULT_DAYS)
        start = end = None
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        message = _("The start date was after the end date; they have been swapped.")
        start, end = end, start
    if (end - start).days + 1 > MAX_DAYS:
        message = _("A range can cover at most %(days)d days; showing the last %(days)d days of it.",
                    days=MAX_DAYS)
        start = end - timedelta(days=MAX_DAYS - 1)
    return DateRange(start, end, tz_name), message


# --- who may see whom -------------------------------------------------------------------------


def population(actor):
    """A SELECT of the user ids whose login sessions ``actor`` analyses, or None for everyone."""
    if actor.role == Role.ADMIN:
        return None
    if actor.role in (Role.TEACHER, Role.PARENT, Role.STUDENT):
        return visible_students(actor).with_only_columns(User.id)
    return select(User.id).where(false())


def get_user_for(actor, user_id) -> User:
    """The user whose login analytics ``actor`` may see (themselves included), else NotFound."""
    user = None
    if str(user_id).isdigit():
        user_id = int(user_id)
        if user_id == actor.id:
            return actor
        stmt = select(User).where(User.id == user_id)
        scope = population(actor)
        if scope is not None:
            stmt = stmt.where(User.id.in_(scope))
        user = db.session.scalar(stmt)
    if user is None:
        raise NotFound(_("That person does not exist or is not one of yours."))
    return user


def _scoped(stmt, actor, *, role: str = ""):
    scope = population(actor)
    if scope is not None:
        stmt = stmt.where(UserSession.user_id.in_(scope))
    if role in ROLE_VALUES:
        stmt = stmt.where(UserSession.user_id.in_(select(User.id).where(User.role == role)))
    return stmt


def session_seconds():
    """A login session's duration in seconds; an open one counts to its last heartbeat."""
    return func.coalesce(UserSession.duration_seconds,
                         seconds_between(UserSession.last_active_at, UserSession.started_at))


def timeout_minutes() -> int:
    return current_organization().session_timeout_minutes or 10


def online_now_clause(now: datetime | None = None):
    """Open login sessions with a heartbeat within the organization's timeout (partial index)."""
    now = now or utcnow()
    return (UserSession.ended_at.is_(None),
            UserSession.last_active_at >= now - timedelta(minutes=timeout_minutes()))


# --- the school overview ------------------------------------------------------------------------


@dataclass
class DayFigures:
    day: date
    logins: int = 0
    users: int = 0
    seconds: int = 0


def overview(actor, rng: DateRange, *, role: str = "") -> dict:
    """Daily active users, logins per day, time online, who is online now, the most active people."""
    clock = rng.clock()
    day = clock.date(UserSession.started_at).label("day")
    rows = db.session.execute(_scoped(
        select(day, func.count().label("logins"), func.count(distinct(UserSession.user_id)).label("users"),
               func.sum(session_seconds()).label("seconds"))
        .where(*rng.contains()).group_by(day), actor, role=role))
    by_day = {as_date(r.day): DayFigures(as_date(r.day), r.logins, r.users, int(r.seconds or 0)) for r in rows}
    series = [by_day.get(d) or DayFigures(d) for d in rng.days]

    totals = db.session.execute(_scoped(
        select(func.count().label("logins"), func.count(distinct(UserSession.user_id)).label("users"),
               func.sum(session_seconds()).label("seconds"))
        .where(*rng.contains()), actor, role=role)).one()

    seconds = func.sum(session_seconds()).label("seconds")
    top = db.session.execute(_scoped(
        select(User, seconds, func.count().label("logins"))
        .join(User, User.id == UserSession.user_id)
        .where(*rng.contains()).group_by(User.id).order_by(seconds.desc(), User.id).limit(10),
        actor, role=role)).all()
    return {
        "series": series,
        "logins": totals.logins or 0,
        "active_users": totals.users or 0,
        "seconds": int(totals.seconds or 0),
        "top": top,
        "online": online_now(actor, role=role),
    }


def online_now(actor, *, role: str = "", limit: int = ONLINE_NOW_LIST) -> dict:
    """How many people (in ``actor``'s scope) are online now, and the first ``limit`` of them."""
    last = func.max(UserSession.last_active_at).label("last_active_at")
    base = _scoped(select(UserSession.user_id).where(*online_now_clause()), actor, role=role)
    count = db.session.scalar(select(func.count(distinct(base.subquery().c.user_id)))) or 0
    people = db.session.execute(_scoped(
        select(User, last).join(User, User.id == UserSession.user_id).where(*online_now_clause())
        .group_by(User.id).order_by(last.desc(), User.id).limit(limit), actor, role=role)).all()
    return {"count": count, "people": people}


# --- the login-session list -------------------------------------------------------------------


def login_sessions_query(actor, rng: DateRange, *, role: str = "", classroom=None, q: str = ""):
    """Rows of (UserSession, User, seconds) in the range, newest first."""
    stmt = (select(UserSession, User, session_seconds().label("seconds"))
            .join(User, User.id == UserSession.user_id).where(*rng.contains()))
    stmt = _scoped(stmt, actor)
    if role in ROLE_VALUES:
        stmt = stmt.where(User.role == role)
    if classroom is not None:
        stmt = stmt.where(UserSession.user_id.in_(
            select(ClassroomMembership.student_id).where(ClassroomMembership.classroom_id == classroom.id,
                                                         ClassroomMembership.status == MembershipStatus.ACTIVE)))
    q = (q or "").strip().lower()
    if q:
        pattern = f"%{q}%"
        stmt = stmt.where(or_(func.lower(User.full_name).like(pattern), User.email.like(pattern)))
    return stmt.order_by(UserSession.started_at.desc(), UserSession.id.desc())


# --- one person ---------------------------------------------------------------------------------


def user_sessions_query(user: User, rng: DateRange):
    """Rows of (UserSession, seconds) of ``user`` in the range, newest first."""
    return (select(UserSession, session_seconds().label("seconds"))
            .where(UserSession.user_id == user.id, *rng.contains())
            .order_by(UserSession.started_at.desc(), UserSession.id.desc()))


def user_report(user: User, rng: DateRange) -> dict:
    """Time online per day and per week, and logins per weekday × hour, for one person."""
    clock = rng.clock()
    mine = (UserSession.user_id == user.id, *rng.contains())
    day = clock.date(UserSession.started_at).label("day")
    daily = {as_date(r.day): (r.logins, int(r.seconds or 0)) for r in db.session.execute(
        select(day, func.count().label("logins"), func.sum(session_seconds()).label("seconds"))
        .where(*mine).group_by(day))}
    week = clock.week(UserSession.started_at).label("week")
    weekly = {as_date(r.week): (r.logins, int(r.seconds or 0)) for r in db.session.execute(
        select(week, func.count().label("logins"), func.sum(session_seconds()).label("seconds"))
        .where(*mine).group_by(week))}
    weekday, hour = clock.weekday(UserSession.started_at).label("weekday"), clock.hour(UserSession.started_at).label("hour")
    heat = {(r.weekday, r.hour): r.logins for r in db.session.execute(
        select(weekday, hour, func.count().label("logins")).where(*mine).group_by(weekday, hour))}
    last_seen = db.session.scalar(
        select(UserSession.last_active_at).where(UserSession.user_id == user.id)
        .order_by(UserSession.started_at.desc()).limit(1))
    return {
        "daily": [(d, *daily.get(d, (0, 0))) for d in rng.days],
        "weekly": [(w, *weekly.get(w, (0, 0))) for w in rng.weeks],
        "heat": heat,
        "logins": sum(v[0] for v in daily.values()),
        "seconds": sum(v[1] for v in daily.values()),
        "active_days": len(daily),
        "last_seen": last_seen,
    }


# --- one classroom ------------------------------------------------------------------------------


def classroom_report(classroom, rng: DateRange, *, idle_days: int = DEFAULT_IDLE_DAYS) -> dict:
    """The classroom's current students × days (or weeks) with minutes online, and who has never
    signed in or not been seen for ``idle_days`` days."""
    students = select(ClassroomMembership.student_id).where(
        ClassroomMembership.classroom_id == classroom.id, ClassroomMembership.status == MembershipStatus.ACTIVE)
    last_seen = (select(UserSession.last_active_at).where(UserSession.user_id == User.id)
                 .order_by(UserSession.started_at.desc()).limit(1).correlate(User).scalar_subquery())
    people = db.session.execute(
        select(User, last_seen.label("last_seen")).where(User.id.in_(students))
        .order_by(User.full_name, User.id)).all()

    by_week = rng.length > DAILY_COLUMNS_UP_TO
    clock = rng.clock()
    column = (clock.week if by_week else clock.date)(UserSession.started_at).label("period")
    cells: dict[tuple[int, date], int] = {}
    for r in db.session.execute(
            select(UserSession.user_id, column, func.sum(session_seconds()).label("seconds"))
            .where(UserSession.user_id.in_(students), *rng.contains())
            .group_by(UserSession.user_id, column)):
        cells[(r.user_id, as_date(r.period))] = int(r.seconds or 0)
    periods = rng.weeks if by_week else rng.days
    rows = []
    for user, seen in people:
        values = [cells.get((user.id, p), 0) for p in periods]
        rows.append({"user": user, "last_seen": seen, "seconds": values, "total": sum(values)})
    cutoff = utcnow() - timedelta(days=idle_days)
    return {
        "periods": periods,
        "by_week": by_week,
        "rows": rows,
        "column_totals": [sum(r["seconds"][i] for r in rows) for i in range(len(periods))],
        "never": [r for r in rows if r["last_seen"] is None],
        "idle": [r for r in rows if r["last_seen"] is not None and r["last_seen"] < cutoff],
        "idle_days": idle_days,
    }


def minutes(seconds: int | None) -> int:
    """Whole minutes, rounding half a minute up (what people expect from "minutes online")."""
    return int(((seconds or 0) + 30) // 60)
