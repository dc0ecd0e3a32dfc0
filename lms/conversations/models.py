"""Messages between parents and teachers, and students' help requests.

* ``MessageThread``: one per (child, teacher, parent) — a UNIQUE constraint, so two tabs starting
  the same conversation make one.  ``parent_read_at`` / ``teacher_read_at`` are the read markers,
  ``last_message_at`` orders the inbox and ``updated_at`` moves on every change (the polls' ETag).
* ``Message``: plain text, at most ``MESSAGE_MAX`` characters.
* ``MessageSettings``: a teacher's office hours (weekday and time windows in school time) and the
  switch that turns parents' messages off.
* ``HelpRequest``: a student's question from a section, an assessment or a teaching session (the
  context column matching ``context_kind`` is set, checked by the database); OPEN → ANSWERED →
  CLOSED (the student or a teacher closes it).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.common.models import CreatedAt, IdKey, Timestamps
from lms.common.types import UTCDateTime, utcnow
from lms.extensions import db

MESSAGE_MAX = 2000
QUESTION_MAX = 1000
ANSWER_MAX = 2000
REVIEW_REASON_MAX = 300


class MessageThread(IdKey, Timestamps, db.Model):
    __tablename__ = "message_thread"
    __table_args__ = (
        UniqueConstraint("student_id", "teacher_id", "parent_id"),
        CheckConstraint("teacher_id <> parent_id", name="two_people"),
        Index("ix_message_thread_teacher_last", "teacher_id", "last_message_at"),
        Index("ix_message_thread_parent_last", "parent_id", "last_message_at"),
    )

    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    parent_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    parent_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    teacher_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    student = relationship("User", foreign_keys=[student_id], lazy="joined", innerjoin=True)
    teacher = relationship("User", foreign_keys=[teacher_id], lazy="joined", innerjoin=True)
    parent = relationship("User", foreign_keys=[parent_id], lazy="joined", innerjoin=True)


class Message(IdKey, CreatedAt, db.Model):
    __tablename__ = "message"
    __table_args__ = (
        CheckConstraint("length(body) > 0", name="body_not_empty"),
        CheckConstraint(f"length(body) <= {MESSAGE_MAX}", name="body_length"),
        Index("ix_message_thread_id_id", "thread_id", "id"),
    )

    thread_id: Mapped[int] = mapped_column(ForeignKey("message_thread.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(Text)


class MessageSettings(Timestamps, db.Model):
    """A teacher's messages switch and office hours: ``office_hours`` is a list of
    ``[weekday (0 = Monday), "HH:MM", "HH:MM"]``; empty means any time."""

    __tablename__ = "message_settings"

    teacher_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    messages_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    office_hours: Mapped[list] = mapped_column(JSON, default=list)


class HelpContext(StrEnum):
    SECTION = "SECTION"
    ASSESSMENT = "ASSESSMENT"
    SESSION = "SESSION"


class HelpStatus(StrEnum):
    OPEN = "OPEN"
    ANSWERED = "ANSWERED"
    CLOSED = "CLOSED"


class HelpRequest(IdKey, Timestamps, db.Model):
    __tablename__ = "help_request"
    __table_args__ = (
        CheckConstraint("status IN ('OPEN', 'ANSWERED', 'CLOSED')", name="status_valid"),
        CheckConstraint("context_kind IN ('SECTION', 'ASSESSMENT', 'SESSION')", name="context_valid"),
        CheckConstraint(
            "(context_kind = 'SECTION' AND section_id IS NOT NULL AND assessment_id IS NULL "
            "AND course_session_id IS NULL) OR "
            "(context_kind = 'ASSESSMENT' AND assessment_id IS NOT NULL AND section_id IS NULL "
            "AND course_session_id IS NULL) OR "
            "(context_kind = 'SESSION' AND course_session_id IS NOT NULL AND section_id IS NULL "
            "AND assessment_id IS NULL)", name="one_context"),
        CheckConstraint(f"length(question) BETWEEN 1 AND {QUESTION_MAX}", name="question_length"),
        CheckConstraint(f"answer IS NULL OR length(answer) BETWEEN 1 AND {ANSWER_MAX}", name="answer_length"),
        CheckConstraint("status = 'OPEN' OR answered_at IS NOT NULL OR closed_at IS NOT NULL",
                        name="status_dates"),
        Index("ix_help_request_student_status", "student_id", "status"),
        Index("ix_help_request_status_created", "status", "created_at"),
    )

    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    context_kind: Mapped[str] = mapped_column(String(12))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"), index=True)
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    course_session_id: Mapped[int | None] = mapped_column(ForeignKey("course_session.id", ondelete="CASCADE"),
                                                          index=True)
    question: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=HelpStatus.OPEN, server_default=HelpStatus.OPEN.value)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    student = relationship("User", foreign_keys=[student_id], lazy="joined", innerjoin=True)
    answered_by = relationship("User", foreign_keys=[answered_by_id], lazy="joined")
