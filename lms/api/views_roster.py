"""``/api/v1/teacher/sessions/{id}/meetings...`` and ``.../students...``: seed 004's attendance and
student-management endpoints (a session's meetings and their attendance marks; its students, adding
and removing one, one student's own work), for admins and the session's teacher.

Every rule is ``lms.teaching``'s (``attendance.mark``, ``enrollments.add_student`` / ``remove_student``,
``work.assign_work``), the same functions the HTML pages call.  Access is the other teacher endpoints':
another teacher's session 403, a student's token 403, an unknown session 404 SESSION_NOT_FOUND.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user

from lms.api import serializers as ser
from lms.api.core import Query, bp, json_body, no_content, ok, ok_list, operation, paginate_query
from lms.api.views_teacher import enrollment_page
from lms.auth.models import Role, User
from lms.common.access import allow
from lms.extensions import db
from lms.teaching import attendance, services, work
from lms.teaching import enrollments as enr

STAFF = "ADMIN, TEACHER (own sessions)"


def _session(session_id: int):
    return services.get_session_for(current_user, session_id, api=True)


def _meeting(session_id: int, meeting_id: int):
    course_session = _session(session_id)
    return course_session, attendance.get_meeting_for(current_user, course_session, meeting_id)


def _sheet(course_session, meeting) -> dict:
    """Every enrolled student of the meeting's session with their mark (null while unmarked)."""
    marks = attendance.marks_of_meeting(meeting)
    return {"meeting": ser.meeting(meeting),
            "marks": [ser.attendance_mark(meeting.id, student, marks.get(student.id))
                      for student in attendance.enrolled_students(course_session)]}


def _student_answer(course_session, enrollment, message: str, status: int = 200):
    db.session.commit()
    scale = services.settings_of(course_session).grading_scale
    result = work.results_for(current_user, [enrollment]).get(enrollment.id)
    student = db.session.get(User, enrollment.student_id)
    return ok(ser.session_student(enrollment, student, scale, result), message, status)


# --- meetings and attendance -------------------------------------------------------------------------


@bp.route("/teacher/sessions/<unbounded_int:session_id>/meetings", methods=["GET"])
@operation("GET", "/teacher/sessions/{sessionId}/meetings", summary="List a session's meetings (in time order)",
           tag="Attendance", roles=STAFF, response="Meeting", list_response=True, query=("page", "limit"),
           errors=(400, 401, 403, 404))
@allow(Role.ADMIN, Role.TEACHER)
def list_meetings(session_id: int):
    query = Query()
    page, limit = query.page(), query.limit(20)
    query.check()
    result = paginate_query(attendance.meetings_query(_session(session_id)), page, limit)
    return ok_list(result, [ser.meeting(m) for m in result.items])


@bp.route("/teacher/sessions/<unbounded_int:session_id>/meetings/<unbounded_int:meeting_id>/attendance",
          methods=["GET"])
@operation("GET", "/teacher/sessions/{sessionId}/meetings/{meetingId}/attendance",
           summary="A meeting's attendance: every enrolled student and their mark", tag="Attendance", roles=STAFF,
           response="MeetingAttendance", errors=(401, 403, 404))
@allow(Role.ADMIN, Role.TEACHER)
def get_attendance(session_id: int, meeting_id: int):
    course_session, meeting = _meeting(session_id, meeting_id)
    return ok(_sheet(course_session, meeting))


@bp.route("/teacher/sessions/<unbounded_int:session_id>/meetings/<unbounded_int:meeting_id>/attendance",
          methods=["PUT"])
@operation("PUT", "/teacher/sessions/{sessionId}/meetings/{meetingId}/attendance",
           summary="Mark one or more students (all or nothing; sending the same marks again changes nothing)",
           tag="Attendance", roles=STAFF, body="AttendanceMarks", response="MeetingAttendance",
           errors=(400, 401, 403, 404, 422))
@allow(Role.ADMIN, Role.TEACHER)
def mark_attendance(session_id: int, meeting_id: int):
    course_session, meeting = _meeting(session_id, meeting_id)
    attendance.mark_many(current_user, course_session, meeting, json_body().get("marks"))
    db.session.commit()
    return ok(_sheet(course_session, meeting), _("Attendance saved"))


# --- students ------------------------------------------------------------------------------------------


@bp.route("/teacher/sessions/<unbounded_int:session_id>/students", methods=["GET"])
@operation("GET", "/teacher/sessions/{sessionId}/students",
           summary="List a session's students with their own content, work and its result", tag="Session students",
           roles=STAFF, response="SessionStudent", list_response=True,
           query=("status@enrollment", "page", "limit"), errors=(400, 401, 403, 404))
@allow(Role.ADMIN, Role.TEACHER)
def list_students(session_id: int):
    result, scale = enrollment_page(session_id)
    results = work.results_for(current_user, [e for e, _student in result.items])
    return ok_list(result, [ser.session_student(e, student, scale, results.get(e.id))
                            for e, student in result.items])


@bp.route("/teacher/sessions/<unbounded_int:session_id>/students", methods=["POST"])
@operation("POST", "/teacher/sessions/{sessionId}/students",
           summary="Add a student you can see (by email, username, student number or user id): ENROLLED",
           tag="Session students", roles=STAFF, body="SessionStudentAdd", response="SessionStudent", status=201,
           errors=(400, 401, 403, 404, 409, 422, 429))
@allow(Role.ADMIN, Role.TEACHER)
def add_student(session_id: int):
    course_session = _session(session_id)
    body = json_body()
    enrollment = enr.add_student(current_user, course_session, body.get("student"), body.get("student_id"))
    return _student_answer(course_session, enrollment, _("Student added to the session"), 201)


@bp.route("/teacher/sessions/<unbounded_int:session_id>/students/<unbounded_int:student_id>", methods=["DELETE"])
@operation("DELETE", "/teacher/sessions/{sessionId}/students/{studentId}",
           summary="Remove a student (a pending request is rejected; removing again changes nothing)",
           tag="Session students", roles=STAFF, status=204, errors=(401, 403, 404, 422))
@allow(Role.ADMIN, Role.TEACHER)
def remove_student(session_id: int, student_id: int):
    course_session = _session(session_id)
    enrollment = enr.get_student_enrollment_for(current_user, course_session, student_id)
    enr.remove_student(current_user, course_session, enrollment)
    db.session.commit()
    return no_content()


@bp.route("/teacher/sessions/<unbounded_int:session_id>/students/<unbounded_int:student_id>/work",
          methods=["PATCH"])
@operation("PATCH", "/teacher/sessions/{sessionId}/students/{studentId}/work",
           summary="Give one student their own assessment and exercise (a key left out is unchanged; null clears)",
           tag="Session students", roles=STAFF, body="StudentWorkUpdate", response="SessionStudent",
           errors=(400, 401, 403, 404, 422))
@allow(Role.ADMIN, Role.TEACHER)
def assign_work(session_id: int, student_id: int):
    course_session = _session(session_id)
    enrollment = enr.get_student_enrollment_for(current_user, course_session, student_id)
    body = json_body()
    work.assign_work(current_user, course_session, enrollment,
                     assessment_id=body.get("assessment_id", enrollment.assigned_assessment_id),
                     exercise=body.get("exercise_content", enrollment.exercise_content))
    return _student_answer(course_session, enrollment, _("Work assigned"))
