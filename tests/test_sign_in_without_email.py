"""Sign in with an email, a username or a student number; students without email;
generated student numbers; usernames proposed from them and unique whatever the case."""

import io
import re
import threading

import pytest
from sqlalchemy import select

from lms.auth.models import LoginAttempt, User
from lms.school.models import StudentProfile
from tests.factories import DEFAULT_PASSWORD as PASSWORD

DEMO_PASSWORD = "demo-pass-1234"


def sign_in(client, login, password=PASSWORD):
    return client.post("/auth/login", data={"login": login, "password": password})


def test_sign_in_by_email_username_any_case_and_student_number(app, make):
    student = make.student(number="S-77", username="mali.k")
    for login in (student.email, student.email.upper(), "mali.k", "MALI.K", " Mali.K ", "S-77", "s-77"):
        client = app.test_client()
        response = sign_in(client, login)
        assert response.status_code == 303, login
        assert client.get("/me").status_code == 200


def test_wrong_password_and_unknown_login_get_the_same_answer(client, make, db):
    make.student(number="S-78", username="somchai")
    answers = [sign_in(client, login, password) for login, password in
               (("somchai", "not-the-password"), ("nobody-here", "not-the-password"),
                ("S-78", "nope-nope-nope"), ("nobody@example.org", "nope-nope-nope"))]
    assert {a.status_code for a in answers} == {200}
    for answer in answers:
        assert "Wrong sign-in name or password." in answer.get_data(as_text=True)
    reasons = db.scalars(select(LoginAttempt.reason).order_by(LoginAttempt.id))
    assert reasons == ["WRONG_PASSWORD", "UNKNOWN_EMAIL", "WRONG_PASSWORD", "UNKNOWN_EMAIL"]


def test_api_token_takes_login_and_still_email(client, make):
    student = make.student(number="S-79", username="api.kid")
    for body in ({"login": "API.KID", "password": PASSWORD}, {"login": "S-79", "password": PASSWORD},
                 {"email": student.email, "password": PASSWORD}):
        response = client.post("/api/v1/auth/token", json=body)
        assert response.status_code == 200, body
        assert response.json["data"]["user"]["id"] == student.id
    wrong = client.post("/api/v1/auth/token", json={"login": "api.kid", "password": "nope"})
    assert wrong.status_code == 401


@pytest.fixture
def limited_app(app, database_url, redis_url):
    from lms import create_app
    from lms.extensions import limiter
    from tests.conftest import make_test_config

    limited = create_app(make_test_config(database_url, redis_url, RATELIMIT_ENABLED=True))
    with limited.app_context():
        limiter.reset()
    yield limited
    with limited.app_context():
        limiter.reset()
    limiter.init_app(app)


def test_username_and_number_share_the_account_rate_limit(limited_app, make):
    make.student(number="S-80", username="limited")
    client = limited_app.test_client()
    for i in range(10):
        login = "limited" if i % 2 else "S-80"
        assert sign_in(client, login, "not-the-password").status_code == 200
    assert sign_in(client, "LIMITED", PASSWORD).status_code == 429


def test_admin_creates_a_student_without_email_who_can_sign_in(client, as_role, make, db, app):
    make.classroom("P1/1")
    as_role("ADMIN")
    response = client.post("/students/new", data={"full_name": "Noi Nomail", "email": "", "student_number": "",
                                                  "username": "", "guardian_notes": ""})
    assert response.status_code == 303
    noi = db.scalar(select(User).where(User.full_name == "Noi Nomail"))
    number = db.get(StudentProfile, noi.id).student_number
    assert noi.email is None and re.fullmatch(r"\d{8}", number)
    assert noi.username == number  # proposed from the generated number
    page = client.get(f"/students/{noi.id}").get_data(as_text=True)
    assert number in page and ">None<" not in page
    assert "Noi Nomail" in client.get(f"/students?q={number}").get_data(as_text=True)
    with app.app_context():
        from lms.extensions import db as _db

        user = _db.session.get(User, noi.id)
        user.set_password(PASSWORD)
        _db.session.commit()
    pupil = app.test_client()
    assert sign_in(pupil, number).status_code == 303


def test_generated_numbers_are_sortable_and_unique(client, as_role, db):
    as_role("ADMIN")
    for name in ("First Kid", "Second Kid"):
        client.post("/students/new", data={"full_name": name, "student_number": "", "guardian_notes": ""})
    first, second = (db.scalar(select(StudentProfile.student_number).join(User, User.id == StudentProfile.user_id)
                               .where(User.full_name == name)) for name in ("First Kid", "Second Kid"))
    assert first < second and int(second) == int(first) + 1


