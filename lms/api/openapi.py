"""The OpenAPI 3.0 document, built from the ``@operation`` declarations of the API routes."""

from __future__ import annotations

import re

from lms.api.core import API_PREFIX, OPERATIONS
from lms.common.ids import ID_MAX
from lms.common.pagination import MAX_PAGE
from lms.teaching.models import EXERCISE_MAX

DATE = {"type": "string", "format": "date-time", "example": "2026-03-01T09:00:00Z",
        "description": "ISO 8601 / RFC 3339 with a time and an offset (Z for UTC); in requests, years "
                       "1900-2200 (400 otherwise)"}
NULL_DATE = {**DATE, "nullable": True}
ID = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
NULL_ID = {**ID, "nullable": True}
COUNT = {"type": "integer", "minimum": 0}
PERCENT = {"type": "number", "minimum": 0, "maximum": 100}
STR = {"type": "string"}
BOOL = {"type": "boolean"}
GRADE = {"type": "integer", "minimum": 0, "maximum": 100}
SESSION_STATUS = {"type": "string", "enum": ["DRAFT", "PUBLISHED", "EXPIRED"]}
ENROLLMENT_STATUS = {"type": "string", "enum": ["PENDING", "ENROLLED", "DROPPED", "COMPLETED", "EXPELLED"]}
ATTENDANCE_STATUS = {"type": "string", "enum": ["PRESENT", "LATE", "EXCUSED", "ABSENT"]}
SESSION_CODE = {"type": "string", "minLength": 8, "maxLength": 10, "pattern": "^[A-HJ-NP-Z2-9]{8,10}$",
                "example": "MATHSTAR"}
SESSION_NAME = {"type": "string", "minLength": 2, "maxLength": 255,
                "description": "2–255 characters once spaces are trimmed and collapsed"}
DESCRIPTION = {"type": "string", "nullable": True, "maxLength": 5000}
TIMEZONE = {"type": "string", "nullable": True, "maxLength": 50, "example": "Asia/Bangkok",
            "description": "An IANA timezone name (400 VALIDATION_ERROR for an unknown one)"}
TITLE = {"type": "string", "minLength": 2, "maxLength": 255,
         "description": "2–255 characters once spaces are trimmed"}
PLACE_MODE = {"type": "string", "enum": ["ONLINE", "IN_PERSON", "HYBRID"]}
MEETING_LINK = {"type": "string", "nullable": True, "maxLength": 500,
                "example": "https://meet.example.org/abc-defg",
                "description": "An https:// address with a host, no spaces or control characters (400 "
                               "VALIDATION_ERROR otherwise); empty or null: none"}
MESSAGE = {"type": "string", "minLength": 10, "maxLength": 2000,
           "description": "10–2000 characters once spaces are trimmed"}


def _nullable(schema: dict, description: str = "") -> dict:
    """``schema`` or null (an enum lists null too, as OpenAPI 3.0 wants)."""
    result = {**schema, "nullable": True}
    if "enum" in schema:
        result["enum"] = [*schema["enum"], None]
    if description:
        result["description"] = description
    return result


def _obj(properties: dict, required: tuple = (), *, closed: bool = False, description: str = "") -> dict:
    """An object schema; ``closed``: the server refuses other keys (400 VALIDATION_ERROR)."""
    schema = {"type": "object", "properties": properties}
    if description:
        schema["description"] = description
    if required:
        schema["required"] = list(required)
    if closed:
        schema["additionalProperties"] = False
    return schema


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


GRADE_RANGE = _obj({"min": GRADE, "max": GRADE}, ("min", "max"), closed=True)
GRADING_SCALE = {"type": "object", "nullable": True, "maxProperties": 20,
                 "description": "Up to 20 grade names (1–5 characters) with ranges in 0–100, min ≤ max, "
                                "not overlapping (400 VALIDATION_ERROR otherwise)",
                 "additionalProperties": GRADE_RANGE,
                 "example": {"A": {"min": 85, "max": 100}, "B": {"min": 75, "max": 84}}}
POINTS = {"type": "integer", "minimum": 0, "maximum": 100}
ATTENDANCE_POINTS = _obj({"PRESENT": POINTS, "LATE": POINTS, "EXCUSED": POINTS, "ABSENT": POINTS}, closed=True)
SETTING_FLAGS = ("allow_late_enrollment", "require_approval_for_enrollment", "allow_student_discussions",
                 "send_reminder_emails", "attendance_tracking_enabled", "allow_student_drop")
