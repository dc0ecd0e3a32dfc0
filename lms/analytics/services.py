"""Login analytics: who may see whose login sessions, and the aggregates (all computed in SQL).

Scope (as everywhere): admins see everyone; a teacher the current students of their classrooms
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
from sqlalchemy import Date, and_, column, distinct, false, func, or_, select, text, true, values

from lms.auth.models import ROLE_VALUES, Role, User, UserSession
from lms.centres.filtering import only_members
from lms.centres.scope import member_ids
from lms.common.edge import year_in_range
from lms.common.errors import NotFound
from lms.common.ids import as_id
from lms.common.sql import seconds_between
from lms.common.types import UTCDateTime, utcnow
from lms.core.localtime import (
    LocalClock,
    as_date,
    local_midnight_utc,
    local_today,
    organization_timezone,
    zone,
)
from lms.core.organization import current_organization
from lms.extensions import db
from lms.school.models import ClassroomMembership, MembershipStatus
from lms.school.services import visible_students

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
    """A day typed in the query string (None when it is not one, or outside 1900–2200)."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if year_in_range(day) else None


def date_range_from(args) -> tuple[DateRange, str | None]:
    """The range asked for in ``?from=&to=`` (default: the last 30 days), and a message when
    what was asked could not be used as it was."""
    tz_name = organization_timezone()
    today = local_today()
    raw_from, raw_to = (args.get("from") or "").strip(), (args.get("to") or "").strip()
    start, end = _parse_day(raw_from), _parse_day(raw_to)
    messages = []  # every change made to what was asked is said on the page
    if (raw_from and start is None) or (raw_to and end is None):
        messages.append(_("Dates must look like 2026-03-31; showing the last %(days)d days.", days=DEFAULT_DAYS))
        start = end = None
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        messages.append(_("The start date was after the end date; they have been swapped."))
        start, end = end, start
    if (end - start).days + 1 > MAX_DAYS:
        messages.append(_("A range can cover at most %(days)d days; showing the last %(days)d days of it.",
                          days=MAX_DAYS))
        start = end - timedelta(days=MAX_DAYS - 1)
    if messages:
        messages.append(_("Showing %(start)s to %(end)s.", start=start.isoformat(), end=end.isoformat()))
    return DateRange(start, end, tz_name), " ".join(messages) or None


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
    user_id = as_id(user_id)
    if user_id:
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


def _scoped(stmt, actor, *, role: str = "", centre_id: int | None = None):
    scope = population(actor)
    if scope is not None:
        stmt = stmt.where(UserSession.user_id.in_(scope))
    stmt = only_members(stmt, UserSession.user_id, centre_id)
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


def overview(actor, rng: DateRange, *, role: str = "", centre_id: int | None = None) -> dict:
    """Daily active users, logins per day, time online, who is online now, the most active people."""
    series = daily_figures(actor, rng, role=role, centre_id=centre_id)
    people = _scoped(select(UserSession.user_id, func.count().label("logins"),
                            func.sum(session_seconds()).label("seconds"))
                     .where(*rng.contains()).group_by(UserSession.user_id), actor, role=role,
                     centre_id=centre_id).subquery()
    top = db.session.execute(
        select(User, people.c.seconds, people.c.logins, func.count().over().label("people"))
        .join(people, people.c.user_id == User.id)
        .order_by(people.c.seconds.desc(), User.id).limit(10)).all()
    active_users = top[0].people if top else 0
    return {
        "series": series,
        "logins": sum(d.logins for d in series),
        "active_users": active_users,
        "seconds": sum(d.seconds for d in series),
        "top": top,
        "online": online_now(actor, role=role, centre_id=centre_id),
    }


def _day_bounds(rng: DateRange):
    """The range's local days with their UTC bounds, as an SQL VALUES list (DST-exact: zoneinfo
    decides where each day starts, so no row needs converting)."""
    tz = zone(rng.tz_name)
    rows = [(d, local_midnight_utc(d, tz), local_midnight_utc(d + timedelta(days=1), tz)) for d in rng.days]
    return values(column("day", Date()), column("start_utc", UTCDateTime()), column("end_utc", UTCDateTime()),
                  name="days").data(rows).cte("days")


