"""``/api/v1/teacher/sessions...``: sessions, enrollments, announcements and settings (admins and teachers).

The contract's SUPER_ADMIN/TENANT_ADMIN roles are our ADMIN.  A teacher gets 403 "You can only manage your own
course sessions" for another teacher's session; a deleted or unknown id is 404 SESSION_NOT_FOUND.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user

from lms.api import serializers as ser
from lms.api.core import Query, bp, json_body, no_content, ok, ok_list, operation, paginate_query
from lms.auth.models import Role
from lms.common.access import allow
from lms.common.ids import ID_MAX
from lms.extensions import db
from lms.teaching import announcements as ann
from lms.teaching import enrollments as enr
from lms.teaching import services, settings
from lms.teaching.models import CourseSessionStatus, SessionEnrollmentStatus

STAFF = "ADMIN, TEACHER (own sessions)"
SESSION_ERRORS = (401, 403, 404)
SORT_FIELDS = tuple(services.SORTABLE)
LIST_QUERY = ("page", "limit", "status", "courseId", "startDate", "endDate", "sortBy", "sortOrder")


def _session(session_id: int):
    return services.get_session_for(current_user, session_id, api=True)


def _enrollment(session_id: int, enrollment_id: int):
    """The session and one of its enrollments, as ``current_user`` may see them (else 404)."""
    course_session = _session(session_id)
    return course_session, enr.get_enrollment_for(current_user, course_session, enrollment_id)


def _saved_enrollment(course_session, enrollment, message: str):
    """Commit the enrollment's change and answer with it."""
    db.session.commit()
    scale = services.settings_of(course_session).grading_scale
    return ok(ser.enrollment(enrollment, None, scale), message)


def _announcement(session_id: int, announcement_id: int):
    """The session and one of its announcements, as ``current_user`` may see them (else 404)."""
    course_session = _session(session_id)
    return course_session, ann.get_announcement_for(current_user, course_session, announcement_id)


def session_list(query: Query, *, teacher_filter: bool):
    page, limit = query.page(), query.limit(10)
    status = query.choice("status", tuple(CourseSessionStatus))
    course_id = query.integer("courseId", maximum=ID_MAX)
    teacher_id = query.integer("teacherId", maximum=ID_MAX) if teacher_filter else None
    start_from, end_before = query.date("startDate"), query.date("endDate")
    sort_by = query.choice("sortBy", SORT_FIELDS, "created_at")
    sort_order = query.choice("sortOrder", ("asc", "desc"), "desc")
    query.check()
    stmt = services.session_list_query(current_user, status=status, course_id=course_id, teacher_id=teacher_id,
                                       start_from=start_from, end_before=end_before, sort_by=sort_by,
                                       sort_order=sort_order)
    result = paginate_query(stmt, page, limit, scalars=False)
    return ok_list(result, [ser.session_item(s, count) for s, count in result.items])


@bp.route("/teacher/sessions", methods=["POST"])
@operation("POST", "/teacher/sessions", summary="Create a course session", tag="Teacher sessions", roles=STAFF,
           body="CourseSessionCreate", response="CourseSession", status=201, errors=(400, 401, 403, 409, 429))
@allow(Role.ADMIN, Role.TEACHER)
def create_session():
    course_session = services.create_session(current_user, json_body())
    db.session.commit()
    return ok(ser.session_full(course_session, 0), _("Course session created successfully"), 201)


@bp.route("/teacher/sessions", methods=["GET"])
@operation("GET", "/teacher/sessions", summary="List course sessions (a teacher's own; all for admins)",
           tag="Teacher sessions", roles=STAFF, response="CourseSessionListItem", list_response=True,
           query=LIST_QUERY, errors=(400, 401, 403))
@allow(Role.ADMIN, Role.TEACHER)
def list_sessions():
    return session_list(Query(), teacher_filter=False)


@bp.route("/teacher/sessions/<unbounded_int:session_id>", methods=["GET"])
@operation("GET", "/teacher/sessions/{sessionId}", summary="Get a course session", tag="Teacher sessions",
           roles=STAFF, response="CourseSession", errors=SESSION_ERRORS)
@allow(Role.ADMIN, Role.TEACHER)
def get_session(session_id: int):
    course_session = _session(session_id)
    counts = services.enrolled_counts([course_session.id])[course_session.id]
    enrolled = sum(counts.get(s, 0) for s in services.ENROLLED_STATUSES)
    return ok(ser.session_full(course_session, enrolled))


