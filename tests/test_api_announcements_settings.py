"""Session announcements (urgent email, scheduling, expiry, unique titles) and settings (grading scale)."""

from datetime import timedelta

import pytest

from lms.common.types import utcnow
from lms.teaching.models import CourseSessionAnnouncement, CourseSessionSettings
from tests.api_helpers import headers_for, iso
from tests.conftest import email_text


@pytest.fixture
def world(client, make):
    teacher = make.teacher("P1/1")
    course_session = make.course_session(teacher)
    student = make.student("P1/1")
    make.enrollment(course_session, student)
    return {"session": course_session, "student": student, "th": headers_for(client, teacher),
            "sh": headers_for(client, student), "url": f"/api/v1/teacher/sessions/{course_session.id}"}


def _post(client, world, **body):
    body.setdefault("title", "Homework")
    body.setdefault("message", "Read pages 10 to 12 before Friday.")
    return client.post(f"{world['url']}/announcements", headers=world["th"], json=body)


def test_create_list_update_delete(client, world, db):
    created = _post(client, world, is_urgent=False)
    assert created.status_code == 201
    data = created.json["data"]
    assert set(data) >= {"course_session_announcement_id", "course_session_id", "title", "message", "is_urgent",
                         "scheduled_for", "expires_at"}
    aid = data["course_session_announcement_id"]
    listed = client.get(f"{world['url']}/announcements", headers=world["th"]).json
    assert listed["pagination"]["total"] == 1 and listed["data"][0]["title"] == "Homework"
    updated = client.patch(f"{world['url']}/announcements/{aid}", headers=world["th"], json={"title": "Homework!"})
    assert updated.status_code == 200 and updated.json["data"]["title"] == "Homework!"
    assert client.delete(f"{world['url']}/announcements/{aid}", headers=world["th"]).status_code == 204
    assert db.get(CourseSessionAnnouncement, aid).is_deleted is True
    missing = client.patch(f"{world['url']}/announcements/{aid}", headers=world["th"], json={"title": "X y"})
    assert missing.status_code == 404 and missing.json["errorCode"] == "ANNOUNCEMENT_NOT_FOUND"
    assert missing.json["message"] == "Session announcement not found"
    # a deleted announcement frees its title
    assert _post(client, world, title="Homework!").status_code == 201


def test_titles_are_unique_per_session(client, world, db):
    assert _post(client, world).status_code == 201
    again = _post(client, world)
    assert again.status_code == 409 and again.json["errorCode"] == "DUPLICATE_ANNOUNCEMENT_TITLE"
    assert db.count(CourseSessionAnnouncement) == 1


@pytest.mark.parametrize("body, field", [
    ({"title": "x"}, "title"), ({"message": "too short"}, "message"), ({"message": "m" * 2001}, "message"),
    ({"scheduled_for": "soon"}, "scheduled_for"),
    ({"scheduled_for": "2030-01-02T00:00:00Z", "expires_at": "2030-01-01T00:00:00Z"}, "expires_at"),
    ({"is_urgent": "very"}, "is_urgent"),
])
def test_bad_announcements_are_refused(client, world, db, body, field):
    response = _post(client, world, **body)
    assert response.status_code == 400 and response.json["details"]["field"] == field
    assert db.count(CourseSessionAnnouncement) == 0


def test_students_see_only_live_announcements_and_urgent_ones_are_emailed(client, world, outbox):
    now = utcnow()
    _post(client, world, title="Live and urgent", is_urgent=True)
    _post(client, world, title="Later", scheduled_for=iso(now + timedelta(days=1)), is_urgent=True)
    _post(client, world, title="Over", scheduled_for=iso(now - timedelta(days=2)),
          expires_at=iso(now - timedelta(days=1)))
    seen = client.get(f"/api/v1/student/sessions/{world['session'].id}/announcements", headers=world["sh"]).json
    assert [a["title"] for a in seen["data"]] == ["Live and urgent"]
    assert [m["To"] for m in outbox] == [world["student"].email]
    assert "Read pages 10 to 12" in email_text(outbox[0]) and "Live and urgent" in outbox[0]["Subject"]
    filtered = client.get(f"{world['url']}/announcements?isUrgent=true&activeOnly=true", headers=world["th"]).json
    assert {a["title"] for a in filtered["data"]} == {"Live and urgent", "Later"}
    bad = client.get(f"{world['url']}/announcements?isUrgent=maybe", headers=world["th"])
    assert bad.status_code == 400 and bad.json["details"]["field"] == "isUrgent"


