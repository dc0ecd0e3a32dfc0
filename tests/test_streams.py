"""Streams of classrooms, subjects and teaching sessions: posting, comments, reactions, mentions, access."""

import pytest
from sqlalchemy import select

from lms.communication.models import Notification
from lms.streams.models import Stream, StreamComment, StreamPost, StreamReaction
from tests.conftest import AuthActions
from tests.stream_fixtures import HX, Klass, allow_students, open_stream


@pytest.fixture
def klass(app, make):
    return Klass(app, make)


def test_teacher_posts_and_students_read_it_rendered_safely(klass, db):
    teacher = klass.client_of(klass.teacher)
    sid = open_stream(klass, teacher, db)
    body = "**Homework** for Monday <script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))"
    response = teacher.post(f"/streams/{sid}/posts", data={"body": body}, headers=HX)
    assert response.status_code == 200
    page = klass.client_of(klass.ann).get(klass.url).get_data(as_text=True)
    assert "<strong>Homework</strong>" in page
    assert "<script>alert(1)" not in page and "onerror" not in page and "javascript:" not in page
    post_id = db.scalar(select(StreamPost.id))
    assert f'action="/streams/{sid}/report/post/{post_id}"' in page  # students may report it


def test_students_ask_only_where_the_teacher_allows(klass, db):
    teacher, ann = klass.client_of(klass.teacher), klass.client_of(klass.ann)
    sid = open_stream(klass, teacher, db)
    refused = ann.post(f"/streams/{sid}/posts", data={"body": "May I ask?"}, headers=HX)
    assert refused.status_code == 422
    assert "has not opened this stream" in refused.get_data(as_text=True)
    assert db.count(StreamPost) == 0
    allow_students(klass, teacher, sid)
    assert ann.post(f"/streams/{sid}/posts", data={"body": "What is 7 + 5?"}, headers=HX).status_code == 200
    post = db.scalar(select(StreamPost))
    assert post.is_question and post.author_id == klass.ann.id


def test_comment_notifies_the_author_and_mentions_notify_members(klass, db):
    teacher, ann = klass.client_of(klass.teacher), klass.client_of(klass.ann)
    sid = open_stream(klass, teacher, db)
    allow_students(klass, teacher, sid)
    ann.post(f"/streams/{sid}/posts", data={"body": "What is 7 + 5?"})
    post = db.scalar(select(StreamPost))
    answer = teacher.post(f"/streams/{sid}/posts/{post.id}/comments",
                          data={"body": "It is 12. @Ben Student, do you agree?"}, headers=HX)
    assert answer.status_code == 200 and "It is 12." in answer.get_data(as_text=True)
    kinds = {(n.user_id, n.kind) for n in db.scalars(select(Notification))}
    assert (klass.ann.id, "stream_reply") in kinds
    assert (klass.ben.id, "stream_mention") in kinds
    notes = klass.client_of(klass.ann).get("/notifications").get_data(as_text=True)
    assert "Kru Somsri replied to your post" in notes


def test_a_mention_of_someone_outside_the_space_notifies_nobody(klass, make, db):
    make.student(make.classroom("P2/1"), full_name="Outside Person")
    teacher = klass.client_of(klass.teacher)
    sid = open_stream(klass, teacher, db)
    teacher.post(f"/streams/{sid}/posts", data={"body": "Hello @Outside Person"})
    assert db.count(Notification) == 0


def test_reactions_toggle_one_per_person(klass, db):
    teacher, ann = klass.client_of(klass.teacher), klass.client_of(klass.ann)
    sid = open_stream(klass, teacher, db)
    teacher.post(f"/streams/{sid}/posts", data={"body": "Well done, everyone"})
    post_id = db.scalar(select(StreamPost.id))
    url = f"/streams/{sid}/posts/{post_id}/react"
    assert ann.post(url, data={"emoji": "👍"}, headers=HX).status_code == 200
    assert ann.post(url, data={"emoji": "❤️"}, headers=HX).status_code == 200
    assert [r.emoji for r in db.scalars(select(StreamReaction))] == ["❤️"]
    assert ann.post(url, data={"emoji": "❤️"}, headers=HX).status_code == 200
    assert db.count(StreamReaction) == 0
    bad = ann.post(url, data={"emoji": "<img src=x onerror=alert(1)>"}, headers=HX)
    assert bad.status_code == 422 and db.count(StreamReaction) == 0
    assert "onerror=alert" not in bad.get_data(as_text=True)


