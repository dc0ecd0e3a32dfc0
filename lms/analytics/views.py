"""Login analytics pages: the school overview, the login-session list, one person, one classroom.

Every page takes ``?from=YYYY-MM-DD&to=YYYY-MM-DD`` (default: the last 30 days, in the
organization's timezone) and has a CSV download of what it shows.
"""

from __future__ import annotations

from functools import lru_cache, wraps

from babel.dates import get_day_names
from flask import Blueprint, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.analytics import charts, services
from lms.auth.labels import END_REASON, ROLE_PLURAL
from lms.auth.labels import ROLE as ROLE_NAMES
from lms.auth.login_sessions import describe_device
from lms.auth.models import ROLE_VALUES, Role, User, UserSession
from lms.centres.filtering import selected_centre_id
from lms.common.access import SIGNED_IN, allow
from lms.common.csvexport import csv_response, local_datetime
from lms.common.errors import NotFound
from lms.common.htmx import redirect_to, render
from lms.common.ids import as_id
from lms.common.labels import label
from lms.common.navigation import nav_item
from lms.common.pagination import paginate
from lms.common.ratelimit import config_limit
from lms.extensions import db, limiter
from lms.school import services as school

bp = Blueprint("analytics", __name__)

nav_item("analytics.overview", _l("Analytics"), Role.ADMIN, Role.TEACHER, Role.PARENT, order=60)

ROLE_LABELS = ROLE_PLURAL
END_REASON_LABELS = END_REASON


@bp.app_template_filter("online_time")
def online_time(seconds) -> str:
    """``3 h 05 min`` / ``12 min`` (rounded to the minute)."""
    total = services.minutes(seconds)
    hours, mins = divmod(total, 60)
    if hours:
        return _("%(h)d h %(m)02d min", h=hours, m=mins)
    return _("%(m)d min", m=mins)


@bp.app_template_filter("online_minutes")
def online_minutes(seconds) -> int:
    return services.minutes(seconds)


def _day_label(day) -> str:
    return format_date(day, "d MMM")


def _weekday_names() -> list[str]:
    names = get_day_names("abbreviated", locale=get_locale())
    return [names[i] for i in range(7)]


def _role_arg() -> str:
    role = request.args.get("role", "")
    return role if role in ROLE_VALUES and current_user.is_admin else ""


def _centre_arg() -> int | None:
    """The centre filter (staff only; none with a single site)."""
    return selected_centre_id() if current_user.is_admin or current_user.is_teacher else None


def _idle_days() -> int:
    value = as_id(request.args.get("idle"))
    return min(value, 3650) if value else services.DEFAULT_IDLE_DAYS


# --- the overview -------------------------------------------------------------------------------


def _students_go_to(endpoint: str):
    """A student has no overview: the view sends them to ``endpoint`` for themselves instead."""
    def decorate(view):
        @wraps(view)
        def students_to_their_own_page(*args, **kwargs):
            if current_user.is_student:
                return redirect_to(url_for(endpoint, user_id=current_user.id, **request.args), status=302)
            return view(*args, **kwargs)
        return students_to_their_own_page
    return decorate


@bp.route("/analytics")
@allow(SIGNED_IN)
@_students_go_to("analytics.user")
def overview():
    rng, message = services.date_range_from(request.args)
    role = _role_arg()
    data = services.overview(current_user, rng, role=role, centre_id=_centre_arg())
    chart = charts.bar_chart([(_day_label(d.day), d.users) for d in data["series"]])
    classrooms = school.classrooms_of_year(current_user) if not current_user.is_parent else []
    children = school.children_of(current_user) if current_user.is_parent else []
    return render("analytics/overview.html", "analytics/_overview.html", rng=rng, message=message, role=role,
                  data=data, chart=chart, classrooms=classrooms, children=children, role_labels=ROLE_LABELS,
                  centre_id=_centre_arg())


@bp.route("/analytics/export.csv")
@allow(SIGNED_IN)
@_students_go_to("analytics.user_csv")
def overview_csv():
    rng, _message = services.date_range_from(request.args)
    data = services.overview(current_user, rng, role=_role_arg(), centre_id=_centre_arg())
    rows = ([d.day.isoformat(), d.users, d.logins, services.minutes(d.seconds)] for d in data["series"])
    return csv_response(f"analytics-{rng.start}-{rng.end}.csv",
                        [_("Date"), _("Active users"), _("Logins"), _("Minutes online")], rows)


# --- the login-session list -----------------------------------------------------------------------


def _list_filters():
    classroom_arg = request.args.get("classroom", "")
    classroom = school.get_classroom_for(current_user, classroom_arg) if classroom_arg else None
    return {"role": _role_arg(), "classroom": classroom, "q": request.args.get("q", "").strip()[:100],
            "centre_id": _centre_arg()}


@bp.route("/analytics/logins")
@allow(SIGNED_IN)
def logins():
    rng, message = services.date_range_from(request.args)
    filters = _list_filters()
    results = paginate(services.login_sessions_query(current_user, rng, **filters), scalars=False, per_page=50)
    classrooms = school.classrooms_of_year(current_user) if current_user.is_admin or current_user.is_teacher else []
    return render("analytics/logins.html", "analytics/_logins.html", rng=rng, message=message, filters=filters,
                  results=results, classrooms=classrooms, role_labels=ROLE_LABELS, role_names=ROLE_NAMES,
                  end_reasons=END_REASON_LABELS, describe_device=describe_device, show_ip=current_user.is_admin)


