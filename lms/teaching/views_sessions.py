"""Teachers' and admins' teaching-session pages: the list, new, overview, edit, publish, delete,
settings and analytics.  Another teacher's session is not visible (404)."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.auth.models import Role
from lms.centres import rooms
from lms.centres.filtering import selected_centre_id
from lms.centres.models import Centre
from lms.centres.scope import open_centres
from lms.common.access import allow
from lms.common.errors import DomainError
from lms.common.formviews import arg_int, saving
from lms.common.htmx import redirect_to, render, render_form_errors
from lms.common.navigation import nav_item
from lms.common.pagination import paginate
from lms.core.localtime import local_today, to_local
from lms.extensions import db
from lms.school.forms import choices
from lms.school.models import ClassroomMembership, MembershipStatus
from lms.teaching import analytics, attendance, codes, modes, services
from lms.teaching import settings as settings_service
from lms.teaching.announcements import announcements_query
from lms.teaching.forms import SessionForm, SettingsForm, scale_text
from lms.teaching.labels import (
    ATTENDANCE_STATUS,
    COURSE_SESSION_MODE,
    COURSE_SESSION_STATUS,
    ENROLLMENT_STATUS,
)
from lms.teaching.models import (
    AttendanceStatus,
    CourseSession,
    CourseSessionEnrollment,
    CourseSessionMeeting,
    CourseSessionMode,
    CourseSessionStatus,
)

bp = Blueprint("sessions", __name__)

nav_item("teaching.sessions.index", _l("Teaching sessions"), Role.ADMIN, Role.TEACHER, order=35)

# The labels of the stored codes live in the one registry (lms.teaching.labels).
STATUS_LABELS = COURSE_SESSION_STATUS
ENROLLMENT_LABELS = ENROLLMENT_STATUS
ATTENDANCE_LABELS = ATTENDANCE_STATUS
MODE_LABELS = COURSE_SESSION_MODE
SORTS = {"newest": ("created_at", "desc"), "start": ("start_date", "asc"), "start_desc": ("start_date", "desc"),
         "end": ("end_date", "asc"), "name": ("session_name", "asc")}


def common_context(**extra) -> dict:
    return {"status_labels": STATUS_LABELS, "enrollment_labels": ENROLLMENT_LABELS,
            "attendance_labels": ATTENDANCE_LABELS, "spaced": codes.spaced,
            "link_opens_minutes": modes.LINK_OPENS_MINUTES, **extra}


def load(session_id: int):
    return services.get_session_for(current_user, session_id)


def load_with(session_id: int, get_for, row_id: int):
    """The teaching session and one of its rows (``get_for(actor, session, row_id)``: an announcement, a
    meeting, an enrollment), as the acting user may see them."""
    course_session = load(session_id)
    return course_session, get_for(current_user, course_session, row_id)


@bp.route("/sessions")
@allow(Role.ADMIN, Role.TEACHER)
def index():
    status = request.args.get("status", "")
    status = status if status in STATUS_LABELS else ""
    sort = request.args.get("sort", "newest")
    sort = sort if sort in SORTS else "newest"
    q = request.args.get("q", "").strip()[:100]
    course_id = arg_int("course")
    teacher_id = arg_int("teacher") if current_user.is_admin else None
    sort_by, sort_order = SORTS[sort]
    centre_id = selected_centre_id()
    stmt = services.session_list_query(current_user, status=status, course_id=course_id, teacher_id=teacher_id,
                                       q=q, sort_by=sort_by, sort_order=sort_order, centre_id=centre_id)
    results = paginate(stmt, per_page=20, scalars=False)
    sessions = [row[0] for row in results.items]
    names = services.names_for(sessions)
    return render("teaching/sessions.html", "teaching/_session_list.html", **common_context(
        results=results, names=names, status_filter=status, sort=sort, q=q, course_filter=course_id,
        teacher_filter=teacher_id, centre_filter=centre_id, courses=services.courses_for(current_user),
        teachers=services.teachers() if current_user.is_admin else []))


def _place_choices(form: SessionForm, course_session=None) -> None:
    """Modes; the open centres (and the session's own, even archived); the open rooms of the chosen centre
    (and the session's own).  With exactly one open centre a new session starts in it."""
    form.mode.choices = choices([(m.value, MODE_LABELS[m.value]) for m in CourseSessionMode])
    centres = list(db.session.scalars(open_centres()))
    current_centre = course_session.centre_id if course_session else None
    if current_centre and all(c.id != current_centre for c in centres):
        centres.append(db.session.get(Centre, current_centre))
    if course_session is None and request.method == "GET" and len(centres) == 1:
        form.centre_id.data = centres[0].id
    form.centre_id.choices = choices([("", _("— no centre —"))] + [(c.id, c.name) for c in centres])
    _room_choices(form, form.centre_id.data, course_session.room_id if course_session else None)


def _room_choices(form: SessionForm, centre_id: int | None, current_room: int | None = None) -> None:
    options = rooms.open_rooms(centre_id)
    if current_room and all(r.id != current_room for r in options):
        found = rooms.room_and_centre(current_room)
        if found is not None and found[0].centre_id == centre_id:
            options.append(found[0])
    form.room_id.choices = choices([("", _("— no room (online) —"))] + [(r.id, r.name) for r in options])


def _form_choices(form: SessionForm, *, teacher_id: int | None = None, course_session=None) -> None:
    _place_choices(form, course_session)
    if current_user.is_admin:
        form.teacher_id.choices = choices([("", _("— choose a teacher —"))] + [
            (t.id, t.full_name) for t in services.teachers()])
    else:
        form.teacher_id.choices = []
    form.course_id.choices = choices([("", _("— choose a course —"))] + [
        (c.id, c.name) for c in services.courses_for(current_user, teacher_id)])


def _conflict_status(err: DomainError, response):
    """A conflict with another session (ACTIVE_SESSION_EXISTS, DUPLICATE_SESSION_NAME) answers 409, the form
    shown again with the message, as the API does."""
    if err.status == 409:
        response.status_code = 409
    return response


@bp.route("/sessions/new", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.TEACHER)
def create():
    form = SessionForm()
    _form_choices(form, teacher_id=form.teacher_id.data if request.method == "POST" else None)
    if request.method == "POST":
        with saving(form) as saved:
            course_session = services.create_session(current_user, form.to_data())
        if not saved:
            return _conflict_status(saved.error, render_form_errors(
                "teaching/session_form.html", "teaching/_session_form.html",
                **common_context(form=form, course_session=None)))
        flash(_("Teaching session created. Its join code is %(code)s.", code=course_session.session_code), "success")
        return redirect_to(url_for("teaching.sessions.detail", session_id=course_session.id))
    return render("teaching/session_form.html", "teaching/_session_form.html",
                  **common_context(form=form, course_session=None))


@bp.route("/sessions/rooms")
@allow(Role.ADMIN, Role.TEACHER)
def rooms_field():
    """The room select for the centre chosen in the session form (htmx swaps it in)."""
    form = SessionForm(formdata=None)
    _room_choices(form, arg_int("centre_id"))
    return render("teaching/_room_field.html", form=form)


@bp.route("/sessions/<int:session_id>")
@allow(Role.ADMIN, Role.TEACHER)
def detail(session_id: int):
    course_session = load(session_id)
    counts = services.enrolled_counts([course_session.id])[course_session.id]

    latest = db.session.scalars(announcements_query(course_session).limit(3)).all()
    return render("teaching/session.html", **common_context(
        course_session=course_session, names=services.names_for([course_session]), counts=counts,
        seats=services.seats_taken(course_session.id), announcements=latest,
        current_meeting=attendance.current_meeting(course_session),
        expired=services.is_expired(course_session), places=modes.places_for([course_session])))


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.TEACHER)
def edit(session_id: int):
    course_session = load(session_id)
    published = course_session.status != CourseSessionStatus.DRAFT
    if request.method == "GET":
        form = SessionForm(formdata=None, obj=course_session)
        for name in ("start_date", "end_date", "enrollment_deadline"):
            form[name].data = to_local(getattr(course_session, name))
    else:
        form = SessionForm()
    _form_choices(form, teacher_id=course_session.teacher_id, course_session=course_session)
    if request.method == "POST":
        data = form.to_data(editing_published=published)
        data.pop("course_session_status", None)
        with saving(form) as saved:
            services.update_session(current_user, course_session, data)
        if not saved:
            course_session = load(session_id)
            return _conflict_status(saved.error, render_form_errors(
                "teaching/session_form.html", "teaching/_session_form.html",
                **common_context(form=form, course_session=course_session)))
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect_to(url_for("teaching.sessions.detail", session_id=course_session.id))
    return render("teaching/session_form.html", "teaching/_session_form.html",
                  **common_context(form=form, course_session=course_session))


@bp.route("/sessions/<int:session_id>/publish", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def publish(session_id: int):
    course_session = load(session_id)
    services.publish_session(current_user, course_session)
    db.session.commit()
    flash(_("Published: students can join with the code %(code)s.", code=course_session.session_code), "success")
    return redirect_to(url_for("teaching.sessions.detail", session_id=course_session.id))


@bp.route("/sessions/<int:session_id>/delete", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def delete(session_id: int):
    course_session = load(session_id)
    name = course_session.session_name
    services.delete_session(current_user, course_session)
    db.session.commit()
    flash(_("“%(name)s” was deleted.", name=name), "success")
    return redirect_to(url_for("teaching.sessions.index"))


def _settings_form(found, formdata=None) -> SettingsForm:
    if formdata is None:
        form = SettingsForm(formdata=None, obj=found)
        form.grading_scale.data = scale_text(found.grading_scale)
    else:
        form = SettingsForm(formdata=formdata)
    form.default_attendance_status.choices = choices([(s.value, ATTENDANCE_LABELS[s.value]) for s in AttendanceStatus])
    return form


@bp.route("/sessions/<int:session_id>/settings", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.TEACHER)
def settings(session_id: int):
    course_session = load(session_id)
    found = services.settings_of(course_session)
    if request.method == "POST":
        form = _settings_form(found, request.form)
        with saving(form) as saved:
            settings_service.update_settings(current_user, course_session, form.to_data())
        if not saved:
            return render_form_errors("teaching/settings.html", "teaching/_settings_form.html",
                                      **common_context(form=form, course_session=load(session_id)))
        flash(_("Settings saved."), "success")
        return redirect_to(url_for("teaching.sessions.settings", session_id=session_id))
    db.session.commit()  # settings_of may have created the row
    return render("teaching/settings.html", "teaching/_settings_form.html",
                  **common_context(form=_settings_form(found), course_session=course_session))


@bp.route("/sessions/<int:session_id>/analytics")
@allow(Role.ADMIN, Role.TEACHER)
def analytics_page(session_id: int):
    course_session = load(session_id)
    figures = analytics.session_analytics(course_session)
    peak = max((d["enrollments"] for d in figures["enrollment_timeline"]), default=0)
    return render("teaching/analytics.html", **common_context(course_session=course_session, figures=figures,
                                                              peak=peak))


@bp.app_template_global("teaching_today_for_classroom")
def teaching_today_for_classroom(classroom) -> list:
    """Today's meetings of teaching sessions with students of ``classroom`` (one query), for its page."""
    from sqlalchemy import func, select

    meeting, enrollment = CourseSessionMeeting, CourseSessionEnrollment
    rows = db.session.execute(
        select(meeting, CourseSession.session_name, func.count(enrollment.student_id.distinct()))
        .join(CourseSession, CourseSession.id == meeting.course_session_id)
        .join(enrollment, enrollment.course_session_id == CourseSession.id)
        .join(ClassroomMembership, ClassroomMembership.student_id == enrollment.student_id)
        .where(ClassroomMembership.classroom_id == classroom.id,
               ClassroomMembership.status == MembershipStatus.ACTIVE,
               enrollment.enrollment_status == "ENROLLED", CourseSession.is_deleted.is_(False),
               meeting.meeting_date == local_today())
        .group_by(meeting.id, CourseSession.session_name).order_by(meeting.starts_at)).all()
    return [(m, name, count) for m, name, count in rows]
