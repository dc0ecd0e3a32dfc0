"""The OpenAPI 3.0 document, built from the ``@operation`` declarations of the API routes."""

from __future__ import annotations

import re

from lms.api.core import API_PREFIX, OPERATIONS

DATE = {"type": "string", "format": "date-time", "example": "2026-03-01T09:00:00Z"}
NULL_DATE = {**DATE, "nullable": True}
INT = {"type": "integer"}
STR = {"type": "string"}
BOOL = {"type": "boolean"}
SESSION_STATUS = {"type": "string", "enum": ["DRAFT", "PUBLISHED", "EXPIRED"]}
ENROLLMENT_STATUS = {"type": "string", "enum": ["PENDING", "ENROLLED", "DROPPED", "COMPLETED", "EXPELLED"]}
ATTENDANCE_STATUS = {"type": "string", "enum": ["PRESENT", "LATE", "EXCUSED", "ABSENT"]}


def _obj(properties: dict, required: tuple = ()) -> dict:
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


GRADING_SCALE = {"type": "object", "nullable": True,
                 "additionalProperties": _obj({"min": {"type": "integer", "minimum": 0, "maximum": 100},
                                               "max": {"type": "integer", "minimum": 0, "maximum": 100}},
                                              ("min", "max")),
                 "example": {"A": {"min": 85, "max": 100}, "B": {"min": 75, "max": 84}}}

