"""Parents' pages (phones first): each child's teaching sessions, now and past, and one session —
the schedule, the meetings with the child's attendance, the child's work and its result, and the
tutor's notes shared with parents.  Only the parent's own children (anyone else's: 404)."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from lms.auth.models import Role
from lms.common.access import allow
from lms.common.htmx import render
from lms.common.markdown import render_markdown
from lms.curriculum.models import Section, Subject
from lms.extensions import db
from lms.school.services import children_of
from lms.teaching import attendance, family, modes, services, work
from lms.teaching.settings import letter_for
from lms.teaching.views_sessions import common_context

bp = Blueprint("family", __name__)


@bp.route("/my/children/<int:student_id>/sessions")
@allow(Role.PARENT)
def index(student_id: int):
    child = family.child_for(current_user, student_id)
    current, past = family.child_sessions(child)
    sessions = [s for s, _e in current + past]
    return render("teaching/child_sessions.html", **common_context(
        child=child, children=children_of(current_user), current=current, past=past,
        names=services.names_for(sessions), places=modes.places_for(sessions)))


@bp.route("/my/children/<int:student_id>/sessions/<int:session_id>")
@allow(Role.PARENT)
def detail(student_id: int, session_id: int):
    child = family.child_for(current_user, student_id)
    course_session, enrollment = family.child_session(child, session_id)
    settings = services.settings_of(course_session)
    response = render("teaching/child_session.html", **common_context(
        child=child, course_session=course_session, enrollment=enrollment,
        names=services.names_for([course_session]), places=modes.places_for([course_session]), tracking=settings.attendance_tracking_enabled,
        meetings=attendance.my_attendance(child, course_session), past=family.is_past(course_session),
        notes=family.shared_notes(enrollment), render_markdown=render_markdown,
        letter=letter_for(settings.grading_scale, enrollment.final_grade),
        subject=db.session.get(Subject, enrollment.assigned_subject_id) if enrollment.assigned_subject_id else None,
        section=db.session.get(Section, enrollment.assigned_section_id) if enrollment.assigned_section_id else None,
        work_result=work.results_for(current_user, [enrollment]).get(enrollment.id)))
    db.session.commit()  # settings_of may have created the row
    return response
