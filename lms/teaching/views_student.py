"""Students' pages (phones first): my teaching sessions, join with a code, a session (announcements, my
content and the work my tutor gave me alone, my attendance, check in, leave)."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.auth.models import Role
from lms.common.access import allow
from lms.common.formviews import render_form, saving
from lms.common.htmx import is_htmx, redirect_to, render, render_form_errors
from lms.common.markdown import render_markdown
from lms.common.navigation import nav_item
from lms.common.pagination import paginate
from lms.curriculum.models import Section, Subject
from lms.extensions import db
from lms.teaching import announcements as ann
from lms.teaching import attendance, limits, modes, services, work
from lms.teaching import enrollments as service
from lms.teaching.forms import CheckInForm, JoinForm
from lms.teaching.models import SessionEnrollmentStatus
from lms.teaching.settings import letter_for
from lms.teaching.views_sessions import common_context

bp = Blueprint("student", __name__)

nav_item("teaching.student.index", _l("My sessions"), Role.STUDENT, order=35)


@bp.route("/my/sessions")
@allow(Role.STUDENT)
def index():
    results = paginate(service.student_sessions_query(current_user), per_page=20, scalars=False)
    sessions = [s for s, _e in results.items]
    return render("teaching/my_sessions.html", **common_context(
        results=results, names=services.names_for(sessions), places=modes.places_for(sessions)))


@bp.route("/my/sessions/join", methods=["GET", "POST"])
@allow(Role.STUDENT)
def join():
    form = JoinForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "POST":
        # an error without a field (e.g. ALREADY_ENROLLED) is shown under the code box
        with saving(form, field="session_code") as saved:
            enrollment = service.join_by_code(current_user, form.session_code.data)
        if saved:
            if enrollment.enrollment_status == "PENDING":
                flash(_("Request sent: the teacher will approve it."), "success")
            else:
                flash(_("You joined the session."), "success")
            return redirect_to(url_for("teaching.student.detail", session_id=enrollment.course_session_id))
    return render_form("teaching/join.html", "teaching/_join_form.html", **common_context(form=form))


def _detail_context(course_session, enrollment, **extra) -> dict:
    """What the session page shows.  A PENDING student (not approved yet) sees only the session's name
    and their status (seed 000): no announcements, work, meetings or attendance."""
    settings = services.settings_of(course_session)
    if enrollment.enrollment_status == SessionEnrollmentStatus.PENDING:
        for name in ("checkin_form", "checked_in"):
            extra.pop(name, None)
        return common_context(course_session=course_session, enrollment=enrollment, pending=True,
                              names=services.names_for([course_session]), settings=settings, **extra)
    announcements = list(db.session.scalars(ann.announcements_query(course_session, live_only=True).limit(20)))
    return common_context(
        course_session=course_session, enrollment=enrollment, names=services.names_for([course_session]),
        places=modes.places_for([course_session]), link=modes.link_for_student(course_session, enrollment),
        announcements=announcements, render_markdown=render_markdown, settings=settings, pending=False,
        letter=letter_for(settings.grading_scale, enrollment.final_grade),
        subject=db.session.get(Subject, enrollment.assigned_subject_id) if enrollment.assigned_subject_id else None,
        section=db.session.get(Section, enrollment.assigned_section_id) if enrollment.assigned_section_id else None,
        work_result=work.results_for(current_user, [enrollment]).get(enrollment.id),
        my_attendance=attendance.my_attendance(current_user, course_session) if settings.attendance_tracking_enabled
        else [], current_meeting=attendance.current_meeting(course_session)
        if settings.attendance_tracking_enabled else None,
        checkin_form=extra.pop("checkin_form", None) or CheckInForm(formdata=None), **extra)


@bp.route("/my/sessions/<int:session_id>")
@allow(Role.STUDENT)
def detail(session_id: int):
    course_session, enrollment = service.get_student_session(current_user, session_id)
    response = render("teaching/my_session.html", **_detail_context(course_session, enrollment))
    db.session.commit()
    return response


@bp.route("/my/sessions/<int:session_id>/check-in", methods=["POST"])
@allow(Role.STUDENT)
def check_in(session_id: int):
    course_session, enrollment = service.get_student_session(current_user, session_id)
    service.require_approved(enrollment)
    form = CheckInForm(formdata=request.form)
    with saving(form, field="code") as saved:
        limits.hit("TEACHING_CHECKIN_LIMIT_PER_STUDENT", current_user.id)
        mark = attendance.check_in(current_user, course_session, form.code.data)
    if not saved:
        course_session, enrollment = service.get_student_session(current_user, session_id)
        return render_form_errors("teaching/my_session.html", "teaching/_checkin.html",
                                  **_detail_context(course_session, enrollment, checkin_form=form))
    message = _("You are checked in.") if mark.status == "PRESENT" else _("You are checked in (late).")
    if is_htmx():
        return render("teaching/my_session.html", "teaching/_checkin.html",
                      **_detail_context(course_session, enrollment, checked_in=message))
    flash(message, "success")
    return redirect_to(url_for("teaching.student.detail", session_id=session_id))


@bp.route("/my/sessions/<int:session_id>/drop", methods=["POST"])
@allow(Role.STUDENT)
def drop(session_id: int):
    course_session, _enrollment = service.get_student_session(current_user, session_id)
    service.drop(current_user, course_session)
    db.session.commit()
    flash(_("You left “%(name)s”.", name=course_session.session_name), "success")
    return redirect_to(url_for("teaching.student.index"))