SCHEMAS = {
    "CourseSessionCreate": _obj({
        "session_name": {"type": "string", "minLength": 2, "maxLength": 255},
        "session_description": {"type": "string", "nullable": True},
        "teacher_id": {"type": "integer", "description": "A TEACHER user id (a teacher's own by default)"},
        "course_id": {"type": "integer", "description": "A curriculum subject id"},
        "course_session_status": {"type": "string", "enum": ["DRAFT", "PUBLISHED"]},
        "start_date": DATE, "end_date": DATE,
        "max_students": {"type": "integer", "minimum": 1, "nullable": True},
        "enrollment_deadline": NULL_DATE,
        "session_timezone": {"type": "string", "nullable": True, "example": "Asia/Bangkok"},
        "auto_expire_enabled": BOOL,
    }, ("session_name", "course_id", "start_date", "end_date")),
    "CourseSessionUpdate": _obj({
        "session_name": {"type": "string", "minLength": 2, "maxLength": 255},
        "session_description": {"type": "string", "nullable": True},
        "teacher_id": INT, "course_id": INT, "course_session_status": SESSION_STATUS,
        "start_date": DATE, "end_date": DATE,
        "max_students": {"type": "integer", "minimum": 1, "nullable": True},
        "enrollment_deadline": NULL_DATE, "session_timezone": {"type": "string", "nullable": True},
        "auto_expire_enabled": BOOL,
    }),
    "CourseSession": _obj({
        "course_session_id": INT, "session_name": STR, "session_description": {"type": "string", "nullable": True},
        "teacher_id": INT, "course_id": INT, "course_session_status": SESSION_STATUS,
        "start_date": DATE, "end_date": DATE, "max_students": {"type": "integer", "nullable": True},
        "enrollment_deadline": NULL_DATE, "session_timezone": {"type": "string", "nullable": True},
        "session_code": {"type": "string", "example": "MATHSTAR"}, "auto_expire_enabled": BOOL,
        "tenant_id": INT, "created_at": DATE, "updated_at": DATE, "is_active": BOOL, "is_deleted": BOOL,
        "enrolled_count": INT,
    }),
    "CourseSessionListItem": _obj({
        "course_session_id": INT, "session_name": STR, "course_session_status": SESSION_STATUS,
        "start_date": DATE, "end_date": DATE, "session_code": STR, "enrolled_count": INT,
        "max_students": {"type": "integer", "nullable": True}, "teacher_id": INT, "course_id": INT,
    }),
    "CourseSessionPublished": _obj({
        "course_session_id": INT, "course_session_status": SESSION_STATUS, "session_code": STR, "updated_at": DATE,
    }),
    "Enrollment": _obj({
        "course_session_enrollment_id": INT, "course_session_id": INT, "student_id": INT, "enrolled_at": DATE,
        "enrollment_status": ENROLLMENT_STATUS,
        "completion_percentage": {"type": "integer", "minimum": 0, "maximum": 100},
        "final_grade": {"type": "integer", "minimum": 0, "maximum": 100, "nullable": True},
        "letter_grade": {"type": "string", "nullable": True}, "completion_date": NULL_DATE,
        "dropped_at": NULL_DATE, "assigned_subject_id": {"type": "integer", "nullable": True},
        "assigned_section_id": {"type": "integer", "nullable": True}, "notes": {"type": "string", "nullable": True},
        "student": _obj({"full_name": STR, "email_address": STR}),
    }),
    "EnrollmentStatusUpdate": _obj({"enrollment_status": ENROLLMENT_STATUS}, ("enrollment_status",)),
    "GradeUpdate": _obj({
        "final_grade": {"type": "integer", "minimum": 0, "maximum": 100, "nullable": True},
        "completion_percentage": {"type": "integer", "minimum": 0, "maximum": 100},
    }, ("completion_percentage",)),
    "AnnouncementCreate": _obj({
        "title": {"type": "string", "minLength": 2, "maxLength": 255},
        "message": {"type": "string", "minLength": 10, "maxLength": 2000},
        "is_urgent": BOOL, "scheduled_for": NULL_DATE, "expires_at": NULL_DATE,
    }, ("title", "message")),
    "AnnouncementUpdate": _obj({
        "title": {"type": "string", "minLength": 2, "maxLength": 255},
        "message": {"type": "string", "minLength": 10, "maxLength": 2000},
        "is_urgent": BOOL, "scheduled_for": NULL_DATE, "expires_at": NULL_DATE,
    }),
    "Announcement": _obj({
        "course_session_announcement_id": INT, "course_session_id": INT, "title": STR, "message": STR,
        "is_urgent": BOOL, "scheduled_for": NULL_DATE, "expires_at": NULL_DATE, "is_active": BOOL,
        "created_at": DATE, "updated_at": NULL_DATE,
    }),
    "Settings": _obj({
        "course_session_settings_id": INT, "course_session_id": INT, "allow_late_enrollment": BOOL,
        "require_approval_for_enrollment": BOOL, "allow_student_discussions": BOOL, "send_reminder_emails": BOOL,
        "reminder_days_before_expiry": {"type": "integer", "minimum": 1, "maximum": 30},
        "grading_scale": GRADING_SCALE, "attendance_tracking_enabled": BOOL, "allow_student_drop": BOOL,
        "attendance_points": {"type": "object", "additionalProperties": INT},
        "default_attendance_status": ATTENDANCE_STATUS,
    }),
    "SettingsUpdate": _obj({
        "allow_late_enrollment": BOOL, "require_approval_for_enrollment": BOOL, "allow_student_discussions": BOOL,
        "send_reminder_emails": BOOL, "reminder_days_before_expiry": {"type": "integer", "minimum": 1, "maximum": 30},
        "grading_scale": GRADING_SCALE, "attendance_tracking_enabled": BOOL, "allow_student_drop": BOOL,
        "attendance_points": {"type": "object", "additionalProperties": INT},
        "default_attendance_status": ATTENDANCE_STATUS,
    }, ("reminder_days_before_expiry",)),
    "JoinRequest": _obj({"session_code": {"type": "string", "example": "MATHSTAR"}}, ("session_code",)),
    "JoinedEnrollment": _obj({
        "course_session_enrollment_id": INT, "course_session_id": INT, "student_id": INT, "enrolled_at": DATE,
        "enrollment_status": ENROLLMENT_STATUS,
    }),
    "StudentSession": _obj({
        "course_session_id": INT, "session_name": STR, "course_session_status": SESSION_STATUS,
        "enrollment_status": ENROLLMENT_STATUS, "completion_percentage": INT, "start_date": DATE, "end_date": DATE,
    }),
    "StudentSessionDetail": {"allOf": [{"$ref": "#/components/schemas/CourseSession"},
                                       _obj({"enrollment": {"$ref": "#/components/schemas/Enrollment"}})]},
    "Analytics": _obj({
        "session_overview": _obj({"total_enrolled": INT, "completion_rate": {"type": "number"},
                                  "average_grade": {"type": "number", "nullable": True},
                                  "dropout_rate": {"type": "number"}, "active_students": INT,
                                  "pending_requests": INT,
                                  "attendance_rate": {"type": "number", "nullable": True}}),
        "enrollment_timeline": {"type": "array", "items": _obj({"date": {"type": "string", "format": "date"},
                                                                "enrollments": INT})},
        "performance_metrics": _obj({"average_completion_percentage": {"type": "number"},
                                     "students_above_80_percent": INT, "students_below_50_percent": INT}),
    }),
    "TokenRequest": _obj({"login": {"type": "string", "description": "Email, username or student number"},
                          "email": {"type": "string", "description": "Older name of login (still accepted)",
                                    "deprecated": True},
                          "password": {"type": "string"}},
                         ("password",)),
    "Token": _obj({"access_token": STR, "token_type": {"type": "string", "enum": ["Bearer"]}, "expires_in": INT,
                   "expires_at": DATE, "user": _obj({"id": INT, "role": STR, "full_name": STR})}),
    "Pagination": _obj({"page": INT, "limit": INT, "total": INT, "totalPages": INT, "hasNext": BOOL,
                        "hasPrev": BOOL}),
    "Error": _obj({"success": {"type": "boolean", "enum": [False]}, "statusCode": INT, "message": STR,
                   "errorCode": {"type": "string", "example": "VALIDATION_ERROR"},
                   "details": {"type": "object", "additionalProperties": True}},
                  ("success", "statusCode", "message", "errorCode", "details")),
}

