"""Dates and hours in the organization's timezone, computed by the database.

Login-session timestamps are stored as naive UTC.  To group them by the school's calendar
day, weekday or hour the conversion has to happen in SQL (the aggregates run there):

* **PostgreSQL**: ``timezone(zone, timezone('UTC', ts))`` (= ``ts AT TIME ZONE 'UTC' AT TIME
  ZONE zone``) uses the server's tz database, so daylight-saving changes are exact for every row.
  (When the zone keeps one UTC offset for the whole range — Asia/Bangkok always does — the
  offset is simply added: the same result, and cheaper on a million rows.)
* **SQLite** has no timezone database.  ``LocalClock`` asks Python's ``zoneinfo`` for the UTC
  offsets in force during the requested range (at most a handful of DST changes) and shifts
  each row with ``datetime(ts, '+420 minutes')`` — or, when the range crosses a change, with a
  ``CASE`` on the row's timestamp choosing the right offset.  Within the range this is exact
  too; the limitation is that rows *outside* the range (never selected by our queries) would
  get the nearest segment's offset, and that Python's tz data, not the database's, decides.
  Asia/Bangkok (no DST) is a single constant offset.

Usage::

    clock = LocalClock.for_range(start_utc, end_utc)
    day = clock.date(UserSession.started_at).label("day")
    select(day, func.count()).group_by(day)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, Interval, case, cast, extract, func, literal

from lms.common.i18n import select_timezone
from lms.common.types import UTCDateTime
from lms.core.organization import current_organization
from lms.extensions import db


def organization_timezone() -> str:
    return select_timezone()


def zone(name: str | None = None) -> ZoneInfo:
    try:
        return ZoneInfo(name or organization_timezone())
    except Exception:
        return ZoneInfo("UTC")


def local_midnight_utc(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which ``day`` starts in ``tz``."""
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def _offset_minutes(tz: ZoneInfo, instant: datetime) -> int:
    return int(instant.astimezone(tz).utcoffset().total_seconds() // 60)


def offset_segments(tz: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime | None, int]]:
    """``[(until_utc, offset_minutes), ..., (None, last_offset)]`` covering ``[start, end)``.

    Each change of UTC offset inside the range is found to the second (daily steps, then a
    binary search), so a CASE over these segments converts every timestamp of the range exactly.
    """
    segments: list[tuple[datetime | None, int]] = []
    current = _offset_minutes(tz, start)
    probe = start
    step = timedelta(hours=12)
    while probe < end:
        nxt = min(probe + step, end)
        offset = _offset_minutes(tz, nxt)
        if offset != current:
            low, high = probe, nxt  # offset(low) == current, offset(high) != current
            while high - low > timedelta(seconds=1):
                mid = low + (high - low) / 2
                if _offset_minutes(tz, mid) == current:
                    low = mid
                else:
                    high = mid
            change = high.replace(microsecond=0)
            segments.append((change, current))
            current = _offset_minutes(tz, change)
        probe = nxt
    segments.append((None, current))
    return segments


@dataclass
class LocalClock:
    """SQL expressions giving a UTC timestamp column's local date, weekday (0 = Monday) and hour."""

    tz_name: str
    dialect: str
    segments: list[tuple[datetime | None, int]] = field(default_factory=list)

    @classmethod
    def for_range(cls, start_utc: datetime, end_utc: datetime, tz_name: str | None = None) -> LocalClock:
        tz_name = tz_name or organization_timezone()
        return cls(tz_name, db.engine.dialect.name, offset_segments(zone(tz_name), start_utc, end_utc))

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    # --- SQLite: the offset modifier for datetime()/date()/strftime() ---------------------

    def _modifier(self, column):
        def text_of(minutes: int) -> str:
            return f"{minutes:+d} minutes"

        if len(self.segments) == 1:
            return literal(text_of(self.segments[0][1]))
        whens = [(column < literal(until, UTCDateTime()), literal(text_of(minutes)))
                 for until, minutes in self.segments[:-1]]
        return case(*whens, else_=literal(text_of(self.segments[-1][1])))

    # --- expressions ------------------------------------------------------------------------

    def local(self, column):
        """The local wall-clock timestamp (PostgreSQL only; SQLite uses the helpers below).

        When the offset is the same for the whole range (always in Asia/Bangkok), adding it is
        exactly what ``AT TIME ZONE`` would give for every row of the range, and on a million rows
        about twice as fast as calling ``timezone()`` per row; across a DST change the database's
        own ``AT TIME ZONE`` converts each row.
        """
        if len(self.segments) == 1:
            return column + literal(timedelta(minutes=self.segments[0][1]), Interval())
        return func.timezone(literal(self.tz_name), func.timezone(literal("UTC"), column))

    def date(self, column):
        """The local calendar day (a ``date`` on PostgreSQL, ``'YYYY-MM-DD'`` text on SQLite)."""
        if self.is_postgres:
            return cast(self.local(column), Date)
        return func.date(column, self._modifier(column))

    def week(self, column):
        """The Monday of the local week."""
        if self.is_postgres:
            return cast(func.date_trunc("week", self.local(column)), Date)
        return func.date(column, self._modifier(column), "weekday 0", "-6 days")

    def weekday(self, column):
        """0 = Monday … 6 = Sunday."""
        if self.is_postgres:
            return cast(extract("isodow", self.local(column)), Integer) - 1
        return (cast(func.strftime("%w", column, self._modifier(column)), Integer) + 6) % 7

    def hour(self, column):
        if self.is_postgres:
            return cast(extract("hour", self.local(column)), Integer)
        return cast(func.strftime("%H", column, self._modifier(column)), Integer)


def as_date(value) -> date:
    """A day from either database (PostgreSQL gives ``date``, SQLite ``'YYYY-MM-DD'``)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def local_today() -> date:
    """Today in the organization's timezone."""
    try:
        zone = ZoneInfo(current_organization().timezone)
    except Exception:
        zone = ZoneInfo("UTC")
    return datetime.now(zone).date()


DATETIME_FORMAT = "%Y-%m-%dT%H:%M"  # what a datetime-local input sends


def to_utc(local: datetime | None) -> datetime | None:
    """A wall-clock time typed in the organization's timezone, as aware UTC."""
    if local is None:
        return None
    return local.replace(tzinfo=zone()).astimezone(UTC)


def to_local(value: datetime | None) -> datetime | None:
    """Aware UTC → the organization's wall-clock time (what a datetime-local input shows)."""
    if value is None:
        return None
    return value.astimezone(zone()).replace(tzinfo=None, second=0, microsecond=0)
