"""Moderation of streams: hide, delete, lock, mute, reports and the queue, the word filter, audit,
and the freshness of polls (304 for an idle poll, in at most two SQL statements)."""

import pytest
from sqlalchemy import select

from lms.audit.models import AuditLog
from lms.streams.models import FilteredWord, StreamComment, StreamMute, StreamPost, StreamReport
from tests.stream_fixtures import HX, Klass, allow_students, open_stream


@pytest.fixture
def klass(app, make):
    return Klass(app, make)


@pytest.fixture
def thread(klass, db):
    """The stream open to students, with Ann's question and Ben's comment on it."""
    teacher, ann, ben = (klass.client_of(u) for u in (klass.teacher, klass.ann, klass.ben))
    sid = open_stream(klass, teacher, db)
    allow_students(klass, teacher, sid)
    ann.post(f"/streams/{sid}/posts", data={"body": "How do I add tens?"})
    post_id = db.scalar(select(StreamPost.id))
    ben.post(f"/streams/{sid}/posts/{post_id}/comments", data={"body": "That is a silly question"})
    comment_id = db.scalar(select(StreamComment.id))
    klass.sid, klass.post_id, klass.comment_id = sid, post_id, comment_id
    klass.clients = {"teacher": teacher, "ann": ann, "ben": ben}
    return klass


def actions(db):
    return [a.action for a in db.scalars(select(AuditLog).where(AuditLog.action.like("stream.%")).order_by(AuditLog.id))]


def test_a_hidden_comment_is_seen_only_by_its_author_marked(thread, db):
    teacher, ann, ben = (thread.clients[k] for k in ("teacher", "ann", "ben"))
    url = f"/streams/{thread.sid}/comment/{thread.comment_id}/hide"
    response = teacher.post(url, headers=HX)
    assert response.status_code == 200
    assert "silly question" not in ann.get(thread.url).get_data(as_text=True)
    own = ben.get(thread.url).get_data(as_text=True)
    assert "silly question" in own and "Hidden by your teacher" in own
    assert "stream.comment_hide" in actions(db)


def test_delete_removes_the_post_and_its_comments(thread, db):
    teacher = thread.clients["teacher"]
    assert teacher.post(f"/streams/{thread.sid}/post/{thread.post_id}/delete", headers=HX).status_code == 200
    assert db.count(StreamPost) == 0 and db.count(StreamComment) == 0
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "stream.post_delete"))
    assert entry.details["author_id"] == thread.ann.id and "How do I" not in str(entry.details)


def test_a_locked_thread_takes_no_comments(thread, db):
    teacher, ann = thread.clients["teacher"], thread.clients["ann"]
    teacher.post(f"/streams/{thread.sid}/post/{thread.post_id}/lock", headers=HX)
    refused = ann.post(f"/streams/{thread.sid}/posts/{thread.post_id}/comments", data={"body": "One more"},
                       headers=HX)
    assert refused.status_code == 422 and "locked" in refused.get_data(as_text=True)
    assert db.count(StreamComment) == 1
    teacher.post(f"/streams/{thread.sid}/post/{thread.post_id}/unlock", headers=HX)
    assert ann.post(f"/streams/{thread.sid}/posts/{thread.post_id}/comments", data={"body": "One more"},
                    headers=HX).status_code == 200
    assert actions(db)[-2:] == ["stream.post_lock", "stream.post_unlock"]


def test_a_muted_student_is_told_until_when(thread, db):
    teacher, ben = thread.clients["teacher"], thread.clients["ben"]
    assert teacher.post(f"/streams/{thread.sid}/mute/{thread.ben.id}", data={"duration": "1d", "post_id": thread.post_id},
                        headers=HX).status_code == 200
    refused = ben.post(f"/streams/{thread.sid}/posts/{thread.post_id}/comments", data={"body": "Sorry"}, headers=HX)
    assert refused.status_code == 422 and "muted you in this stream until" in refused.get_data(as_text=True)
    assert "muted you in this stream until" in ben.get(thread.url).get_data(as_text=True)
    assert ben.post(f"/streams/{thread.sid}/posts", data={"body": "Hi"}, headers=HX).status_code == 422
    assert db.count(StreamComment) == 1
    assert teacher.post(f"/streams/{thread.sid}/mute/{thread.ben.id}", data={"duration": "1y"},
                        headers=HX).status_code == 422
    outsider = thread.client_of(thread.teacher)  # not a student: nobody to mute
    assert outsider.post(f"/streams/{thread.sid}/mute/{thread.teacher.id}", data={"duration": "1h"}).status_code == 303
    assert db.count(StreamMute) == 1
    teacher.post(f"/streams/{thread.sid}/unmute/{thread.ben.id}")
    assert ben.post(f"/streams/{thread.sid}/posts/{thread.post_id}/comments", data={"body": "Sorry"},
                    headers=HX).status_code == 200
    assert {"stream.mute", "stream.unmute"} <= set(actions(db))


