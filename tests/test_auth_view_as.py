"""View as: an admin sees the product as a teacher, student or parent, read-only,
with a banner, never as another admin; start and end audited; nothing the viewed user "would" do is
stored; the admin's own login session stays theirs."""

import time

import pytest
from sqlalchemy import event, select

from lms.audit.models import AuditLog
from lms.auth import view_as
from lms.auth.models import User, UserSession
from lms.communication.models import Notification
from lms.extensions import db as _db
from tests.conftest import AuthActions


@pytest.fixture
def school(make):
    make.school()
    teacher = make.teacher("P1/1", full_name="Tess Teacher")
    student = make.student("P1/1", full_name="Somchai Student")
    subject = make.subject("P1", teachers=[teacher])
    nodes = make.tree(subject, {"Numbers": {"Counting": ["Ones", "Tens"]}})
    return {"teacher": teacher, "student": student, "subject": subject, "nodes": nodes}


@pytest.fixture
def admin(client, as_role):
    return as_role("ADMIN", full_name="Ada Admin")


def _view_as(client, user, back=None):
    data = {"back": back} if back else {}
    response = client.post(f"/admin/users/{user.id}/view-as", data=data)
    assert response.status_code == 303, response.status_code
    return response


def _actions(db, *kinds) -> list[AuditLog]:
    return db.scalars(select(AuditLog).where(AuditLog.action.in_(kinds)).order_by(AuditLog.id))


@pytest.fixture
def writes(app):
    """Every INSERT/UPDATE/DELETE the database sees while the block runs."""
    import contextlib

    @contextlib.contextmanager
    def watching():
        seen: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
                seen.append(statement)

        with app.app_context():
            engine = _db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return watching


@pytest.mark.parametrize("role", ["TEACHER", "STUDENT", "PARENT"])
def test_only_admins_may_start_viewing(client, as_role, make, role):
    as_role(role)
    target = make.user(role="STUDENT")
    assert client.post(f"/admin/users/{target.id}/view-as").status_code == 403
    assert "Stop" not in client.get("/").get_data(as_text=True)


def test_never_as_another_admin_a_deactivated_or_a_suspended_account(client, admin, make, db):
    other_admin = make.user(role="ADMIN")
    assert client.post(f"/admin/users/{other_admin.id}/view-as").status_code == 403
    assert client.post("/admin/users/999999/view-as").status_code == 404
    gone = make.user(role="STUDENT", active=False)
    assert client.post(f"/admin/users/{gone.id}/view-as").status_code == 422
    suspended = make.user(role="STUDENT")
    client.post(f"/admin/users/{suspended.id}/suspend", data={"reason": "r"})
    assert client.post(f"/admin/users/{suspended.id}/view-as").status_code == 422
    assert _actions(db, "view_as.started") == []
    page = client.get(f"/admin/users/{other_admin.id}").get_data(as_text=True)
    assert "View as" not in page


def test_banner_on_every_page_and_stop_returns_to_the_admin(client, admin, school, db):
    student = school["student"]
    start = _view_as(client, student, back=f"/students/{student.id}")
    assert start.headers["Location"] == "/"
    for path in ("/", f"/sections/{school['nodes']['Ones']}", "/me"):
        page = client.get(path)
        assert page.status_code == 200, path
        text = page.get_data(as_text=True)
        assert "You are viewing as Somchai Student (Student), read-only." in text, path
        assert 'action="/view-as/stop"' in text
    assert client.get("/admin/users").status_code == 403  # the student's permissions, not the admin's
    stopped = client.post("/view-as/stop")
    assert stopped.status_code == 303 and stopped.headers["Location"] == f"/students/{student.id}"
    home = client.get("/").get_data(as_text=True)
    assert "You are viewing as" not in home and client.get("/admin/users").status_code == 200
    started, ended = _actions(db, "view_as.started", "view_as.ended")
    assert (started.actor_id, started.entity_id, started.ip) == (admin.id, student.id, "127.0.0.1")
    assert (ended.actor_id, ended.entity_id, ended.details["reason"]) == (admin.id, student.id, "STOPPED")
    assert ended.ip == "127.0.0.1"


def test_view_as_from_the_student_page(client, admin, school):
    page = client.get(f"/students/{school['student'].id}").get_data(as_text=True)
    assert f'action="/admin/users/{school["student"].id}/view-as"' in page


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_every_change_is_refused_and_nothing_stored(client, admin, school, db, writes, method):
    student = school["student"]
    _view_as(client, student)
    with writes() as seen:
        for path, headers in ((f"/sections/{school['nodes']['Ones']}/done", {}),
                              ("/me", {"HX-Request": "true"}),
                              ("/me/password", {}),
                              ("/api/v1/student/sessions", {})):
            response = client.open(path, method=method, data={"done": "1", "full_name": "Hacked"},
                                   headers=headers)
            assert response.status_code == 403, (path, response.status_code)
            if path.startswith("/api/"):
                assert response.get_json()["errorCode"] == "VIEW_AS_READ_ONLY"
            else:
                assert "You are viewing as Somchai Student: nothing can be changed." in response.get_data(as_text=True)
    assert seen == []
    assert db.get(User, student.id).full_name == "Somchai Student"


