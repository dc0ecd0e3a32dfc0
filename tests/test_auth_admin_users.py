"""``/admin/users`` and ``/admin/audit``: find, deactivate/reactivate, change role; all audited."""

from datetime import UTC, datetime

from sqlalchemy import select

from lms.audit.models import AuditLog
from lms.auth.models import User, UserSession
from tests.conftest import AuthActions


def test_search_filter_and_paginate(client, as_role, make):
    as_role("ADMIN", full_name="Ada Admin")
    make.user(role="TEACHER", full_name="Tanya Teacher", email="tanya@example.org")
    make.user(role="STUDENT", full_name="Somchai Jaidee", email="somchai@example.org")
    make.user(role="STUDENT", full_name="Old Student", email="old@example.org", active=False)
    page = client.get("/admin/users?q=somchai")
    assert b"Somchai Jaidee" in page.data and b"Tanya Teacher" not in page.data
    teachers = client.get("/admin/users?role=TEACHER", headers={"HX-Request": "true"})
    assert b"Tanya Teacher" in teachers.data and b"Somchai" not in teachers.data and b"<html" not in teachers.data
    inactive = client.get("/admin/users?status=inactive")
    assert b"Old Student" in inactive.data and b"Somchai" not in inactive.data
    for i in range(30):
        make.user(role="PARENT", full_name=f"Parent {i:02d}")
    first = client.get("/admin/users?role=PARENT&sort=name")
    second = client.get("/admin/users?role=PARENT&sort=name&page=2")
    assert b"Parent 00" in first.data and b"Parent 29" not in first.data
    assert b"Parent 29" in second.data and b"Page 2 of 2" in second.data


def test_the_list_query_count_does_not_grow_with_rows(client, as_role, make, count_queries):
    as_role("ADMIN")
    client.get("/admin/users")
    with count_queries() as few:
        client.get("/admin/users")
    for _ in range(20):
        make.user()
    with count_queries() as many:
        client.get("/admin/users")
    assert many.count == few.count


def test_csv_export_has_a_bom_and_the_filtered_rows(client, as_role, make):
    as_role("ADMIN")
    make.user(role="STUDENT", full_name="สมชาย ใจดี", email="somchai@example.org")
    make.user(role="TEACHER", full_name="Tanya", email="tanya@example.org")
    response = client.get("/admin/users/export.csv?role=STUDENT")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeffEmail,Username,Full name,Role,Active")
    assert "somchai@example.org,,สมชาย ใจดี,Student,Yes" in text and "tanya@" not in text


def test_deactivation_signs_the_user_out_at_the_next_request_and_reactivation(app, client, as_role, make, db):
    admin = as_role("ADMIN")
    user = make.user(role="TEACHER")
    theirs = app.test_client()
    AuthActions(theirs).login(user)
    assert theirs.get("/").status_code == 200
    response = client.post(f"/admin/users/{user.id}/deactivate", headers={"HX-Request": "true"})
    assert response.status_code == 200 and b"can no longer sign in" in response.data
    assert b'id="user-panel"' in response.data and b"<html" not in response.data
    assert theirs.get("/").status_code == 302
    assert theirs.post("/api/session/ping").status_code == 401
    assert db.scalar(select(UserSession.end_reason).where(UserSession.user_id == user.id)) == "REVOKED"
    refused = theirs.post("/auth/login", data={"login": user.email, "password": "correct-horse-battery"})
    assert b"deactivated" in refused.data
    client.post(f"/admin/users/{user.id}/reactivate")
    assert db.get(User, user.id).active
    AuthActions(app.test_client()).login(user)
    entries = db.scalars(select(AuditLog).where(AuditLog.entity_type == "User", AuditLog.entity_id == user.id,
                                                AuditLog.action.notin_(("user.login", "user.logout")))  # sign-ins aside
                         .order_by(AuditLog.id))
    assert [e.action for e in entries] == ["user.deactivated", "user.reactivated"]
    assert entries[0].actor_id == admin.id and entries[0].ip == "127.0.0.1"