SETTINGS_FIELDS = {**{name: BOOL for name in SETTING_FLAGS},
                   "reminder_days_before_expiry": {"type": "integer", "minimum": 1, "maximum": 30},
                   "grading_scale": GRADING_SCALE}
SESSION_FIELDS = {
    "session_name": SESSION_NAME, "session_description": DESCRIPTION,
    "teacher_id": {**ID, "description": "An active TEACHER's user id (a teacher's own by default)"},
    "course_id": {**ID, "description": "A curriculum subject the teacher teaches"},
    "start_date": {**DATE, "description": "Not in the past for a new session"},
    "end_date": {**DATE, "description": "After start_date"},
    "max_students": {"type": "integer", "minimum": 1, "maximum": 100000, "nullable": True},
    "enrollment_deadline": {**NULL_DATE, "description": "Not after end_date"},
    "session_timezone": TIMEZONE, "auto_expire_enabled": BOOL,
    "mode": _nullable(PLACE_MODE, "null: ONLINE for a new session, unchanged in an update; IN_PERSON and "
                                  "HYBRID need a room_id (400 VALIDATION_ERROR otherwise)"),
    "centre_id": {**NULL_ID, "description": "An open centre (optional for ONLINE); with a room_id, the room's "
                                            "centre (null: the room's)"},
    "room_id": {**NULL_ID, "description": "An open room of centre_id; null for ONLINE. A room already hosting "
                                          "a meeting at the time of one of this session's: 409 ROOM_TAKEN"},
    "meeting_link": MEETING_LINK,
}

