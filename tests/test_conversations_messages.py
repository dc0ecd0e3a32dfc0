"""Messages between parents and their children's teachers (issue 19.3): who may write to whom, one
thread per (child, teacher, parent), office hours, read markers, notifications and email, the
administrator's audited review, the htmx poll's 304 and hostile text."""

from __future__ import annotations

import threading
import traceback
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lms.audit.models import AuditLog
from lms.communication.models import EmailOptOut, Notification
from lms.conversations.models import MESSAGE_MAX, Message, MessageSettings, MessageThread
from lms.school.models import ParentLink
from tests.conftest import TEST_DATABASE_URL

HX = {"HX-Request": "true"}


@pytest.fixture
def family(make):
    make.school()
    room = make.classroom("P1/1")
    child = make.student(room, full_name="Mali Child")
    teacher = make.teacher(room, full_name="Tida Teacher", email="tida@example.org")
    parent = make.parent_of(child, full_name="Pat Parent", email="pat@example.org")
    return {"room": room, "child": child, "teacher": teacher, "parent": parent}


def start_url(f):
    return f"/messages/new/{f['child'].id}/{f['teacher'].id}"


def write(client, f, body="Hello teacher"):
    return client.post(start_url(f), data={"body": body})


def the_thread(db, f):
    return db.scalar(select(MessageThread).where(MessageThread.parent_id == f["parent"].id))


def test_parent_writes_teacher_answers_and_both_see_read_markers(client, auth, db, family, outbox):
    auth.login(family["parent"])
    page = client.get(f"/messages/new/{family['child'].id}")
    assert page.status_code == 200 and b"Tida Teacher" in page.data
    response = write(client, family, "Hello,\nhow is Mali doing?")
    thread = the_thread(db, family)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/messages/{thread.id}")
    # A second visit to "write" goes to the existing thread: one per (child, teacher, parent).
    assert client.get(start_url(family)).headers["Location"].endswith(f"/messages/{thread.id}")
    note = db.scalar(select(Notification).where(Notification.user_id == family["teacher"].id))
    assert note.kind == "message_received" and note.link == f"/messages/{thread.id}"
    assert [m["To"] for m in outbox] == ["tida@example.org"]

    auth.logout()
    auth.login(family["teacher"])
    inbox = client.get("/messages")
    assert b"Mali Child" in inbox.data and b"New" in inbox.data
    page = client.get(f"/messages/{thread.id}")
    assert b"Hello,\nhow is Mali doing?" in page.data  # line breaks kept (pre-wrap), text escaped
    assert db.get(MessageThread, thread.id).teacher_read_at is not None
    assert client.post(f"/messages/{thread.id}", data={"body": "Very well!"}).status_code == 303

    auth.logout()
    auth.login(family["parent"])
    page = client.get(f"/messages/{thread.id}")
    assert b"Very well!" in page.data
    assert page.data.index(b"how is Mali doing") < page.data.index(b"Very well!")  # newest at the bottom
    assert db.count(Message) == 2


def test_one_thread_per_child_teacher_and_parent_in_the_database(app, family):
    from sqlalchemy.exc import IntegrityError

    from lms.extensions import db as _db

    with app.app_context():
        for _ in range(2):
            _db.session.add(MessageThread(student_id=family["child"].id, teacher_id=family["teacher"].id,
                                          parent_id=family["parent"].id, last_message_at=datetime.now(UTC)))
        with pytest.raises(IntegrityError):
            _db.session.flush()
        _db.session.rollback()


@pytest.mark.parametrize("body, message", [
    ("", b"Write your message first."),
    ("   \n ", b"Write your message first."),
    ("x" * (MESSAGE_MAX + 1), b"too long"),
    ("bad\x00byte", b"be accepted"),
])
def test_bad_message_text_is_refused_and_nothing_is_stored(client, auth, db, family, body, message):
    auth.login(family["parent"])
    response = client.post(start_url(family), data={"body": body}, headers=HX)
    assert response.status_code == 422 and message in response.data
    assert db.count(MessageThread) == 0 and db.count(Message) == 0


