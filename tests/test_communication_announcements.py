"""Announcements: writing (targets, draft, schedule, expiry, urgent), reading, read status, the badge."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from lms.audit.models import AuditLog
from lms.common.types import utcnow
from lms.communication.models import Announcement, AnnouncementRead, Notification
from lms.demo import DEMO_PASSWORD
from lms.school.models import ClassroomMembership
from tests.conftest import AuthActions, email_text

BANGKOK = ZoneInfo("Asia/Bangkok")


def local_input(delta: timedelta) -> str:
    """What a datetime-local input sends for now + ``delta`` in the school's timezone."""
    return (datetime.now(BANGKOK) + delta).strftime("%Y-%m-%dT%H:%M")


def form(**overrides) -> dict:
    data = {"title": "Sports day", "body": "Bring **water**.", "body_format": "MARKDOWN",
            "target_kind": "EVERYONE", "level_id": "", "classroom_id": "", "people": "", "publish_at": "",
            "expires_at": "", "action": "publish"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def login(app, user):
    client = app.test_client()
    AuthActions(client).login(user)
    return client


def inbox_titles(client) -> list[str]:
    page = client.get("/announcements").get_data(as_text=True)
    return re.findall(r'class="announcement-title">\s*<a [^>]*>([^<]+)</a>', page)


def badge(client) -> int:
    response = client.get("/notifications/badge", headers={"HX-Request": "true"})
    return int(re.search(r'data-count="(\d+)"', response.get_data(as_text=True)).group(1))


# --- writing -----------------------------------------------------------------------------------


def test_admin_publishes_to_everyone_and_it_is_audited(app, client, auth, make, db):
    make.school()
    admin, student = make.user(role="ADMIN"), make.student("P1/1")
    auth.login(admin)
    response = client.post("/announcements/new", data=form())
    assert response.status_code == 303 and response.headers["Location"].endswith("/announcements/manage")
    assert "Published." in client.get("/announcements/manage").get_data(as_text=True)
    announcement = db.scalar(select(Announcement))
    assert announcement.status == "PUBLISHED" and announcement.author_id == admin.id
    assert db.scalar(select(AuditLog.action).where(AuditLog.entity_type == "Announcement",
                                                   AuditLog.entity_id == announcement.id)) == "announcement.create"
    assert inbox_titles(login(app, student)) == ["Sports day"]


def test_teacher_announces_to_their_classroom_only(app, client, auth, make, db):
    make.school()
    teacher = make.teacher("P1/1")
    mine, other = make.student("P1/1"), make.student("P2/1")
    p1, p2 = make.classroom("P1/1"), make.classroom("P2/1")
    auth.login(teacher)
    page = client.get("/announcements/new").get_data(as_text=True)
    assert 'value="EVERYONE"' not in page and 'value="CLASSROOM"' in page and ">P2/1<" not in page
    response = client.post("/announcements/new", data=form(target_kind="CLASSROOM", classroom_id=p2.id))
    assert "Choose one of your classrooms." in response.get_data(as_text=True)
    response = client.post("/announcements/new", data=form(target_kind="EVERYONE"))
    assert "Teachers can announce to their own classrooms" in response.get_data(as_text=True)
    assert db.count(Announcement) == 0
    assert client.post("/announcements/new", data=form(title="Class trip", target_kind="CLASSROOM",
                                                       classroom_id=p1.id)).status_code == 303
    assert inbox_titles(login(app, mine)) == ["Class trip"]
    assert inbox_titles(login(app, other)) == []


@pytest.mark.parametrize(("overrides", "message"), [
    ({"title": "   "}, "Give the announcement a title."),
    ({"target_kind": "MARTIANS"}, "Choose who the announcement is for."),
    ({"target_kind": "LEVEL"}, "Choose a level."),
    ({"target_kind": "PEOPLE", "people": "nobody@nowhere.example"},
     "No active account has these addresses: nobody@nowhere.example."),
    ({"publish_at": local_input(timedelta(days=2)), "expires_at": local_input(timedelta(days=1))},
     "The expiry must be after the publication time."),
    ({"expires_at": local_input(timedelta(hours=-1))}, "The expiry must be after the publication time."),
    ({"publish_at": local_input(timedelta(days=-1))}, "That publication time has passed."),
    ({"publish_at": "tomorrow-ish"}, "Not a valid datetime value."),
])
def test_bad_input_gets_a_clear_message_and_nothing_is_stored(client, as_role, make, db, overrides, message):
    make.school()
    as_role("ADMIN")
    response = client.post("/announcements/new", data=form(**overrides))
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    htmx = client.post("/announcements/new", data=form(**overrides), headers={"HX-Request": "true"})
    body = htmx.get_data(as_text=True)
    assert htmx.status_code == 422 and body.lstrip().startswith('<form id="announcement-form"') and message in body
    assert db.count(Announcement) == 0 and db.count(AuditLog, AuditLog.action.notin_(("user.login", "user.logout"))) == 0  # sign-ins aside


def test_draft_then_schedule_then_visible_from_the_publication_time(app, client, as_role, make, db):
    make.school()
    author = as_role("ADMIN")
    student = make.student("P1/1")
    reader = login(app, student)
    client.post("/announcements/new", data=form(title="Later", action="draft"))
    draft = db.scalar(select(Announcement))
    assert draft.status == "DRAFT" and inbox_titles(reader) == []
    assert client.get(f"/announcements/{draft.id}").status_code == 200  # the author's preview
    assert reader.get(f"/announcements/{draft.id}").status_code == 404
    client.post(f"/announcements/{draft.id}/edit", data=form(title="Later", publish_at=local_input(timedelta(hours=3))))
    scheduled = db.get(Announcement, draft.id)
    assert scheduled.status == "SCHEDULED" and inbox_titles(reader) == [] and badge(reader) == 0
    # Time passes: readers see it from publish_at, before the job has run.
    with db.ctx() as session:
        session.execute(update(Announcement).values(publish_at=utcnow() - timedelta(minutes=1)))
        session.commit()
    assert inbox_titles(reader) == ["Later"] and badge(reader) == 1
    from lms.communication.jobs import publish_due_announcements

    with app.app_context():
        assert publish_due_announcements() == 1
        assert publish_due_announcements() == 0
    assert db.get(Announcement, draft.id).status == "PUBLISHED"
    [note] = db.scalars(select(Notification).where(Notification.user_id == author.id))
    assert note.kind == "announcement_published" and note.params == {"title": "Later"}
    assert note.link == f"/announcements/{draft.id}"


def test_a_publication_time_a_minute_or_two_ahead_is_scheduled_not_published_at_once(client, as_role, make, db):
    make.school()
    as_role("ADMIN")
    client.post("/announcements/new", data=form(title="Soon", publish_at=local_input(timedelta(minutes=2))))
    soon = db.scalar(select(Announcement))
    assert soon.status == "SCHEDULED" and soon.publish_at > utcnow()


@pytest.mark.parametrize("field", ["publish_at", "expires_at"])
def test_a_date_before_1900_gets_a_message_not_an_error_page(client, as_role, make, db, field):
    make.school()
    as_role("ADMIN")
    response = client.post("/announcements/new", data=form(**{field: "0001-01-01T00:00"}),
                           headers={"HX-Request": "true"})
    assert response.status_code == 422 and "Enter a date between 1900 and 2200." in response.get_data(as_text=True)
    assert db.count(Announcement) == 0


def test_expired_announcements_disappear(app, make):
    make.school()
    student = make.student("P1/1")
    make.announcement(title="Old news", publish_at=utcnow() - timedelta(days=3),
                      expires_at=utcnow() - timedelta(days=1))
    make.announcement(title="Fresh news", expires_at=utcnow() + timedelta(days=1))
    reader = login(app, student)
    assert inbox_titles(reader) == ["Fresh news"] and badge(reader) == 1


def test_urgent_announcement_is_emailed_once_to_students_and_parents(client, as_role, make, outbox, app, db):
    make.school()
    room = make.classroom("P1/1")
    kids = [make.student(room, full_name=f"Kid {i}") for i in range(2)]
    parent = make.parent_of(kids[0], full_name="Mum One")
    make.student("P2/1", full_name="Elsewhere")
    as_role("ADMIN")
    response = client.post("/announcements/new", data=form(
        title="Flood: school closed", body="Stay home <script>alert(1)</script>", target_kind="CLASSROOM",
        classroom_id=room.id, include_parents="y", urgent="y"))
    assert response.status_code == 303
    recipients = sorted(m["To"] for m in outbox)
    assert recipients == sorted([kids[0].email, kids[1].email, parent.email])
    assert all(m["Subject"] == "Urgent: Flood: school closed" for m in outbox)
    assert "Stay home" in email_text(outbox[0]) and "<script>" not in outbox[0].get_body(("html",)).get_content()
    from lms.communication.jobs import deliver_announcement

    announcement_id = db.scalar(select(Announcement.id))
    with app.app_context():
        assert deliver_announcement(announcement_id) == 0  # once only
    assert len(outbox) == 3


def test_an_urgent_email_reads_as_text_and_says_where_to_unsubscribe(client, as_role, make, outbox, app):
    make.school()
    room = make.classroom("P1/1")
    make.student(room, full_name="Kid")
    as_role("ADMIN")
    body = "# Sports day\n\nBring **water** and [the form](https://example.org/form.pdf).\n\n- hat\n- shoes"
    client.post("/announcements/new", data=form(title="Sports day", body=body, target_kind="CLASSROOM",
                                                classroom_id=room.id, urgent="y"))
    [message] = outbox
    text = email_text(message)
    assert "**" not in text and "# Sports" not in text and "](" not in text
    assert "Bring water and the form (https://example.org/form.pdf)." in text
    assert "• hat\n• shoes" in text
    base = app.config["BASE_URL"].rstrip("/")
    header = str(message["List-Unsubscribe"]).strip()
    assert header.startswith(f"<{base}/unsubscribe/") and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"{base}/unsubscribe/" in text  # and the footer says so


# --- reading -----------------------------------------------------------------------------------


def test_opening_marks_read_and_tells_the_badge(app, make, db):
    make.school()
    student = make.student("P1/1")
    first = make.announcement(title="First", body="Line *one*")
    make.announcement(title="Second")
    reader = login(app, student)
    assert badge(reader) == 2
    page = reader.get("/announcements").get_data(as_text=True)
    assert page.count("data-unread") == 2
    response = reader.get(f"/announcements/{first.id}", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.headers["HX-Trigger"] == "lms:read"
    assert body.lstrip().startswith(f'<article id="announcement-{first.id}"') and "<em>one</em>" in body
    assert "data-unread" not in body
    assert badge(reader) == 1
    assert reader.get("/announcements").get_data(as_text=True).count("data-unread") == 1
    reader.get(f"/announcements/{first.id}")  # opening twice keeps one read row
    assert db.count(AnnouncementRead) == 1


def test_mark_all_read(app, make, db):
    make.school()
    student = make.student("P1/1")
    for i in range(3):
        make.announcement(title=f"Note {i}")
    make.notification(student)
    reader = login(app, student)
    assert badge(reader) == 4
    response = reader.post("/announcements/read-all", headers={"HX-Request": "true"})
    assert response.headers["HX-Trigger"] == "lms:read"
    assert response.get_data(as_text=True).lstrip().startswith('<div id="announcement-inbox">')
    assert badge(reader) == 1  # the notification is still unread
    assert reader.post("/announcements/read-all").status_code == 303
    assert db.count(AnnouncementRead) == 3


def test_the_unread_badge_costs_one_query(app, make, count_queries):
    make.school()
    room = make.classroom("P1/1")
    student = make.student(room)
    parent = make.parent_of(student)
    make.announcement(title="Everyone")
    make.announcement(title="Class", target_kind="CLASSROOM", classroom=room, include_parents=True)
    make.announcement(title="Level", target_kind="LEVEL", level_code="P1")
    make.notification(student)
    for user, expected in ((student, 4), (parent, 2)):
        reader = login(app, user)
        badge(reader)  # warm up (first-request work of the app)
        with count_queries() as counter:
            assert badge(reader) == expected
        ours = [s for s in counter.statements if "user_session" not in s]  # Flask-Login's user load
        assert len(ours) == 1, counter.statements
        assert counter.count == 2


def test_badge_is_in_the_layout_for_signed_in_users_only(client, make):
    make.school()
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'id="unread-badge"' not in page
    AuthActions(client).login(make.student("P1/1"))
    page = client.get("/announcements").get_data(as_text=True)
    assert 'id="unread-badge"' in page and 'hx-trigger="load, every 60s, lms:read from:body"' in page


def test_a_student_who_joins_later_sees_the_classroom_announcement(app, make, db):
    make.school()
    room = make.classroom("P1/1")
    make.announcement(title="For P1/1", target_kind="CLASSROOM", classroom=room)
    newcomer = make.student("P2/1")
    reader = login(app, newcomer)
    assert inbox_titles(reader) == []
    with db.ctx() as session:
        session.execute(update(ClassroomMembership).where(ClassroomMembership.student_id == newcomer.id)
                        .values(classroom_id=room.id))
        session.commit()
    assert inbox_titles(reader) == ["For P1/1"] and badge(reader) == 1


def test_markdown_is_sanitised_and_plain_text_escaped(app, make):
    make.school()
    student = make.student("P1/1")
    md = make.announcement(title="MD", body="[click](javascript:alert(1)) <img src=x onerror=alert(1)> **ok**")
    txt = make.announcement(title="TXT", body="<b>not bold</b>\nline two", body_format="TEXT")
    reader = login(app, student)
    html = reader.get(f"/announcements/{md.id}").get_data(as_text=True)
    assert "<strong>ok</strong>" in html and "javascript:" not in html and "onerror" not in html
    html = reader.get(f"/announcements/{txt.id}").get_data(as_text=True)
    assert "&lt;b&gt;not bold&lt;/b&gt;<br>line two" in html


# --- authors: read counts, editing, deleting ---------------------------------------------------


def test_authors_see_read_counts_and_who_has_not_read(app, client, auth, make):
    make.school()
    teacher = make.teacher("P1/1")
    room = make.classroom("P1/1")
    kids = [make.student(room, full_name=f"Pupil {i}") for i in range(3)]
    announcement = make.announcement(teacher, title="Homework", target_kind="CLASSROOM", classroom=room)
    login(app, kids[0]).get(f"/announcements/{announcement.id}")
    auth.login(teacher)
    page = client.get("/announcements/manage").get_data(as_text=True)
    assert "read by 1 of 3" in page
    readers = client.get(f"/announcements/{announcement.id}/readers").get_data(as_text=True)
    assert "Read by 1 of 3" in readers and readers.count("not yet") == 2


def test_teachers_manage_only_their_own_announcements(app, client, auth, make, db):
    make.school()
    teacher = make.teacher("P1/1")
    admins = make.announcement(title="Admin's")
    own = make.announcement(teacher, title="Mine", target_kind="CLASSROOM", classroom="P1/1")
    auth.login(teacher)
    assert client.get(f"/announcements/{admins.id}/edit").status_code == 404
    assert client.post(f"/announcements/{admins.id}/delete").status_code == 404
    assert "Admin&#39;s" not in client.get("/announcements/manage").get_data(as_text=True)
    response = client.post(f"/announcements/{own.id}/delete", headers={"HX-Request": "true"})
    assert response.status_code == 204 and response.headers["HX-Redirect"].endswith("/announcements/manage")
    assert db.get(Announcement, own.id) is None and db.get(Announcement, admins.id) is not None
    assert login(app, make.student("P1/1")).get(f"/announcements/{admins.id}").status_code == 200


def test_editing_a_published_announcement_keeps_its_date(client, as_role, make, db):
    make.school()
    admin = as_role("ADMIN")
    announcement = make.announcement(admin, title="Typo")
    page = client.get(f"/announcements/{announcement.id}/edit").get_data(as_text=True)
    sent = re.search(r'name="publish_at"[^>]*value="([^"]+)"', page).group(1)
    assert client.post(f"/announcements/{announcement.id}/edit",
                       data=form(title="Fixed", publish_at=sent)).status_code == 303
    fixed = db.get(Announcement, announcement.id)
    assert fixed.title == "Fixed" and fixed.publish_at == announcement.publish_at and fixed.status == "PUBLISHED"


def test_people_targets_for_teachers_are_their_students_and_parents(app, client, auth, make, db):
    make.school()
    teacher = make.teacher("P1/1")
    kid = make.student("P1/1")
    parent = make.parent_of(kid)
    stranger = make.student("P2/1")
    auth.login(teacher)
    response = client.post("/announcements/new", data=form(target_kind="PEOPLE", people=stranger.email))
    assert f"These are not students of your classes or their parents: {stranger.email}." in \
        response.get_data(as_text=True)
    assert client.post("/announcements/new", data=form(
        title="Meeting", target_kind="PEOPLE", people=f"{kid.email.upper()}, {parent.email}")).status_code == 303
    assert inbox_titles(login(app, parent)) == ["Meeting"]
    assert inbox_titles(login(app, stranger)) == []


def test_list_pages_query_counts_do_not_grow(app, client, as_role, make, count_queries):
    make.school()
    admin = as_role("ADMIN")
    room = make.classroom("P1/1")
    student = make.student(room)
    make.notification(student)

    def add(n):
        for i in range(n):
            make.announcement(admin, title=f"E{i}")
            make.announcement(admin, title=f"C{i}", target_kind="CLASSROOM", classroom=room, include_parents=True)
            make.announcement(admin, title=f"L{i}", target_kind="LEVEL", level_code="P1")
            make.announcement(admin, title=f"P{i}", target_kind="PEOPLE", people=[student])
            make.notification(student)

    reader = login(app, student)
    counts = []
    for n in (1, 4):
        add(n)
        with count_queries() as manage:
            assert client.get("/announcements/manage").status_code == 200
        with count_queries() as inbox:
            assert reader.get("/announcements").status_code == 200
        with count_queries() as notes:
            assert reader.get("/notifications").status_code == 200
        counts.append((manage.count, inbox.count, notes.count))
    assert counts[0] == counts[1], counts


# --- acceptance with the demo data ---------------------------------------------------------------


def test_p1_1_announcement_is_for_student_not_student2_and_reading_clears_the_count(app, demo):
    student, student2 = app.test_client(), app.test_client()
    for client, email in ((student, "student@example.org"), (student2, "student2@example.org")):
        client.post("/auth/login", data={"login": email, "password": DEMO_PASSWORD})
    assert "P1/1 field trip on Friday" in inbox_titles(student)
    assert "P1/1 field trip on Friday" not in inbox_titles(student2)
    assert badge(student) == 1
    page = student.get("/announcements").get_data(as_text=True)
    announcement_id = re.search(r'href="/announcements/(\d+)"[^>]*>P1/1 field trip', page).group(1)
    assert student2.get(f"/announcements/{announcement_id}").status_code == 404
    assert student.get(f"/announcements/{announcement_id}").status_code == 200
    assert badge(student) == 0


def test_list_fragments_for_htmx(app, client, as_role, make):
    make.school()
    as_role("ADMIN")
    make.announcement(title="Fragment me")
    response = client.get("/announcements/manage?status=PUBLISHED", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="announcement-manage">') and "Fragment me" in body
    assert "Fragment me" not in client.get("/announcements/manage?status=DRAFT").get_data(as_text=True)
    body = client.get("/announcements?show=unread", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert body.lstrip().startswith('<div id="announcement-inbox">') and "Fragment me" in body
    body = client.get("/analytics/logins", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert body.lstrip().startswith('<div id="login-session-list">')
