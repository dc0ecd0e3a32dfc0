"""The audit log as an administrator reads it: labels instead of codes (in Thai too), names instead
of "User #82", changes as before → after, a filter by person (who acted or whom it was about) and
by action, a CSV export of what the filters select, and every sign-in and sign-out."""

import csv
import io

from sqlalchemy import select

from lms.audit.models import AuditLog
from lms.auth.models import User
from tests.conftest import TEST_PASSWORD, AuthActions


def _record(app, actor, action, target=None, **details):
    from lms.audit.services import record
    from lms.extensions import db as sa_db

    with app.app_context():
        entity = sa_db.session.get(type(target), target.id) if target is not None else None
        record(sa_db.session.get(User, actor.id), action, entity, **details)
        sa_db.session.commit()


def _listing(response) -> str:
    return response.get_data(as_text=True).split('id="audit-list"')[1]


def test_entries_show_labels_names_and_changes(app, client, as_role, make):
    admin = as_role("ADMIN", full_name="Ada Admin")
    pupil = make.student("P1/1", full_name="Somchai Student")
    _record(app, admin, "user.role_changed", pupil, email=pupil.email, old_role="STUDENT", new_role="TEACHER")
    _record(app, admin, "student.update", pupil, changes={"full_name": ["Somchai S", "Somchai Student"]})
    _record(app, admin, "course_session.attendance", None, student_id=pupil.id, status="PRESENT")
    page = _listing(client.get("/admin/audit"))
    assert "Role changed" in page and "Student changed" in page and "Attendance marked" in page
    assert "Person: Somchai Student" in page and "User #" not in page
    assert "<strong>Role</strong>: <del>STUDENT</del> → <ins>TEACHER</ins>" in page
    assert "<del>Somchai S</del> → <ins>Somchai Student</ins>" in page
    assert "<strong>Student</strong>: Somchai Student" in page  # an id in the details, by name
    assert "{" not in page.split("<tbody>")[1]  # no Python dict anywhere
    assert "<code>" not in page


def test_the_audit_log_is_translated(app, client, as_role, make):
    admin = as_role("ADMIN")
    _record(app, admin, "user.deactivated", make.user(full_name="Gone Person"), sessions_ended=2)
    client.post("/language", data={"locale": "th", "next": "/"})
    page = client.get("/admin/audit").get_data(as_text=True)
    listing = page.split('id="audit-list"')[1]
    assert "ปิดบัญชีผู้ใช้แล้ว" in listing and "Account deactivated" not in listing
    assert "ผู้ใช้: Gone Person" in listing and "ปิดบัญชีผู้ใช้แล้ว</option>" in page


def test_filter_by_person_acted_or_concerned_and_by_action(app, client, as_role, make):
    admin = as_role("ADMIN", full_name="Ada Admin")
    bert = make.user(role="ADMIN", full_name="Bert Boss")
    carla = make.user(full_name="Carla Concerned")
    _record(app, bert, "user.deactivated", carla)
    _record(app, admin, "level.create", None, code="P7", name="Prathom 7")
    by_actor = _listing(client.get("/admin/audit?actor=bert"))
    assert "Account deactivated" in by_actor and "Level added" not in by_actor
    about = _listing(client.get("/admin/audit?actor=carla"))
    assert "Account deactivated" in about and "Level added" not in about
    by_action = _listing(client.get("/admin/audit?action=level.create"))
    assert "Level added" in by_action and "Account deactivated" not in by_action
    assert "Prathom 7" in by_action


def test_the_csv_export_holds_what_the_filters_select(app, client, as_role, make):
    admin = as_role("ADMIN", full_name="Ada Admin")
    pupil = make.student("P1/1", full_name="สมชาย ใจดี")
    _record(app, admin, "user.role_changed", pupil, old_role="STUDENT", new_role="TEACHER")
    _record(app, admin, "level.create", None, code="P7", name="Prathom 7")
    response = client.get("/admin/audit/export.csv?action=user.role_changed")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["When", "Who", "Email or username", "Action", "Target", "Details", "IP", "Action code"]
    assert len(rows) == 2
    assert rows[1][1] == "Ada Admin" and rows[1][3] == "Role changed" and rows[1][4] == "Person: สมชาย ใจดี"
    assert rows[1][5] == "Role: STUDENT → TEACHER" and rows[1][7] == "user.role_changed"
    assert "export.csv" in client.get("/admin/audit").get_data(as_text=True)
    auth = AuthActions(client)
    auth.logout()
    auth.login(make.user(role="TEACHER"))
    assert client.get("/admin/audit/export.csv").status_code == 403


def test_password_sign_ins_and_sign_outs_are_in_the_audit_log(app, client, make, db):
    user = make.user(full_name="Pat Password")
    auth = AuthActions(client)
    auth.login(user, TEST_PASSWORD)
    auth.logout()
    actions = [(e.action, e.details, e.actor_id) for e in db.scalars(
        select(AuditLog).where(AuditLog.entity_id == user.id).order_by(AuditLog.id))]
    assert actions == [("user.login", {"method": "password"}, user.id), ("user.logout", {}, user.id)]


def test_signing_in_after_a_password_reset_is_in_the_audit_log(app, client, make, db, outbox):
    import re

    user = make.user(full_name="Reset Person")
    client.post("/auth/forgot-password", data={"email": user.email})
    link = re.search(r"https?://[^/]+(/auth/reset-password/\S+)", outbox[-1].get_body(("plain",)).get_content())
    client.post(link.group(1), data={"password": "a-brand-new-password-1", "confirm": "a-brand-new-password-1"})
    assert db.scalar(select(AuditLog.details).where(AuditLog.action == "user.login",
                                                    AuditLog.entity_id == user.id)) == {"method": "password_reset"}


def test_every_way_of_signing_in_reads_clearly(app, client, as_role, make):
    admin = as_role("ADMIN")
    person = make.user(full_name="Sign In Person")
    _record(app, person, "user.login", person, method="password")
    _record(app, person, "user.signed_in_with_card", person, card_id=1)
    _record(app, person, "auth.signed_in_with_pictures", person)
    _record(app, person, "user.login", person, method="sso", provider="School Google")
    _record(app, person, "user.logout", person)
    page = _listing(client.get("/admin/audit?actor=sign+in+person"))
    for text in ("Signed in", "<strong>How</strong>: password", "Signed in with a login card (QR code)",
                 "Signed in with a picture password", "<strong>How</strong>: single sign-on",
                 "<strong>Provider</strong>: School Google", "Signed out"):
        assert text in page, text
    assert admin  # the admin's own sign-in is in the log too
    assert "Signed in" in _listing(client.get(f"/admin/audit?actor={admin.email}"))