def test_bad_text_is_refused_and_nothing_is_stored(klass, db):
    teacher = klass.client_of(klass.teacher)
    sid = open_stream(klass, teacher, db)
    for body in ["", "   ", "x" * 5001]:
        response = teacher.post(f"/streams/{sid}/posts", data={"body": body}, headers=HX)
        assert response.status_code == 422, body[:10]
    assert "5000 characters at most" in teacher.post(f"/streams/{sid}/posts", data={"body": "y" * 6000},
                                                     headers=HX).get_data(as_text=True)
    nul = teacher.post(f"/streams/{sid}/posts", data={"body": "a\x00b"}, headers=HX)
    assert nul.status_code in (400, 422)
    assert db.count(StreamPost) == 0


def test_two_tabs_posting_the_same_comment_store_two_comments_never_a_500(klass, db):
    teacher = klass.client_of(klass.teacher)
    sid = open_stream(klass, teacher, db)
    teacher.post(f"/streams/{sid}/posts", data={"body": "Hello"})
    post_id = db.scalar(select(StreamPost.id))
    for _ in range(2):
        assert teacher.post(f"/streams/{sid}/posts/{post_id}/comments", data={"body": "Same"}, headers=HX).status_code == 200
    assert db.count(StreamComment) == 2


def test_pinned_posts_come_first_and_scheduled_ones_wait(klass, db):
    from datetime import timedelta

    from lms.common.types import utcnow
    from lms.core.localtime import to_local

    teacher, ann = klass.client_of(klass.teacher), klass.client_of(klass.ann)
    sid = open_stream(klass, teacher, db)
    teacher.post(f"/streams/{sid}/posts", data={"body": "Old notice"})
    teacher.post(f"/streams/{sid}/posts", data={"body": "New notice"})
    old_id = db.scalar(select(StreamPost.id).where(StreamPost.body == "Old notice"))
    assert teacher.post(f"/streams/{sid}/post/{old_id}/pin", headers=HX).status_code == 200
    later = to_local(utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    teacher.post(f"/streams/{sid}/posts", data={"body": "Future notice", "publish_at": later})
    page = ann.get(klass.url).get_data(as_text=True)
    assert page.index("Old notice") < page.index("New notice")
    assert "Future notice" not in page
    assert "Future notice" in teacher.get(klass.url).get_data(as_text=True)


# --- access -----------------------------------------------------------------------------------------


def test_who_sees_a_classroom_stream(klass, make, app):
    other_teacher = make.teacher(make.classroom("P2/1"))
    outsider = make.student(make.classroom("P2/1"))
    parent = make.parent_of(klass.ann)
    admin = make.user(role="ADMIN")
    assert klass.client_of(other_teacher).get(klass.url).status_code == 404
    assert klass.client_of(outsider).get(klass.url).status_code == 404
    assert klass.client_of(parent).get(klass.url).status_code == 403
    assert klass.client_of(admin).get(klass.url).status_code == 200
    assert klass.client_of(klass.ann).get("/my/stream").headers["Location"].endswith(klass.url)


def test_outsiders_cannot_act_on_a_stream(klass, make, db):
    teacher = klass.client_of(klass.teacher)
    sid = open_stream(klass, teacher, db)
    teacher.post(f"/streams/{sid}/posts", data={"body": "Hello"})
    post_id = db.scalar(select(StreamPost.id))
    other_teacher = klass.client_of(make.teacher(make.classroom("P2/1")))
    outsider = klass.client_of(make.student(make.classroom("P2/1")))
    for client in (other_teacher, outsider):
        assert client.post(f"/streams/{sid}/posts", data={"body": "Hi"}).status_code == 404
        assert client.post(f"/streams/{sid}/posts/{post_id}/comments", data={"body": "Hi"}).status_code == 404
        assert client.post(f"/streams/{sid}/posts/{post_id}/react", data={"emoji": "👍"}).status_code == 404
    assert other_teacher.post(f"/streams/{sid}/post/{post_id}/hide").status_code == 404
    assert db.count(StreamPost) == 1 and db.count(StreamComment) == 0 and db.count(StreamReaction) == 0


def test_a_student_cannot_moderate(klass, db):
    teacher, ann = klass.client_of(klass.teacher), klass.client_of(klass.ann)
    sid = open_stream(klass, teacher, db)
    teacher.post(f"/streams/{sid}/posts", data={"body": "Hello"})
    post_id = db.scalar(select(StreamPost.id))
    assert ann.post(f"/streams/{sid}/post/{post_id}/hide").status_code == 403
    assert ann.post(f"/streams/{sid}/post/{post_id}/pin").status_code == 403
    assert db.get(StreamPost, post_id).status == "VISIBLE"


def test_subject_stream_members_and_managers(app, make, db):
    classroom = make.classroom("P1/1")
    teacher = make.teacher()
    subject = make.subject("P1", teachers=[teacher])
    student = make.student(classroom)
    stranger = make.teacher()
    url = f"/subjects/{subject.id}/stream"

    def client_of(user):
        client = app.test_client()
        AuthActions(client).login(user)
        return client

    t = client_of(teacher)
    assert t.get(url).status_code == 200
    sid = db.scalar(select(Stream.id).where(Stream.subject_id == subject.id))
    assert t.post(f"/streams/{sid}/posts", data={"body": "Read chapter 2"}).status_code == 303
    assert "Read chapter 2" in client_of(student).get(url).get_data(as_text=True)
    assert client_of(stranger).get(url).status_code == 404
    assert client_of(make.student(make.classroom("P3/1"))).get(url).status_code == 404


def test_teaching_session_stream_follows_its_discussion_setting(app, make, db):
    teacher = make.teacher()
    on = make.course_session(teacher, allow_student_discussions=True)
    off = make.course_session(make.teacher(), allow_student_discussions=False)
    student = make.student(make.classroom("P1/1"))
    make.enrollment(on, student)
    make.enrollment(off, student)
    pending = make.student(make.classroom("P1/1"))
    make.enrollment(on, pending, status="PENDING")
    client = app.test_client()
    AuthActions(client).login(student)
    assert client.get(f"/sessions/{on.id}/stream").status_code == 200
    assert client.get(f"/sessions/{off.id}/stream").status_code == 200
    sid_on = db.scalar(select(Stream.id).where(Stream.course_session_id == on.id))
    sid_off = db.scalar(select(Stream.id).where(Stream.course_session_id == off.id))
    assert client.post(f"/streams/{sid_on}/posts", data={"body": "A question"}).status_code == 303
    refused = client.post(f"/streams/{sid_off}/posts", data={"body": "A question"}, headers=HX)
    assert refused.status_code == 422 and db.count(StreamPost) == 1
    other = app.test_client()
    AuthActions(other).login(pending)
    assert other.get(f"/sessions/{on.id}/stream").status_code == 403
    stranger = app.test_client()
    AuthActions(stranger).login(make.student(make.classroom("P1/1")))
    assert stranger.get(f"/sessions/{on.id}/stream").status_code == 404
    assert client.get(f"/sessions/{on.id}/stream").status_code == 200
    AuthActions(other).logout()
    AuthActions(other).login(make.teacher())
    assert other.get(f"/sessions/{on.id}/stream").status_code == 404


def test_a_scheduled_post_shows_up_in_polls_and_notifies_its_mentions_when_due(klass, db, app):
    from datetime import timedelta

    from sqlalchemy import update

    from lms.common.types import utcnow
    from lms.core.localtime import to_local
    from lms.extensions import db as _db

    teacher, ann = klass.client_of(klass.teacher), klass.client_of(klass.ann)
    sid = open_stream(klass, teacher, db)
    later = to_local(utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    teacher.post(f"/streams/{sid}/posts", data={"body": "Test tomorrow, @Ann Student", "publish_at": later})
    assert [(n.kind, n.params) for n in db.scalars(select(Notification))] == []
    etag = ann.get(klass.url).headers["ETag"]
    poll = {**HX, "If-None-Match": etag}
    assert ann.get(klass.url + "?poll=1", headers=poll).status_code == 304
    with app.app_context():  # a day and a bit later
        past = utcnow() - timedelta(minutes=1)
        _db.session.execute(update(StreamPost).values(publish_at=past, created_at=past - timedelta(days=1)))
        _db.session.execute(update(Stream).values(next_publish_at=past))
        _db.session.commit()
    fresh = ann.get(klass.url + "?poll=1", headers=poll)
    assert fresh.status_code == 200 and "Test tomorrow" in fresh.get_data(as_text=True)
    assert [(n.user_id, n.kind) for n in db.scalars(select(Notification))] == [(klass.ann.id, "stream_mention")]
    assert db.scalar(select(Stream.next_publish_at)) is None


def test_a_closed_stream_is_read_only_for_students_but_reactions(klass, db):
    teacher, ann = klass.client_of(klass.teacher), klass.client_of(klass.ann)
    sid = open_stream(klass, teacher, db)
    teacher.post(f"/streams/{sid}/posts", data={"body": "Read page 4"})
    post_id = db.scalar(select(StreamPost.id))
    refused = ann.post(f"/streams/{sid}/posts/{post_id}/comments", data={"body": "OK"}, headers=HX)
    assert refused.status_code == 422 and "has not opened this stream" in refused.get_data(as_text=True)
    assert ann.post(f"/streams/{sid}/posts/{post_id}/react", data={"emoji": "🙏"}, headers=HX).status_code == 200
    assert db.count(StreamComment) == 0 and db.count(StreamReaction) == 1


def test_the_stream_pages_its_posts_newest_first(klass, db):
    teacher = klass.client_of(klass.teacher)
    sid = open_stream(klass, teacher, db)
    for n in range(17):
        teacher.post(f"/streams/{sid}/posts", data={"body": f"Notice number {n}"})
    answer = teacher.post(f"/streams/{sid}/posts", data={"body": "Notice number 17"}, headers=HX)
    first = answer.get_data(as_text=True)
    assert "Notice number 17" in first and "Notice number 2<" not in first
    assert f'href="/classrooms/{klass.classroom.id}/stream?page=2"' in first
    second = teacher.get(klass.url + "?page=2").get_data(as_text=True)
    assert "Notice number 2<" in second and "Notice number 17" not in second


def test_the_stream_page_costs_the_same_with_more_posts(klass, db, count_queries):
    teacher, ann = klass.client_of(klass.teacher), klass.client_of(klass.ann)
    sid = open_stream(klass, teacher, db)
    allow_students(klass, teacher, sid)

    def add_posts(count):
        for n in range(count):
            teacher.post(f"/streams/{sid}/posts", data={"body": f"Post {n}"})
            post_id = db.scalar(select(StreamPost.id).order_by(StreamPost.id.desc()))
            ann.post(f"/streams/{sid}/posts/{post_id}/comments", data={"body": "Thanks"})
            ann.post(f"/streams/{sid}/posts/{post_id}/react", data={"emoji": "👍"})

    add_posts(2)
    with count_queries() as few:
        assert ann.get(klass.url).status_code == 200
    add_posts(8)
    with count_queries() as more:
        assert ann.get(klass.url).status_code == 200
    assert more.count == few.count, more.statements
