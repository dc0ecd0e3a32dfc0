"""Students' help requests (issue 19.4): raised from a section, an assessment or a teaching session;
the teachers' queue (open first, the longest waiting first, with how long each waited); answering
notifies; closing; the open-requests limit; access for every role; the poll's 304."""

from __future__ import annotations

import threading
import traceback
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.communication.models import Notification
from lms.conversations.help_requests import MAX_OPEN
from lms.conversations.models import QUESTION_MAX, HelpRequest
from tests.conftest import TEST_DATABASE_URL

HX = {"HX-Request": "true"}


@pytest.fixture
def lesson(make):
    make.school()
    room = make.classroom("P1/1")
    teacher = make.teacher(room, full_name="Tida Teacher", email="tida@example.org")
    student = make.student(room, full_name="Sam Pupil", email="sam@example.org")
    subject = make.subject("P1/1", teachers=[teacher], name="Maths P1/1")
    ids = make.tree(subject, {"Numbers": {"Tens": ["Counting tens"]}})
    quiz = make.assessment(teacher, title="Tens quiz", section_id=ids["Counting tens"], publish=True)
    return {"room": room, "teacher": teacher, "student": student, "subject": subject,
            "section_id": ids["Counting tens"], "quiz": quiz}


def ask(client, kind, target_id, question="How do I count in tens?", headers=None):
    return client.post(f"/help-requests/new?kind={kind}&id={target_id}", data={"question": question},
                       headers=headers or {})


def test_student_asks_teacher_answers_student_is_notified_and_closes(client, auth, db, lesson, outbox):
    auth.login(lesson["student"])
    section_page = client.get(f"/sections/{lesson['section_id']}").data
    assert b"Ask my teacher for help" in section_page
    assert client.get(f"/help-requests/new?kind=SECTION&id={lesson['section_id']}").status_code == 200
    response = ask(client, "SECTION", lesson["section_id"])
    row = db.scalar(select(HelpRequest))
    assert response.status_code == 303 and row.status == "OPEN" and row.section_id == lesson["section_id"]
    auth.logout()

    auth.login(lesson["teacher"])
    queue = client.get("/help-requests")
    assert b"Counting tens" in queue.data and b"Sam Pupil" in queue.data and b"waiting for" in queue.data
    assert b'Help requests <span class="nav-count">1</span>' in queue.data
    detail = client.get(f"/help-requests/{row.id}")
    assert b"How do I count in tens?" in detail.data
    assert client.post(f"/help-requests/{row.id}/answer", data={"answer": "10, 20, 30..."}).status_code == 303
    row = db.get(HelpRequest, row.id)
    assert row.status == "ANSWERED" and row.answered_by_id == lesson["teacher"].id
    note = db.scalar(select(Notification).where(Notification.user_id == lesson["student"].id))
    assert note.kind == "help_answered" and note.link == f"/help-requests/{row.id}"
    assert [m["To"] for m in outbox] == ["sam@example.org"]
    auth.logout()

    auth.login(lesson["student"])
    mine = client.get("/my/help-requests")
    assert b"Answered" in mine.data and b'My help requests <span class="nav-count">1</span>' in mine.data
    assert b"10, 20, 30..." in client.get(f"/help-requests/{row.id}").data
    assert client.post(f"/help-requests/{row.id}/close").status_code == 303
    assert db.get(HelpRequest, row.id).status == "CLOSED"
    # A closed request cannot be answered any more.
    auth.logout()
    auth.login(lesson["teacher"])
    client.post(f"/help-requests/{row.id}/answer", data={"answer": "late"})
    assert db.get(HelpRequest, row.id).answer == "10, 20, 30..."


