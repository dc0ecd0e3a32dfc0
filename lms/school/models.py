"""The school's structure: levels, classrooms, students, teachers, parents, promotion."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
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

from lms.common.models import CreatedAt, IdKey, Timestamps
from lms.common.types import UTCDateTime, utcnow
from lms.extensions import db


class Level(IdKey, CreatedAt, db.Model):
    """A year level (P1…P6, M1…M6, K1…); ``position`` orders them and defines "the next level"."""

    __tablename__ = "level"
    __table_args__ = (
        CheckConstraint("length(code) > 0", name="code_not_empty"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, index=True)

    def __repr__(self) -> str:
        return f"<Level {self.code}>"


class Classroom(IdKey, CreatedAt, db.Model):
    """One class of a level in one academic year, e.g. P4/2 of 2026."""

    __tablename__ = "classroom"
    __table_args__ = (
        UniqueConstraint("level_id", "number", "academic_year"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("length(academic_year) > 0", name="academic_year_not_empty"),
        Index("ix_classroom_year_level", "academic_year", "level_id"),
    )

    level_id: Mapped[int] = mapped_column(ForeignKey("level.id", ondelete="RESTRICT"))
    number: Mapped[int] = mapped_column(Integer)
    academic_year: Mapped[str] = mapped_column(String(20))
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    level: Mapped[Level] = relationship(lazy="joined", innerjoin=True)

    @property
    def name(self) -> str:
        return f"{self.level.code}/{self.number}"

    def __repr__(self) -> str:
        return f"<Classroom {self.level_id}/{self.number} {self.academic_year}>"


class AssignmentRole(StrEnum):
    HOMEROOM = "HOMEROOM"
    SUBJECT = "SUBJECT"


class TeacherAssignment(IdKey, CreatedAt, db.Model):
    """A teacher teaching in a classroom: its homeroom teacher (one) or a subject teacher."""

    __tablename__ = "teacher_assignment"
    __table_args__ = (
        UniqueConstraint("classroom_id", "teacher_id", "role", "subject_name"),
        CheckConstraint("role IN ('HOMEROOM', 'SUBJECT')", name="role_valid"),
        Index("uq_teacher_assignment_one_homeroom", "classroom_id", unique=True,
              postgresql_where=text("role = 'HOMEROOM'"), sqlite_where=text("role = 'HOMEROOM'")),
    )

    teacher_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classroom.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    # Free text until the curriculum brings real subjects ("" for a homeroom teacher).
    subject_name: Mapped[str] = mapped_column(String(100), default="", server_default="")

    teacher = relationship("User", lazy="joined", innerjoin=True)
    classroom: Mapped[Classroom] = relationship(lazy="joined", innerjoin=True)


class StudentStatus(StrEnum):
    ACTIVE = "ACTIVE"
    GRADUATED = "GRADUATED"
    LEFT = "LEFT"
    SUSPENDED = "SUSPENDED"


STUDENT_STATUSES = tuple(s.value for s in StudentStatus)


class StudentProfile(Timestamps, db.Model):
    """What the school keeps about a student beyond the account (one row per student user)."""

    __tablename__ = "student_profile"
    __table_args__ = (
        CheckConstraint("status IN ('ACTIVE', 'GRADUATED', 'LEFT', 'SUSPENDED')", name="status_valid"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    # Unique when present; students who arrive by invitation may get theirs later.
    student_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=StudentStatus.ACTIVE,
                                        server_default=StudentStatus.ACTIVE.value, index=True)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    guardian_notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Set when the student's personal data was erased (lms.privacy.erase); the account stays,
    # anonymised, so that class statistics keep counting their work.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User", lazy="joined", innerjoin=True)


class MembershipStatus(StrEnum):
    ACTIVE = "ACTIVE"          # the student's classroom now
    PROMOTED = "PROMOTED"      # ended by moving up a level
    REPEATED = "REPEATED"      # ended by staying in the level for the next year
    GRADUATED = "GRADUATED"    # ended by leaving the last level
    MOVED = "MOVED"            # ended by moving to another classroom
    LEFT = "LEFT"              # ended because the student left (or was taken out of the class)


MEMBERSHIP_STATUSES = tuple(s.value for s in MembershipStatus)


class ClassroomMembership(IdKey, CreatedAt, db.Model):
    """A student in a classroom for (part of) an academic year. Rows are ended, never deleted."""

    __tablename__ = "classroom_membership"
    __table_args__ = (
        CheckConstraint("status IN ('ACTIVE', 'PROMOTED', 'REPEATED', 'GRADUATED', 'MOVED', 'LEFT')",
                        name="status_valid"),
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="dates_ordered"),
        # At most one current classroom per student and academic year.
        Index("uq_classroom_membership_one_active", "student_id", "academic_year", unique=True,
              postgresql_where=text("status = 'ACTIVE'"), sqlite_where=text("status = 'ACTIVE'")),
        Index("ix_classroom_membership_classroom_status", "classroom_id", "status"),
        Index("ix_classroom_membership_year_status", "academic_year", "status"),
    )

    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classroom.id", ondelete="RESTRICT"))
    # The classroom's year, repeated here so the one-current-classroom rule is a DB index.
    academic_year: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), default=MembershipStatus.ACTIVE,
                                        server_default=MembershipStatus.ACTIVE.value)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    # The rollover that created this row (undo removes exactly these).
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("promotion_batch.id", ondelete="SET NULL"),
                                                 index=True)

    classroom: Mapped[Classroom] = relationship(lazy="joined", innerjoin=True)
    student = relationship("User", lazy="select")


class ParentLink(IdKey, CreatedAt, db.Model):
    """A parent (guardian) account following a student."""

    __tablename__ = "parent_link"
    __table_args__ = (
        UniqueConstraint("parent_id", "student_id"),
        CheckConstraint("parent_id <> student_id", name="not_self"),
    )

    parent_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)

    parent = relationship("User", foreign_keys=[parent_id], lazy="joined", innerjoin=True)
    student = relationship("User", foreign_keys=[student_id], lazy="joined", innerjoin=True)


class MoveOutcome(StrEnum):
    PROMOTED = "PROMOTED"
    REPEATED = "REPEATED"
    GRADUATED = "GRADUATED"


class PromotionBatch(IdKey, db.Model):
    """One year-end rollover: what it changed, so that it can be undone the same day."""

    __tablename__ = "promotion_batch"
    __table_args__ = (
        CheckConstraint("from_year <> to_year", name="years_differ"),
    )

    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    from_year: Mapped[str] = mapped_column(String(20))
    to_year: Mapped[str] = mapped_column(String(20))
    # The organization's academic year before the run (restored by undo).
    previous_academic_year: Mapped[str | None] = mapped_column(String(20))
    created_classroom_ids: Mapped[list] = mapped_column(JSON, default=list)
    archived_classroom_ids: Mapped[list] = mapped_column(JSON, default=list)
    created_assignment_ids: Mapped[list] = mapped_column(JSON, default=list)
    # The highest membership id when the rollover ran: later rows mean next year has changed since.
    membership_id_watermark: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    promoted_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    repeated_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    graduated_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True,
                                                 server_default=func.now())
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    actor = relationship("User", foreign_keys=[actor_id], lazy="joined")


class PromotionMove(IdKey, db.Model):
    """One student's move in a rollover, with what it replaced."""

    __tablename__ = "promotion_move"
    __table_args__ = (
        UniqueConstraint("batch_id", "student_id"),
        CheckConstraint("outcome IN ('PROMOTED', 'REPEATED', 'GRADUATED')", name="outcome_valid"),
    )

    batch_id: Mapped[int] = mapped_column(ForeignKey("promotion_batch.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    from_membership_id: Mapped[int | None] = mapped_column(
        ForeignKey("classroom_membership.id", ondelete="SET NULL"))
    to_membership_id: Mapped[int | None] = mapped_column(
        ForeignKey("classroom_membership.id", ondelete="SET NULL"))
    # Names at the time, for the summary (rows may change later).
    from_classroom_name: Mapped[str] = mapped_column(String(40), default="", server_default="")
    to_classroom_name: Mapped[str] = mapped_column(String(40), default="", server_default="")
    previous_student_status: Mapped[str | None] = mapped_column(String(16))

    student = relationship("User", lazy="joined", innerjoin=True)


# --- family codes: a parent links a child with a one-time code ------------------------------


class FamilyCode(IdKey, CreatedAt, db.Model):
    """A one-time code the school prints or emails so a signed-in parent can link this student.

    Only the SHA-256 of the code is stored; it expires, is used once, and a new code for the same
    student replaces the unused one.
    """

    __tablename__ = "family_code"
    __table_args__ = (
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
        CheckConstraint("(used_at IS NULL) OR (used_at >= created_at)", name="used_after_created"),
        CheckConstraint("length(code_hash) = 64", name="code_hash_length"),
    )

    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class ClassCode(IdKey, CreatedAt, db.Model):
    """A classroom's self-registration code (issue 15.4): at most one per classroom, off by default.

    Stored in plain text (unique) because the teacher is shown it again and again on the classroom
    page; it is not a secret credential: it only lets someone *ask* to join, and every request waits
    for the teacher's approval.  Regenerating replaces the code (the old one stops working);
    turning registration off deletes the row.
    """

    __tablename__ = "class_code"
    __table_args__ = (
        CheckConstraint("length(code) = 8", name="code_length"),
    )

    classroom_id: Mapped[int] = mapped_column(ForeignKey("classroom.id", ondelete="CASCADE"), unique=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    classroom: Mapped[Classroom] = relationship()


class StudentRegistration(CreatedAt, db.Model):
    """A student account made with a class code, waiting for a teacher's approval (PENDING).

    While this row exists the account is inactive (``User.active`` is false: no way to sign in,
    no page, no API) and not in any classroom.  Approving deletes the row, activates the account
    and places the student in the classroom; rejecting deletes the account (and so this row).
    """

    __tablename__ = "student_registration"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classroom.id", ondelete="CASCADE"), index=True)

    classroom: Mapped[Classroom] = relationship()
    user = relationship("User", lazy="joined", innerjoin=True)


# --- cohorts (issue 18.4) ------------------------------------------------------------------------

COHORT_NAME_MAX = 100
COHORT_DESCRIPTION_MAX = 500


class Cohort(IdKey, Timestamps, db.Model):
    """A named group of students across classrooms ("Olympiad maths"), kept by admins and teachers
    (``lms.school.cohorts``) and enrolled into a teaching session in one step
    (``lms.teaching.enrollments.enroll_cohort``). One organization per instance: no owner column."""

    __tablename__ = "cohort"
    __table_args__ = (
        CheckConstraint(f"length(name) BETWEEN 1 AND {COHORT_NAME_MAX}", name="name_length"),
        CheckConstraint(f"length(description) <= {COHORT_DESCRIPTION_MAX}", name="description_length"),
    )

    name: Mapped[str] = mapped_column(String(COHORT_NAME_MAX))
    # The name lower-cased (in Python: the same for Thai and Latin letters on both databases), so
    # "olympiad maths" and "Olympiad Maths" are one name.
    name_key: Mapped[str] = mapped_column(String(2 * COHORT_NAME_MAX), unique=True)
    description: Mapped[str] = mapped_column(String(COHORT_DESCRIPTION_MAX), default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)

    created_by = relationship("User", lazy="raise_on_sql")


class CohortMembership(IdKey, db.Model):
    """A student's time in a cohort: added when and by whom, and once removed, when and by whom.
    Removing ends the row (the cohort's history); only deleting the cohort or the account deletes it."""

    __tablename__ = "cohort_membership"
    __table_args__ = (
        CheckConstraint("removed_at IS NULL OR removed_at >= added_at", name="removed_after_added"),
        CheckConstraint("removed_by_id IS NULL OR removed_at IS NOT NULL", name="removed_by_when_removed"),
        # A student is a current member of a cohort at most once.
        Index("uq_cohort_membership_one_current", "cohort_id", "student_id", unique=True,
              postgresql_where=text("removed_at IS NULL"), sqlite_where=text("removed_at IS NULL")),
    )

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