SCHEMAS = {
    "CourseSessionCreate": _obj({
        **SESSION_FIELDS, "teacher_id": {**SESSION_FIELDS["teacher_id"], "nullable": True},
        "auto_expire_enabled": {**BOOL, "nullable": True, "description": "null: true"},
        "course_session_status": _nullable({"type": "string", "enum": ["DRAFT", "PUBLISHED"]}, "null: DRAFT"),
    }, ("session_name", "course_id", "start_date", "end_date"), closed=True),
    "CourseSessionUpdate": _obj({
        **SESSION_FIELDS, "teacher_id": {**SESSION_FIELDS["teacher_id"], "nullable": True},
        "course_id": {**SESSION_FIELDS["course_id"], "nullable": True},
        "course_session_status": _nullable(SESSION_STATUS,
                                           "Only forward: DRAFT → PUBLISHED → EXPIRED (422 otherwise)"),
    }, closed=True, description="null for teacher_id, course_id or course_session_status: unchanged"),
    "CourseSession": _obj({
        "course_session_id": ID, "session_name": STR, "session_description": {"type": "string", "nullable": True},
        "teacher_id": ID, "course_id": ID, "course_session_status": SESSION_STATUS,
        "start_date": DATE, "end_date": DATE, "max_students": {"type": "integer", "minimum": 1, "nullable": True},
        "enrollment_deadline": NULL_DATE, "session_timezone": {"type": "string", "nullable": True},
        "session_code": {**SESSION_CODE, "nullable": True}, "auto_expire_enabled": BOOL,
        "tenant_id": ID, "created_at": DATE, "updated_at": DATE, "is_active": BOOL, "is_deleted": BOOL,
        "mode": PLACE_MODE, "centre_id": NULL_ID, "room_id": NULL_ID,
        "meeting_link": {**MEETING_LINK, "description": "Staff: always. Students (GET /student/sessions/{id}): "
                                                        "only from 15 minutes before a meeting starts until it "
                                                        "ends, else null"},
        "meeting_link_opens_at": {**NULL_DATE, "description": "Students only: when the link appears next "
                                                              "(null while it is shown or when no meeting is to "
                                                              "come)"},
        "enrolled_count": {**COUNT, "description": "Students enrolled now (ENROLLED + COMPLETED), "
                                                   "the same figure as analytics' total_enrolled"},
    }, ("course_session_id", "session_name", "teacher_id", "course_id", "course_session_status", "start_date",
        "end_date")),
    "CourseSessionListItem": _obj({
        "course_session_id": ID, "session_name": STR, "course_session_status": SESSION_STATUS,
        "start_date": DATE, "end_date": DATE, "session_code": {**SESSION_CODE, "nullable": True},
        "enrolled_count": COUNT, "max_students": {"type": "integer", "minimum": 1, "nullable": True},
        "teacher_id": ID, "course_id": ID, "mode": PLACE_MODE, "centre_id": NULL_ID, "room_id": NULL_ID,
    }, ("course_session_id", "session_name", "course_session_status", "enrolled_count")),
    "CourseSessionPublished": _obj({
        "course_session_id": ID, "course_session_status": SESSION_STATUS, "session_code": SESSION_CODE,
        "updated_at": DATE,
    }, ("course_session_id", "course_session_status", "session_code")),
    "Enrollment": _obj({
        "course_session_enrollment_id": ID, "course_session_id": ID, "student_id": ID, "enrolled_at": DATE,
        "enrollment_status": ENROLLMENT_STATUS, "completion_percentage": GRADE,
        "final_grade": {**GRADE, "nullable": True},
        "letter_grade": {"type": "string", "nullable": True}, "completion_date": NULL_DATE,
        "dropped_at": NULL_DATE, "assigned_subject_id": NULL_ID, "assigned_section_id": NULL_ID,
        "notes": {"type": "string", "nullable": True},
        "student": _obj({"full_name": STR, "email_address": {"type": "string", "nullable": True}}),
    }, ("course_session_enrollment_id", "course_session_id", "student_id", "enrollment_status")),
    "EnrollmentStatusUpdate": _obj({"enrollment_status": ENROLLMENT_STATUS}, ("enrollment_status",), closed=True),
    "GradeUpdate": _obj({"final_grade": {**GRADE, "nullable": True}, "completion_percentage": GRADE},
                        ("completion_percentage",), closed=True),
    "AnnouncementCreate": _obj({
        "title": TITLE, "message": MESSAGE, "is_urgent": {**BOOL, "nullable": True}, "scheduled_for": NULL_DATE,
        "expires_at": {**NULL_DATE, "description": "After scheduled_for"},
    }, ("title", "message"), closed=True),
    "AnnouncementUpdate": _obj({
        "title": TITLE, "message": MESSAGE, "is_urgent": {**BOOL, "nullable": True}, "scheduled_for": NULL_DATE,
        "expires_at": {**NULL_DATE, "description": "After scheduled_for"},
    }, closed=True),
    "Announcement": _obj({
        "course_session_announcement_id": ID, "course_session_id": ID, "title": STR, "message": STR,
        "is_urgent": BOOL, "scheduled_for": NULL_DATE, "expires_at": NULL_DATE, "is_active": BOOL,
        "created_at": DATE, "updated_at": NULL_DATE,
    }, ("course_session_announcement_id", "course_session_id", "title", "message")),
    "Settings": _obj({
        "course_session_settings_id": ID, "course_session_id": ID, **SETTINGS_FIELDS,
        "attendance_points": ATTENDANCE_POINTS, "default_attendance_status": ATTENDANCE_STATUS,
    }, ("course_session_settings_id", "course_session_id")),
    "SettingsUpdate": _obj({
        **SETTINGS_FIELDS, **{name: {**BOOL, "nullable": True} for name in SETTING_FLAGS},
        "attendance_points": {**ATTENDANCE_POINTS, "nullable": True},
        "default_attendance_status": _nullable(ATTENDANCE_STATUS),
    }, ("reminder_days_before_expiry",), closed=True, description="null for a flag, attendance_points or "
                                                                  "default_attendance_status: unchanged"),
    "Meeting": _obj({
        "meeting_id": ID, "course_session_id": ID, "meeting_date": {"type": "string", "format": "date"},
        "starts_at": DATE, "ends_at": DATE,
    }, ("meeting_id", "course_session_id", "meeting_date", "starts_at", "ends_at")),
    "AttendanceMark": _obj({
        "meeting_id": ID, "student_id": ID, "full_name": STR, "status": _nullable(ATTENDANCE_STATUS, "null: unmarked"),
        "source": _nullable({"type": "string", "enum": ["TEACHER", "CHECKIN", "DEFAULT"]}),
        "marked_at": NULL_DATE,
    }, ("meeting_id", "student_id", "status")),
    "MeetingAttendance": _obj({"meeting": _ref("Meeting"), "marks": {"type": "array", "items": _ref("AttendanceMark")}},
                              ("meeting", "marks")),
    "AttendanceMarks": _obj({"marks": {
        "type": "array", "minItems": 1, "maxItems": 200,
        "description": "Each student at most once; a student not enrolled in the session is 404 "
                       "ENROLLMENT_NOT_FOUND and nothing is saved",
        "items": _obj({"student_id": ID, "status": ATTENDANCE_STATUS}, ("student_id", "status"), closed=True)}},
        ("marks",), closed=True),
    "SessionStudent": {"allOf": [_ref("Enrollment"), _obj({
        "notes_shared_with_parents": BOOL, "assigned_assessment_id": NULL_ID,
        "exercise_content": {"type": "string", "nullable": True}, "work_assigned_at": NULL_DATE,
        "work_result": {**_obj({"title": STR, "state": STR, "text": {"type": "string", "nullable": True},
                                "percent": {"type": "number", "nullable": True}}), "nullable": True},
    })]},
    "SessionStudentAdd": _obj({
        "student": {"type": "string", "minLength": 1, "maxLength": 254,
                    "description": "Email, username or student number of a student you can see"},
        "student_id": {**ID, "description": "Or the student's user id"},
    }, closed=True, description="student or student_id (one of them): 400 naming student otherwise, or when no "
                                "student of yours matches"),
    "StudentWorkUpdate": _obj({
        "assessment_id": {**NULL_ID, "description": "A published assessment you can see; null takes it back"},
        "exercise_content": {"type": "string", "nullable": True, "maxLength": EXERCISE_MAX,
                             "description": "Markdown; null or empty takes it back"},
    }, closed=True),
    "JoinRequest": _obj({"session_code": {"type": "string", "minLength": 1, "example": "MATHSTAR",
                                          "description": "Case, spaces and dashes do not matter; an unknown "
                                                         "code is 409 INVALID_SESSION_CODE"}},
                        ("session_code",), closed=True),
    "JoinedEnrollment": _obj({
        "course_session_enrollment_id": ID, "course_session_id": ID, "student_id": ID, "enrolled_at": DATE,
        "enrollment_status": ENROLLMENT_STATUS,
    }, ("course_session_enrollment_id", "course_session_id", "student_id", "enrollment_status")),
    "StudentSession": _obj({
        "course_session_id": ID, "session_name": STR, "course_session_status": SESSION_STATUS,
        "enrollment_status": ENROLLMENT_STATUS, "completion_percentage": GRADE, "start_date": DATE,
        "end_date": DATE, "mode": PLACE_MODE, "centre_id": NULL_ID, "room_id": NULL_ID,
    }, ("course_session_id", "session_name", "course_session_status", "enrollment_status")),
    "StudentSessionDetail": {"allOf": [{"$ref": "#/components/schemas/CourseSession"},
                                       _obj({"enrollment": {"$ref": "#/components/schemas/Enrollment"}},
                                            ("enrollment",))]},
    "Analytics": _obj({
        "session_overview": _obj({
            "total_enrolled": {**COUNT, "description": "Students enrolled now (ENROLLED + COMPLETED), the same "
                                                       "figure as the session's enrolled_count"},
            "completion_rate": PERCENT, "average_grade": {**PERCENT, "nullable": True},
            "dropout_rate": PERCENT, "active_students": COUNT, "pending_requests": COUNT,
            "attendance_rate": {**PERCENT, "nullable": True}}, ("total_enrolled",)),
        "enrollment_timeline": {"type": "array", "items": _obj({"date": {"type": "string", "format": "date"},
                                                                "enrollments": COUNT})},
        "performance_metrics": _obj({"average_completion_percentage": PERCENT,
                                     "students_above_80_percent": COUNT, "students_below_50_percent": COUNT}),
    }, ("session_overview", "enrollment_timeline", "performance_metrics")),
    "TokenRequest": _obj({"login": {"type": "string", "minLength": 1, "maxLength": 254,
                                    "description": "Email, username or student number"},
                          "email": {"type": "string", "maxLength": 254, "deprecated": True,
                                    "description": "Older name of login (still accepted)"},
                          "password": {"type": "string", "minLength": 1}},
                         ("password",), closed=True,
                         description="login (or the older email) is required: 400 naming login otherwise"),
    "Token": _obj({"access_token": STR, "token_type": {"type": "string", "enum": ["Bearer"]},
                   "expires_in": {"type": "integer", "minimum": 1}, "expires_at": DATE,
                   "user": _obj({"id": ID, "role": {"type": "string", "enum": ["ADMIN", "TEACHER", "STUDENT",
                                                                               "PARENT", "SUPERVISOR"]},
                                 "full_name": STR})},
                  ("access_token", "token_type", "expires_in", "expires_at", "user")),
    "Pagination": _obj({"page": {"type": "integer", "minimum": 1}, "limit": {"type": "integer", "minimum": 1},
                        "total": COUNT, "totalPages": COUNT, "hasNext": BOOL, "hasPrev": BOOL},
                       ("page", "limit", "total", "totalPages", "hasNext", "hasPrev")),
    "Error": _obj({"success": {"type": "boolean", "enum": [False]}, "statusCode": {"type": "integer",
                                                                                  "minimum": 400, "maximum": 599},
                   "message": STR, "errorCode": {"type": "string", "example": "VALIDATION_ERROR"},
                   "details": {"type": "object", "additionalProperties": True}},
                  ("success", "statusCode", "message", "errorCode", "details")),
}