def test_message_text_is_escaped(client, auth, db, family):
    auth.login(family["parent"])
    write(client, family, '<script>alert(1)</script><img src=x onerror="alert(2)">')
    shown = client.get(f"/messages/{the_thread(db, family).id}").data
    assert b"<script>alert(1)" not in shown and b"<img src=x" not in shown
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in shown


def test_access_parent_of_another_child_teacher_not_teaching_and_admin_get_404(client, auth, make, db, family):
    auth.login(family["parent"])
    write(client, family)
    thread = the_thread(db, family)
    auth.logout()

    other_parent = make.parent_of(make.student("P1/1"))
    outsider = make.teacher()
    admin = make.user(role="ADMIN")
    student = family["child"]
    for person in (other_parent, outsider, admin):
        auth.login(person)
        assert client.get(f"/messages/{thread.id}").status_code == 404, person.role
        auth.logout()
    auth.login(other_parent)
    assert client.get(f"/messages/new/{student.id}").status_code == 404          # not their child
    assert client.post(f"/messages/{thread.id}", data={"body": "hi"}).status_code == 404
    auth.logout()
    auth.login(family["parent"])
    # A teacher who does not teach the child cannot be written to.
    assert client.get(f"/messages/new/{student.id}/{outsider.id}").status_code == 404
    auth.logout()
    auth.login(student)
    assert client.get(f"/messages/{thread.id}").status_code == 403
    assert db.count(Message) == 1


def test_unlinked_parent_loses_the_thread(client, auth, app, db, family):
    auth.login(family["parent"])
    write(client, family)
    thread = the_thread(db, family)
    from lms.extensions import db as _db

    with app.app_context():
        _db.session.execute(ParentLink.__table__.delete().where(ParentLink.parent_id == family["parent"].id))
        _db.session.commit()
    assert client.get(f"/messages/{thread.id}").status_code == 404
    assert b"Mali Child" not in client.get("/messages").data


def test_tutor_of_a_teaching_session_can_be_written_to(client, auth, make, family):
    tutor = make.user(role="TEACHER", full_name="Tom Tutor")
    course_session = make.course_session(tutor)
    make.enrollment(course_session, family["child"])
    auth.login(family["parent"])
    assert b"Tom Tutor" in client.get(f"/messages/new/{family['child'].id}").data
    assert client.post(f"/messages/new/{family['child'].id}/{tutor.id}", data={"body": "Hi"}).status_code == 303


def test_messages_off_and_outside_office_hours(client, auth, app, db, family, monkeypatch):
    auth.login(family["teacher"])
    response = client.post("/messages/settings", data={"enabled": "", "days": ["0"], "start": "15:00", "end": "16:00"})
    assert response.status_code == 303
    auth.logout()
    auth.login(family["parent"])
    response = write(client, family)
    assert b"does not take messages at the moment" in response.data and db.count(Message) == 0

    with app.app_context():
        from lms.extensions import db as _db

        settings = _db.session.get(MessageSettings, family["teacher"].id)
        settings.messages_enabled = True
        _db.session.commit()
    # A Tuesday noon (UTC; the school is in Asia/Bangkok): Monday's 15:00-16:00 window is next week.
    monkeypatch.setattr("lms.conversations.office_hours.utcnow", lambda: datetime(2026, 12, 1, 5, 0, tzinfo=UTC))
    response = write(client, family)
    assert b"office hours only" in response.data and b"Monday" in response.data
    assert db.count(Message) == 0
    # Monday 15:30 in Bangkok = 08:30 UTC: open.
    monkeypatch.setattr("lms.conversations.office_hours.utcnow", lambda: datetime(2026, 12, 7, 8, 30, tzinfo=UTC))
    assert write(client, family).status_code == 303 and db.count(Message) == 1


