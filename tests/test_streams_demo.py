"""The demo streams: what teacher@ and student@ see on day one."""

from sqlalchemy import select

from lms.demo import DEMO_PASSWORD
from lms.streams.models import Stream, StreamPost
from lms.teaching.models import CourseSession
from tests.conftest import AuthActions


def test_the_p1_stream_has_a_pinned_post_and_an_answered_question(demo, db, app):
    client = app.test_client()
    AuthActions(client).login("student@example.org", DEMO_PASSWORD)
    home = client.get("/my/stream")
    page = client.get(home.headers["Location"]).get_data(as_text=True)
    assert page.index("Welcome to P1/1") < page.index("How many tens are in 70?")
    assert "Seven tens" in page and "Pinned" in page
    tens = db.scalar(select(CourseSession).where(CourseSession.session_name == "Mathematics P1 — Tens"))
    stream = db.scalar(select(Stream).where(Stream.course_session_id == tens.id))
    assert db.count(StreamPost, StreamPost.stream_id == stream.id) == 1
    assert "bead strings" in client.get(f"/sessions/{tens.id}/stream").get_data(as_text=True)


def test_seeding_twice_adds_nothing(demo, db, app):
    from lms.demo import seed_demo

    before = db.count(StreamPost)
    with app.app_context():
        seed_demo()
    assert db.count(StreamPost) == before == 3