@bp.route("/analytics/logins.csv")
@allow(SIGNED_IN)
@limiter.limit(config_limit("EXPORT_LIMIT_PER_USER"), key_func=lambda: f"user:{current_user.id}")
def logins_csv():
    rng, _message = services.date_range_from(request.args)
    stmt = services.login_sessions_query(current_user, rng, **_list_filters())
    show_ip = current_user.is_admin
    header = [_("Name"), _("Email"), _("Role"), _("Started"), _("Last active"), _("Ended"), _("Minutes"),
              _("Device"), _("End reason")] + ([_("IP address")] if show_ip else [])

    columns = (User.full_name, User.email, User.role, UserSession.started_at, UserSession.last_active_at,
               UserSession.ended_at, services.session_seconds(), UserSession.user_agent, UserSession.end_reason,
               UserSession.ip)
    device = lru_cache(maxsize=256)(describe_device)

    def rows():  # plain columns, read in batches: an export of 100,000 rows stays quick
        for name, email, role, started, active, ended, seconds, agent, reason, ip in db.session.execute(
                stmt.with_only_columns(*columns).execution_options(yield_per=2000)):
            yield [name, email, label("role", role), local_datetime(started), local_datetime(active), local_datetime(ended),
                   services.minutes(seconds), device(agent), label("end_reason", reason)] + ([ip or ""] if show_ip else [])

    return csv_response(f"login-sessions-{rng.start}-{rng.end}.csv", header, rows())


# --- one person ---------------------------------------------------------------------------------


@bp.route("/analytics/users/<int:user_id>")
@allow(SIGNED_IN)
def user(user_id: int):
    person = services.get_user_for(current_user, user_id)
    rng, message = services.date_range_from(request.args)
    report = services.user_report(person, rng)
    sessions = paginate(services.user_sessions_query(person, rng), scalars=False, per_page=20)
    weekday_names = _weekday_names()
    chart = charts.bar_chart([(_day_label(d), services.minutes(s)) for d, _n, s in report["daily"]])
    heat = charts.heatmap(report["heat"], weekday_names)
    classroom = school.current_classroom_of(person) if person.is_student else None
    return render("analytics/user.html", "analytics/_user.html", person=person, rng=rng, message=message,
                  report=report, sessions=sessions, chart=chart, heat=heat, weekday_names=weekday_names,
                  classroom=classroom, end_reasons=END_REASON_LABELS, role_names=ROLE_NAMES, describe_device=describe_device,
                  show_ip=current_user.is_admin, children=school.children_of(current_user)
                  if current_user.is_parent else [])


@bp.route("/analytics/users/<int:user_id>/export.csv")
@allow(SIGNED_IN)
def user_csv(user_id: int):
    person = services.get_user_for(current_user, user_id)
    rng, _message = services.date_range_from(request.args)
    show_ip = current_user.is_admin
    header = [_("Started"), _("Last active"), _("Ended"), _("Minutes"), _("Device"), _("End reason")] + (
        [_("IP address")] if show_ip else [])
    rows = ([local_datetime(s.started_at), local_datetime(s.last_active_at), local_datetime(s.ended_at), services.minutes(seconds),
             describe_device(s.user_agent), label("end_reason", s.end_reason)] + ([s.ip or ""] if show_ip else [])
            for s, seconds in db.session.execute(services.user_sessions_query(person, rng)))
    return csv_response(f"login-sessions-{person.id}-{rng.start}-{rng.end}.csv", header, rows)


@bp.route("/students/<int:student_id>/sessions")
@allow(SIGNED_IN)
def student_sessions(student_id: int):
    """The stable URL for a student's login sessions: the analytics page of that student."""
    student = school.get_student_for(current_user, student_id)
    return redirect_to(url_for("analytics.user", user_id=student.id, **request.args), status=302)


# --- one classroom ------------------------------------------------------------------------------


def _classroom_for(classroom_id):
    """Classroom analytics are for the classroom's teachers and admins; anyone else gets 404."""
    if not (current_user.is_admin or current_user.is_teacher):
        raise NotFound(_("That classroom does not exist or is not one of yours."))
    return school.get_classroom_for(current_user, classroom_id)


def _classroom_report(classroom_id):
    """The classroom, the asked date range (and its message) and the classroom's report for it."""
    room = _classroom_for(classroom_id)
    rng, message = services.date_range_from(request.args)
    return room, rng, message, services.classroom_report(room, rng, idle_days=_idle_days())


@bp.route("/analytics/classrooms/<int:classroom_id>")
@allow(SIGNED_IN)
def classroom(classroom_id: int):
    room, rng, message, report = _classroom_report(classroom_id)
    labels = [(_("Week of %(day)s", day=_day_label(p)) if report["by_week"] else _day_label(p))
              for p in report["periods"]]
    return render("analytics/classroom.html", "analytics/_classroom.html", room=room, rng=rng, message=message,
                  report=report, labels=labels)


@bp.route("/analytics/classrooms/<int:classroom_id>/export.csv")
@allow(SIGNED_IN)
def classroom_csv(classroom_id: int):
    room, rng, _message, report = _classroom_report(classroom_id)
    header = [_("Name"), _("Email"), _("Last seen")] + [p.isoformat() for p in report["periods"]] + [
        _("Total minutes")]
    rows = ([r["user"].full_name, r["user"].email, local_datetime(r["last_seen"])]
            + [services.minutes(s) for s in r["seconds"]] + [services.minutes(r["total"])] for r in report["rows"])
    return csv_response(f"classroom-{room.name.replace('/', '-')}-{rng.start}-{rng.end}.csv", header, rows)
