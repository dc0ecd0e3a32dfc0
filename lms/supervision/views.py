"""``/supervision``: the supervisor's dashboard (read-only) and a CSV of each of its tables."""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from lms.analytics import charts
from lms.auth.models import Role
from lms.centres.models import Centre
from lms.common.access import allow
from lms.common.csvexport import csv_response, local_datetime
from lms.common.htmx import render
from lms.common.labels import label
from lms.common.navigation import nav_item
from lms.common.ratelimit import config_limit
from lms.extensions import db, limiter
from lms.supervision import overview, risk, trends
from lms.supervision.scope import supervised_scope

bp = Blueprint("supervision", __name__)
# A top-level link for supervisors; in the "School" dropdown for administrators.
nav_item("supervision.dashboard", _l("Supervision"), Role.SUPERVISOR, Role.ADMIN, order=39, group="school")

OVERSEERS = (Role.SUPERVISOR, Role.ADMIN)


def _export_limit():
    return limiter.limit(config_limit("EXPORT_LIMIT_PER_USER"), key_func=lambda: f"user:{current_user.id}")


def week_label(week) -> str:
    return format_date(week.start, "d MMM")


def trend_chart(trend):
    return charts.bar_chart([(week_label(w), w.rate or 0) for w in trend.weeks])


def _centre_rows(trend) -> list:
    """Per centre (when the trend spans two or more): (name, weeks), by name; "No centre" last."""
    if len(trend.by_centre) < 2:
        return []
    ids = sorted(i for i in trend.by_centre if i is not None)
    names = dict(db.session.execute(select(Centre.id, Centre.name).where(Centre.id.in_(ids))).all())
    rows = sorted(((names.get(i, "?"), trend.by_centre[i]) for i in ids), key=lambda r: r[0].casefold())
    return rows + ([(_("No centre"), trend.by_centre[None])] if None in trend.by_centre else [])


@bp.route("/supervision")
@allow(*OVERSEERS)
def dashboard():
    scope = supervised_scope(current_user)
    weeks = trends.weeks_arg(request.args.get("weeks"))
    trend = trends.attendance_trend(scope, weeks)
    return render("supervision/dashboard.html", "supervision/_dashboard.html", scope=scope, weeks=weeks,
                  trend=trend, chart=trend_chart(trend), centre_rows=_centre_rows(trend), week_label=week_label,
                  today=overview.meetings_today(scope), workload=overview.workload(scope),
                  at_risk=risk.at_risk(scope), risk=risk)


# --- CSV exports --------------------------------------------------------------------------------


def trend_csv_rows(trend, centre: str = ""):
    for w in trend:
        yield [centre, w.start.isoformat(), w.end.isoformat(), w.total, w.count("PRESENT"), w.count("LATE"),
               w.count("EXCUSED"), w.count("ABSENT"), "" if w.rate is None else w.rate]


TREND_HEADER = (_l("Centre"), _l("Week from"), _l("Week to"), _l("Marks"), _l("Present"), _l("Late"),
                _l("Excused"), _l("Absent"), _l("Attendance %"))


@bp.route("/supervision/attendance.csv")
@allow(*OVERSEERS)
@_export_limit()
def attendance_csv():
    scope = supervised_scope(current_user)
    trend = trends.attendance_trend(scope, trends.weeks_arg(request.args.get("weeks")))
    rows = list(trend_csv_rows(trend.weeks, _("All")))
    for name, weeks in _centre_rows(trend):
        rows.extend(trend_csv_rows(weeks, name))
    return csv_response("attendance-trend.csv", [str(h) for h in TREND_HEADER], rows)


@bp.route("/supervision/today.csv")
@allow(*OVERSEERS)
@_export_limit()
def today_csv():
    rows = ([local_datetime(r.meeting.starts_at, "%Y-%m-%d %H:%M"), local_datetime(r.meeting.ends_at, "%H:%M"),
             r.session_name, r.tutor, r.centre or "", r.room or "", label("course_session_mode", r.mode), r.enrolled,
             r.marked, _("Yes") if r.running else _("No")]
            for r in overview.meetings_today(supervised_scope(current_user)))
    return csv_response("sessions-today.csv", [_("Starts"), _("Ends"), _("Teaching session"), _("Tutor"),
                                               _("Centre"), _("Room"), _("Mode"), _("Students"),
                                               _("Attendance marks"), _("Running now")], rows)


@bp.route("/supervision/workload.csv")
@allow(*OVERSEERS)
@_export_limit()
def workload_csv():
    rows = ([w.tutor.full_name, w.tutor.email or "", w.sessions, w.students, w.hours_week, w.hours_month]
            for w in overview.workload(supervised_scope(current_user)))
    return csv_response("tutor-workload.csv", [_("Tutor"), _("Email"), _("Teaching sessions"), _("Students"),
                                               _("Hours this week"), _("Hours this month")], rows)


@bp.route("/supervision/at-risk.csv")
@allow(*OVERSEERS)
@_export_limit()
def at_risk_csv():
    rows = ([r.student.full_name, r.student.email or r.student.username or "", r.summary]
            for r in risk.at_risk(supervised_scope(current_user)))
    return csv_response("at-risk-students.csv", [_("Student"), _("Sign-in"), _("Reasons")], rows)
