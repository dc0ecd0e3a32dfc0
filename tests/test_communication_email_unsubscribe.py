"""One-click unsubscribe (RFC 8058) from optional emails, and the choice on the profile page.

Before: the ``List-Unsubscribe`` header of urgent announcements, session reminders and absence
alerts pointed at /me (sign in, then nothing to turn off there)."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from lms.common.types import utcnow
from lms.communication.models import EmailOptOut
from lms.teaching import jobs
from tests.conftest import email_text


def _run(app, job):
    with app.app_context():
        return job()


def _unsubscribe_path(message) -> str:
    header = str(message["List-Unsubscribe"]).strip()
    assert header.startswith("<") and header.endswith(">")
    return urlsplit(header[1:-1]).path


def _absence_alert(app, make, outbox):
    course_session = make.course_session(attendance_tracking_enabled=True)
    student = make.student("P1/1")
    parent = make.parent_of(student)
    make.enrollment(course_session, student)
    start = utcnow() - timedelta(days=30)
    meetings = [make.meeting(course_session, starts_at=start + timedelta(days=7 * i), code=f"CD{i}X")
                for i in range(2)]
    for meeting in meetings:
        make.attendance(meeting, student, "ABSENT")
    return parent, student, course_session


def test_an_optional_email_has_a_one_click_unsubscribe_header_and_footer(app, make, outbox):
    parent, _student, _session = _absence_alert(app, make, outbox)
    assert _run(app, jobs.alert_parents_of_absences) == 1
    [message] = outbox
    path = _unsubscribe_path(message)
    assert path.startswith("/unsubscribe/") and path != "/me"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert path in email_text(message) and "Absence alerts" in email_text(message)


def test_get_only_asks_and_the_one_click_post_turns_that_kind_off_without_signing_in(app, make, db, outbox,
                                                                                     database_url, redis_url):
    from lms import create_app
    from tests.conftest import make_test_config

    client = create_app(make_test_config(database_url, redis_url, WTF_CSRF_ENABLED=True)).test_client()
    parent, student, course_session = _absence_alert(app, make, outbox)
    _run(app, jobs.alert_parents_of_absences)
    path = _unsubscribe_path(outbox[0])
    page = client.get(path)
    assert page.status_code == 200
    assert "Absence alerts" in page.get_data(as_text=True) and "Unsubscribe" in page.get_data(as_text=True)
    assert db.count(EmailOptOut) == 0  # nothing changes on GET
    # What a mail program sends (RFC 8058): no session, no CSRF token (CSRF is on in this app).
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "will not get these emails" in done.get_data(as_text=True)
    rows = db.scalars(select(EmailOptOut))
    assert [(r.user_id, r.kind, r.source) for r in rows] == [(parent.id, "absence_alerts", "EMAIL")]
    assert client.post(path).status_code == 200 and db.count(EmailOptOut) == 1  # idempotent
    # Nothing more of that kind is sent to this parent; other kinds still are.
    from lms.auth.models import User
    from lms.communication.email_preferences import send_optional_email

    outbox.clear()
    with app.app_context():
        from lms.extensions import db as _db

        user = _db.session.get(User, parent.id)
        assert not send_optional_email(user, "absence_alerts", "x", "teaching_reminder",
                                       course_session=course_session, link="/")
        assert send_optional_email(user, "announcements", "x", "teaching_reminder",
                                   course_session=course_session, link="/")
        _db.session.commit()
    assert len(outbox) == 1


@pytest.mark.parametrize("tamper", ["x", "garbage", ""])
def test_a_tampered_token_is_a_404_and_changes_nothing(app, client, make, db, outbox, tamper):
    _absence_alert(app, make, outbox)
    _run(app, jobs.alert_parents_of_absences)
    path = _unsubscribe_path(outbox[0])
    bad = path[:-2] + tamper if tamper else "/unsubscribe/not-a-token"
    assert client.get(bad).status_code == 404
    assert client.post(bad).status_code == 404
    assert db.count(EmailOptOut) == 0


def test_a_token_stops_working_when_the_credentials_are_revoked(app, client, make, db, outbox):
    from lms.auth.models import User

    parent, _student, _session = _absence_alert(app, make, outbox)
    _run(app, jobs.alert_parents_of_absences)
    path = _unsubscribe_path(outbox[0])
    with db.ctx() as session:
        session.get(User, parent.id).login_version += 1
        session.commit()
    assert client.post(path).status_code == 404 and db.count(EmailOptOut) == 0


def test_stop_all_and_the_profile_page_shows_and_changes_the_choice(app, client, auth, make, db, outbox):
    parent, _student, _session = _absence_alert(app, make, outbox)
    _run(app, jobs.alert_parents_of_absences)
    page = client.get(_unsubscribe_path(outbox[0])).get_data(as_text=True)
    import re

    all_path = re.search(r'action="(/unsubscribe/[^"]+)"[^>]*>\s*<input[^>]*>\s*<button[^>]*>Stop all', page)
    assert all_path, page
    client.post(all_path.group(1))
    assert [r.kind for r in db.scalars(select(EmailOptOut))] == ["all"]
    auth.login(parent)
    assert "/me#email-settings" in client.get("/notifications").get_data(as_text=True)
    profile = client.get("/me").get_data(as_text=True)
    assert 'id="email-settings"' in profile and "You turned off all optional emails" in profile
    assert 'name="absence_alerts"' in profile and 'name="session_reminders"' not in profile  # a parent's kinds
    saved = client.post("/me/emails", data={"announcements": "y", "messages": "y"}, headers={"HX-Request": "true"})
    assert saved.status_code == 200 and "Your email settings were saved." in saved.get_data(as_text=True)
    assert sorted(r.kind for r in db.scalars(select(EmailOptOut))) == ["absence_alerts"]
    profile = client.get("/me").get_data(as_text=True)
    assert "You turned off all optional emails" not in profile
    def box(name):
        return re.search(rf'<input[^>]*name="{name}"[^>]*>', profile).group(0)

    assert "checked" in box("announcements") and "checked" not in box("absence_alerts")


def test_urgent_announcements_skip_people_who_turned_them_off(client, as_role, make, db, outbox):
    from lms.communication.models import EmailOptOut as OptOut

    make.school()
    room = make.classroom("P1/1")
    keen, quiet = make.student(room, full_name="Keen"), make.student(room, full_name="Quiet")
    with db.ctx() as session:
        session.add(OptOut(user_id=quiet.id, kind="announcements", source="WEB"))
        session.commit()
    as_role("ADMIN")
    client.post("/announcements/new", data={
        "title": "Flood", "body": "Stay home", "body_format": "MARKDOWN", "target_kind": "CLASSROOM",
        "classroom_id": room.id, "urgent": "y", "action": "publish"})
    assert [m["To"] for m in outbox] == [keen.email]