@pytest.mark.parametrize("taken", ["Taken.Name", "TAKEN.NAME"])
def test_duplicate_username_is_refused_on_create_and_edit(client, as_role, make, db, taken):
    make.student(username="taken.name")
    other = make.student(username="other.kid")
    as_role("ADMIN")
    before = db.count(User)
    response = client.post("/students/new", data={"full_name": "Copy Cat", "username": taken, "guardian_notes": ""})
    assert response.status_code in (200, 422)
    assert "The username taken.name is already taken." in response.get_data(as_text=True)
    assert db.count(User) == before
    response = client.post(f"/students/{other.id}/edit", data={
        "full_name": other.full_name, "email": other.email, "username": taken, "student_number": "X-1",
        "status": "ACTIVE", "guardian_notes": ""})
    assert response.status_code in (200, 422) and "already taken" in response.get_data(as_text=True)
    assert db.get(User, other.id).username == "other.kid"


def test_bad_username_gets_a_field_error(client, as_role, db):
    as_role("ADMIN")
    response = client.post("/students/new", data={"full_name": "Bad Name", "username": "a b", "guardian_notes": ""})
    assert response.status_code in (200, 422) and "A username is 3 to 40 letters" in response.get_data(as_text=True)
    assert db.scalar(select(User).where(User.full_name == "Bad Name")) is None


def test_admin_user_page_edits_the_username(client, as_role, make, db):
    taken = make.student(username="already")
    student = make.student(username="before")
    as_role("ADMIN")
    response = client.post(f"/admin/users/{student.id}/username", data={"username": "Already"})
    assert response.status_code == 422 and "already taken" in response.get_data(as_text=True)
    assert db.get(User, student.id).username == "before" and db.get(User, taken.id).username == "already"
    assert client.post(f"/admin/users/{student.id}/username", data={"username": "New.Name"}).status_code == 303
    assert db.get(User, student.id).username == "new.name"
    assert "new.name" in client.get("/admin/users?q=new.na").get_data(as_text=True)


def _upload(client, text):
    return client.post("/students/import", data={"file": (io.BytesIO(text.encode()), "s.csv")},
                       content_type="multipart/form-data")


def _confirm(client, preview):
    token = re.search(r'name="token" value="([^"]+)"', preview.get_data(as_text=True)).group(1)
    return client.post("/students/import/confirm", data={"token": token})


def test_import_without_email_generates_numbers_and_usernames(client, as_role, db, app):
    as_role("ADMIN")
    text = ("student_number,full_name,email,username,classroom,date_of_birth,status\n"
            ",Kid One,,,,,\n"
            ",Kid Two,,kid.two,,,\n"
            "P/7,Kid Three,three@example.org,,,,\n")
    preview = _upload(client, text)
    assert preview.status_code == 200 and "3 students are ready to import" in preview.get_data(as_text=True)
    assert _confirm(client, preview).status_code == 303
    rows = {u.full_name: (u.email, u.username, db.get(StudentProfile, u.id).student_number)
            for u in db.scalars(select(User).where(User.role == "STUDENT"))}
    one, two, three = rows["Kid One"], rows["Kid Two"], rows["Kid Three"]
    assert one[0] is None and re.fullmatch(r"\d{8}", one[2]) and one[1] == one[2]
    assert two[1] == "kid.two" and re.fullmatch(r"\d{8}", two[2]) and two[2] != one[2]
    assert three == ("three@example.org", "p-7", "P/7")
    export = client.get("/students/export.csv").get_data(as_text=True)
    assert "kid.two" in export


def test_import_refuses_taken_usernames_and_stores_nothing(client, as_role, make, db):
    make.student(username="kid.one")
    as_role("ADMIN")
    before = db.count(User)
    preview = _upload(client, "full_name,username\nKid,KID.ONE\nOther,twin\nThird,Twin\n")
    body = preview.get_data(as_text=True)
    assert "The username kid.one is already taken." in body and "Username twin is also on row 3." in body
    assert db.count(User) == before


def test_old_files_without_username_or_email_column_still_import(client, as_role, db):
    as_role("ADMIN")
    preview = _upload(client, "student_number,full_name,email,classroom,date_of_birth,status\n"
                              "OLD-1,Old Format,old@example.org,,,\n")
    assert _confirm(client, preview).status_code == 303
    assert db.scalar(select(User.username).where(User.email == "old@example.org")) == "old-1"