QUERY_PARAMETERS = {
    "page": {"type": "integer", "minimum": 1, "default": 1},
    "limit": {"type": "integer", "minimum": 1, "maximum": 100},
    "status": {"type": "string"},
    "courseId": {"type": "integer"},
    "teacherId": {"type": "integer"},
    "startDate": {"type": "string", "format": "date-time"},
    "endDate": {"type": "string", "format": "date-time"},
    "sortBy": {"type": "string", "enum": ["course_session_id", "session_name", "start_date", "end_date",
                                          "created_at", "updated_at"]},
    "sortOrder": {"type": "string", "enum": ["asc", "desc"]},
    "isUrgent": {"type": "boolean"},
    "activeOnly": {"type": "boolean"},
}

ERROR_TEXT = {400: "Validation error (VALIDATION_ERROR)", 401: "No or invalid bearer token",
              403: "Not allowed (FORBIDDEN)", 404: "Not found (SESSION_NOT_FOUND, ...)",
              409: "Conflict (DUPLICATE_SESSION_NAME, ALREADY_ENROLLED, INVALID_SESSION_CODE, ...)",
              422: "Business rule (SESSION_EXPIRED, CAPACITY_REACHED, INVALID_STATUS_TRANSITION, ...)",
              429: "Rate limited (RATE_LIMITED)"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


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
    params = [{"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}
              for name in re.findall(r"{(\w+)}", op["path"])]
    params += [{"name": name, "in": "query", "required": False, "schema": QUERY_PARAMETERS[name]}
               for name in op["query"]]
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
    else:
        responses[str(op["status"])] = {"description": "OK", "content": {"application/json": {"schema": {
            "type": "object"}}}}
    for status in op["errors"]:
        responses[str(status)] = {"description": ERROR_TEXT[status],
                                  "content": {"application/json": {"schema": _ref("Error")}}}
    result["responses"] = responses
    result["security"] = [] if op["public"] else [{"bearerAuth": []}]
    return result


def build_document() -> dict:
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(op["path"], {})[op["method"].lower()] = _operation(op)
    return {
        "openapi": "3.0.3",
        "info": {"title": "LMS teaching sessions API", "version": "1.0.0",
                 "description": "Seed 000's course-session API. Authenticate with POST /api/v1/auth/token "
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