@bp.route("/teacher/sessions/<unbounded_int:session_id>", methods=["PATCH"])
@operation("PATCH", "/teacher/sessions/{sessionId}", summary="Update a course session (restricted once published)",
           tag="Teacher sessions", roles=STAFF, body="CourseSessionUpdate", response="CourseSession",
           errors=(400, 401, 403, 404, 409, 422))
@allow(Role.ADMIN, Role.TEACHER)
def update_session(session_id: int):
    course_session = _session(session_id)
    services.update_session(current_user, course_session, json_body())
    db.session.commit()
    return ok(ser.session_full(course_session), _("Course session updated successfully"))


@bp.route("/teacher/sessions/<unbounded_int:session_id>/publish", methods=["PATCH"])
@operation("PATCH", "/teacher/sessions/{sessionId}/publish", summary="Publish a draft session",
           tag="Teacher sessions", roles=STAFF, response="CourseSessionPublished", errors=(401, 403, 404, 422))
@allow(Role.ADMIN, Role.TEACHER)
def publish_session(session_id: int):
    course_session = _session(session_id)
    services.publish_session(current_user, course_session)
    db.session.commit()
    return ok(ser.published(course_session), _("Course session published successfully"))


@bp.route("/teacher/sessions/<unbounded_int:session_id>", methods=["DELETE"])
@operation("DELETE", "/teacher/sessions/{sessionId}", summary="Soft-delete a draft session",
           tag="Teacher sessions", roles=STAFF, status=204, errors=(401, 403, 404, 422))
@allow(Role.ADMIN, Role.TEACHER)
def delete_session(session_id: int):
    services.delete_session(current_user, _session(session_id))
    db.session.commit()
    return no_content()


# --- enrollments ----------------------------------------------------------------------------------


@bp.route("/teacher/sessions/<unbounded_int:session_id>/enrollments", methods=["GET"])
@operation("GET", "/teacher/sessions/{sessionId}/enrollments", summary="List a session's enrollments",
           tag="Enrollments", roles=STAFF, response="Enrollment", list_response=True,
           query=("status@enrollment", "page", "limit"), errors=(400, 401, 403, 404))
@allow(Role.ADMIN, Role.TEACHER)
def list_enrollments(session_id: int):
    result, scale = enrollment_page(session_id)
    return ok_list(result, [ser.enrollment(e, student, scale) for e, student in result.items])


def enrollment_page(session_id: int):
    """A page of the session's ``(enrollment, student)`` rows (``status``, ``page``, ``limit``; bad
    arguments: 400 before the session is looked up) and the session's grading scale."""
    query = Query()
    page, limit = query.page(), query.limit(20)
    status = query.choice("status", tuple(SessionEnrollmentStatus))
    query.check()
    course_session = _session(session_id)
    scale = services.settings_of(course_session).grading_scale
    return paginate_query(enr.enrollment_list_query(course_session, status=status), page, limit, scalars=False), scale


@bp.route("/teacher/sessions/<unbounded_int:session_id>/enrollments/<unbounded_int:enrollment_id>/status", methods=["PATCH"])
@operation("PATCH", "/teacher/sessions/{sessionId}/enrollments/{enrollmentId}/status",
           summary="Change an enrollment's status (approve, reject, complete, drop, expel)", tag="Enrollments",
           roles=STAFF, body="EnrollmentStatusUpdate", response="Enrollment", errors=(400, 401, 403, 404, 422))
@allow(Role.ADMIN, Role.TEACHER)
def update_enrollment_status(session_id: int, enrollment_id: int):
    course_session, enrollment = _enrollment(session_id, enrollment_id)
    enr.change_status(current_user, course_session, enrollment, json_body().get("enrollment_status"))
    return _saved_enrollment(course_session, enrollment, _("Enrollment status updated successfully"))


@bp.route("/teacher/sessions/<unbounded_int:session_id>/enrollments/<unbounded_int:enrollment_id>/grade", methods=["PATCH"])
@operation("PATCH", "/teacher/sessions/{sessionId}/enrollments/{enrollmentId}/grade",
           summary="Set a student's final grade and completion", tag="Enrollments", roles=STAFF,
           body="GradeUpdate", response="Enrollment", errors=(400, 401, 403, 404, 422))