def test_invited_student_gets_a_number_and_username(app, client, as_role, outbox, db, make):
    from tests.conftest import email_link

    make.classroom("P1/1")
    as_role("ADMIN")
    response = client.post("/admin/invitations", data={"email": "invited@example.org", "role": "STUDENT",
                                                       "full_name": "In Vited"})
    assert response.status_code in (200, 303)
    path = email_link(outbox[-1], "/auth/invite/")
    invitee = app.test_client()
    assert invitee.post(path, data={"full_name": "In Vited", "password": PASSWORD,
                                    "confirm": PASSWORD}).status_code == 303
    user = db.scalar(select(User).where(User.email == "invited@example.org"))
    number = db.get(StudentProfile, user.id).student_number
    assert re.fullmatch(r"\d{8}", number) and user.username == number
    assert sign_in(app.test_client(), number).status_code == 303


def test_demo_pupil_without_email_signs_in(client, demo, db):
    pupil = db.scalar(select(User).where(User.username == "pupil1"))
    assert pupil.email is None and pupil.role == "STUDENT"
    response = sign_in(client, "pupil1", DEMO_PASSWORD)
    assert response.status_code == 303
    assert "Ploy Pupil" in client.get("/").get_data(as_text=True)


def test_no_email_is_sent_to_an_account_without_one(app, outbox):
    from lms.mail import send_email

    with app.test_request_context():
        send_email(None, "Subject", "password_reset", user=None, link="x", hours=1)
    assert outbox == []


def test_forgot_password_tells_pupils_without_email_whom_to_ask(client):
    page = client.get("/auth/forgot-password").get_data(as_text=True)
    assert "Ask your teacher or the school office" in page


def _create_student_in_thread(app, admin_id, name, results):
    from lms.extensions import db as _db
    from lms.school import people

    with app.app_context():
        try:
            admin = _db.session.get(User, admin_id)
            student = people.create_student(admin, name, None, None)
            _db.session.commit()
            results.append(_db.session.get(StudentProfile, student.id).student_number)
        except Exception as err:  # noqa: BLE001 - reported by the assertion
            _db.session.rollback()
            results.append(err)
        finally:
            _db.session.remove()


@pytest.mark.committed  # each thread has its own connection
def test_two_concurrent_creations_get_different_numbers(app, make, db):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("concurrent transactions need PostgreSQL")
    admin = make.user(role="ADMIN")
    results: list = []
    threads = [threading.Thread(target=_create_student_in_thread, args=(app, admin.id, f"Twin {i}", results))
               for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(r, str) for r in results), results
    assert len(set(results)) == 2


def test_migration_backfills_numbers_and_usernames(tmp_path_factory):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from lms import create_app
    from lms.extensions import db as _db
    from tests.conftest import make_test_config, temporary_database

    with temporary_database(tmp_path_factory, "backfill") as url:
        app = create_app(make_test_config(url, "fakeredis://"))
        with app.app_context():
            upgrade(revision="0008")
            with _db.engine.begin() as conn:
                conn.execute(text("INSERT INTO organization (name, slug, academic_year, timezone) "
                                  "VALUES ('School', 'school', '2031', 'Asia/Bangkok')"))
                for i, email in enumerate(("a@example.org", "b@example.org", "c@example.org"), start=1):
                    conn.execute(text('INSERT INTO "user" (id, email, full_name, role, active, login_version) '
                                      "VALUES (:i, :e, 'Kid', 'STUDENT', true, 1)"), {"i": i, "e": email})
                conn.execute(text("INSERT INTO student_profile (user_id, student_number, status, guardian_notes) "
                                  "VALUES (1, '20310001', 'ACTIVE', ''), (2, NULL, 'ACTIVE', '')"))
            upgrade(revision="0013")
            with _db.engine.connect() as conn:
                rows = conn.execute(text('SELECT u.id, u.username, p.student_number FROM "user" u '
                                         "JOIN student_profile p ON p.user_id = u.id ORDER BY u.id")).all()
            assert [tuple(r) for r in rows] == [(1, "20310001", "20310001"), (2, "20310002", "20310002"),
                                                (3, "20310003", "20310003")]
            downgrade(revision="0008")
            _db.session.remove()
            _db.engine.dispose()
