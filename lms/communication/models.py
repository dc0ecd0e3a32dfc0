"""Announcements with their targets and read status, and in-app notifications."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.common.models import CreatedAt, IdKey, Timestamps
from lms.common.types import UTCDateTime, utcnow
from lms.extensions import db


class AnnouncementStatus(StrEnum):
    DRAFT = "DRAFT"            # only its author (and admins) see it
    SCHEDULED = "SCHEDULED"    # visible from ``publish_at``; the periodic job then marks it PUBLISHED
    PUBLISHED = "PUBLISHED"    # visible (until ``expires_at`` when set)


class TargetKind(StrEnum):
    EVERYONE = "EVERYONE"
    TEACHERS = "TEACHERS"
    STUDENTS = "STUDENTS"
    PARENTS = "PARENTS"
    LEVEL = "LEVEL"            # the level's current students (and optionally their parents)
    CLASSROOM = "CLASSROOM"    # the classroom's current students (and optionally their parents)
    PEOPLE = "PEOPLE"          # chosen people (``AnnouncementPerson`` rows)


class BodyFormat(StrEnum):
    MARKDOWN = "MARKDOWN"
    TEXT = "TEXT"


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Announcement(IdKey, Timestamps, db.Model):
    """A school announcement.

    Who sees it is decided when it is read, not stored per recipient: ``target_kind`` (and
    the level, classroom or chosen people) is turned into an SQL predicate
    (``lms.communication.audience``), so a student who joins a classroom later sees its
    current announcements, and one who leaves stops seeing them.  Read status is one
    ``AnnouncementRead`` row per reader.
    """

    __tablename__ = "announcement"
    __table_args__ = (
        CheckConstraint(_in("status", AnnouncementStatus), name="status_valid"),
        CheckConstraint(_in("target_kind", TargetKind), name="target_kind_valid"),
        CheckConstraint(_in("body_format", BodyFormat), name="body_format_valid"),
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        CheckConstraint("(target_kind = 'LEVEL' AND target_level_id IS NOT NULL)"
                        " OR (target_kind <> 'LEVEL' AND target_level_id IS NULL)", name="level_target"),
        CheckConstraint("(target_kind = 'CLASSROOM' AND target_classroom_id IS NOT NULL)"
                        " OR (target_kind <> 'CLASSROOM' AND target_classroom_id IS NULL)", name="classroom_target"),
        CheckConstraint("status = 'DRAFT' OR publish_at IS NOT NULL", name="publish_at_set"),
        CheckConstraint("expires_at IS NULL OR publish_at IS NULL OR expires_at > publish_at",
                        name="expires_after_publish"),
        # Every reader's list and unread count filter live announcements by publication time.
        Index("ix_announcement_live_publish_at", "publish_at",
              postgresql_where=text("status <> 'DRAFT'"), sqlite_where=text("status <> 'DRAFT'")),
        Index("ix_announcement_author_created", "author_id", "created_at"),
        # The periodic job's predicate: scheduled announcements that are due.
        Index("ix_announcement_scheduled", "publish_at",
              postgresql_where=text("status = 'SCHEDULED'"), sqlite_where=text("status = 'SCHEDULED'")),
    )

    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="", server_default="")
    body_format: Mapped[str] = mapped_column(String(16), default=BodyFormat.MARKDOWN,
                                             server_default=BodyFormat.MARKDOWN.value)
    status: Mapped[str] = mapped_column(String(16), default=AnnouncementStatus.DRAFT,
                                        server_default=AnnouncementStatus.DRAFT.value)
    target_kind: Mapped[str] = mapped_column(String(16))
    target_level_id: Mapped[int | None] = mapped_column(ForeignKey("level.id", ondelete="CASCADE"), index=True)
    target_classroom_id: Mapped[int | None] = mapped_column(ForeignKey("classroom.id", ondelete="RESTRICT"),
                                                            index=True)
    include_parents: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the publication's side effects ran (urgent email, the author's notification); once only.
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    author = relationship("User", lazy="raise_on_sql")
    target_level = relationship("Level", lazy="raise_on_sql")
    target_classroom = relationship("Classroom", lazy="raise_on_sql")

    def effective_status(self, now: datetime | None = None) -> str:
        """DRAFT, SCHEDULED (not visible yet), PUBLISHED or EXPIRED, as readers experience it."""
        now = now or utcnow()
        if self.status == AnnouncementStatus.DRAFT:
            return "DRAFT"
        if self.publish_at is not None and self.publish_at > now:
            return "SCHEDULED"
        if self.expires_at is not None and self.expires_at <= now:
            return "EXPIRED"
        return "PUBLISHED"


class AnnouncementPerson(db.Model):
    """A chosen recipient of a ``PEOPLE`` announcement."""

    __tablename__ = "announcement_person"

    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcement.id", ondelete="CASCADE"),
                                                 primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True)


class AnnouncementRead(db.Model):
    """``user`` has opened ``announcement`` (or marked everything read)."""

    __tablename__ = "announcement_read"

    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcement.id", ondelete="CASCADE"),
                                                 primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())


class Notification(IdKey, CreatedAt, db.Model):
    """An in-app notification: ``kind`` + ``params``, turned into text in the reader's language
    when shown (``lms.communication.notifications.KINDS``)."""

    __tablename__ = "notification"
    __table_args__ = (
        CheckConstraint("length(kind) > 0", name="kind_not_empty"),
        Index("ix_notification_user_created", "user_id", "created_at"),
        # The unread count: one index lookup per request.
        Index("ix_notification_unread", "user_id",
              postgresql_where=text("read_at IS NULL"), sqlite_where=text("read_at IS NULL")),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str | None] = mapped_column(String(500))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class EmailKind(StrEnum):
    """The kinds of optional email a person can turn off (``lms.communication.email_preferences``).
    Emails a person asked for (password reset, invitations, confirmations) are not optional."""

    ALL = "all"                              # every optional email below
    ANNOUNCEMENTS = "announcements"          # urgent announcements: the school's and teaching sessions'
    SESSION_REMINDERS = "session_reminders"  # a teaching session the person is in ends soon
    ABSENCE_ALERTS = "absence_alerts"        # to parents: their child missed two meetings in a row
    MESSAGES = "messages"                    # a new message (parents, teachers), an answered help request


EMAIL_KIND_VALUES = tuple(kind.value for kind in EmailKind)


class EmailOptOut(CreatedAt, db.Model):
    """A kind of optional email a person turned off (a row present = off; ``all`` = every kind).
    ``source``: WEB (the profile page) or EMAIL (the unsubscribe link in an email)."""

    __tablename__ = "email_opt_out"
    __table_args__ = (
        CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in EMAIL_KIND_VALUES) + ")", name="kind_valid"),
        CheckConstraint("source IN ('WEB', 'EMAIL')", name="source_valid"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    source: Mapped[str] = mapped_column(String(8))
