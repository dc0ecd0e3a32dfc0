"""Teaching sessions (the JSON API's course sessions, plus per-student content and attendance).

A *teaching session* (``CourseSession``) is one teacher teaching one course (a curriculum
``Subject``) to many students in a time window.  It is never called plain "session": login
sessions are ``lms.auth.models.UserSession``.

Column names follow the API contract (``session_name``, ``enrollment_status``, ...); the primary keys are
``id`` (the API calls them ``course_session_id`` etc.).  ``tenant_id`` is the organization's id
(one organization per instance).  Rules live in the database too: check ranges, the partial
unique name per teacher and course among non-deleted sessions, one enrollment per student and
session, one live announcement title per session, one attendance mark per meeting and student.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.common.models import CreatedAt, IdKey, Timestamps
from lms.common.types import UTCDateTime, utcnow
from lms.extensions import db


class CourseSessionMode(StrEnum):
    ONLINE = "ONLINE"
    IN_PERSON = "IN_PERSON"
    HYBRID = "HYBRID"


class CourseSessionStatus(StrEnum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"
    EXPIRED = "EXPIRED"


class SessionEnrollmentStatus(StrEnum):
    PENDING = "PENDING"
    ENROLLED = "ENROLLED"
    DROPPED = "DROPPED"
    COMPLETED = "COMPLETED"
    EXPELLED = "EXPELLED"


class AttendanceStatus(StrEnum):
    PRESENT = "PRESENT"
    LATE = "LATE"
    EXCUSED = "EXCUSED"
    ABSENT = "ABSENT"


class AttendanceSource(StrEnum):
    TEACHER = "TEACHER"    # marked by the teacher (or an admin)
    CHECKIN = "CHECKIN"    # the student typed the meeting's code
    DEFAULT = "DEFAULT"    # left unmarked: the session's default status, applied when the meeting ended


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


EXERCISE_MAX = 4000  # characters of a student's exercise (Markdown)

NOT_DELETED = text("NOT is_deleted")
ACTIVE_SESSION = text("NOT is_deleted AND status <> 'EXPIRED'")


class _ChangeTrail:
    """The seed's multi-tenant audit fields: who wrote and changed the row, from which IP, soft delete."""

    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_by: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    created_ip: Mapped[str | None] = mapped_column(String(45))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_ip: Mapped[str | None] = mapped_column(String(45))


class _Audit(_ChangeTrail, Timestamps):
    """The audit fields with ``updated_at`` always set (sessions and enrollments)."""


class _SparseAudit(_ChangeTrail, CreatedAt):
    """The audit fields with ``updated_at`` empty until the first update (announcements, settings)."""

    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), onupdate=utcnow)