def test_get_pages_that_write_store_nothing(client, admin, make, school, db, writes):
    student = school["student"]
    notice = make.announcement(title="Sports day")
    note = make.notification(student, link="/")
    _view_as(client, student)
    with writes() as seen:
        assert client.get(f"/sections/{school['nodes']['Ones']}").status_code == 200
        assert client.get(f"/announcements/{notice.id}").status_code == 200
        assert client.get(f"/notifications/{note.id}/open").status_code == 302
        assert client.get("/").status_code == 200
    assert seen == []
    assert db.get(Notification, note.id).read_at is None
    # The student's own visit does write (the check above is not vacuous).
    own = AuthActions(client.application.test_client())
    own.login(student)
    with writes() as seen:
        own.client.get(f"/sections/{school['nodes']['Ones']}")
    assert any("section_visit" in s for s in seen)


def test_the_heartbeat_keeps_the_admins_login_session_and_never_makes_the_viewed_user_online(
        client, admin, school, db):
    student = school["student"]
    _view_as(client, student)
    assert client.post("/api/session/ping").status_code == 204
    assert db.count(UserSession, UserSession.user_id == student.id) == 0
    open_sessions = db.scalars(select(UserSession).where(UserSession.ended_at.is_(None)))
    assert [s.user_id for s in open_sessions] == [admin.id]
    assert client.get("/").status_code == 200  # still viewing, still signed in


def test_logout_ends_viewing_and_is_audited(client, admin, school, db):
    _view_as(client, school["teacher"])
    assert client.post("/auth/logout").status_code in (302, 303)
    assert client.get("/").status_code == 302
    (ended,) = _actions(db, "view_as.ended")
    assert ended.details["reason"] == "LOGOUT" and ended.actor_id == admin.id
    AuthActions(client).login(admin)
    assert "You are viewing as" not in client.get("/").get_data(as_text=True)


def test_the_time_limit_ends_viewing(client, admin, school, db, monkeypatch):
    _view_as(client, school["student"])
    later = time.time() + view_as.TIME_LIMIT.total_seconds() + 1
    monkeypatch.setattr(view_as.time, "time", lambda: later)
    page = client.get("/").get_data(as_text=True)
    assert "You are viewing as" not in page and "Viewing as another user ended after 30 minutes." in page
    assert client.get("/admin/users").status_code == 200  # the admin again
    (ended,) = _actions(db, "view_as.ended")
    assert ended.details["reason"] == "TIME_LIMIT"


def test_suspending_the_viewed_account_ends_viewing(app, client, admin, school, db):
    student = school["student"]
    _view_as(client, student)
    other = app.test_client()
    AuthActions(other).login(make_admin(app))
    other.post(f"/admin/users/{student.id}/suspend", data={"reason": "r"})
    assert "You are viewing as" not in client.get("/").get_data(as_text=True)
    assert _actions(db, "view_as.ended")[0].details["reason"] == "NOT_VIEWABLE"


def make_admin(app):
    from tests.factories import Factory

    return Factory(app).user(role="ADMIN")


def test_parent_and_teacher_can_be_viewed(client, admin, make, school):
    parent = make.parent_of(school["student"], full_name="Pim Parent")
    _view_as(client, parent)
    assert "You are viewing as Pim Parent (Parent)" in client.get("/").get_data(as_text=True)
    client.post("/view-as/stop")
    _view_as(client, school["teacher"])
    assert "You are viewing as Tess Teacher (Teacher)" in client.get("/").get_data(as_text=True)


def test_a_page_that_would_write_without_asking_stores_nothing_either(app, client, admin, make, school, db):
    """The safety net under the pages' own checks: an overdue attempt is submitted by the student's
    next page, but not by the admin viewing it (the job does it later)."""
    from datetime import timedelta

    from sqlalchemy import update

    from lms.assessments.models import Submission
    from lms.common.types import utcnow

    quiz = make.assessment(school["teacher"], section_id=school["nodes"]["Ones"], publish=True,
                           time_limit_minutes=5)
    attempt = make.attempt(school["student"], quiz, {0: ["1"]}, submit=False)
    with db.ctx() as session:
        session.execute(update(Submission).where(Submission.id == attempt.id)
                        .values(deadline_at=utcnow() - timedelta(minutes=2)))
        session.commit()
    _view_as(client, school["student"])
    assert client.get(f"/submissions/{attempt.id}").status_code == 200
    assert db.get(Submission, attempt.id).status == "IN_PROGRESS"
    client.post("/view-as/stop")
    assert db.count(AuditLog, AuditLog.action == "view_as.ended") == 1  # Stop itself was stored
