"""One student's or one teaching session's trend (from the dashboard), and messaging a student's tutors."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, func, select

from lms.auth.models import User
from lms.common.access import allow
from lms.common.formviews import render_form, saving
from lms.common.htmx import is_htmx, redirect_to, render
from lms.common.ratelimit import config_limit
from lms.extensions import db, limiter
from lms.supervision import messaging, risk, trends
from lms.supervision.forms import TutorMessageForm
from lms.supervision.scope import TAKING_PART, get_session, get_student, supervised_scope
from lms.supervision.views import OVERSEERS, trend_chart, week_label
from lms.teaching.models import (
    CourseSessionAttendance,
    CourseSessionEnrollment,
    CourseSessionMeeting,
)

bp = Blueprint("trends", __name__, url_prefix="/supervision")


def _student_context(student, form=None) -> dict:
    scope = supervised_scope(current_user)
    weeks = trends.weeks_arg(request.args.get("weeks"))
    trend = trends.attendance_trend(scope, weeks, trends.student_condition(student.id))
    flagged = risk.at_risk(scope, student_id=student.id)
    return {"student": student, "weeks": weeks, "trend": trend, "chart": trend_chart(trend), "week_label": week_label,
            "reasons": flagged[0].reasons if flagged else [], "grades": risk.recent_grades(student.id),
            "tutors": messaging.tutors_of(current_user, student), "form": form or TutorMessageForm(formdata=None)}


@bp.route("/students/<int:student_id>")
@allow(*OVERSEERS)
def student(student_id: int):
    person = get_student(current_user, student_id)
    return render("supervision/student.html", **_student_context(person))


@bp.route("/students/<int:student_id>/message", methods=["POST"])
@allow(*OVERSEERS)
@limiter.limit(config_limit("SUPERVISOR_MESSAGE_LIMIT_PER_USER"), key_func=lambda: f"user:{current_user.id}")
def message(student_id: int):
    person = get_student(current_user, student_id)
    form = TutorMessageForm()
    if form.validate_on_submit():
        with saving(form, field="text") as outcome:
            names = messaging.message_tutors(current_user, person, form.text.data)
        if outcome:
            sent = _("Your message was sent to %(names)s.", names=", ".join(names))
            if is_htmx():
                return render("supervision/_message.html", sent=sent, **_student_context(person))
            flash(sent, "success")
            return redirect_to(url_for("supervision.trends.student", student_id=person.id))
    return render_form("supervision/student.html", "supervision/_message.html", **_student_context(person, form))


def _session_students(course_session, first_day):
    """The session's students with their marks since ``first_day``: (user, attended, marks), by name."""
    attended = func.sum(case((CourseSessionAttendance.status.in_(trends.ATTENDED), 1), else_=0))
    marks = (select(CourseSessionAttendance.student_id, attended.label("attended"), func.count().label("marks"))
             .join(CourseSessionMeeting, CourseSessionMeeting.id == CourseSessionAttendance.meeting_id)
             .where(CourseSessionMeeting.course_session_id == course_session.id,
                    CourseSessionMeeting.meeting_date >= first_day)
             .group_by(CourseSessionAttendance.student_id).subquery())
    return db.session.execute(
        select(User, marks.c.attended, marks.c.marks)
        .join(CourseSessionEnrollment, CourseSessionEnrollment.student_id == User.id)
        .outerjoin(marks, marks.c.student_id == User.id)
        .where(CourseSessionEnrollment.course_session_id == course_session.id,
               CourseSessionEnrollment.deleted_at.is_(None),
               CourseSessionEnrollment.enrollment_status.in_(TAKING_PART))
        .order_by(User.full_name, User.id)).all()


@bp.route("/sessions/<int:session_id>")
@allow(*OVERSEERS)
def session(session_id: int):
    course_session = get_session(current_user, session_id)
    scope = supervised_scope(current_user)
    weeks = trends.weeks_arg(request.args.get("weeks"))
    trend = trends.attendance_trend(scope, weeks, trends.session_condition(course_session.id))
    tutor = db.session.get(User, course_session.teacher_id)
    return render("supervision/session.html", course_session=course_session, tutor=tutor, weeks=weeks, trend=trend,
                  chart=trend_chart(trend), week_label=week_label, percent=trends.percent,
                  students=_session_students(course_session, trend.weeks[0].start))