class CourseSession(IdKey, _Audit, db.Model):
    __tablename__ = "course_session"
    __table_args__ = (
        CheckConstraint(_in("status", CourseSessionStatus), name="status_valid"),
        CheckConstraint("length(trim(session_name)) BETWEEN 2 AND 255", name="name_length"),
        CheckConstraint("end_date > start_date", name="end_after_start"),
        CheckConstraint("max_students IS NULL OR max_students >= 1", name="max_students_positive"),
        CheckConstraint("session_code IS NULL OR length(session_code) BETWEEN 8 AND 10", name="code_length"),
        CheckConstraint(_in("mode", CourseSessionMode), name="mode_valid"),
        # In person and hybrid meetings happen in a room (of the session's centre: the foreign key below).
        CheckConstraint("mode = 'ONLINE' OR room_id IS NOT NULL", name="room_when_in_person"),
        CheckConstraint("room_id IS NULL OR centre_id IS NOT NULL", name="centre_of_room"),
        CheckConstraint("meeting_link IS NULL OR length(meeting_link) <= 500", name="meeting_link_length"),
        ForeignKeyConstraint(["room_id", "centre_id"], ["room.id", "room.centre_id"],
                             name="fk_course_session_room_in_centre", ondelete="RESTRICT"),
        # A teacher's session names are unique per course among sessions that are not deleted.
        Index("uq_course_session_teacher_course_name", "teacher_id", "course_id", "session_name", unique=True,
              postgresql_where=NOT_DELETED, sqlite_where=NOT_DELETED),
        # A teacher has only one active session per course (drafts and published ones count;
        # expired and deleted ones do not).
        Index("uq_course_session_teacher_course_active", "teacher_id", "course_id", unique=True,
              postgresql_where=ACTIVE_SESSION, sqlite_where=ACTIVE_SESSION),
        # Lists filter and sort by dates; the expiry job reads (status, end_date).
        Index("ix_course_session_status_end", "status", "end_date"),
        Index("ix_course_session_dates", "start_date", "end_date"),
        Index("ix_course_session_teacher_created", "teacher_id", "created_at"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"), index=True)
    session_name: Mapped[str] = mapped_column(String(255))
    session_description: Mapped[str | None] = mapped_column(Text)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    course_id: Mapped[int] = mapped_column(ForeignKey("subject.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=CourseSessionStatus.DRAFT,
                                        server_default=CourseSessionStatus.DRAFT.value)
    start_date: Mapped[datetime] = mapped_column(UTCDateTime())
    end_date: Mapped[datetime] = mapped_column(UTCDateTime())
    max_students: Mapped[int | None] = mapped_column(Integer)
    enrollment_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    session_timezone: Mapped[str | None] = mapped_column(String(50))
    session_code: Mapped[str | None] = mapped_column(String(12), unique=True)
    auto_expire_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The expiry reminder went out (sent once).
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Tutoring centres (seed 004): where and how the meetings happen.
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"), index=True)
    mode: Mapped[str] = mapped_column(String(16), default=CourseSessionMode.ONLINE,
                                      server_default=CourseSessionMode.ONLINE.value)
    room_id: Mapped[int | None] = mapped_column(Integer, index=True)
    meeting_link: Mapped[str | None] = mapped_column(String(500))

    teacher = relationship("User", foreign_keys=[teacher_id], lazy="raise_on_sql")
    course = relationship("Subject", lazy="raise_on_sql")
    centre = relationship("Centre", lazy="raise_on_sql")
    room = relationship("Room", foreign_keys=[room_id], primaryjoin="CourseSession.room_id == Room.id",
                        lazy="raise_on_sql", viewonly=True)
    settings: Mapped[CourseSessionSettings] = relationship(back_populates="course_session", uselist=False,
                                                           lazy="raise_on_sql")

    def __repr__(self) -> str:
        return f"<CourseSession {self.id} {self.session_name!r} {self.status}>"


class CourseSessionEnrollment(IdKey, _Audit, db.Model):
    __tablename__ = "course_session_enrollment"
    __table_args__ = (
        UniqueConstraint("course_session_id", "student_id"),
        CheckConstraint(_in("enrollment_status", SessionEnrollmentStatus), name="status_valid"),
        CheckConstraint("completion_percentage BETWEEN 0 AND 100", name="completion_range"),
        CheckConstraint("final_grade IS NULL OR final_grade BETWEEN 0 AND 100", name="grade_range"),
        CheckConstraint(f"exercise_content IS NULL OR length(exercise_content) BETWEEN 1 AND {EXERCISE_MAX}",
                        name="exercise_length"),
        Index("ix_course_session_enrollment_session_status", "course_session_id", "enrollment_status"),
        Index("ix_course_session_enrollment_student", "student_id", "enrollment_status"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"), index=True)
    course_session_id: Mapped[int] = mapped_column(ForeignKey("course_session.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    # When the student got a seat (joined without approval, approved, or added by the teacher).
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dropped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    enrollment_status: Mapped[str] = mapped_column(String(16), default=SessionEnrollmentStatus.PENDING,
                                                   server_default=SessionEnrollmentStatus.PENDING.value)
    completion_percentage: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    final_grade: Mapped[int | None] = mapped_column(Integer)
    completion_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The student's own content in this session ("Student 1 → Advanced Math → Algebraic
    # Expressions") and the teacher's notes for them.
    assigned_subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id", ondelete="SET NULL"))
    assigned_section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id", ondelete="SET NULL"))
    notes: Mapped[str | None] = mapped_column(Text)
    # The tutor may show these notes to the student's parents too (not by default).
    notes_shared_with_parents: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Seed 004's per-student work (``assessmentData``, ``exerciseContent``): one assessment the student
    # alone is given in this session (it also lets them take it, see ``lms.teaching.work``) and a short
    # Markdown exercise.  One of each per student and session: they live on the enrollment.
    assigned_assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id", ondelete="SET NULL"),
                                                               index=True)
    exercise_content: Mapped[str | None] = mapped_column(Text)
    work_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    course_session = relationship("CourseSession", lazy="raise_on_sql")
    student = relationship("User", foreign_keys=[student_id], lazy="raise_on_sql")
    assigned_subject = relationship("Subject", lazy="raise_on_sql")
    assigned_section = relationship("Section", lazy="raise_on_sql")


class CourseSessionAnnouncement(IdKey, _SparseAudit, db.Model):
    __tablename__ = "course_session_announcement"
    __table_args__ = (
        CheckConstraint("length(trim(title)) BETWEEN 2 AND 255", name="title_length"),
        CheckConstraint("length(message) BETWEEN 10 AND 2000", name="message_length"),
        CheckConstraint("expires_at IS NULL OR scheduled_for IS NULL OR expires_at > scheduled_for",
                        name="expires_after_scheduled"),
        # One title per session among announcements that are not deleted.
        Index("uq_course_session_announcement_title", "course_session_id", "title", unique=True,
              postgresql_where=NOT_DELETED, sqlite_where=NOT_DELETED),
        Index("idx_session_announcement_chronological", "course_session_id", "created_at", "is_active"),
        Index("idx_session_announcement_urgent", "course_session_id", "is_urgent", "expires_at",
              postgresql_where=text("is_urgent"), sqlite_where=text("is_urgent")),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    course_session_id: Mapped[int] = mapped_column(ForeignKey("course_session.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(255))
    message: Mapped[str] = mapped_column(Text)
    is_urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The urgent email to the enrolled students went out (once).
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CourseSessionSettings(IdKey, _SparseAudit, db.Model):
    __tablename__ = "course_session_settings"
    __table_args__ = (
        CheckConstraint("reminder_days_before_expiry BETWEEN 1 AND 30", name="reminder_days_range"),
        CheckConstraint(_in("default_attendance_status", AttendanceStatus), name="default_status_valid"),
        CheckConstraint("points_present BETWEEN 0 AND 100 AND points_late BETWEEN 0 AND 100"
                        " AND points_excused BETWEEN 0 AND 100 AND points_absent BETWEEN 0 AND 100",
                        name="points_range"),
        Index("idx_session_settings_lookup", "course_session_id"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    course_session_id: Mapped[int] = mapped_column(ForeignKey("course_session.id", ondelete="CASCADE"),
                                                   unique=True)
    allow_late_enrollment: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    require_approval_for_enrollment: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    allow_student_discussions: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    send_reminder_emails: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    reminder_days_before_expiry: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    grading_scale: Mapped[dict | None] = mapped_column(JSON)
    attendance_tracking_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Additions: students may leave the session themselves; attendance points and the status given
    # to students left unmarked when a meeting ends.
    allow_student_drop: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    points_present: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    points_late: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    points_excused: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    points_absent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    default_attendance_status: Mapped[str] = mapped_column(String(16), default=AttendanceStatus.ABSENT,
                                                           server_default=AttendanceStatus.ABSENT.value)

    course_session: Mapped[CourseSession] = relationship(back_populates="settings", lazy="raise_on_sql")

    def points(self) -> dict[str, int]:
        return {AttendanceStatus.PRESENT.value: self.points_present, AttendanceStatus.LATE.value: self.points_late,
                AttendanceStatus.EXCUSED.value: self.points_excused,
                AttendanceStatus.ABSENT.value: self.points_absent}


class CourseSessionMeeting(IdKey, CreatedAt, db.Model):
    """One meeting of a teaching session (seed 004): a date with a start and an end time.

    ``starts_at``/``ends_at`` are UTC instants (the local date and times typed by the teacher, in the
    session's timezone); ``checkin_code`` is the short code students type during the meeting.
    """

    __tablename__ = "course_session_meeting"
    __table_args__ = (
        UniqueConstraint("course_session_id", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("length(checkin_code) BETWEEN 4 AND 8", name="checkin_code_length"),
        # The default-attendance job's predicate: ended meetings not finalised yet.
        Index("ix_course_session_meeting_unfinalized", "ends_at",
              postgresql_where=text("finalized_at IS NULL"), sqlite_where=text("finalized_at IS NULL")),
        Index("ix_course_session_meeting_date", "meeting_date"),
    )

    course_session_id: Mapped[int] = mapped_column(ForeignKey("course_session.id", ondelete="CASCADE"))
    meeting_date: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    checkin_code: Mapped[str] = mapped_column(String(8))
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    course_session = relationship("CourseSession", lazy="raise_on_sql")


class CourseSessionAttendance(IdKey, db.Model):
    __tablename__ = "course_session_attendance"
    __table_args__ = (
        UniqueConstraint("meeting_id", "student_id"),
        CheckConstraint(_in("status", AttendanceStatus), name="status_valid"),
        CheckConstraint(_in("source", AttendanceSource), name="source_valid"),
        Index("ix_course_session_attendance_student", "student_id", "status"),
    )

    meeting_id: Mapped[int] = mapped_column(ForeignKey("course_session_meeting.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16), default=AttendanceSource.TEACHER,
                                        server_default=AttendanceSource.TEACHER.value)
    marked_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    # This absence made two in a row and the parents were emailed (once per streak).
    parent_alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