QUERY_PARAMETERS = {
    "page": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    "limit": {"type": "integer", "minimum": 1, "maximum": 100},
    "status": SESSION_STATUS,
    "status@enrollment": ENROLLMENT_STATUS,
    "courseId": ID,
    "teacherId": ID,
    "startDate": DATE,
    "endDate": DATE,
    "sortBy": {"type": "string", "enum": ["course_session_id", "session_name", "start_date", "end_date",
                                          "created_at", "updated_at"]},
    "sortOrder": {"type": "string", "enum": ["asc", "desc"]},
    "isUrgent": {"type": "boolean"},
    "activeOnly": {"type": "boolean"},
}

ERROR_TEXT = {400: "Validation error (VALIDATION_ERROR); a control character such as NUL anywhere in the "
                   "request (INVALID_CHARACTERS)", 401: "No or invalid bearer token",
              403: "Not allowed (FORBIDDEN)", 404: "Not found (SESSION_NOT_FOUND, ...)",
              409: "Conflict (DUPLICATE_SESSION_NAME, ACTIVE_SESSION_EXISTS, ALREADY_ENROLLED, "
                   "INVALID_SESSION_CODE, ROOM_TAKEN naming the clash, ...)",
              422: "Business rule (SESSION_EXPIRED, CAPACITY_REACHED, INVALID_STATUS_TRANSITION, ...)",
              429: "Rate limited (RATE_LIMITED)"}

