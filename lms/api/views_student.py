"""``/api/v1/student/...`` (students), ``/api/v1/admin/...`` (admins), ``/api/v1/auth/token`` and the
OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

from flask import g, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from lms.api import serializers as ser
from lms.api.core import Query, bp, iso, json_body, ok, ok_list, operation, paginate_query
from lms.api.openapi import build_document
from lms.api.tokens import issue_jwt
from lms.api.views_teacher import session_list
from lms.auth.models import Role
from lms.auth.services import authenticate
from lms.auth.sign_in_limits import sign_in_limits
from lms.common.access import PUBLIC, allow
from lms.common.errors import DomainError, ValidationFailed
from lms.common.types import utcnow
from lms.extensions import db
from lms.teaching import analytics, modes, services
from lms.teaching import announcements as ann
from lms.teaching import enrollments as enr
from lms.teaching.models import SessionEnrollmentStatus

STUDENT = "STUDENT"


# --- students ------------------------------------------------------------------------------------


@bp.route("/student/sessions/join", methods=["POST"])
@operation("POST", "/student/sessions/join", summary="Join a session with its code", tag="Student",
           roles=STUDENT, body="JoinRequest", response="JoinedEnrollment", status=201,
           errors=(400, 401, 403, 409, 422, 429))
@allow(Role.STUDENT)
def join_session():
    enrollment = enr.join_by_code(current_user, json_body().get("session_code"))
    db.session.commit()
    message = _("Successfully enrolled in session") if enrollment.enrollment_status == "ENROLLED" \
        else _("Enrollment request sent; the teacher will approve it")
    return ok(ser.joined(enrollment), message, 201)


@bp.route("/student/sessions", methods=["GET"])
@operation("GET", "/student/sessions", summary="The sessions I am enrolled in", tag="Student", roles=STUDENT,
           response="StudentSession", list_response=True, query=("status@enrollment", "activeOnly", "page", "limit"),
           errors=(400, 401, 403))
@allow(Role.STUDENT)
def my_sessions():
    query = Query()
    page, limit = query.page(), query.limit(20)
    status = query.choice("status", tuple(SessionEnrollmentStatus))
    active_only = query.boolean("activeOnly")
    query.check()
    stmt = enr.student_sessions_query(current_user, status=status, active_only=bool(active_only))
    result = paginate_query(stmt, page, limit, scalars=False)
    return ok_list(result, [ser.student_session(s, e) for s, e in result.items])


@bp.route("/student/sessions/<unbounded_int:session_id>", methods=["GET"])
@operation("GET", "/student/sessions/{sessionId}",
           summary="An enrolled session's details (while the enrollment is PENDING: only its name and status)",
           tag="Student",
           roles=STUDENT, response="StudentSessionDetail", errors=(401, 403, 404))
@allow(Role.STUDENT)
def my_session(session_id: int):
    course_session, enrollment = enr.get_student_session(current_user, session_id, api=True)
    if enrollment.enrollment_status == SessionEnrollmentStatus.PENDING:  # not approved yet: name and status
        return ok(ser.pending_session(course_session, enrollment))
    scale = services.settings_of(course_session).grading_scale
    data = ser.session_full(course_session)
    for hidden in ("is_deleted", "tenant_id"):
        data.pop(hidden, None)
    data["enrollment"] = ser.enrollment(enrollment, None, scale)
    ser.student_link(data, modes.link_for_student(course_session, enrollment))
    db.session.commit()
    return ok(data)


@bp.route("/student/sessions/<unbounded_int:session_id>/enrollment", methods=["DELETE"])
@operation("DELETE", "/student/sessions/{sessionId}/enrollment", summary="Drop out of a session (if allowed)",
           tag="Student", roles=STUDENT, response="Enrollment", errors=(401, 403, 404, 422))
@allow(Role.STUDENT)
def drop_session(session_id: int):
    course_session, _enrollment = enr.get_student_session(current_user, session_id, api=True)
    enrollment = enr.drop(current_user, course_session)
    db.session.commit()
    return ok(ser.enrollment(enrollment), _("Successfully dropped from session"))


@bp.route("/student/sessions/<unbounded_int:session_id>/announcements", methods=["GET"])
@operation("GET", "/student/sessions/{sessionId}/announcements", summary="Active announcements of my session",
           tag="Student", roles=STUDENT, response="Announcement", list_response=True, query=("page", "limit"),
           errors=(400, 401, 403, 404))
@allow(Role.STUDENT)
def my_announcements(session_id: int):
    query = Query()
    page, limit = query.page(), query.limit(20)
    query.check()
    course_session, enrollment = enr.get_student_session(current_user, session_id, api=True)
    enr.require_approved(enrollment)
    result = paginate_query(ann.announcements_query(course_session, live_only=True), page, limit)
    return ok_list(result, [ser.announcement(a) for a in result.items])


# --- admins ------------------------------------------------------------------------------------------


@bp.route("/admin/sessions", methods=["GET"])
@operation("GET", "/admin/sessions", summary="Every session of the school", tag="Admin", roles="ADMIN",
           response="CourseSessionListItem", list_response=True,
           query=("teacherId", "courseId", "status", "startDate", "endDate", "sortBy", "sortOrder", "page",
                  "limit"), errors=(400, 401, 403))
@allow(Role.ADMIN)
def admin_sessions():
    return session_list(Query(), teacher_filter=True)


@bp.route("/admin/sessions/<unbounded_int:session_id>/analytics", methods=["GET"])
@operation("GET", "/admin/sessions/{sessionId}/analytics", summary="A session's analytics", tag="Admin",
           roles="ADMIN", response="Analytics", errors=(401, 403, 404))
@allow(Role.ADMIN)
def admin_analytics(session_id: int):
    course_session = services.get_session_for(current_user, session_id, api=True)
    return ok(analytics.session_analytics(course_session))


# --- tokens and the document ---------------------------------------------------------------------------


@bp.route("/auth/token", methods=["POST"])
@operation("POST", "/auth/token", summary="Exchange a login (email, username or student number) and password for a 15-minute bearer token (JWT)",
           tag="Authentication", body="TokenRequest", response="Token", public=True, errors=(400, 401, 429))
@allow(PUBLIC)
@sign_in_limits  # one counter with the sign-in page
def issue_token():
    data = json_body()
    login, password = data.get("login"), data.get("password")
    if login is None:  # the field's name before usernames existed (kept for API clients)
        login = data.get("email")
    if not isinstance(login, str) or not login.strip():
        raise ValidationFailed(_("login is required"), field="login")
    if not isinstance(password, str) or not password:
        raise ValidationFailed(_("password is required"), field="password")
    try:
        user = authenticate(login, password)
    except ValidationFailed as err:
        g.lms_login_failed = True
        db.session.commit()  # the failed attempt is recorded
        raise DomainError(err.message, code=err.code, status=401) from None
    token, seconds = issue_jwt(user)
    db.session.commit()
    return ok({"access_token": token, "token_type": "Bearer", "expires_in": seconds,
               "expires_at": iso(utcnow() + timedelta(seconds=seconds)),
               "user": {"id": user.id, "role": str(user.role), "full_name": user.full_name}},
              _("Token issued"))


@bp.route("/openapi.json", methods=["GET"])
@operation("GET", "/openapi.json", summary="This document (OpenAPI 3.0)", tag="Meta", public=True,
           response=None)
@allow(PUBLIC)
def openapi_document():
    return jsonify(build_document())