def test_from_an_assessment_and_a_teaching_session(client, auth, make, db, lesson):
    tutor = make.user(role="TEACHER", full_name="Tom Tutor")
    course_session = make.course_session(tutor, name="Saturday maths")
    make.enrollment(course_session, lesson["student"])
    auth.login(lesson["student"])
    assert b"Ask my teacher for help" in client.get(f"/my/sessions/{course_session.id}").data
    assert ask(client, "ASSESSMENT", lesson["quiz"].id).status_code == 303
    assert ask(client, "SESSION", course_session.id).status_code == 303
    auth.logout()
    auth.login(tutor)
    queue = client.get("/help-requests").data
    assert b"Saturday maths" in queue and b"Tens quiz" not in queue
    auth.logout()
    auth.login(lesson["teacher"])
    queue = client.get("/help-requests").data
    assert b"Tens quiz" in queue and b"Saturday maths" not in queue


def test_queue_lists_open_first_oldest_first_and_filters(client, auth, app, db, lesson):
    from lms.common.types import utcnow
    from lms.extensions import db as _db

    now = utcnow()
    with app.app_context():
        for question, hours, status in (("newer open", 1, "OPEN"), ("older open", 5, "OPEN"),
                                        ("answered one", 9, "ANSWERED")):
            _db.session.add(HelpRequest(student_id=lesson["student"].id, context_kind="SECTION",
                                        section_id=lesson["section_id"], question=question, status=status,
                                        created_at=now - timedelta(hours=hours),
                                        answered_at=now if status == "ANSWERED" else None,
                                        answer="yes" if status == "ANSWERED" else None))
        _db.session.commit()
    auth.login(lesson["teacher"])
    page = client.get("/help-requests").data
    assert page.index(b"older open") < page.index(b"newer open") < page.index(b"answered one")
    answered = client.get("/help-requests?status=ANSWERED", headers=HX).data
    assert b"answered one" in answered and b"older open" not in answered


@pytest.mark.parametrize("question, message", [
    ("", b"Say what you need help with."),
    ("x" * (QUESTION_MAX + 1), b"too long"),
    ("nul\x00here", b"be accepted"),
])
def test_bad_questions_are_refused(client, auth, db, lesson, question, message):
    auth.login(lesson["student"])
    response = ask(client, "SECTION", lesson["section_id"], question, headers=HX)
    assert response.status_code == 422 and message in response.data and db.count(HelpRequest) == 0


def test_bad_context_is_a_404(client, auth, db, lesson):
    auth.login(lesson["student"])
    assert ask(client, "NOPE", 1).status_code == 404
    assert ask(client, "SECTION", 999999).status_code == 404
    assert ask(client, "SECTION", "abc").status_code == 404
    assert db.count(HelpRequest) == 0


def test_at_most_five_open_requests(client, auth, db, lesson):
    auth.login(lesson["student"])
    for i in range(MAX_OPEN):
        assert ask(client, "SECTION", lesson["section_id"], f"question {i}").status_code == 303
    response = ask(client, "SECTION", lesson["section_id"], "one more", headers=HX)
    assert response.status_code == 422 and b"open help requests" in response.data
    assert db.count(HelpRequest) == MAX_OPEN


def test_access_for_every_role(client, auth, make, db, lesson):
    auth.login(lesson["student"])
    ask(client, "SECTION", lesson["section_id"])
    row = db.scalar(select(HelpRequest))
    auth.logout()
    other_student = make.student(make.classroom("P2/1"))
    other_teacher = make.teacher(make.classroom("P2/1"))
    parent = make.parent_of(lesson["student"])
    for person, expected in ((other_student, 404), (other_teacher, 404), (parent, 403)):
        auth.login(person)
        assert client.get(f"/help-requests/{row.id}").status_code == expected, person.role
        auth.logout()
    auth.login(other_teacher)
    assert client.post(f"/help-requests/{row.id}/answer", data={"answer": "x"}).status_code == 404
    assert b"How do I count" not in client.get("/help-requests").data
    auth.logout()
    auth.login(other_student)
    assert client.post(f"/help-requests/{row.id}/close").status_code == 404
    # Another class's section is not theirs to ask about.
    assert ask(client, "SECTION", lesson["section_id"]).status_code == 404
    auth.logout()
    auth.login(lesson["student"])
    assert client.post(f"/help-requests/{row.id}/answer", data={"answer": "self"}).status_code == 403
    auth.logout()
    auth.login(make.user(role="ADMIN"))
    assert client.get(f"/help-requests/{row.id}").status_code == 200
    assert db.get(HelpRequest, row.id).status == "OPEN"