def test_change_role(client, as_role, make, db):
    as_role("ADMIN")
    user = make.user(role="STUDENT")
    response = client.post(f"/admin/users/{user.id}/role", data={"role": "TEACHER"})
    assert response.status_code == 303
    assert db.get(User, user.id).role == "TEACHER"
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "user.role_changed"))
    assert entry.details == {"email": user.email, "old_role": "STUDENT", "new_role": "TEACHER"}
    bad = client.post(f"/admin/users/{user.id}/role", data={"role": "KING"})
    assert bad.status_code == 400 and db.get(User, user.id).role == "TEACHER"


def test_admins_cannot_lock_themselves_out(client, as_role, db):
    admin = as_role("ADMIN")
    response = client.post(f"/admin/users/{admin.id}/deactivate", headers={"HX-Request": "true"})
    assert response.status_code == 422 and b"cannot deactivate your own account" in response.data
    assert client.post(f"/admin/users/{admin.id}/role", data={"role": "STUDENT"}).status_code == 422
    assert db.get(User, admin.id).active and db.get(User, admin.id).role == "ADMIN"


def test_unknown_users_are_404(client, as_role):
    as_role("ADMIN")
    assert client.get("/admin/users/999999").status_code == 404
    assert client.post("/admin/users/999999/deactivate").status_code == 404


def test_the_detail_page_shows_login_history(client, as_role, make):
    as_role("ADMIN")
    user = make.user(full_name="History Person")
    AuthActions(client.application.test_client()).login(user)
    page = client.get(f"/admin/users/{user.id}")
    assert page.status_code == 200 and b"History Person" in page.data
    assert b"Login sessions" in page.data and b"Sign-in attempts" in page.data and b"open" in page.data


def test_the_audit_log_browses_and_filters(app, client, as_role, make):
    admin = as_role("ADMIN", full_name="Ada Admin", email="ada@example.org")
    other_admin = make.user(role="ADMIN", full_name="Bert Boss", email="bert@example.org")
    target = make.user(full_name="Target Person")
    with app.app_context():
        from lms.audit.services import record
        from lms.extensions import db as sa_db

        t = sa_db.session.get(User, target.id)
        record(sa_db.session.get(User, admin.id), "user.deactivated", t)
        old = record(sa_db.session.get(User, other_admin.id), "user.role_changed", t, old_role="STUDENT")
        old.created_at = datetime(2025, 3, 1, 3, 0, tzinfo=UTC)
        sa_db.session.commit()
    everything = client.get("/admin/audit")
    assert b"user.deactivated" in everything.data and b"user.role_changed" in everything.data
    by_actor = client.get("/admin/audit?actor=bert", headers={"HX-Request": "true"})
    assert b"user.role_changed" in by_actor.data and b"user.deactivated</code>" not in by_actor.data
    assert b"<html" not in by_actor.data
    by_action = client.get("/admin/audit?action=user.deactivated")
    assert b"Bert Boss" not in by_action.data.split(b'id="audit-list"')[1]
    by_date = client.get("/admin/audit?date_from=2025-03-01&date_to=2025-03-01")
    listing = by_date.data.split(b'id="audit-list"')[1]
    assert b"user.role_changed" in listing and b"user.deactivated" not in listing
    assert client.get("/admin/audit?date_from=garbage").status_code == 200


def test_the_audit_list_query_count_does_not_grow(app, client, as_role, count_queries):
    admin = as_role("ADMIN")
    client.get("/admin/audit")
    with count_queries() as few:
        client.get("/admin/audit")
    with app.app_context():
        from lms.audit.services import record
        from lms.extensions import db as sa_db

        actor = sa_db.session.get(User, admin.id)
        for i in range(15):
            record(actor, "test.entry", actor, n=i)
        sa_db.session.commit()
    with count_queries() as many:
        client.get("/admin/audit")
    assert many.count == few.count