# Stateful testing and clients: where an id in a response can be used next.
def _read(at: str, **params: str) -> dict:
    """Link parameters read from the response body ``at`` ("data", or "data/0" for a list's first)."""
    return {name: f"$response.body#/{at}/{field}" for name, field in params.items()}


def _to(operations: tuple, params: dict) -> dict:
    return {op: params for op in operations}


SESSION_OPERATIONS = ("get_session", "update_session", "publish_session", "delete_session", "list_enrollments",
                      "create_announcement", "list_announcements", "get_settings", "put_settings",
                      "admin_analytics", "list_meetings", "list_students", "add_student")
ANNOUNCEMENT_OPERATIONS = ("update_announcement", "delete_announcement")
ENROLLMENT_OPERATIONS = ("update_grade", "update_enrollment_status")
MY_SESSION_OPERATIONS = ("my_session", "my_announcements", "drop_session")
MEETING_OPERATIONS = ("get_attendance", "mark_attendance")
STUDENT_OPERATIONS = ("remove_student", "assign_work")
SESSION_IDS = {"sessionId": "course_session_id"}
ANNOUNCEMENT_IDS = {**SESSION_IDS, "announcementId": "course_session_announcement_id"}
ENROLLMENT_IDS = {**SESSION_IDS, "enrollmentId": "course_session_enrollment_id"}
SESSION_LINK = _read("data", **SESSION_IDS)
FIRST_SESSION = _read("data/0", **SESSION_IDS)
LINKS = {
    "create_session": _to(SESSION_OPERATIONS, SESSION_LINK),
    "publish_session": _to(("get_session", "update_session", "delete_session"), SESSION_LINK),
    "create_announcement": _to(ANNOUNCEMENT_OPERATIONS, _read("data", **ANNOUNCEMENT_IDS)),
    "update_enrollment_status": _to(ENROLLMENT_OPERATIONS, _read("data", **ENROLLMENT_IDS)),
    "list_sessions": _to(SESSION_OPERATIONS, FIRST_SESSION),
    "admin_sessions": _to(SESSION_OPERATIONS, FIRST_SESSION),
    "list_enrollments": _to(ENROLLMENT_OPERATIONS, _read("data/0", **ENROLLMENT_IDS)),
    "list_announcements": _to(ANNOUNCEMENT_OPERATIONS, _read("data/0", **ANNOUNCEMENT_IDS)),
    "my_sessions": _to(MY_SESSION_OPERATIONS, FIRST_SESSION),
    "list_meetings": _to(MEETING_OPERATIONS, _read("data/0", sessionId="course_session_id", meetingId="meeting_id")),
    "list_students": _to(STUDENT_OPERATIONS, _read("data/0", sessionId="course_session_id", studentId="student_id")),
    "add_student": _to(STUDENT_OPERATIONS, _read("data", sessionId="course_session_id", studentId="student_id")),
    "join_session": _to(MY_SESSION_OPERATIONS, SESSION_LINK),
}