def daily_figures(actor, rng: DateRange, *, role: str = "", centre_id: int | None = None) -> list[DayFigures]:
    """Logins, distinct people and time online for each local day of the range.

    On PostgreSQL each day is one LATERAL index-only range scan of ``ix_user_session_started_cover``
    (its own small DISTINCT sort); a single GROUP BY over the whole range would sort every row of
    the range at once (a year: ~1M rows on disk).  SQLite joins the days to the sessions.
    """
    days = _day_bounds(rng)
    in_day = (UserSession.started_at >= days.c.start_utc, UserSession.started_at < days.c.end_utc)
    if db.engine.dialect.name == "postgresql":
        without_jit()
        # count(*): every column read is in the covering index (index-only scans)
        measures = (func.count().label("logins"), func.count(distinct(UserSession.user_id)).label("users"),
                    func.sum(session_seconds()).label("seconds"))
        per_day = _scoped(select(*measures).where(*in_day), actor, role=role,
                           centre_id=centre_id).lateral("per_day")
        stmt = select(days.c.day, per_day.c.logins, per_day.c.users, per_day.c.seconds).select_from(days).join(
            per_day, true())
    else:
        measures = (func.count(UserSession.id).label("logins"),
                    func.count(distinct(UserSession.user_id)).label("users"),
                    func.sum(session_seconds()).label("seconds"))
        joined = select(days.c.day, *measures).select_from(days).outerjoin(UserSession, and_(*in_day))
        stmt = _scoped_outer(joined, actor, role=role, centre_id=centre_id).group_by(days.c.day)
    figures = {as_date(r.day): DayFigures(as_date(r.day), r.logins or 0, r.users or 0, int(r.seconds or 0))
               for r in db.session.execute(stmt)}
    return [figures.get(d) or DayFigures(d) for d in rng.days]


def without_jit() -> None:
    """PostgreSQL: no JIT compilation for the rest of this transaction.  The planner's row guesses
    for the per-day scans are high enough to trigger JIT, which then costs more (~80 ms) than the
    whole query saves; ``SET LOCAL`` ends with the request's transaction."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))


def _scoped_outer(stmt, actor, *, role: str = "", centre_id: int | None = None):
    """Like ``_scoped`` for an outer join: days without sessions stay (the filter joins the ON clause)."""
    scope = population(actor)
    if scope is not None:
        stmt = stmt.where(or_(UserSession.id.is_(None), UserSession.user_id.in_(scope)))
    if centre_id is not None:
        stmt = stmt.where(or_(UserSession.id.is_(None), UserSession.user_id.in_(member_ids(centre_id))))
    if role in ROLE_VALUES:
        stmt = stmt.where(or_(UserSession.id.is_(None),
                              UserSession.user_id.in_(select(User.id).where(User.role == role))))
    return stmt


def online_now(actor, *, role: str = "", limit: int = ONLINE_NOW_LIST, centre_id: int | None = None) -> dict:
    """How many people (in ``actor``'s scope) are online now, and the first ``limit`` of them."""
    last = func.max(UserSession.last_active_at).label("last_active_at")
    base = _scoped(select(UserSession.user_id).where(*online_now_clause()), actor, role=role, centre_id=centre_id)
    count = db.session.scalar(select(func.count(distinct(base.subquery().c.user_id)))) or 0
    people = db.session.execute(_scoped(
        select(User, last).join(User, User.id == UserSession.user_id).where(*online_now_clause())
        .group_by(User.id).order_by(last.desc(), User.id).limit(limit), actor, role=role,
        centre_id=centre_id)).all()
    return {"count": count, "people": people}


# --- the login-session list -------------------------------------------------------------------


def login_sessions_query(actor, rng: DateRange, *, role: str = "", classroom=None, q: str = "",
                         centre_id: int | None = None):
    """Rows of (UserSession, User, seconds) in the range, newest first."""
    stmt = (select(UserSession, User, session_seconds().label("seconds"))
            .join(User, User.id == UserSession.user_id).where(*rng.contains()))
    stmt = only_members(_scoped(stmt, actor), UserSession.user_id, centre_id)
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
