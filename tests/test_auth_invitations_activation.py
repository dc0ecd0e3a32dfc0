"""Invitations for accounts an admin created or imported, per-invitation expiry, resend all."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms import create_app
from lms.audit.models import AuditLog
from lms.auth.models import Invitation, User
from lms.common.types import utcnow
from lms.extensions import limiter
from tests.conftest import TEST_PASSWORD, email_link, make_test_config

PASSWORD = "activation-password-1"
HX = {"HX-Request": "true"}


def _created_student(client, email="made.by.admin@example.org", classroom_id=""):
    response = client.post("/students/new", data={"full_name": "Made By Admin", "email": email,
                                                   "student_number": "", "classroom_id": classroom_id})
    assert response.status_code == 303
    return email


def test_a_created_student_can_be_invited_and_accepting_activates_the_same_account(app, client, as_role, make,
                                                                                   db, outbox):
    p1 = make.classroom("P1/1")
    as_role("ADMIN")
    email = _created_student(client)
    student_id = db.scalar(select(User.id).where(User.email == email))
    response = client.post("/admin/invitations", data={"email": email, "role": "STUDENT",
                                                       "classroom_id": str(p1.id)})
    assert response.status_code == 303
    path = email_link(outbox[-1], "/auth/invite/")
    invitee = app.test_client()
    accepted = invitee.post(path, data={"full_name": "Made By Admin", "password": PASSWORD, "confirm": PASSWORD})
    assert accepted.status_code == 303
    assert db.count(User, User.email == email) == 1
    user = db.get(User, student_id)
    assert user.check_password(PASSWORD) and user.last_login_at is not None
    invitation = db.scalar(select(Invitation))
    assert invitation.status == "ACCEPTED" and invitation.accepted_user_id == student_id
    audit = db.scalar(select(AuditLog).where(AuditLog.action == "invitation.accepted"))
    assert audit.details["activated_existing_account"] is True
    # Grants applied: the classroom of the invitation.
    assert b"P1/1" in client.get(f"/students/{student_id}").data

    # Now that they have signed in, inviting them again is "already has an account".
    again = client.post("/admin/invitations", data={"email": email, "role": "STUDENT"}, headers=HX)
    assert again.status_code == 422 and b"already has an account" in again.data
    assert db.count(Invitation) == 1


def test_bulk_invites_created_accounts_but_not_those_who_signed_in(client, as_role, make, db, outbox):
    as_role("ADMIN")
    created = _created_student(client, "imported@example.org")
    signed_in = make.user(role="STUDENT", email="active@example.org", last_login_at=utcnow())
    text = f"{created}, Imported Pupil, STUDENT\n{signed_in.email}, Active Pupil, STUDENT\n"
    preview = client.post("/admin/invitations/bulk", data={"text": text}).get_data(as_text=True)
    assert "active@example.org already has an account" in preview
    assert "imported@example.org already has an account" not in preview
    client.post("/admin/invitations/bulk", data={"text": f"{created}, Imported Pupil, STUDENT\n", "confirm": "1"})
    assert db.count(Invitation) == 1 and outbox[-1]["To"] == created


def test_another_role_is_refused_with_a_clear_message(client, as_role, db):
    as_role("ADMIN")
    email = _created_student(client)
    response = client.post("/admin/invitations", data={"email": email, "role": "TEACHER"}, headers=HX)
    assert response.status_code == 422 and b"another role" in response.data
    assert db.count(Invitation) == 0


def test_each_invitation_has_its_own_expiry(client, as_role, db):
    as_role("ADMIN")
    client.post("/admin/invitations", data={"email": "short@example.org", "role": "PARENT", "expires_in_days": "2"})
    invitation = db.scalar(select(Invitation))
    assert timedelta(days=1, hours=23) < invitation.expires_at - utcnow() <= timedelta(days=2)
    assert b'value="7"' in client.get("/admin/invitations").data  # the organization's default is proposed
    bad = client.post("/admin/invitations", data={"email": "bad@example.org", "role": "PARENT",
                                                  "expires_in_days": "365"}, headers=HX)
    assert bad.status_code == 422 and db.count(Invitation) == 1
    client.post(f"/admin/invitations/{invitation.id}/resend", data={"expires_in_days": "30"})
    assert db.get(Invitation, invitation.id).expires_at - utcnow() > timedelta(days=29)
    refused = client.post(f"/admin/invitations/{invitation.id}/resend", data={"expires_in_days": "0"})
    assert refused.status_code == 400 and b"1 to 90 days" in refused.data
    client.post("/admin/invitations/bulk", data={"text": "b1@example.org, B One, PARENT\n", "confirm": "1",
                                                 "expires_in_days": "14"})
    bulk = db.scalar(select(Invitation).where(Invitation.email == "b1@example.org"))
    assert timedelta(days=13) < bulk.expires_at - utcnow() <= timedelta(days=14)


def test_resend_all_pending_in_one_step(app, client, as_role, make, db, outbox):
    admin = as_role("ADMIN")
    pending, old = make.invitation(admin, email="p@example.org")
    lapsed, _ = make.invitation(admin, email="l@example.org", expires_in_days=-2)
    accepted, _ = make.invitation(admin, email="a@example.org", status="ACCEPTED")
    revoked, _ = make.invitation(admin, email="r@example.org", status="REVOKED")
    taken, _ = make.invitation(admin, email="taken@example.org")
    make.user(email="taken@example.org", last_login_at=utcnow())
    assert b"Resend all pending invitations" in client.get("/admin/invitations").data
    response = client.post("/admin/invitations/resend-all", data={"expires_in_days": "10"})
    assert response.status_code == 303
    assert sorted(m["To"] for m in outbox) == ["l@example.org", "p@example.org"]
    for ident in (pending.id, lapsed.id):
        row = db.get(Invitation, ident)
        assert row.status == "PENDING" and row.expires_at - utcnow() > timedelta(days=9)
    assert db.get(Invitation, accepted.id).status == "ACCEPTED" and db.get(Invitation, revoked.id).status == "REVOKED"
    assert app.test_client().get(f"/auth/invite/{old}").status_code == 404
    [audit] = db.scalars(select(AuditLog).where(AuditLog.action == "invitation.resent_all"))
    assert audit.details["count"] == 2 and audit.details["skipped"] == 1
    page = client.get("/admin/invitations").get_data(as_text=True)
    assert "2 invitations sent again" in page and "taken@example.org already has an account" in page


@pytest.mark.parametrize("role", ["TEACHER", "STUDENT", "PARENT"])
def test_resend_all_is_for_admins(client, as_role, make, role):
    admin = make.user(role="ADMIN")
    invitation, _ = make.invitation(admin)
    as_role(role)
    assert client.post("/admin/invitations/resend-all").status_code == 403


@pytest.fixture
def limited_app(app, database_url, redis_url):
    limited = create_app(make_test_config(database_url, redis_url, RATELIMIT_ENABLED=True))
    with limited.app_context():
        limiter.reset()
    yield limited
    with limited.app_context():
        limiter.reset()
    limiter.init_app(app)


def test_resend_all_is_rate_limited(limited_app, make):
    admin = make.user(role="ADMIN")
    client = limited_app.test_client()
    client.post("/auth/login", data={"login": admin.email, "password": TEST_PASSWORD})
    statuses = [client.post("/admin/invitations/resend-all").status_code for _ in range(6)]
    assert statuses[:5] == [303] * 5 and statuses[5] == 429
