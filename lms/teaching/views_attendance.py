"""``/sessions/<id>/attendance``: meetings (weekly repetition), the marking sheet with the check-in code
(one tap per student), reports per student and per meeting, CSV."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.models import Role, User
from lms.common.access import allow
from lms.common.csvexport import csv_response, local_datetime
from lms.common.formviews import saving
from lms.common.htmx import is_htmx, redirect_to, render, render_form_errors
from lms.common.ids import as_id
from lms.common.labels import label
from lms.common.types import utcnow
from lms.core.localtime import local_today
from lms.extensions import db
from lms.teaching import attendance as service
from lms.teaching import services
from lms.teaching.forms import MeetingForm
from lms.teaching.views_sessions import common_context, load, load_with

bp = Blueprint("attendance", __name__)


def _context(course_session, form=None, **extra) -> dict:
    if form is None:
        form = MeetingForm(formdata=None, meeting_date=local_today())
    return common_context(course_session=course_session, form=form, report=service.report(course_session),
                          tracking=services.settings_of(course_session).attendance_tracking_enabled, now=utcnow(),
                          statuses=service.STATUSES, **extra)


@bp.route("/sessions/<int:session_id>/attendance")
@allow(Role.ADMIN, Role.TEACHER)
def index(session_id: int):
    course_session = load(session_id)
    response = render("teaching/attendance.html", **_context(course_session))
    db.session.commit()
    return response


@bp.route("/sessions/<int:session_id>/meetings", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def create_meetings(session_id: int):
    course_session = load(session_id)
    form = MeetingForm()
    raw = request.form
    with saving(form) as saved:
        created = service.create_meetings(current_user, course_session, day=raw.get("meeting_date"),
                                          start=raw.get("start_time"), end=raw.get("end_time"),
                                          repeat_until=raw.get("repeat_until") or None)
    if not saved:
        return render_form_errors("teaching/attendance.html", "teaching/_meeting_form.html",
                                  **_context(load(session_id), form))
    flash(_("%(n)d meetings added.", n=len(created)) if len(created) > 1 else _("Meeting added."), "success")
    return redirect_to(url_for("teaching.attendance.index", session_id=session_id))


def _sheet_context(course_session, meeting, **extra) -> dict:
    return common_context(course_session=course_session, meeting=meeting,
                          students=service.enrolled_students(course_session),
                          marks=service.marks_of_meeting(meeting), now=utcnow(),
                          tracking=services.settings_of(course_session).attendance_tracking_enabled,
                          statuses=service.STATUSES, **extra)


@bp.route("/sessions/<int:session_id>/meetings/<int:meeting_id>")
@allow(Role.ADMIN, Role.TEACHER)
def meeting(session_id: int, meeting_id: int):
    course_session, found = load_with(session_id, service.get_meeting_for, meeting_id)
    return render("teaching/meeting.html", "teaching/_meeting_sheet.html",
                  **_sheet_context(course_session, found))


@bp.route("/sessions/<int:session_id>/meetings/<int:meeting_id>/mark", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def mark(session_id: int, meeting_id: int):
    course_session, found = load_with(session_id, service.get_meeting_for, meeting_id)
    student_id = request.form.get("student_id", "")
    if not is_htmx():  # a refusal is flashed on the meeting's page
        with saving():
            service.mark(current_user, course_session, found, student_id, request.form.get("status"))
        return redirect_to(url_for("teaching.attendance.meeting", session_id=session_id, meeting_id=meeting_id))
    service.mark(current_user, course_session, found, student_id, request.form.get("status"))
    db.session.commit()
    student = db.session.get(User, as_id(student_id))
    return render("teaching/meeting.html", "teaching/_attendance_row.html",
                  **_sheet_context(course_session, found, student=student))


@bp.route("/sessions/<int:session_id>/meetings/<int:meeting_id>/delete", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def delete_meeting(session_id: int, meeting_id: int):
    course_session, found = load_with(session_id, service.get_meeting_for, meeting_id)
    service.delete_meeting(current_user, course_session, found)
    db.session.commit()
    flash(_("Meeting deleted."), "success")
    return redirect_to(url_for("teaching.attendance.index", session_id=session_id))


@bp.route("/sessions/<int:session_id>/attendance.csv")
@allow(Role.ADMIN, Role.TEACHER)
def export(session_id: int):
    course_session = load(session_id)
    data = service.report(course_session)
    statuses = service.STATUSES
    header = [_("Student"), _("Email"), *[local_datetime(m.starts_at, "%Y-%m-%d %H:%M") for m in data["meetings"]],
              *[label("attendance_status", code) for code in statuses], _("Points"), _("Attendance rate")]
    rows = [[entry.student.full_name, entry.student.email, *[label("attendance_status", m) for m in entry.marks],
             *[entry.counts.get(code, 0) for code in statuses], entry.points, "" if entry.rate is None else entry.rate]
            for entry in data["students"]]
    return csv_response(f"session-{course_session.id}-attendance.csv", header, rows)