def test_question_text_is_escaped(client, auth, db, lesson):
    auth.login(lesson["student"])
    ask(client, "SECTION", lesson["section_id"], "<script>alert(1)</script>")
    row = db.scalar(select(HelpRequest))
    page = client.get(f"/help-requests/{row.id}").data
    assert b"<script>alert(1)" not in page and b"&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_idle_queue_poll_is_a_304_costing_at_most_two_statements(client, auth, db, lesson, count_queries):
    auth.login(lesson["student"])
    ask(client, "SECTION", lesson["section_id"])
    auth.logout()
    auth.login(lesson["teacher"])
    first = client.get("/help-requests", headers=HX)
    etag = first.headers["ETag"]
    with count_queries() as counter:
        again = client.get("/help-requests", headers={**HX, "If-None-Match": etag})
    assert again.status_code == 304 and counter.count <= 2, counter.statements
    row = db.scalar(select(HelpRequest))
    client.post(f"/help-requests/{row.id}/answer", data={"answer": "ok"})
    changed = client.get("/help-requests", headers={**HX, "If-None-Match": etag})
    assert changed.status_code == 200


def test_demo_has_a_thread_and_two_help_requests(client, demo, db):
    from lms.conversations.models import Message, MessageThread

    thread = db.scalar(select(MessageThread).where(MessageThread.parent_id == demo["parent@example.org"]))
    assert thread.teacher_id == demo["teacher@example.org"] and thread.student_id == demo["student@example.org"]
    assert db.count(Message, Message.thread_id == thread.id) == 2
    statuses = sorted(r.status for r in db.scalars(select(HelpRequest).where(
        HelpRequest.student_id == demo["student@example.org"])))
    assert statuses == ["ANSWERED", "OPEN"]
    client.post("/auth/login", data={"login": "teacher@example.org", "password": "demo-pass-1234"})
    assert b"I don&#39;t understand" in client.get("/help-requests").data


@pytest.mark.committed
@pytest.mark.skipif(not TEST_DATABASE_URL,
                    reason="concurrency needs PostgreSQL (LMS_TEST_DATABASE_URL); SQLite serialises writers")
def test_two_tabs_cannot_pass_the_open_requests_limit_together(app, db, lesson):
    from lms.auth.models import User
    from lms.common.errors import BusinessRuleViolation
    from lms.conversations import help_requests as service
    from lms.extensions import db as _db

    with app.app_context():
        for i in range(MAX_OPEN - 1):
            _db.session.add(HelpRequest(student_id=lesson["student"].id, context_kind="SECTION",
                                        section_id=lesson["section_id"], question=f"q{i}"))
        _db.session.commit()
        _db.session.remove()
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def raise_one(text):
        try:
            with app.test_request_context():
                try:
                    student = _db.session.get(User, lesson["student"].id)
                    barrier.wait(timeout=10)
                    try:
                        service.raise_request(student, "SECTION", lesson["section_id"], text)
                        _db.session.commit()
                        outcomes.append("sent")
                    except BusinessRuleViolation:
                        _db.session.rollback()
                        outcomes.append("refused")
                finally:
                    _db.session.remove()
        except Exception:  # reported below
            errors.append(traceback.format_exc())

    workers = [threading.Thread(target=raise_one, args=(f"Tab {n}",)) for n in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == [], "\n".join(errors)
    assert sorted(outcomes) == ["refused", "sent"] and db.count(HelpRequest) == MAX_OPEN
