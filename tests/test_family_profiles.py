"""Parents (family codes, inviting from a student's page, phones for teachers) and
contact profiles (phone, photo, bio; photos on rosters and the grading queue)."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from tests.conftest import AuthActions


def png(size=(40, 30), color=(200, 30, 30), noise=False) -> bytes:
    import os

    from PIL import Image

    out = io.BytesIO()
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)) if noise else Image.new("RGB", size, color)
    image.save(out, "PNG")
    return out.getvalue()


def _login(app, user):
    client = app.test_client()
    AuthActions(client).login(user)
    return client


def _stored_files(app) -> set[Path]:
    root = Path(app.config["STORAGE_DIR"]) / "resources"
    return ({p for p in root.rglob("*") if p.is_file() and "tmp" not in p.relative_to(root).parts}
            if root.exists() else set())


def _count(app, model, **where):
    with app.app_context():
        stmt = select(func.count()).select_from(model)
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key) == value)
        return db.session.scalar(stmt)


# --- phone numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize("text, stored", [
    ("081-234-5678", "+66812345678"), ("+66 81 234 5678", "+66812345678"), ("+66 (0)81 234 5678", "+66812345678"),
    ("0066812345678", "+66812345678"), ("02 123 4567", "+6621234567"), ("+44 20 7946 0958", "+442079460958"),
    ("", None),
])
def test_phone_numbers_are_normalised(app, text, stored):
    from lms.profiles.services import normalise_phone

    with app.app_context():
        assert normalise_phone(text) == stored


@pytest.mark.parametrize("text", ["12345", "call me", "081-234-567890", "+66 81 234", "0" * 40])
def test_bad_phone_numbers_are_refused(app, text):
    from lms.common.errors import ValidationFailed
    from lms.profiles.services import normalise_phone

    with app.app_context(), pytest.raises(ValidationFailed):
        normalise_phone(text)


def test_a_user_saves_their_phone_on_me_and_sees_it_the_thai_way(app, make):
    from lms.profiles.models import PersonProfile

    teacher = make.teacher()
    client = _login(app, teacher)
    response = client.post(f"/people/{teacher.id}/contact", data={"phone": "+66 81 234 5678", "bio": "<b>Maths</b>"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "The contact details were saved." in response.text
    page = client.get("/me").text
    assert 'value="081-234-5678"' in page
    assert "&lt;b&gt;Maths&lt;/b&gt;" in page and "<b>Maths</b>" not in page
    with app.app_context():
        assert db.session.get(PersonProfile, teacher.id).phone == "+66812345678"


def test_a_bad_phone_gets_a_clear_message_and_stores_nothing(app, make):
    from lms.profiles.models import PersonProfile

    student = make.student()
    client = _login(app, student)
    response = client.post(f"/people/{student.id}/contact", data={"phone": "call me maybe"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "081-234-5678" in response.text
    assert _count(app, PersonProfile) == 0


def test_bio_is_for_staff_only_and_capped(app, make):
    from lms.profiles.models import PersonProfile

    teacher, student = make.teacher(), make.student()
    response = _login(app, teacher).post(f"/people/{teacher.id}/contact", data={"bio": "x" * 501},
                                         headers={"HX-Request": "true"})
    assert response.status_code == 422
    _login(app, student).post(f"/people/{student.id}/contact", data={"phone": "0812345678", "bio": "hello"})
    with app.app_context():
        assert db.session.get(PersonProfile, student.id).bio is None


def test_only_the_person_or_an_admin_edits_a_profile(app, make):
    classroom = make.classroom("P1/1")
    student = make.student(classroom)
    teacher = make.teacher(classroom)
    other = make.student(classroom)
    parent = make.parent_of(student)
    assert _login(app, teacher).post(f"/people/{student.id}/contact", data={"phone": "0812345678"}).status_code == 403
    assert _login(app, parent).post(f"/people/{student.id}/contact", data={"phone": "0812345678"}).status_code == 403
    assert _login(app, other).post(f"/people/{student.id}/contact", data={"phone": "0812345678"}).status_code == 404
    admin = make.user(role="ADMIN")
    assert _login(app, admin).post(f"/people/{student.id}/contact", data={"phone": "0812345678"}).status_code == 303


# --- photos -----------------------------------------------------------------------------------


def test_photo_upload_is_served_to_those_who_may_see_the_person(app, make):
    from lms.profiles.jobs import make_profile_thumbnail
    from lms.profiles.models import PersonProfile

    classroom = make.classroom("P1/1")
    student = make.student(classroom)
    teacher = make.teacher(classroom)
    parent = make.parent_of(student)
    stranger_teacher = make.teacher(make.classroom("P2/1"))
    classmate = make.student(classroom)
    client = _login(app, student)
    response = client.post(f"/people/{student.id}/photo", data={"photo": (io.BytesIO(png()), "me.png")},
                           content_type="multipart/form-data", headers={"HX-Request": "true"})
    assert response.status_code == 200, response.text
    assert "The photo was saved." in response.text
    with app.app_context():
        profile = db.session.get(PersonProfile, student.id)
        assert profile.photo_type == "image/png" and "me" not in profile.photo_name
        make_profile_thumbnail(student.id, profile.photo_name)
    for viewer in (student, teacher, parent, make.user(role="ADMIN")):
        answer = _login(app, viewer).get(f"/people/{student.id}/photo?size=small")
        assert answer.status_code == 200, viewer.role
        assert answer.headers["Content-Type"].startswith("image/")
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
    for viewer in (stranger_teacher, classmate, make.parent_of(classmate)):
        assert _login(app, viewer).get(f"/people/{student.id}/photo").status_code == 404


@pytest.mark.parametrize("payload, message", [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', ""),
    (b"<html><body>hi</body></html>", ""),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "named .png but it is"),
    (b"", ""),
])
def test_a_photo_that_is_not_an_image_is_refused_and_nothing_stays(app, make, payload, message):
    """As every upload: checked by content, and the name must agree with it."""
    from lms.profiles.models import PersonProfile

    student = make.student()
    before = _stored_files(app)
    response = _login(app, student).post(f"/people/{student.id}/photo",
                                         data={"photo": (io.BytesIO(payload), "me.png")},
                                         content_type="multipart/form-data", headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert 'class="field-error"' in response.text and message in response.text
    assert _stored_files(app) == before
    assert _count(app, PersonProfile) == 0


def test_an_oversize_or_bomb_photo_is_refused(app, make):
    from tests.test_resources_upload import bomb_png

    student = make.student()
    client = _login(app, student)
    before = _stored_files(app)
    app.config["PROFILE_PHOTO_MAX_MB"] = 0.001
    try:
        big = client.post(f"/people/{student.id}/photo", data={"photo": (io.BytesIO(png((300, 300), noise=True)), "a.png")},
                          content_type="multipart/form-data", headers={"HX-Request": "true"})
    finally:
        app.config.pop("PROFILE_PHOTO_MAX_MB")
    assert big.status_code == 422 and "too large" in big.text
    bomb = client.post(f"/people/{student.id}/photo", data={"photo": (io.BytesIO(bomb_png()), "b.png")},
                       content_type="multipart/form-data", headers={"HX-Request": "true"})
    assert bomb.status_code == 422 and "million pixels" in bomb.text
    assert _stored_files(app) == before


def test_replacing_and_removing_a_photo_removes_the_old_file(app, make):
    student = make.student()
    client = _login(app, student)
    before = _stored_files(app)
    r = client.post(f"/people/{student.id}/photo", data={"photo": (io.BytesIO(png()), "a.png")},
                    content_type="multipart/form-data")
    assert r.status_code == 303, r.text
    first = _stored_files(app) - before
    client.post(f"/people/{student.id}/photo", data={"photo": (io.BytesIO(png(color=(0, 0, 255))), "b.png")},
                content_type="multipart/form-data")
    second = _stored_files(app) - before
    assert not (first & second) and second
    client.post(f"/people/{student.id}/photo/delete")
    assert _stored_files(app) == before
    assert client.get(f"/people/{student.id}/photo").status_code == 404


def test_roster_shows_photos_or_initials_without_more_queries(app, make, count_queries):
    from lms.profiles.services import set_photo

    classroom = make.classroom("P1/1")
    students = [make.student(classroom, full_name=f"Pupil Number{i}") for i in range(3)]
    admin = make.user(role="ADMIN")
    client = _login(app, admin)
    client.get(f"/classrooms/{classroom.id}")
    with count_queries() as few:
        page = client.get(f"/classrooms/{classroom.id}").text
    assert 'class="avatar avatar-initials" data-initials="PN"' in page
    extra = [make.student(classroom) for _ in range(3)]
    with app.app_context():
        from lms.auth.models import User

        for person in students + extra:
            set_photo(db.session.get(User, admin.id), db.session.get(User, person.id), io.BytesIO(png()))
        db.session.commit()
    with count_queries() as many:
        page = client.get(f"/classrooms/{classroom.id}").text
    assert page.count('loading="lazy"') >= 6
    assert "Photo of Pupil Number0" in page
    assert many.count <= few.count


# --- parents' phones for the child's teachers -------------------------------------------------


def test_parents_phones_are_shown_to_the_childs_teachers_only(app, make):
    classroom = make.classroom("P1/1")
    student = make.student(classroom)
    teacher = make.teacher(classroom)
    parent = make.parent_of(student)
    other_parent = make.parent_of(make.student(classroom))
    _login(app, parent).post(f"/people/{parent.id}/contact", data={"phone": "089 999 8888"})
    assert "089-999-8888" in _login(app, teacher).get(f"/students/{student.id}").text
    assert "089-999-8888" in _login(app, teacher).get(f"/classrooms/{classroom.id}").text
    assert "089-999-8888" not in _login(app, student).get(f"/students/{student.id}").text
    assert "089-999-8888" not in _login(app, parent).get(f"/students/{student.id}").text
    assert _login(app, other_parent).get(f"/students/{student.id}").status_code == 404


# --- family codes -----------------------------------------------------------------------------


def _issue(app, admin, student) -> str:
    import re

    response = _login(app, admin).post(f"/students/{student.id}/family-code", headers={"HX-Request": "true"})
    assert response.status_code == 200
    return re.search(r'family-code-value">([A-Z0-9-]+)<', response.text).group(1)


def test_a_parent_links_another_child_with_a_family_code(app, make):
    from lms.audit.models import AuditLog
    from lms.school.models import FamilyCode, ParentLink

    classroom = make.classroom("P1/1")
    first, second = make.student(classroom), make.student(classroom, full_name="Second Child")
    parent = make.parent_of(first)
    admin = make.user(role="ADMIN")
    code = _issue(app, admin, second)
    with app.app_context():
        stored = db.session.scalar(select(FamilyCode))
        assert code.replace("-", "") not in stored.code_hash and len(stored.code_hash) == 64
    client = _login(app, parent)
    assert "Link another child" in client.get("/my/children", follow_redirects=True).text
    response = client.post("/my/children/link", data={"code": code.lower().replace("-", " ")})
    assert response.status_code == 303
    assert _count(app, ParentLink, parent_id=parent.id) == 2
    assert "Second Child" in client.get(response.headers["Location"]).text
    again = client.post("/my/children/link", data={"code": code}, headers={"HX-Request": "true"})
    assert again.status_code == 422
    with app.app_context():
        actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"family_code.issued", "family_code.used"} <= actions


def test_wrong_expired_used_and_replaced_codes_are_refused_and_store_nothing(app, make):
    from lms.school.models import FamilyCode, ParentLink

    classroom = make.classroom("P1/1")
    student = make.student(classroom)
    admin = make.user(role="ADMIN")
    parent, other = make.user(role="PARENT"), make.user(role="PARENT")
    client = _login(app, parent)

    wrong = client.post("/my/children/link", data={"code": "AAAA-BBBB-CCCC"}, headers={"HX-Request": "true"})
    assert wrong.status_code == 422 and "not valid" in wrong.text

    old = _issue(app, admin, student)
    new = _issue(app, admin, student)  # the new code replaces the old one
    assert "not valid" in client.post("/my/children/link", data={"code": old}, headers={"HX-Request": "true"}).text

    with app.app_context():
        row = db.session.scalar(select(FamilyCode))
        row.created_at -= timedelta(days=40)
        row.expires_at -= timedelta(days=40)
        db.session.commit()
    expired = client.post("/my/children/link", data={"code": new}, headers={"HX-Request": "true"})
    assert expired.status_code == 422 and "expired" in expired.text
    assert _count(app, ParentLink) == 0

    fresh = _issue(app, admin, student)
    assert _login(app, other).post("/my/children/link", data={"code": fresh}).status_code == 303
    used = client.post("/my/children/link", data={"code": fresh}, headers={"HX-Request": "true"})
    assert used.status_code == 422 and "already been used" in used.text
    assert _count(app, ParentLink, parent_id=parent.id) == 0


@pytest.fixture
def limited_app(app, database_url, redis_url):
    from lms import create_app
    from lms.extensions import limiter
    from tests.conftest import make_test_config

    limited = create_app(make_test_config(database_url, redis_url, RATELIMIT_ENABLED=True,
                                          FAMILY_CODE_LIMIT_PER_USER="3 per hour",
                                          STORAGE_DIR=app.config["STORAGE_DIR"]))
    with limited.app_context():
        limiter.reset()
    yield limited
    with limited.app_context():
        limiter.reset()
    limiter.init_app(app)


def test_family_code_entry_is_rate_limited_per_parent(limited_app, make):
    parent = make.user(role="PARENT")
    client = _login(limited_app, parent)
    statuses = [client.post("/my/children/link", data={"code": f"WRONG{i}"}).status_code for i in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[-1] == 429


def test_only_admins_issue_family_codes_and_see_the_print_slip(app, make):
    classroom = make.classroom("P1/1")
    student = make.student(classroom)
    teacher = make.teacher(classroom)
    parent = make.parent_of(student)
    assert _login(app, teacher).post(f"/students/{student.id}/family-code").status_code == 403
    assert _login(app, parent).post(f"/students/{student.id}/family-code").status_code == 403
    slip = _login(app, make.user(role="ADMIN")).post(f"/students/{student.id}/family-code", data={"slip": "1"})
    assert slip.status_code == 200
    assert 'class="slip-code"' in slip.text and "site-nav" not in slip.text and "@media print" not in slip.text
    assert "css/people.css" in slip.text


def test_admin_invites_a_parent_from_the_student_page(app, make):
    from lms.auth.models import Invitation

    student = make.student(make.classroom("P1/1"))
    client = _login(app, make.user(role="ADMIN"))
    assert "Invite a parent" in client.get(f"/students/{student.id}").text
    response = client.post(f"/students/{student.id}/parents/invite",
                           data={"email": "mum@example.org", "full_name": "Mum"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Invitation sent to mum@example.org" in response.text
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.email == "mum@example.org"))
        assert invitation.role == "PARENT" and invitation.grants == {"student_ids": [student.id]}
    bad = client.post(f"/students/{student.id}/parents/invite", data={"email": "not-an-email"},
                      headers={"HX-Request": "true"})
    assert bad.status_code == 422
    assert _count(app, Invitation) == 1


def test_admin_edits_a_teachers_phone_photo_and_bio_from_the_staff_and_user_pages(app, make):
    teacher = make.teacher()
    client = _login(app, make.user(role="ADMIN"))
    link = f"/people/{teacher.id}/profile"
    assert link in client.get(f"/staff/{teacher.id}").text
    assert link in client.get(f"/admin/users/{teacher.id}").text
    page = client.get(link).text
    assert "Short bio" in page and "Upload the photo" in page
    response = client.post(f"/people/{teacher.id}/contact", data={"phone": "0812345678", "bio": "Science"})
    assert response.status_code == 303 and response.headers["Location"].endswith(link)
    assert "Science" in client.get(link).text
