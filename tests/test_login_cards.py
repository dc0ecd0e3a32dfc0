"""A classroom's "Prepare sign-in": activation emails, login cards, QR sign-in."""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from lms.audit.models import AuditLog
from lms.auth.models import LoginCardBatch, SignInCard, User
from lms.extensions import db as _db
from tests.conftest import email_link, email_text

pypdf = pytest.importorskip("pypdf")


def pupil(make, app, classroom, full_name, username):
    """A student without email (signs in with a username)."""
    student = make.student(classroom, full_name=full_name)
    with app.app_context():
        _db.session.execute(update(User).where(User.id == student.id).values(email=None, username=username))
        _db.session.commit()
    return student


@pytest.fixture
def room(make, app):
    classroom = make.classroom("P1/1")
    students = [pupil(make, app, classroom, f"Pupil {i}", f"pupil{i:02d}") for i in range(1, 13)]
    students.append(pupil(make, app, classroom, "สมชาย ใจดี", "somchai"))
    return classroom, students


def prepare(client, classroom, **data):
    return client.post(f"/classrooms/{classroom.id}/prepare-sign-in", data={"scope": "all", "days": 14, **data})


def cards_from_page(client, classroom):
    page = client.get(f"/classrooms/{classroom.id}/login-cards").get_data(as_text=True)
    usernames = re.findall(r"<strong>([a-z0-9._-]+)</strong>", page)
    passwords = re.findall(r"<code>([a-z0-9]+)</code>", page)
    return page, dict(zip(usernames, passwords, strict=True))