def test_office_hours_form_refuses_bad_times(client, auth, db, family):
    auth.login(family["teacher"])
    response = client.post("/messages/settings", data={"enabled": "y", "days": ["1"], "start": "16:00",
                                                       "end": "15:00"}, headers=HX)
    assert response.status_code == 422 and b"must end after they start" in response.data
    response = client.post("/messages/settings", data={"enabled": "y", "days": ["1"], "start": "99:99",
                                                       "end": "15:00"}, headers=HX)
    assert response.status_code == 422 and db.count(MessageSettings) == 0


def test_email_follows_the_preference(client, auth, app, family, outbox):
    with app.app_context():
        from lms.extensions import db as _db

        _db.session.add(EmailOptOut(user_id=family["teacher"].id, kind="messages", source="WEB"))
        _db.session.commit()
    auth.login(family["parent"])
    write(client, family)
    assert outbox == []


def test_admin_reads_only_through_an_audited_review(client, auth, make, db, family):
    auth.login(family["parent"])
    write(client, family, "Private words")
    thread = the_thread(db, family)
    auth.logout()
    auth.login(make.user(role="ADMIN"))
    listing = client.get("/messages")
    assert b"Open this thread for review" in listing.data and b"Private words" not in listing.data
    assert client.get(f"/messages/{thread.id}").status_code == 404
    form = client.get(f"/messages/{thread.id}/review")
    assert form.status_code == 200 and b"Private words" not in form.data
    refused = client.post(f"/messages/{thread.id}/review", data={"reason": ""})
    assert b"Private words" not in refused.data and db.count(AuditLog, AuditLog.action == "message_thread.reviewed") == 0
    shown = client.post(f"/messages/{thread.id}/review", data={"reason": "Complaint from the parent"})
    assert shown.status_code == 200 and b"Private words" in shown.data
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "message_thread.reviewed"))
    assert entry.entity_id == thread.id and entry.details["reason"] == "Complaint from the parent"


def test_teacher_cannot_review(client, auth, db, family):
    auth.login(family["parent"])
    write(client, family)
    thread = the_thread(db, family)
    auth.logout()
    auth.login(family["teacher"])
    assert client.get(f"/messages/{thread.id}/review").status_code == 403


def test_inbox_search_and_unread_first(client, auth, make, db, family):
    other_child = make.student(family["room"], full_name="Zed Other")
    other_parent = make.parent_of(other_child)
    auth.login(other_parent)
    client.post(f"/messages/new/{other_child.id}/{family['teacher'].id}", data={"body": "first"})
    auth.logout()
    auth.login(family["parent"])
    write(client, family)
    auth.logout()
    auth.login(family["teacher"])
    zed = db.scalar(select(MessageThread).where(MessageThread.student_id == other_child.id))
    client.get(f"/messages/{zed.id}")  # read: the other (newer, unread) thread comes first
    inbox = client.get("/messages").data
    assert inbox.index(b"Mali Child") < inbox.index(b"Zed Other")
    found = client.get("/messages?q=zed", headers=HX).data
    assert b"Zed Other" in found and b"Mali Child" not in found


def test_nav_shows_the_unread_count(client, auth, family):
    auth.login(family["parent"])
    write(client, family)
    auth.logout()
    auth.login(family["teacher"])
    page = client.get("/messages/settings").data
    assert b'Messages <span class="nav-count">1</span>' in page


def test_child_page_links_to_messages(client, auth, family):
    auth.login(family["parent"])
    page = client.get(f"/students/{family['child'].id}").data
    assert f"/messages/new/{family['child'].id}".encode() in page


def test_idle_poll_is_a_304_costing_at_most_two_statements(client, auth, db, family, count_queries):
    auth.login(family["parent"])
    write(client, family)
    thread = the_thread(db, family)
    auth.logout()
    auth.login(family["teacher"])
    for url in ("/messages", f"/messages/{thread.id}"):
        first = client.get(url, headers=HX)
        assert first.status_code == 200 and first.headers.get("ETag")
        etag = first.headers["ETag"]
        with count_queries() as counter:
            again = client.get(url, headers={**HX, "If-None-Match": etag})
        assert again.status_code == 304, url
        assert counter.count <= 2, counter.statements
    # A new message changes the thread's answer.
    auth.logout()
    auth.login(family["parent"])
    client.post(f"/messages/{thread.id}", data={"body": "news"})
    auth.logout()
    auth.login(family["teacher"])
    changed = client.get(f"/messages/{thread.id}", headers={**HX, "If-None-Match": etag})
    assert changed.status_code == 200 and b"news" in changed.data