def test_reports_reach_the_queue_once_and_are_handled(thread, make, db):
    ann, teacher = thread.clients["ann"], thread.clients["teacher"]
    url = f"/streams/{thread.sid}/report/comment/{thread.comment_id}"
    assert ann.post(url, data={"reason": "Rude"}, headers=HX).status_code == 200
    again = ann.post(url, data={"reason": "Rude"}, headers=HX)
    assert again.status_code == 422 and "already reported" in again.get_data(as_text=True)
    assert ann.post(url, data={"reason": ""}, headers=HX).status_code == 422
    assert db.count(StreamReport) == 1
    queue = teacher.get("/streams/moderation").get_data(as_text=True)
    assert "Rude" in queue and "silly question" in queue
    other = thread.client_of(make.teacher(make.classroom("P2/1")))
    assert "Rude" not in other.get("/streams/moderation").get_data(as_text=True)
    admin = thread.client_of(make.user(role="ADMIN"))
    assert "Rude" in admin.get("/streams/moderation").get_data(as_text=True)
    report_id = db.scalar(select(StreamReport.id))
    assert other.post(f"/streams/reports/{report_id}/dismiss").status_code == 404
    assert db.get(StreamReport, report_id).status == "OPEN"
    teacher.post(f"/streams/{thread.sid}/comment/{thread.comment_id}/hide", data={"from": "queue"})
    assert db.get(StreamReport, report_id).status == "HANDLED"
    assert "Rude" not in teacher.get("/streams/moderation").get_data(as_text=True)


def test_filtered_words_hold_posts_for_review(klass, make, db):
    admin = klass.client_of(make.user(role="ADMIN"))
    for word in ("Stupid", "โง่"):
        assert admin.post("/admin/word-filter", data={"word": word}).status_code == 200
    assert admin.post("/admin/word-filter", data={"word": "STUPID"}, headers=HX).status_code == 422
    assert sorted(w.word for w in db.scalars(select(FilteredWord))) == ["stupid", "โง่"]
    teacher, ann, ben = (klass.client_of(u) for u in (klass.teacher, klass.ann, klass.ben))
    sid = open_stream(klass, teacher, db)
    allow_students(klass, teacher, sid)
    ann.post(f"/streams/{sid}/posts", data={"body": "เธอโง่มาก"})  # Thai: no spaces, matched inside
    ann.post(f"/streams/{sid}/posts", data={"body": "A STUPID idea"})
    ann.post(f"/streams/{sid}/posts", data={"body": "Stupidity is not a word on the list"})
    statuses = {p.body: p.status for p in db.scalars(select(StreamPost))}
    assert statuses == {"เธอโง่มาก": "HELD", "A STUPID idea": "HELD", "Stupidity is not a word on the list": "VISIBLE"}
    assert "Waiting for review" in ann.get(klass.url).get_data(as_text=True)
    assert "STUPID idea" not in ben.get(klass.url).get_data(as_text=True)
    held_id = db.scalar(select(StreamPost.id).where(StreamPost.body == "A STUPID idea"))
    assert "STUPID idea" in teacher.get("/streams/moderation").get_data(as_text=True)
    teacher.post(f"/streams/{sid}/post/{held_id}/approve", data={"from": "queue"})
    assert "STUPID idea" in ben.get(klass.url).get_data(as_text=True)
    thai_id = db.scalar(select(StreamPost.id).where(StreamPost.body == "เธอโง่มาก"))
    teacher.post(f"/streams/{sid}/post/{thai_id}/reject", data={"from": "queue"})
    assert db.get(StreamPost, thai_id).status == "HIDDEN"
    assert {"stream.word_add", "stream.post_approve", "stream.post_reject"} <= set(actions(db))
    word_id = db.scalar(select(FilteredWord.id).where(FilteredWord.word == "stupid"))
    assert admin.post(f"/admin/word-filter/{word_id}/delete").status_code == 303
    assert db.count(FilteredWord) == 1


def test_only_admins_keep_the_word_list(klass):
    assert klass.client_of(klass.teacher).post("/admin/word-filter", data={"word": "x"}).status_code == 403


# --- freshness --------------------------------------------------------------------------------------


def test_an_idle_poll_is_a_304_in_at_most_two_statements(klass, db, count_queries):
    teacher, ann = klass.client_of(klass.teacher), klass.client_of(klass.ann)
    sid = open_stream(klass, teacher, db)
    teacher.post(f"/streams/{sid}/posts", data={"body": "Hello"})
    first = ann.get(klass.url)
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    poll = {**HX, "If-None-Match": etag}
    with count_queries() as counter:
        idle = ann.get(klass.url + "?poll=1", headers=poll)
    assert idle.status_code == 304 and idle.get_data() == b""
    assert counter.count <= 2, [s[:60] for s in counter.statements]
    teacher.post(f"/streams/{sid}/posts", data={"body": "Something new"})
    fresh = ann.get(klass.url + "?poll=1", headers=poll)
    assert fresh.status_code == 200 and "Something new" in fresh.get_data(as_text=True)
    assert fresh.headers["ETag"] != etag
    assert ann.get(klass.url + "?poll=1", headers={**HX, "If-None-Match": fresh.headers["ETag"]}).status_code == 304


def test_a_poll_by_someone_who_lost_access_is_not_a_304(klass, make, db):
    from lms.common.freshness import etag_of
    from lms.streams.models import Stream

    teacher = klass.client_of(klass.teacher)
    sid = open_stream(klass, teacher, db)
    assert teacher.get(klass.url).headers["ETag"]
    outsider_teacher = make.teacher()
    other = klass.client_of(outsider_teacher)
    # The very tag the outsider's page would carry had they seen the stream: still no 304.
    forged = f'"{etag_of((sid, db.scalar(select(Stream.version))), per_url=False, reader=outsider_teacher)}"'
    assert other.get(klass.url + "?poll=1", headers={**HX, "If-None-Match": forged}).status_code == 404


def test_a_report_reason_is_shown_as_text_in_the_queue(thread):
    ann, teacher = thread.clients["ann"], thread.clients["teacher"]
    ann.post(f"/streams/{thread.sid}/report/comment/{thread.comment_id}",
             data={"reason": '<script>alert(1)</script><img src=x onerror=alert(2)>'})
    queue = teacher.get("/streams/moderation").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in queue and "<img src=x" not in queue