def qr_links(pdf_bytes):
    """Decode every QR code image embedded in the PDF."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    links = []
    for page in pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages:
        for image in page.images:
            results = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)).convert("L"))
            links.extend(r.text for r in results)
    return links


def test_cards_page_and_pdf_for_a_class_without_email(client, as_role, room, db, app):
    classroom, students = room
    admin = as_role("ADMIN")
    response = prepare(client, classroom)
    assert response.status_code in (302, 303)
    page, cards = cards_from_page(client, classroom)
    assert len(cards) == 13 and "สมชาย ใจดี" in page and "@page" not in page
    assert "login-cards.css" in page and 'class="site-header"' in page
    pdf = client.get(f"/classrooms/{classroom.id}/login-cards.pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(pdf.data))
    assert len(reader.pages) == 2  # 10 cards a page
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Pupil 12" in text and "pupil12" in text and cards["pupil12"] in text and "P1/1" in text
    assert "สมชาย" in text  # the Thai name is drawn with Sarabun
    links = qr_links(pdf.data)
    assert len(links) == 13 and all(link.startswith("http://localhost/auth/qr/") for link in links)
    # Only hashes are stored; the batch is encrypted.
    with app.app_context():
        stored = _db.session.scalars(select(SignInCard)).all()
        assert len(stored) == 13 and all(link.rsplit("/", 1)[1] not in {c.token_hash for c in stored}
                                         for link in links)
        batch = _db.session.scalar(select(LoginCardBatch))
        assert cards["pupil01"].encode() not in batch.payload
        user = _db.session.scalar(select(User).where(User.username == "pupil01"))
        assert user.must_change_password and cards["pupil01"] not in user.password_hash
    [audit] = db.scalars(select(AuditLog).where(AuditLog.action == "classroom.sign_in_prepared"))
    assert audit.actor_id == admin.id and audit.details["cards"] == 13
    # The printable page and PDF are for whoever made them only.
    as_role("ADMIN")
    _page, others = cards_from_page(client, classroom)
    assert others == {}
    assert client.get(f"/classrooms/{classroom.id}/login-cards.pdf").status_code == 404


def test_qr_sign_in_once_then_a_new_password(client, as_role, room, auth, db, app, make):
    make.organization(picture_password_levels="")  # this class signs in with passwords
    classroom, _students = room
    as_role("ADMIN")
    prepare(client, classroom)
    pdf = client.get(f"/classrooms/{classroom.id}/login-cards.pdf").data
    link = sorted(qr_links(pdf))[0]
    path = link.replace("http://localhost", "")
    auth.logout()
    confirm = client.get(path)
    assert confirm.status_code == 200 and b"Sign in as Pupil?" in confirm.data or b"Sign in as" in confirm.data
    with app.app_context():
        assert _db.session.scalar(select(SignInCard).where(SignInCard.used_at.is_not(None))) is None  # GET: unused
    done = client.post(path)
    assert done.status_code == 303 and done.headers["Location"].endswith("/auth/new-password")
    # Nothing else until a new password is chosen.
    assert client.get("/").headers["Location"].endswith("/auth/new-password")
    bad = client.post("/auth/new-password", data={"password": "short", "confirm": "short"})
    assert b"at least 10" in bad.data
    ok = client.post("/auth/new-password", data={"password": "my-own-password", "confirm": "my-own-password"})
    assert ok.status_code == 303
    assert client.get("/").status_code == 200
    with app.app_context():
        card = _db.session.scalar(select(SignInCard).where(SignInCard.used_at.is_not(None)))
        user = _db.session.get(User, card.user_id)
        assert not user.must_change_password
        username = user.username
    auth.logout()
    auth.login(username, "my-own-password")
    auth.logout()
    # Used: a clear page, nothing changes.
    again = client.get(path)
    assert again.status_code == 404 and b"already used, revoked or has expired" in again.data
    assert client.post(path).status_code == 404
    assert db.count(AuditLog, AuditLog.action == "user.signed_in_with_card") == 1


def test_expired_and_revoked_cards_do_nothing(client, as_role, room, auth, app):
    classroom, _students = room
    as_role("ADMIN")
    prepare(client, classroom)
    links = sorted(qr_links(client.get(f"/classrooms/{classroom.id}/login-cards.pdf").data))
    with app.app_context():
        cards = _db.session.scalars(select(SignInCard).order_by(SignInCard.id)).all()
        first, second_id = cards[0], cards[1].id
        first.created_at -= timedelta(days=15)
        first.expires_at = first.created_at + timedelta(days=14)
        _db.session.commit()
    page = client.get(f"/classrooms/{classroom.id}/login-cards").get_data(as_text=True)
    assert page.count("Revoke the card of") == 12  # the expired one is not listed
    client.post(f"/classrooms/{classroom.id}/sign-in-cards/revoke", data={"card_id": second_id})
    assert client.get(f"/classrooms/{classroom.id}/login-cards").get_data(as_text=True).count(
        "Revoke the card of") == 11
    client.post(f"/classrooms/{classroom.id}/sign-in-cards/revoke")  # Revoke all
    assert b"No sign-in card of this classroom can be used now." in client.get(
        f"/classrooms/{classroom.id}/login-cards").data
    auth.logout()
    for link in links:
        response = client.post(link.replace("http://localhost", ""))
        assert response.status_code == 404 and b"already used, revoked or has expired" in response.data
    assert client.get("/").status_code in (302, 303)  # still signed out


def test_one_time_password_forces_a_new_password(client, as_role, room, auth, make):
    make.organization(picture_password_levels="")  # this class signs in with passwords
    classroom, _students = room
    as_role("ADMIN")
    prepare(client, classroom)
    _page, cards = cards_from_page(client, classroom)
    auth.logout()
    auth.login("pupil03", cards["pupil03"])
    assert client.get("/classrooms").headers["Location"].endswith("/auth/new-password")
    assert client.post("/auth/new-password", data={"password": "pupil03", "confirm": "pupil03"}).status_code == 200
    client.post("/auth/new-password", data={"password": "a-new-secret-1", "confirm": "a-new-secret-1"})
    assert client.get("/").status_code == 200
    auth.logout()
    assert client.post("/auth/login", data={"login": "pupil03", "password": cards["pupil03"]}).status_code == 200


def test_regenerating_a_card_invalidates_the_old_one(client, as_role, room, auth):
    classroom, students = room
    as_role("ADMIN")
    prepare(client, classroom)
    _page, old = cards_from_page(client, classroom)
    old_links = qr_links(client.get(f"/classrooms/{classroom.id}/login-cards.pdf").data)
    prepare(client, classroom, scope="", student_id=[students[0].id])
    _page, new = cards_from_page(client, classroom)
    assert list(new) == ["pupil01"] and new["pupil01"] != old["pupil01"]
    auth.logout()
    failed = client.post("/auth/login", data={"login": "pupil01", "password": old["pupil01"]})
    assert failed.status_code == 200 and b"Wrong sign-in name or password" in failed.data
    responses = [client.get(link.replace("http://localhost", "")).status_code for link in old_links]
    assert responses.count(404) == 1  # pupil01's old QR; the others still work
    auth.login("pupil02", old["pupil02"])


def test_activation_email_for_students_with_an_email(client, as_role, make, outbox, auth, app):
    classroom = make.classroom("P4/1")
    student = make.student(classroom, full_name="Anna Email")
    as_role("ADMIN")
    response = prepare(client, classroom)
    assert response.status_code in (302, 303)
    [message] = [m for m in outbox if m["To"] == student.email]
    assert message["Subject"] == "Your school account is ready — set your password"
    body = email_text(message)
    assert "asked to reset" not in body and "7 days" in body
    link = email_link(message, "/auth/activate/")
    auth.logout()
    page = client.get(link)
    assert page.status_code == 200 and b"Set your password" in page.data
    assert client.post(link, data={"password": "x", "confirm": "x"}).status_code == 200  # error shown
    done = client.post(link, data={"password": "annas-password", "confirm": "annas-password"})
    assert done.status_code == 303
    auth.logout()
    auth.login(student.email, "annas-password")
    auth.logout()
    assert client.get(link).status_code == 404  # single use
    assert client.get(f"/classrooms/{classroom.id}/login-cards").status_code in (302, 303)


def test_teachers_of_the_classroom_only(client, as_role, make, room):
    classroom, _students = room
    as_role("TEACHER")
    assert client.get(f"/classrooms/{classroom.id}/login-cards").status_code == 404
    assert prepare(client, classroom).status_code == 404
    teacher = make.teacher(classroom)
    from tests.conftest import AuthActions

    AuthActions(client).logout()
    AuthActions(client).login(teacher)
    assert prepare(client, classroom).status_code in (302, 303)
    assert client.get(f"/classrooms/{classroom.id}/login-cards.pdf").status_code == 200
    for role in ("STUDENT", "PARENT"):
        AuthActions(client).logout()
        as_role(role)
        assert client.get(f"/classrooms/{classroom.id}/login-cards").status_code == 403
        assert prepare(client, classroom).status_code == 403


@pytest.mark.parametrize("data", [{"days": "0"}, {"days": "91"}, {"days": "many"},
                                  {"scope": "", "student_id": ["999999"]}, {"scope": "", "student_id": ["x"]},
                                  {"scope": ""}])
def test_bad_input_stores_nothing(client, as_role, room, db, data):
    classroom, _students = room
    as_role("ADMIN")
    response = prepare(client, classroom, **data)
    assert response.status_code == 422 and b'role="alert"' in response.data
    assert db.count(SignInCard) == 0 and db.count(LoginCardBatch) == 0
    assert db.count(AuditLog, AuditLog.action == "classroom.sign_in_prepared") == 0


def test_bulk_action_on_the_students_list(client, as_role, room, make, outbox):
    classroom, students = room
    emailed = make.student(classroom, full_name="Has Email")
    as_role("ADMIN")
    page = client.get("/students").get_data(as_text=True)
    assert 'value="prepare_sign_in" disabled' not in page and 'value="prepare_sign_in"' in page
    response = client.post("/students/bulk", data={"action": "prepare_sign_in", "confirm": "1",
                                                   "student_id": [students[0].id, emailed.id]})
    assert response.status_code in (302, 303)
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 activation email sent." in follow and "1 login card made" in follow
    _page, cards = cards_from_page(client, classroom)
    assert list(cards) == ["pupil01"]
    assert [m["To"] for m in outbox] == [emailed.email]


def test_the_qr_confirm_page_is_translated(client, as_role, room, auth):
    classroom, _students = room
    as_role("ADMIN")
    prepare(client, classroom)
    link = qr_links(client.get(f"/classrooms/{classroom.id}/login-cards.pdf").data)[0]
    auth.logout()
    page = client.get(link.replace("http://localhost", ""), headers={"Accept-Language": "th"})
    assert "เข้าสู่ระบบ" in page.get_data(as_text=True)


def test_a_suspended_pupil_cannot_use_a_card(client, as_role, room, auth, app, db):
    classroom, students = room
    as_role("ADMIN")
    prepare(client, classroom, scope="", student_id=[students[0].id])
    [link] = qr_links(client.get(f"/classrooms/{classroom.id}/login-cards.pdf").data)
    with app.app_context():
        from lms.common.types import utcnow

        user = _db.session.get(User, students[0].id)
        user.suspended_at, user.suspension_reason = utcnow(), "Holiday"
        _db.session.commit()
    auth.logout()
    response = client.post(link.replace("http://localhost", ""))
    assert response.status_code == 403 and b"Holiday" in response.data
    assert client.get("/").status_code in (302, 303)
    assert db.count(SignInCard, SignInCard.used_at.is_not(None)) == 0


def test_revoking_is_audited_and_old_batches_are_forgotten(client, as_role, room, app, db):
    from lms.auth.jobs import delete_expired_login_card_batches
    from lms.periodic import PERIODIC_JOBS

    classroom, _students = room
    as_role("ADMIN")
    prepare(client, classroom)
    client.post(f"/classrooms/{classroom.id}/sign-in-cards/revoke")
    [audit] = db.scalars(select(AuditLog).where(AuditLog.action == "classroom.sign_in_cards_revoked"))
    assert audit.details["count"] == 13
    with app.app_context():
        batch = _db.session.scalar(select(LoginCardBatch))
        batch.created_at -= timedelta(hours=1)
        batch.expires_at -= timedelta(hours=1)
        _db.session.commit()
        assert delete_expired_login_card_batches() == 1
    assert any(job.name == "delete-expired-login-card-batches" for job in PERIODIC_JOBS)
    assert client.get(f"/classrooms/{classroom.id}/login-cards.pdf").status_code == 404


def test_the_language_can_change_before_the_new_password(client, as_role, room, auth):
    classroom, _students = room
    as_role("ADMIN")
    prepare(client, classroom)
    _page, cards = cards_from_page(client, classroom)
    auth.logout()
    auth.login("pupil04", cards["pupil04"])
    assert client.post("/language", data={"locale": "th", "next": "/auth/new-password"}).status_code == 303
    assert "ตั้งรหัสผ่านของคุณเอง" in client.get("/auth/new-password").get_data(as_text=True)
    assert client.get("/notifications/badge", headers={"HX-Request": "true"}).status_code == 204


def test_a_young_pupil_chooses_pictures_after_the_card_and_its_password_stops_working(
        client, as_role, room, auth, db):
    from tests.test_picture_password import pick_setup, pictures_sign_in

    classroom, _students = room  # P1: signs in with pictures (the default levels P1-P3)
    as_role("ADMIN")
    prepare(client, classroom)
    _page, cards = cards_from_page(client, classroom)
    auth.logout()
    auth.login("pupil04", cards["pupil04"])
    assert client.get("/classrooms").headers["Location"].endswith("/auth/picture-password/setup")
    pick_setup(client, ["cat", "sun", "boat"])
    pick_setup(client, ["cat", "sun", "boat"])  # confirmed
    assert db.scalar(select(User.must_change_password).where(User.username == "pupil04")) is False
    assert client.get("/me").status_code == 200  # the gate lets the pupil in
    auth.logout()
    assert client.post("/auth/login", data={"login": "pupil04", "password": cards["pupil04"]}).status_code == 200
    assert client.get("/me").status_code in (302, 303)  # the card's one-time password no longer works
    pictures_sign_in(client, "pupil04", ["cat", "sun", "boat"])
    assert client.get("/me").status_code == 200
