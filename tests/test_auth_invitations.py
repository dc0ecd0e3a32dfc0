"""Invitations: invite, accept, resend, revoke, copy link, bulk; teachers invite students only."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from lms.audit.models import AuditLog
from lms.auth.models import Invitation, User, UserSession
from lms.auth.tokens import hash_token
from lms.common.errors import Forbidden
from lms.common.types import utcnow
from tests.conftest import email_link, email_text

PASSWORD = "invited-user-password"


def _invite(client, email="new.person@example.org", role="TEACHER", name="New Person", htmx=False):
    return client.post("/admin/invitations", data={"email": email, "role": role, "full_name": name},
                       headers={"HX-Request": "true"} if htmx else {})


def test_an_admin_invites_and_the_invitee_accepts_and_is_signed_in(app, client, as_role, outbox, db):
    admin = as_role("ADMIN", full_name="Ada Admin")
    response = _invite(client, email="New.Person@Example.org")
    assert response.status_code == 303
    invitation = db.scalar(select(Invitation))
    assert invitation.email == "new.person@example.org" and invitation.status == "PENDING"
    assert invitation.role == "TEACHER" and invitation.invited_by_id == admin.id
    assert invitation.expires_at - utcnow() > timedelta(days=6, hours=23)
    [message] = outbox
    assert message["To"] == "new.person@example.org"
    assert "Ada Admin" in email_text(message)
    path = email_link(message, "/auth/invite/")
    assert invitation.token_hash == hash_token(path.rsplit("/", 1)[1])
    assert db.scalar(select(AuditLog.action).where(AuditLog.action.notin_(("user.login", "user.logout")))) == "invitation.created"

    invitee = app.test_client()
    page = invitee.get(path)
    assert page.status_code == 200 and b'value="New Person"' in page.data
    response = invitee.post(path, data={"full_name": "Nadia Person", "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 303
    home = invitee.get(response.headers["Location"])
    assert b"Welcome" in home.data and b"Nadia Person" in home.data
    user = db.scalar(select(User).where(User.email == "new.person@example.org"))
    assert user.role == "TEACHER" and user.full_name == "Nadia Person"
    assert db.count(UserSession, UserSession.user_id == user.id) == 1
    accepted = db.get(Invitation, invitation.id)
    assert accepted.status == "ACCEPTED" and accepted.accepted_user_id == user.id
    # Single use.
    again = app.test_client().get(path)
    assert again.status_code == 404 and b"already been used" in again.data


@pytest.mark.parametrize("data, message", [
    ({"email": "not-an-email", "role": "STUDENT"}, b"valid email"),
    ({"email": "x@example.org", "role": "WIZARD"}, b"Not a valid choice"),
])
def test_bad_invitations_are_refused_with_a_message_and_nothing_stored(client, as_role, db, outbox, data, message):
    as_role("ADMIN")
    response = client.post("/admin/invitations", data=data, headers={"HX-Request": "true"})
    assert response.status_code == 422 and message in response.data
    assert b"<html" not in response.data and b'id="invite-form"' in response.data
    assert db.count(Invitation) == 0 and outbox == []


def test_existing_accounts_and_pending_invitations_are_not_invited_twice(client, as_role, make, db):
    as_role("ADMIN")
    existing = make.user()
    assert b"already has an account" in _invite(client, email=existing.email).data
    _invite(client, email="twice@example.org")
    second = _invite(client, email="twice@example.org")
    assert b"already has a pending invitation" in second.data
    assert db.count(Invitation) == 1


def test_an_expired_invitation_shows_as_expired_and_the_address_can_be_invited_again(app, client, as_role, make, db):
    admin = as_role("ADMIN")
    invitation, raw = make.invitation(admin, email="late@example.org", expires_in_days=-1)
    assert b"has expired" in app.test_client().get(f"/auth/invite/{raw}").data
    listing = client.get("/admin/invitations?status=EXPIRED")
    assert b"late@example.org" in listing.data
    assert b"late@example.org" not in client.get("/admin/invitations?status=PENDING").data
    assert _invite(client, email="late@example.org").status_code == 303
    assert db.get(Invitation, invitation.id).status == "EXPIRED"
    assert db.count(Invitation, Invitation.status == "PENDING") == 1


def test_the_expiry_follows_the_organization_setting(client, as_role, make, db):
    make.organization(invitation_days=3)
    as_role("ADMIN")
    _invite(client)
    invitation = db.scalar(select(Invitation))
    assert timedelta(days=2, hours=23) < invitation.expires_at - utcnow() <= timedelta(days=3)


def test_resend_issues_a_new_link_and_kills_the_old_one(app, client, as_role, make, db, outbox):
    admin = as_role("ADMIN")
    invitation, old = make.invitation(admin, email="again@example.org")
    response = client.post(f"/admin/invitations/{invitation.id}/resend", headers={"HX-Request": "true"})
    assert response.status_code == 200 and b"<tr" in response.data and b"<html" not in response.data
    assert b"previous link no longer works" in response.data
    new_path = email_link(outbox[-1], "/auth/invite/")
    visitor = app.test_client()
    assert visitor.get(f"/auth/invite/{old}").status_code == 404
    assert visitor.get(new_path).status_code == 200
    assert db.get(Invitation, invitation.id).send_count == 2
    assert "invitation.resent" in db.scalars(select(AuditLog.action))


def test_copy_link_shows_a_fresh_link(app, client, as_role, make, db, outbox):
    admin = as_role("ADMIN")
    invitation, old = make.invitation(admin)
    response = client.post(f"/admin/invitations/{invitation.id}/link", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "data-copy-target" in html
    import re

    link = re.search(r'value="http://localhost(/auth/invite/[^"]+)"', html).group(1)
    assert app.test_client().get(link).status_code == 200
    assert app.test_client().get(f"/auth/invite/{old}").status_code == 404
    assert outbox == []  # nothing emailed


def test_revoke(app, client, as_role, make, db):
    admin = as_role("ADMIN")
    invitation, raw = make.invitation(admin)
    response = client.post(f"/admin/invitations/{invitation.id}/revoke")
    assert response.status_code == 303
    assert db.get(Invitation, invitation.id).status == "REVOKED"
    assert b"withdrawn" in app.test_client().get(f"/auth/invite/{raw}").data
    assert client.post(f"/admin/invitations/{invitation.id}/revoke").status_code == 400


def test_accepting_checks_the_password_and_name(app, make):
    invitation, raw = make.invitation(make.user(role="ADMIN"), email="kid@example.org")
    visitor = app.test_client()
    short = visitor.post(f"/auth/invite/{raw}", data={"full_name": "Kid", "password": "short", "confirm": "short"})
    assert short.status_code == 200 and b"at least 10 characters" in short.data
    same = visitor.post(f"/auth/invite/{raw}", data={"full_name": "Kid", "password": "kid@example.org",
                                                     "confirm": "kid@example.org"})
    assert b"must not be your email address" in same.data
    nameless = visitor.post(f"/auth/invite/{raw}", data={"full_name": "", "password": PASSWORD, "confirm": PASSWORD},
                            headers={"HX-Request": "true"})
    assert nameless.status_code == 422 and b'id="accept-invitation-form"' in nameless.data


def test_an_unknown_token_is_not_found(client):
    response = client.get("/auth/invite/not-a-real-token")
    assert response.status_code == 404 and b"not valid" in response.data


def test_teachers_invite_students_only_and_see_only_their_own(client, as_role, make, db, outbox):
    classroom = make.classroom("P1/1")
    teacher = as_role("TEACHER")
    make.assign(teacher, classroom)
    other_teacher = make.user(role="TEACHER")
    theirs, _raw = make.invitation(other_teacher, email="theirs@example.org")
    page = client.get("/invitations")
    assert page.status_code == 200 and b"theirs@example.org" not in page.data
    assert b'value="TEACHER"' not in page.data  # the role list offers students only
    assert client.post("/invitations", data={"email": "kid@example.org", "role": "STUDENT",
                                             "classroom_id": str(classroom.id)}).status_code == 303
    assert db.scalar(select(Invitation).where(Invitation.email == "kid@example.org")).invited_by_id == teacher.id
    refused = client.post("/invitations", data={"email": "boss@example.org", "role": "ADMIN"})
    assert b"Not a valid choice" in refused.data
    assert db.count(Invitation, Invitation.email == "boss@example.org") == 0
    assert client.post(f"/invitations/{theirs.id}/revoke").status_code == 404
    assert client.get("/admin/invitations").status_code == 403
    assert client.post(f"/admin/invitations/{theirs.id}/revoke").status_code == 403


def test_the_teacher_role_rule_is_in_the_service(app, make):
    from lms.auth import invitations
    from lms.extensions import db as sa_db

    teacher = make.user(role="TEACHER")
    with app.test_request_context():
        actor = sa_db.session.get(User, teacher.id)
        with pytest.raises(Forbidden):
            invitations.invite(actor, "parent@example.org", "PARENT")
        sa_db.session.rollback()


@pytest.mark.parametrize("role", ["STUDENT", "PARENT"])
def test_students_and_parents_cannot_invite(client, as_role, role):
    as_role(role)
    assert client.get("/invitations").status_code == 403
    assert client.post("/invitations", data={"email": "x@example.org", "role": "STUDENT"}).status_code == 403


def test_the_list_filters_and_keeps_its_query_count(client, as_role, make, count_queries):
    admin = as_role("ADMIN")
    make.invitation(admin, email="first@example.org")
    client.get("/admin/invitations")
    with count_queries() as few:
        client.get("/admin/invitations")
    for i in range(8):
        make.invitation(make.user(role="TEACHER"), email=f"bulkrow{i}@example.org", role="PARENT")
    with count_queries() as many:
        response = client.get("/admin/invitations?role=PARENT", headers={"HX-Request": "true"})
    assert many.count == few.count
    assert response.status_code == 200 and b"<html" not in response.data
    assert response.data.count(b'<tr id="invitation-') == 8 and b"first@example.org" not in response.data
    searched = client.get("/admin/invitations?q=bulkrow3")
    assert b"bulkrow3@example.org" in searched.data and b"bulkrow4@example.org" not in searched.data


BULK_OK = "email,name,role\nann@example.org,Ann A,student\nbob@example.org,Bob B,PARENT\n"


def test_bulk_preview_stores_nothing_then_confirm_sends_all(client, as_role, db, outbox):
    as_role("ADMIN")
    preview = client.post("/admin/invitations/bulk", data={"text": BULK_OK}, headers={"HX-Request": "true"})
    assert preview.status_code == 200 and b"Send 2 invitations" in preview.data
    assert db.count(Invitation) == 0 and outbox == []
    confirm = client.post("/admin/invitations/bulk", data={"text": BULK_OK, "confirm": "1"})
    assert confirm.status_code == 303
    assert sorted(db.scalars(select(Invitation.email))) == ["ann@example.org", "bob@example.org"]
    assert sorted(m["To"] for m in outbox) == ["ann@example.org", "bob@example.org"]


def test_bulk_shows_per_row_errors_and_sends_nothing(client, as_role, make, db, outbox):
    as_role("ADMIN")
    existing = make.user()
    text = (f"ok@example.org,Ok,STUDENT\nbroken-address,X,STUDENT\n{existing.email},Y,TEACHER\n"
            "ok@example.org,Dup,STUDENT\nz@example.org,Z,WIZARD\n")
    preview = client.post("/admin/invitations/bulk", data={"text": text}, headers={"HX-Request": "true"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 422
    assert "4 rows have errors" in html
    assert "not a valid email address" in html and "already has an account" in html
    assert "appears more than once" in html and "Unknown role WIZARD" in html
    assert "Send " not in html
    forced = client.post("/admin/invitations/bulk", data={"text": text, "confirm": "1"})
    assert forced.status_code == 200
    assert db.count(Invitation) == 0 and outbox == []


def test_bulk_from_a_csv_file_with_thai_names(client, as_role, db):
    as_role("ADMIN")
    csv_bytes = "\ufeffemail,name,role\nsomchai@example.org,สมชาย ใจดี,STUDENT\n".encode()
    response = client.post("/admin/invitations/bulk", data={"file": (io.BytesIO(csv_bytes), "people.csv")},
                           content_type="multipart/form-data")
    assert "สมชาย ใจดี".encode() in response.data and b"Send 1 invitation" in response.data
    client.post("/admin/invitations/bulk", data={"text": "somchai@example.org,สมชาย ใจดี,STUDENT", "confirm": "1"})
    assert db.scalar(select(Invitation.full_name)) == "สมชาย ใจดี"


def test_bulk_from_a_thai_windows_csv_file(client, as_role, db):
    as_role("ADMIN")
    csv_bytes = "email,name,role\nsuda@example.org,สุดา ศรีสุข,TEACHER\n".encode("cp874")  # Excel's "CSV" in Thai
    response = client.post("/admin/invitations/bulk", data={"file": (io.BytesIO(csv_bytes), "people.csv")},
                           content_type="multipart/form-data")
    assert "สุดา ศรีสุข".encode() in response.data and b"Send 1 invitation" in response.data


def test_bulk_is_all_or_nothing_when_an_address_is_taken_meanwhile(app, make):
    from lms.auth import invitations
    from lms.common.errors import ValidationFailed
    from lms.extensions import db as sa_db

    admin = make.user(role="ADMIN")
    # An account that has signed in (one that never did can be invited: the invitation activates it).
    make.user(email="taken@example.org", last_login_at=utcnow())
    with app.test_request_context():
        actor = sa_db.session.get(User, admin.id)
        with pytest.raises(ValidationFailed):
            invitations.invite_bulk(actor, "free@example.org,F,STUDENT\ntaken@example.org,T,STUDENT")
        sa_db.session.rollback()
        assert sa_db.session.scalar(select(Invitation.id)) is None


def test_status_counts_include_expired(app, make):
    from lms.auth import invitations
    from lms.extensions import db as sa_db

    admin = make.user(role="ADMIN")
    make.invitation(admin)
    make.invitation(admin, expires_in_days=-2)
    with app.app_context():
        sa_db.session.execute(update(Invitation).where(Invitation.expires_at < utcnow()).values(full_name="Old"))
        counts = invitations.status_counts(sa_db.session.get(User, admin.id))
    assert counts == {"PENDING": 1, "EXPIRED": 1}
