"""Streams: the posts, comments and reactions of one space (a classroom, a subject or a teaching session).

A ``Stream`` row belongs to exactly one space (three foreign keys, a CHECK that exactly one is set,
each unique).  It is made the first time someone opens the space's stream.  ``version`` and
``changed_at`` move on every change to its posts, comments, reactions or moderation, so a poll asks
one row whether anything changed (the ETag).  ``next_publish_at`` is the earliest scheduled post not
yet shown: once it has passed the stream counts as changed (and the column moves on).

Moderation lives here too: mutes (one per student and stream, with an end), reports of a post or a
comment (one per reporter and item), and the organization's filtered words.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.common.models import CreatedAt, IdKey
from lms.common.types import UTCDateTime, utcnow
from lms.extensions import db

BODY_MAX = 5000
REASON_MAX = 500
WORD_MAX = 100
REACTIONS = ("👍", "❤️", "😂", "😮", "🙏")


class ItemStatus(StrEnum):
    VISIBLE = "VISIBLE"
    HIDDEN = "HIDDEN"   # by a teacher (its author still sees it, marked)
    HELD = "HELD"       # matched the word filter: waits for a teacher's review


class ReportStatus(StrEnum):
    OPEN = "OPEN"
    HANDLED = "HANDLED"


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


def exactly_one(*columns: str) -> str:
    """SQL true when exactly one of ``columns`` is set (portable: no boolean arithmetic)."""
    return " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)" for c in columns) + " = 1"


def _body_checks() -> tuple:
    return (CheckConstraint(f"length(body) BETWEEN 1 AND {BODY_MAX}", name="body_length"),
            CheckConstraint(_in("status", ItemStatus), name="status_valid"))


class Stream(IdKey, CreatedAt, db.Model):
    __tablename__ = "stream"
    __table_args__ = (
        CheckConstraint(exactly_one("classroom_id", "subject_id", "course_session_id"), name="one_space"),
        CheckConstraint("version >= 0", name="version_not_negative"),
    )

    classroom_id: Mapped[int | None] = mapped_column(ForeignKey("classroom.id", ondelete="CASCADE"), unique=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id", ondelete="CASCADE"), unique=True)
    course_session_id: Mapped[int | None] = mapped_column(ForeignKey("course_session.id", ondelete="CASCADE"),
                                                          unique=True)
    # Classrooms and subjects: may students post questions?  (Teaching sessions use their
    # ``allow_student_discussions`` setting.)
    students_may_post: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    next_publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StreamPost(IdKey, CreatedAt, db.Model):
    __tablename__ = "stream_post"
    __table_args__ = (
        *_body_checks(),
        Index("ix_stream_post_stream_order", "stream_id", "pinned", "publish_at"),
    )

    stream_id: Mapped[int] = mapped_column(ForeignKey("stream.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    # Written by a student (a question) rather than a teacher of the space.
    is_question: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    locked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    status: Mapped[str] = mapped_column(String(10), default=ItemStatus.VISIBLE,
                                        server_default=ItemStatus.VISIBLE.value)
    # Shown from then on (the time it was written, or a later one the teacher chose).
    publish_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    author = relationship("User", foreign_keys=[author_id], lazy="raise_on_sql")


class StreamComment(IdKey, CreatedAt, db.Model):
    __tablename__ = "stream_comment"
    __table_args__ = (*_body_checks(), Index("ix_stream_comment_post", "post_id", "created_at"))

    post_id: Mapped[int] = mapped_column(ForeignKey("stream_post.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=ItemStatus.VISIBLE,
                                        server_default=ItemStatus.VISIBLE.value)
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    author = relationship("User", foreign_keys=[author_id], lazy="raise_on_sql")


class StreamReaction(IdKey, CreatedAt, db.Model):
    """One reaction per person and post (choosing another replaces it, the same one removes it)."""

    __tablename__ = "stream_reaction"
    __table_args__ = (
        UniqueConstraint("post_id", "user_id"),
        CheckConstraint(_in("emoji", REACTIONS), name="emoji_valid"),
    )

    post_id: Mapped[int] = mapped_column(ForeignKey("stream_post.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    emoji: Mapped[str] = mapped_column(String(8))


class StreamMute(IdKey, CreatedAt, db.Model):
    """A student may not post or comment in a stream until ``until``."""

    __tablename__ = "stream_mute"
    __table_args__ = (UniqueConstraint("stream_id", "student_id"),)

    stream_id: Mapped[int] = mapped_column(ForeignKey("stream.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    until: Mapped[datetime] = mapped_column(UTCDateTime())
    muted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class StreamReport(IdKey, CreatedAt, db.Model):
    """A student's report of a post or a comment (exactly one), handled from the moderation queue."""

    __tablename__ = "stream_report"
    __table_args__ = (
        CheckConstraint(exactly_one("post_id", "comment_id"), name="one_item"),
        CheckConstraint(f"length(reason) BETWEEN 1 AND {REASON_MAX}", name="reason_length"),
        CheckConstraint(_in("status", ReportStatus), name="status_valid"),
        Index("uq_stream_report_post", "reporter_id", "post_id", unique=True,
              postgresql_where=text("post_id IS NOT NULL"), sqlite_where=text("post_id IS NOT NULL")),
        Index("uq_stream_report_comment", "reporter_id", "comment_id", unique=True,
              postgresql_where=text("comment_id IS NOT NULL"), sqlite_where=text("comment_id IS NOT NULL")),
        Index("ix_stream_report_stream_status", "stream_id", "status"),
    )

    stream_id: Mapped[int] = mapped_column(ForeignKey("stream.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("stream_post.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("stream_comment.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(REASON_MAX))
    status: Mapped[str] = mapped_column(String(10), default=ReportStatus.OPEN, server_default=ReportStatus.OPEN.value)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class FilteredWord(IdKey, CreatedAt, db.Model):
    """A word of the organization's filter, stored case-folded: a post or comment containing it
    waits for a teacher's review."""

    __tablename__ = "stream_filtered_word"
    __table_args__ = (
        UniqueConstraint("tenant_id", "word"),
        CheckConstraint(f"length(word) BETWEEN 1 AND {WORD_MAX}", name="word_length"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    word: Mapped[str] = mapped_column(String(WORD_MAX))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
