"""Input hygiene at the edge — each case a user or a script can send, and what they get.

NUL and other control characters anywhere (path, query, form, JSON) → 400 naming the field, nothing
stored; JSON nested too deep or too large → 400/413 in the API's error envelope; ids and page numbers
too large for the database → 404 / the last page; dates outside 1900–2200 → a message; a file sent
where text was expected → the form's message.  (The url-map walk is tests/test_edge_fuzz.py.)
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from lms.auth.models import User
from lms.communication.models import Announcement
from lms.teaching.models import CourseSession
from tests.api_helpers import headers_for
from tests.conftest import AuthActions

HX = {"HX-Request": "true"}
HUGE = str(10**30)


def announcement_form(**overrides) -> dict:
    data = {"title": "Sports day", "body": "Bring water.", "body_format": "MARKDOWN", "target_kind": "EVERYONE",
            "level_id": "", "classroom_id": "", "people": "", "publish_at": "", "expires_at": "",
            "action": "publish"}
    data.update(overrides)
    return data


# --- control characters --------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["a\x00b", "a\x1bb", "a\x0bb", "a\x7f\x00"])
def test_control_characters_in_a_form_are_refused_and_nothing_is_stored(client, as_role, db, bad):
    as_role("ADMIN")
    response = client.post("/announcements/new", data=announcement_form(title=f"Sports {bad} day"))
    assert response.status_code == 400
    assert "“title” contains a control character" in response.get_data(as_text=True)
    assert db.count(Announcement) == 0


def test_tab_newline_and_carriage_return_are_ordinary_text(client, as_role, db):
    as_role("ADMIN")
    response = client.post("/announcements/new", data=announcement_form(body="Line one\r\n\tLine two\n"))
    assert response.status_code == 303
    assert db.count(Announcement) == 1


def test_htmx_form_posts_show_the_message_above_the_form(client, as_role):
    as_role("ADMIN")
    response = client.post("/announcements/new", data=announcement_form(body="a\x00b"), headers=HX)
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#messages"
    assert "“body” contains a control character" in response.get_data(as_text=True)


def test_nul_in_the_query_string_or_the_path_is_a_400(client, as_role):
    as_role("TEACHER")
    assert client.get("/students", query_string={"q": "ab\x00"}).status_code == 400
    assert client.get("/sessions?status=%00").status_code == 400
    assert client.get("/auth/reset-password/abc%00def").status_code == 400


def test_the_anonymous_token_endpoint_refuses_nul_in_the_error_envelope(client):
    response = client.post("/api/v1/auth/token", json={"email": "a\x00@example.org", "password": "x"})
    assert response.status_code == 400
    body = response.get_json()
    assert body["success"] is False and body["errorCode"] == "INVALID_CHARACTERS"
    assert body["details"]["field"] == "email"


def test_lone_surrogates_in_json_are_refused(client):
    response = client.post("/api/v1/auth/token", data='{"email": "\\ud800@example.org", "password": "x"}',
                           content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["errorCode"] == "INVALID_CHARACTERS"


def test_api_bodies_with_nul_store_nothing(client, make, db):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    response = client.post("/api/v1/teacher/sessions", headers=headers_for(client, teacher), json={
        "session_name": "Tens\x00club", "course_id": subject.id,
        "start_date": "2026-06-01T09:00:00Z", "end_date": "2026-07-01T09:00:00Z"})
    assert response.status_code == 400
    assert response.get_json()["details"]["field"] == "session_name"
    assert db.count(CourseSession) == 0


# --- JSON depth and size ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/auth/token", "/auth/login", "/announcements/new"])
def test_deeply_nested_json_is_a_400_not_a_crash(client, as_role, path):
    as_role("ADMIN")
    response = client.post(path, data="[" * 100_000 + "]" * 100_000, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.get_data(as_text=True)


def test_json_at_the_depth_limit_is_read(client):
    body = '{"email": "a@example.org", "password": "x", "extra": ' + "[" * 60 + "]" * 60 + "}"
    response = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    # Read (not refused as too deep): the closed token request then names the unknown key.
    assert response.status_code == 400
    assert response.get_json()["errorCode"] == "VALIDATION_ERROR"
    assert response.get_json()["details"]["field"] == "extra"


def test_too_large_json_is_a_413(client):
    response = client.post("/api/v1/auth/token", json={"email": "a@example.org", "password": "x" * 2_000_000})
    assert response.status_code == 413
    assert response.get_json()["errorCode"] == "PAYLOAD_TOO_LARGE"


def test_a_json_body_that_is_not_json_is_a_400(client):
    response = client.post("/api/v1/auth/token", data="{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["success"] is False


def test_json_values_that_are_not_text_do_not_break_html_forms(client, make):
    make.user(role="TEACHER", email="t@example.org")
    response = client.post("/auth/login", json={"email": {"nested": 1}, "password": ["a", 3]})
    assert response.status_code == 200  # the form again, with its messages


# --- multipart ----------------------------------------------------------------------------------


def test_a_file_sent_as_the_sign_in_name_is_the_forms_message_not_a_500(client):
    response = client.post("/auth/login", data={"login": (io.BytesIO(b"x"), "login.txt"), "password": "whatever"},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert "/auth/login" in response.get_data(as_text=True)


def test_a_nul_in_an_upload_file_name_is_refused(client, as_role):
    as_role("TEACHER")
    response = client.post("/resources/new", data={"title": "x", "file": (io.BytesIO(b"x"), "a\x00.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 400


# --- numbers: ids and pages ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/classrooms/{huge}", "/students/{huge}", "/api/v1/teacher/sessions/{huge}"])
def test_ids_too_large_for_the_database_are_not_found(client, as_role, path):
    as_role("ADMIN")
    response = client.get(path.format(huge=HUGE))
    assert response.status_code in (401, 404)  # the API wants a token first


def test_ids_too_large_in_query_strings_and_forms_are_no_id(client, as_role):
    as_role("ADMIN")
    assert client.get("/students", query_string={"classroom": HUGE}).status_code == 200
    response = client.post("/announcements/new", data=announcement_form(target_kind="CLASSROOM", classroom_id=HUGE))
    assert response.status_code in (200, 422)


def test_a_page_beyond_the_last_shows_the_last_page(client, as_role, make):
    as_role("ADMIN")
    for n in range(3):
        make.user(role="TEACHER", full_name=f"Pager {n}")
    for page in ("2", "99", HUGE, "9" * 5000):
        response = client.get("/admin/users", query_string={"page": page, "per_page": "2", "q": "Pager"})
        assert response.status_code == 200, page
        text = response.get_data(as_text=True)
        assert "Page 2 of 2" in text and "Pager 2" in text, page


def test_api_pages_are_bounded(client, make):
    teacher = make.teacher("P1/1")
    headers = headers_for(client, teacher)
    huge = client.get("/api/v1/teacher/sessions", query_string={"page": HUGE}, headers=headers)
    assert huge.status_code == 400 and huge.get_json()["errorCode"] == "VALIDATION_ERROR"
    beyond = client.get("/api/v1/teacher/sessions", query_string={"page": "500"}, headers=headers)
    assert beyond.status_code == 200 and beyond.get_json()["data"] == []


def test_api_integers_too_large_are_validation_errors(client, make, db):
    teacher = make.teacher("P1/1")
    make.subject("P1", teachers=[teacher])
    response = client.post("/api/v1/teacher/sessions", headers=headers_for(client, teacher), json={
        "session_name": "Tens club", "course_id": 10**30,
        "start_date": "2026-06-01T09:00:00Z", "end_date": "2026-07-01T09:00:00Z"})
    assert response.status_code == 400
    assert response.get_json()["details"]["field"] == "course_id"
    assert db.count(CourseSession) == 0


# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0001-01-01T10:00", "1899-12-31T10:00", "2201-01-01T10:00", "9999-12-31T23:59"])
def test_form_dates_outside_1900_to_2200_are_a_field_message(client, as_role, db, value):
    as_role("ADMIN")
    response = client.post("/announcements/new", data=announcement_form(publish_at=value), headers=HX)
    assert response.status_code == 422
    assert "Enter a date between 1900 and 2200." in response.get_data(as_text=True)
    assert db.count(Announcement) == 0


def test_session_form_dates_outside_the_range_are_refused(client, make, db):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    AuthActions(client).login(teacher)
    response = client.post("/sessions/new", headers=HX, data={
        "session_name": "Tens club", "course_id": str(subject.id), "start_date": "0001-01-01T10:00",
        "end_date": "2026-07-01T10:00", "auto_expire_enabled": "y"})
    assert response.status_code == 422
    assert "between 1900 and 2200" in response.get_data(as_text=True)
    assert db.count(CourseSession) == 0


def test_api_dates_outside_the_range_are_validation_errors(client, make, db):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    response = client.post("/api/v1/teacher/sessions", headers=headers_for(client, teacher), json={
        "session_name": "Tens club", "course_id": subject.id,
        "start_date": "2026-06-01T09:00:00Z", "end_date": "9999-12-31T23:59:59Z"})
    assert response.status_code == 400
    body = response.get_json()
    assert body["details"]["field"] == "end_date" and "between 1900 and 2200" in body["message"]


@pytest.mark.parametrize("path", ["/analytics", "/admin/audit"])
def test_report_dates_outside_the_range_are_not_a_crash(client, as_role, path):
    as_role("ADMIN")
    response = client.get(path, query_string={"from": "0001-01-01", "to": "9999-12-31"})
    assert response.status_code == 200


def test_stored_users_are_untouched_by_refused_input(client, make, db):
    admin = make.user(role="ADMIN", full_name="Kept Name")
    AuthActions(client).login(admin)
    client.post("/me", data={"full_name": "Bad\x00Name"})
    assert db.scalar(select(User.full_name).where(User.id == admin.id)) == "Kept Name"
