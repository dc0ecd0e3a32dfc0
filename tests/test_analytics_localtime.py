"""Local dates, weekdays and hours computed by the database, across a daylight-saving change."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from lms.auth.models import UserSession
from lms.core.localtime import LocalClock, as_date, offset_segments


def test_offset_segments_find_the_daylight_saving_change_to_the_second():
    london = ZoneInfo("Europe/London")
    segments = offset_segments(london, datetime(2026, 3, 20, tzinfo=UTC), datetime(2026, 4, 5, tzinfo=UTC))
    assert segments == [(datetime(2026, 3, 29, 1, 0, tzinfo=UTC), 0), (None, 60)]
    bangkok = offset_segments(ZoneInfo("Asia/Bangkok"), datetime(2026, 1, 1, tzinfo=UTC),
                              datetime(2027, 1, 1, tzinfo=UTC))
    assert bangkok == [(None, 420)]


def _local_parts(app, tz_name, start, end):
    from lms.extensions import db

    with app.app_context():
        clock = LocalClock.for_range(start, end, tz_name)
        col = UserSession.started_at
        rows = db.session.execute(
            select(UserSession.ip, clock.date(col), clock.weekday(col), clock.hour(col), clock.week(col))
            .order_by(UserSession.ip)).all()
        db.session.remove()
    return {ip: (as_date(d), wd, h, as_date(w)) for ip, d, wd, h, w in rows}


def test_local_date_weekday_hour_and_week_across_a_dst_change(app, make):
    user = make.user()
    for ip, at in (("a", datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),    # 00:30 GMT, Sunday
                   ("b", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),    # 02:30 BST, Sunday
                   ("c", datetime(2026, 3, 29, 23, 30, tzinfo=UTC))):  # 00:30 BST, Monday 30 March
        make.login_session(user, started_at=at, ip=ip)
    parts = _local_parts(app, "Europe/London", datetime(2026, 3, 20, tzinfo=UTC), datetime(2026, 4, 5, tzinfo=UTC))
    assert parts["a"] == (datetime(2026, 3, 29).date(), 6, 0, datetime(2026, 3, 23).date())
    assert parts["b"] == (datetime(2026, 3, 29).date(), 6, 2, datetime(2026, 3, 23).date())
    assert parts["c"] == (datetime(2026, 3, 30).date(), 0, 0, datetime(2026, 3, 30).date())


def test_bangkok_evening_in_utc_is_the_next_local_day(app, make):
    user = make.user()
    make.login_session(user, started_at=datetime(2026, 3, 28, 17, 30, tzinfo=UTC), ip="x")  # 00:30 on the 29th
    parts = _local_parts(app, "Asia/Bangkok", datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
    assert parts["x"] == (datetime(2026, 3, 29).date(), 6, 0, datetime(2026, 3, 23).date())
