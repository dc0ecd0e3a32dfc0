"""In-app notifications: the registry, notify(), rendering in the reader's language, the page."""

import pytest
from flask_babel import LazyString, get_locale
from sqlalchemy import select

from lms.communication import notifications
from lms.communication.models import Notification
from tests.conftest import AuthActions, email_link


def test_the_registry_has_every_kind_the_product_uses():
    assert {"invitation_accepted", "announcement_published", "work_graded", "work_returned",
            "enrollment_approved", "enrollment_rejected"} <= set(notifications.KINDS)


def test_notify_stores_kind_and_params_not_text(app, make, db):
    a, b = make.user(), make.user()
    with app.app_context():
        assert notifications.notify([a.id, b.id, a.id], "work_graded", link="/submissions/3",
                                    title="Fractions", score="9/10") == 2
        with pytest.raises(ValueError, match="unknown notification kind"):
            notifications.notify([a.id], "no_such_kind")
        assert notifications.notify([], "work_graded") == 0
        notifications.notify([a.id], "work_returned", link="//evil.example/x", title="Essay")
        from lms.extensions import db as sa_db

        sa_db.session.commit()
        sa_db.session.remove()
    rows = db.scalars(select(Notification).where(Notification.user_id == a.id).order_by(Notification.id))
    assert [(n.kind, n.params, n.link) for n in rows] == [
        ("work_graded", {"title": "Fractions", "score": "9/10"}, "/submissions/3"),
        ("work_returned", {"title": "Essay"}, None),  # only links on this site are kept
    ]


def test_text_is_rendered_when_shown_in_the_readers_language(app, client, make):
    notifications.register_kind("test_language", LazyString(
        lambda: "สวัสดี %(name)s" if str(get_locale()) == "th" else "Hello %(name)s"))
    try:
        thai, english = make.user(locale="th"), make.user(locale="en")
        make.notification(thai, "test_language", name="Somchai")
        make.notification(english, "test_language", name="Somchai")
        AuthActions(client).login(thai)
        assert "สวัสดี Somchai" in client.get("/notifications").get_data(as_text=True)
        AuthActions(client).logout()
        AuthActions(client).login(english)
        assert "Hello Somchai" in client.get("/notifications").get_data(as_text=True)
    finally:
        notifications.KINDS.pop("test_language", None)


def test_a_missing_param_does_not_break_the_page(app, client, make):
    user = make.user()
    make.notification(user, "work_graded", title="Quiz")  # no score
    AuthActions(client).login(user)
    assert "Your work “Quiz” was graded: …." in client.get("/notifications").get_data(as_text=True)


def test_mark_one_read_with_htmx_and_the_badge_follows(app, client, make, db):
    user = make.user()
    first = make.notification(user, "enrollment_approved", session="Robotics club")
    make.notification(user, "enrollment_rejected", session="Chess club")
    AuthActions(client).login(user)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Your enrollment in “Robotics club” was approved." in page
    assert "Your enrollment in “Chess club” was not approved." in page
    response = client.post(f"/notifications/{first.id}/read", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "lms:read"
    assert body.lstrip().startswith(f'<li id="notification-{first.id}" class="notification">')
    assert 'data-count="1"' in client.get("/notifications/badge").get_data(as_text=True)
    assert db.get(Notification, first.id).read_at is not None


def test_mark_all_read(app, client, make, db):
    user = make.user()
    for _i in range(3):
        make.notification(user)
    AuthActions(client).login(user)
    response = client.post("/notifications/read-all", headers={"HX-Request": "true"})
    assert response.headers["HX-Trigger"] == "lms:read"
    assert response.get_data(as_text=True).lstrip().startswith('<div id="notification-list">')
    assert db.count(Notification, Notification.read_at.is_(None)) == 0
    assert client.post("/notifications/read-all").status_code == 303


def test_opening_follows_the_link_and_marks_read(client, make, db):
    user = make.user()
    note = make.notification(user, "work_returned", link="/announcements", title="Essay")
    AuthActions(client).login(user)
    response = client.get(f"/notifications/{note.id}/open")
    assert response.status_code == 302 and response.headers["Location"].endswith("/announcements")
    assert db.get(Notification, note.id).read_at is not None


def test_someone_elses_notification_is_404(client, make, db):
    owner, other = make.user(), make.user()
    note = make.notification(owner)
    AuthActions(client).login(other)
    assert client.post(f"/notifications/{note.id}/read").status_code == 404
    assert client.get(f"/notifications/{note.id}/open").status_code == 404
    assert db.get(Notification, note.id).read_at is None


def test_the_notification_list_paginates(client, make):
    user = make.user()
    for _i in range(25):
        make.notification(user)
    AuthActions(client).login(user)
    assert "Page 1 of 2" in client.get("/notifications").get_data(as_text=True)
    fragment = client.get("/notifications?page=2", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="notification-list">') and "Page 2 of 2" in fragment


def test_accepting_an_invitation_notifies_the_inviter(app, client, make, db, outbox):
    admin = make.user(role="ADMIN", full_name="Head Teacher")
    AuthActions(client).login(admin)
    client.post("/admin/invitations", data={"email": "new.pupil@school.example.org", "role": "STUDENT",
                                            "full_name": ""})
    link = email_link(outbox[-1], "/auth/invite/")
    AuthActions(client).logout()
    response = client.post(link, data={"full_name": "New Pupil", "password": "a-long-password-1",
                                       "confirm": "a-long-password-1"})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    [note] = db.scalars(select(Notification).where(Notification.user_id == admin.id))
    assert note.kind == "invitation_accepted" and note.params == {"name": "New Pupil", "role": "STUDENT"}
    AuthActions(client).logout()
    AuthActions(client).login(admin)
    page = client.get("/notifications").get_data(as_text=True)
    assert "New Pupil accepted your invitation and joined as Student." in page