@allow(Role.ADMIN, Role.TEACHER)
def update_grade(session_id: int, enrollment_id: int):
    course_session, enrollment = _enrollment(session_id, enrollment_id)
    enr.set_grade(current_user, course_session, enrollment, json_body())
    return _saved_enrollment(course_session, enrollment, _("Grade updated successfully"))


# --- announcements ----------------------------------------------------------------------------------


@bp.route("/teacher/sessions/<unbounded_int:session_id>/announcements", methods=["POST"])
@operation("POST", "/teacher/sessions/{sessionId}/announcements", summary="Create an announcement",
           tag="Announcements", roles=STAFF, body="AnnouncementCreate", response="Announcement", status=201,
           errors=(400, 401, 403, 404, 409, 429))
@allow(Role.ADMIN, Role.TEACHER)
def create_announcement(session_id: int):
    course_session = _session(session_id)
    announcement = ann.create_announcement(current_user, course_session, json_body())
    db.session.commit()
    return ok(ser.announcement(announcement), _("Announcement created successfully"), 201)


@bp.route("/teacher/sessions/<unbounded_int:session_id>/announcements", methods=["GET"])
@operation("GET", "/teacher/sessions/{sessionId}/announcements", summary="List a session's announcements",
           tag="Announcements", roles=STAFF, response="Announcement", list_response=True,
           query=("isUrgent", "activeOnly", "page", "limit"), errors=(400, 401, 403, 404))
@allow(Role.ADMIN, Role.TEACHER)
def list_announcements(session_id: int):
    query = Query()
    page, limit = query.page(), query.limit(20)
    is_urgent, active_only = query.boolean("isUrgent"), query.boolean("activeOnly")
    query.check()
    course_session = _session(session_id)
    stmt = ann.announcements_query(course_session, is_urgent=is_urgent, active_only=bool(active_only))
    result = paginate_query(stmt, page, limit)
    return ok_list(result, [ser.announcement(a) for a in result.items])


@bp.route("/teacher/sessions/<unbounded_int:session_id>/announcements/<unbounded_int:announcement_id>", methods=["PATCH"])
@operation("PATCH", "/teacher/sessions/{sessionId}/announcements/{announcementId}",
           summary="Update an announcement", tag="Announcements", roles=STAFF, body="AnnouncementUpdate",
           response="Announcement", errors=(400, 401, 403, 404, 409))
@allow(Role.ADMIN, Role.TEACHER)
def update_announcement(session_id: int, announcement_id: int):
    course_session, announcement = _announcement(session_id, announcement_id)
    ann.update_announcement(current_user, course_session, announcement, json_body())
    db.session.commit()
    return ok(ser.announcement(announcement), _("Announcement updated successfully"))


@bp.route("/teacher/sessions/<unbounded_int:session_id>/announcements/<unbounded_int:announcement_id>", methods=["DELETE"])
@operation("DELETE", "/teacher/sessions/{sessionId}/announcements/{announcementId}",
           summary="Soft-delete an announcement", tag="Announcements", roles=STAFF, status=204,
           errors=(401, 403, 404))
@allow(Role.ADMIN, Role.TEACHER)
def delete_announcement(session_id: int, announcement_id: int):
    course_session, announcement = _announcement(session_id, announcement_id)
    ann.delete_announcement(current_user, course_session, announcement)
    db.session.commit()
    return no_content()


# --- settings ---------------------------------------------------------------------------------------------


@bp.route("/teacher/sessions/<unbounded_int:session_id>/settings", methods=["GET"])
@operation("GET", "/teacher/sessions/{sessionId}/settings", summary="Get a session's settings",
           tag="Settings", roles=STAFF, response="Settings", errors=SESSION_ERRORS)
@allow(Role.ADMIN, Role.TEACHER)
def get_settings(session_id: int):
    found = services.settings_of(_session(session_id))
    db.session.commit()
    return ok(ser.settings(found))


@bp.route("/teacher/sessions/<unbounded_int:session_id>/settings", methods=["PUT"])
@operation("PUT", "/teacher/sessions/{sessionId}/settings", summary="Update a session's settings",
           tag="Settings", roles=STAFF, body="SettingsUpdate", response="Settings", errors=(400, 401, 403, 404))
@allow(Role.ADMIN, Role.TEACHER)
def put_settings(session_id: int):
    found = settings.update_settings(current_user, _session(session_id), json_body())
    db.session.commit()
    return ok(ser.settings(found), _("Settings updated successfully"))