def test_pages_of_messages_show_the_latest_first_page(client, auth, app, db, family):
    auth.login(family["parent"])
    write(client, family, "message 0")
    thread = the_thread(db, family)
    with app.app_context():
        from lms.extensions import db as _db

        _db.session.add_all([Message(thread_id=thread.id, author_id=family["parent"].id, body=f"message {i}")
                             for i in range(1, 40)])
        _db.session.commit()
    page = client.get(f"/messages/{thread.id}").data
    assert b"message 39" in page and b"message 0<" not in page and b"Show earlier messages" in page
    older = client.get(f"/messages/{thread.id}?page=2").data
    assert b"message 0<" in older


@pytest.mark.committed
@pytest.mark.skipif(not TEST_DATABASE_URL,
                    reason="concurrency needs PostgreSQL (LMS_TEST_DATABASE_URL); SQLite serialises writers")
def test_two_tabs_starting_the_same_conversation_make_one_thread(app, db, family):
    from lms.auth.models import User
    from lms.conversations import threads as service
    from lms.extensions import db as _db

    barrier = threading.Barrier(2)
    errors = []

    def start(text):
        try:
            with app.test_request_context():
                try:
                    parent, child, teacher = (_db.session.get(User, family[k].id) for k in ("parent", "child", "teacher"))
                    barrier.wait(timeout=10)
                    thread = service.thread_between(parent, child, teacher)
                    service.send(parent, thread, text)
                    _db.session.commit()
                finally:
                    _db.session.remove()
        except Exception:  # reported below
            errors.append(traceback.format_exc())

    workers = [threading.Thread(target=start, args=(f"Tab {n}",)) for n in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == [], "\n".join(errors)
    assert db.count(MessageThread) == 1 and db.count(Message) == 2


def test_a_teacher_who_no_longer_teaches_the_child_can_no_longer_be_written_to(client, auth, app, db, family):
    from lms.school.models import TeacherAssignment

    auth.login(family["parent"])
    write(client, family, "before")
    thread = the_thread(db, family)
    with app.app_context():
        from lms.extensions import db as _db

        _db.session.execute(TeacherAssignment.__table__.delete())
        _db.session.commit()
    assert b"before" in client.get(f"/messages/{thread.id}").data  # still readable
    refused = client.post(f"/messages/{thread.id}", data={"body": "after"}, headers=HX)
    assert refused.status_code == 422 and b"no longer teaches" in refused.data
    assert db.count(Message) == 1


def test_erasing_the_student_deletes_the_conversations_and_help_requests(client, auth, app, make, db, family):
    from lms.conversations.models import HelpRequest
    from lms.school.models import StudentProfile

    auth.login(family["parent"])
    write(client, family, "about my child")
    auth.logout()
    subject = make.subject("P1/1", teachers=[family["teacher"]])
    ids = make.tree(subject, {"U": {"P": ["S"]}})
    auth.login(family["child"])
    assert client.post(f"/help-requests/new?kind=SECTION&id={ids['S']}", data={"question": "?"}).status_code == 303
    auth.logout()
    with app.app_context():
        from lms.extensions import db as _db

        profile = _db.session.get(StudentProfile, family["child"].id)
        profile.status = "LEFT"
        number = profile.student_number
        _db.session.commit()
    auth.login(make.user(role="ADMIN"))
    response = client.post(f"/students/{family['child'].id}/erase", data={"confirmation": number})
    assert response.status_code in (302, 303)
    assert db.count(MessageThread) == 0 and db.count(Message) == 0 and db.count(HelpRequest) == 0
