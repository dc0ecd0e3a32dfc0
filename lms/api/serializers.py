"""The API contract's field names for every object the API returns."""

from __future__ import annotations

from lms.api.core import iso
from lms.teaching.settings import letter_for


def _same_names(obj, *names) -> dict:
    """The fields whose name in the API is the attribute's name: ``{name: obj.<name>}``."""
    return {name: getattr(obj, name) for name in names}


def session_full(s, enrolled_count: int | None = None) -> dict:
    data = {
        "course_session_id": s.id,
        "session_name": s.session_name,
        "session_description": s.session_description,
        "teacher_id": s.teacher_id,
        "course_id": s.course_id,
        "course_session_status": s.status,
        "start_date": iso(s.start_date),
        "end_date": iso(s.end_date),
        "max_students": s.max_students,
        "enrollment_deadline": iso(s.enrollment_deadline),
        "session_timezone": s.session_timezone,
        "session_code": s.session_code,
        "auto_expire_enabled": s.auto_expire_enabled,
        "tenant_id": s.tenant_id,
        "created_at": iso(s.created_at),
        "updated_at": iso(s.updated_at),
        "is_active": s.is_active,
        "is_deleted": s.is_deleted,
        **_same_names(s, "mode", "centre_id", "room_id", "meeting_link"),
    }
    if enrolled_count is not None:
        data["enrolled_count"] = enrolled_count
    return data


def session_item(s, enrolled_count: int) -> dict:
    return {
        "course_session_id": s.id,
        "session_name": s.session_name,
        "course_session_status": s.status,
        "start_date": iso(s.start_date),
        "end_date": iso(s.end_date),
        "session_code": s.session_code,
        "enrolled_count": enrolled_count or 0,
        "max_students": s.max_students,
        "teacher_id": s.teacher_id,
        "course_id": s.course_id,
        **_same_names(s, "mode", "centre_id", "room_id"),
    }


def published(s) -> dict:
    return {"course_session_id": s.id, "course_session_status": s.status, "session_code": s.session_code,
            "updated_at": iso(s.updated_at)}


def enrollment(e, student=None, scale: dict | None = None) -> dict:
    data = {
        "course_session_enrollment_id": e.id,
        "course_session_id": e.course_session_id,
        "student_id": e.student_id,
        "enrolled_at": iso(e.enrolled_at),
        "enrollment_status": e.enrollment_status,
        "completion_percentage": e.completion_percentage,
        "final_grade": e.final_grade,
        "letter_grade": letter_for(scale, e.final_grade),
        "completion_date": iso(e.completion_date),
        "dropped_at": iso(e.dropped_at),
        "assigned_subject_id": e.assigned_subject_id,
        "assigned_section_id": e.assigned_section_id,
        "notes": e.notes,
    }
    if student is not None:
        data["student"] = {"full_name": student.full_name, "email_address": student.email}
    return data


def joined(e) -> dict:
    return {"course_session_enrollment_id": e.id, "course_session_id": e.course_session_id,
            "student_id": e.student_id, "enrolled_at": iso(e.enrolled_at), "enrollment_status": e.enrollment_status}


def pending_session(s, e) -> dict:
    """All a student whose enrollment waits for approval sees of the session."""
    return {"course_session_id": s.id, "session_name": s.session_name,
            "enrollment": {"course_session_enrollment_id": e.id, "course_session_id": e.course_session_id,
                           "student_id": e.student_id, "enrollment_status": e.enrollment_status}}


def student_session(s, e) -> dict:
    return {"course_session_id": s.id, "session_name": s.session_name, "course_session_status": s.status,
            "enrollment_status": e.enrollment_status, "completion_percentage": e.completion_percentage,
            "start_date": iso(s.start_date), "end_date": iso(s.end_date),
            **_same_names(s, "mode", "centre_id", "room_id")}


def student_link(data: dict, link) -> dict:
    """A student's copy of a session: the meeting link only while it is open (``modes.LinkState``)."""
    data["meeting_link"] = link.link
    data["meeting_link_opens_at"] = iso(link.opens_at)
    return data


def announcement(a) -> dict:
    return {
        "course_session_announcement_id": a.id,
        **_same_names(a, "course_session_id", "title", "message", "is_urgent"),
        "scheduled_for": iso(a.scheduled_for),
        "expires_at": iso(a.expires_at),
        "is_active": a.is_active,
        "created_at": iso(a.created_at),
        "updated_at": iso(a.updated_at),
    }


def settings(st) -> dict:
    return {
        "course_session_settings_id": st.id,
        **_same_names(st, "course_session_id", "allow_late_enrollment", "require_approval_for_enrollment",
                      "allow_student_discussions", "send_reminder_emails", "reminder_days_before_expiry",
                      "grading_scale", "attendance_tracking_enabled", "allow_student_drop"),
        "attendance_points": st.points(),
        "default_attendance_status": st.default_attendance_status,
    }


def session_student(e, student, scale: dict | None, result: dict | None = None) -> dict:
    """A student of a session (``/students``): the enrollment, their own content and work, and its result."""
    data = enrollment(e, student, scale)
    data["notes_shared_with_parents"] = e.notes_shared_with_parents
    data["assigned_assessment_id"] = e.assigned_assessment_id
    data["exercise_content"] = e.exercise_content
    data["work_assigned_at"] = iso(e.work_assigned_at)
    data["work_result"] = None if result is None else {
        "title": result.get("title"), "state": result.get("state"), "text": result.get("text"),
        "percent": result.get("percent")}
    return data


def meeting(m) -> dict:
    return {"meeting_id": m.id, "course_session_id": m.course_session_id, "meeting_date": m.meeting_date.isoformat(),
            "starts_at": iso(m.starts_at), "ends_at": iso(m.ends_at)}


def attendance_mark(meeting_id: int, student, row) -> dict:
    """One enrolled student's mark for a meeting (``status`` null while unmarked)."""
    return {"meeting_id": meeting_id, "student_id": student.id, "full_name": student.full_name,
            "status": row.status if row else None, "source": row.source if row else None,
            "marked_at": iso(row.marked_at) if row else None}