def _envelope(op: dict) -> dict:
    data = {"type": "array", "items": _ref(op["response"])} if op["list"] else _ref(op["response"])
    properties = {"success": {"type": "boolean", "enum": [True]}, "data": data, "message": STR}
    if op["list"]:
        properties["pagination"] = _ref("Pagination")
    return _obj(properties, ("success", "data"))


def _operation(op: dict) -> dict:
    result = {"operationId": op["operation_id"], "summary": op["summary"], "tags": [op["tag"]]}
    if op["roles"]:
        result["description"] = f"Roles: {op['roles']}."
    params = [{"name": name, "in": "path", "required": True, "schema": ID}
              for name in re.findall(r"{(\w+)}", op["path"])]
    params += [{"name": key.partition("@")[0], "in": "query", "required": False, "schema": QUERY_PARAMETERS[key]}
               for key in op["query"]]
    if params:
        result["parameters"] = params
    if op["body"]:
        result["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(op["body"])}}}
    responses = {}
    if op["status"] == 204:
        responses["204"] = {"description": "No Content"}
    elif op["response"]:
        responses[str(op["status"])] = {"description": "OK",
                                        "content": {"application/json": {"schema": _envelope(op)}}}
        links = LINKS.get(op["operation_id"], {})
        if links:
            responses[str(op["status"])]["links"] = {
                f"{target}": {"operationId": target, "parameters": params} for target, params in links.items()}
    else:
        responses[str(op["status"])] = {"description": "OK", "content": {"application/json": {"schema": {
            "type": "object"}}}}
    for status in sorted(error_statuses(op)):
        responses[str(status)] = {"description": ERROR_TEXT[status],
                                  "content": {"application/json": {"schema": _ref("Error")}}}
    result["responses"] = responses
    result["security"] = [] if op["public"] else [{"bearerAuth": []}]
    return result


def error_statuses(op: dict) -> set[int]:
    """The error codes an operation can answer: its declared ones and what every request may get."""
    statuses = set(op["errors"]) | {429}           # every API request counts against the tenant's limit
    statuses.add(400)                              # control characters anywhere (the edge check)
    if not op["public"]:
        statuses |= {401, 403}                     # no or a bad token; a role the route does not allow
    if "{" in op["path"]:
        statuses.add(404)
    return statuses


def build_document() -> dict:
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(op["path"], {})[op["method"].lower()] = _operation(op)
    return {
        "openapi": "3.0.3",
        "info": {"title": "LMS teaching sessions API", "version": "1.0.0",
                 "description": "The course-session API. Authenticate with POST /api/v1/auth/token "
                                "(or a personal access token from /me) and send "
                                "'Authorization: Bearer <token>'. Datetimes are ISO 8601 UTC with 'Z'."},
        "servers": [{"url": API_PREFIX}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
        "security": [{"bearerAuth": []}],
    }