def test_settings_get_and_put(client, world, db):
    got = client.get(f"{world['url']}/settings", headers=world["th"]).json["data"]
    assert got["reminder_days_before_expiry"] == 7 and got["allow_student_discussions"] is True
    assert got["attendance_points"] == {"PRESENT": 2, "LATE": 1, "EXCUSED": 1, "ABSENT": 0}
    put = client.put(f"{world['url']}/settings", headers=world["th"], json={
        "allow_late_enrollment": True, "require_approval_for_enrollment": False, "send_reminder_emails": True,
        "reminder_days_before_expiry": 5, "grading_scale": {"A": {"min": 85, "max": 100}, "B": {"min": 75, "max": 84}},
        "attendance_tracking_enabled": True, "attendance_points": {"LATE": 2}, "default_attendance_status": "EXCUSED"})
    assert put.status_code == 200
    data = put.json["data"]
    assert data["reminder_days_before_expiry"] == 5 and data["allow_late_enrollment"] is True
    assert data["grading_scale"]["B"] == {"min": 75, "max": 84} and data["attendance_points"]["LATE"] == 2
    assert data["default_attendance_status"] == "EXCUSED"


@pytest.mark.parametrize("body, field", [
    ({}, "reminder_days_before_expiry"),
    ({"reminder_days_before_expiry": 0}, "reminder_days_before_expiry"),
    ({"reminder_days_before_expiry": 31}, "reminder_days_before_expiry"),
    ({"reminder_days_before_expiry": 7, "grading_scale": {"A": {"min": 80, "max": 100}, "B": {"min": 70, "max": 80}}},
     "grading_scale"),
    ({"reminder_days_before_expiry": 7, "grading_scale": {"A": {"min": 90, "max": 101}}}, "grading_scale"),
    ({"reminder_days_before_expiry": 7, "grading_scale": {"A": {"min": 90, "max": 80}}}, "grading_scale"),
    ({"reminder_days_before_expiry": 7, "grading_scale": {"A": {"min": 90}}}, "grading_scale"),
    ({"reminder_days_before_expiry": 7, "grading_scale": ["A"]}, "grading_scale"),
    ({"reminder_days_before_expiry": 7, "allow_late_enrollment": "sometimes"}, "allow_late_enrollment"),
    ({"reminder_days_before_expiry": 7, "default_attendance_status": "ASLEEP"}, "default_attendance_status"),
    ({"reminder_days_before_expiry": 7, "attendance_points": {"PRESENT": 500}}, "attendance_points"),
])
def test_bad_settings_are_refused_and_nothing_changes(client, world, db, body, field):
    response = client.put(f"{world['url']}/settings", headers=world["th"], json=body)
    assert response.status_code == 400 and response.json["details"]["field"] == field
    stored = db.scalar(db_select_settings(world["session"].id))
    assert stored.reminder_days_before_expiry == 7 and stored.grading_scale is None


def db_select_settings(session_id):
    from sqlalchemy import select

    return select(CourseSessionSettings).where(CourseSessionSettings.course_session_id == session_id)


def test_letter_for():
    from lms.teaching.settings import letter_for

    scale = {"A": {"min": 85, "max": 100}, "B": {"min": 75, "max": 84}}
    assert letter_for(scale, 85) == "A" and letter_for(scale, 84) == "B" and letter_for(scale, 10) is None
    assert letter_for(None, 90) is None and letter_for(scale, None) is None
