"""Demo streams: P1/1's classroom stream (a pinned post by teacher@, student@'s question with the
teacher's answer; students may ask) and one post in the teaching session "Mathematics P1 — Tens".
Idempotent: a stream that already has posts is left alone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lms.auth.models import User
from lms.common.types import utcnow
from lms.core.academic_year import current_academic_year
from lms.extensions import db
from lms.school.models import Classroom, Level
from lms.streams.models import StreamComment, StreamPost, StreamReaction
from lms.streams.spaces import stream_of
from lms.teaching.models import CourseSession

SESSION_NAME = "Mathematics P1 — Tens"


def seed_streams(users: dict[str, User]) -> None:
    teacher, student = users["teacher@example.org"], users["student@example.org"]
    classroom = db.session.scalar(select(Classroom).join(Level, Level.id == Classroom.level_id).where(
        Level.code == "P1", Classroom.number == 1, Classroom.academic_year == current_academic_year()))
    now = utcnow()
    if classroom is not None:
        stream = stream_of("classroom", classroom.id)
        if not db.session.scalar(select(StreamPost.id).where(StreamPost.stream_id == stream.id).limit(1)):
            stream.students_may_post = True
            pinned = StreamPost(stream_id=stream.id, author_id=teacher.id, pinned=True,
                                publish_at=now - timedelta(days=2),
                                body="**Welcome to P1/1's stream!**\n\nAsk your questions here. "
                                     "Bring your counting sticks on Monday.")
            question = StreamPost(stream_id=stream.id, author_id=student.id, is_question=True,
                                  publish_at=now - timedelta(hours=3), body="How many tens are in 70?")
            db.session.add_all([pinned, question])
            db.session.flush()
            db.session.add(StreamComment(post_id=question.id, author_id=teacher.id,
                                         body="Seven tens: 10, 20, 30, 40, 50, 60, 70. Well asked!"))
            db.session.add(StreamReaction(post_id=pinned.id, user_id=student.id, emoji="👍"))
    course_session = db.session.scalar(select(CourseSession).where(CourseSession.session_name == SESSION_NAME,
                                                                   CourseSession.is_deleted.is_(False)))
    if course_session is not None:
        stream = stream_of("session", course_session.id)
        if not db.session.scalar(select(StreamPost.id).where(StreamPost.stream_id == stream.id).limit(1)):
            db.session.add(StreamPost(stream_id=stream.id, author_id=course_session.teacher_id, publish_at=now,
                                      body="Today we count in tens with the bead strings. "
                                           "Post a question here if something is not clear."))
    db.session.flush()
