"""The curriculum: core subjects, subjects and their Unit → Part → Section tree, and progress.

Positions are dense (0..n-1) within a parent and unique in the database; every change to
them goes through ``lms.curriculum.ordering`` (parent row locked, siblings renumbered in the
same transaction).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.common.models import (
    NODE_TITLE_MAX,
    CreatedAt,
    IdKey,
    OrderedTitledNode,
    Timestamps,
    ordered_node_constraints,
)
from lms.common.types import UTCDateTime, utcnow
from lms.extensions import db

TITLE_MAX = NODE_TITLE_MAX


class CoreSubject(IdKey, CreatedAt, db.Model):
    """A subject area the school teaches at every level: Mathematics, Thai, English, Science…"""

    __tablename__ = "core_subject"
    __table_args__ = (
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    def __repr__(self) -> str:
        return f"<CoreSubject {self.name}>"


class Subject(IdKey, Timestamps, db.Model):
    """A core subject taught to one level (every classroom of it) or to one classroom."""

    __tablename__ = "subject"
    __table_args__ = (
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        Index("ix_subject_level_classroom", "level_id", "classroom_id"),
    )

    core_subject_id: Mapped[int] = mapped_column(ForeignKey("core_subject.id", ondelete="RESTRICT"), index=True)
    level_id: Mapped[int] = mapped_column(ForeignKey("level.id", ondelete="RESTRICT"))
    # None: every classroom of the level.
    classroom_id: Mapped[int | None] = mapped_column(ForeignKey("classroom.id", ondelete="RESTRICT"), index=True)
    # At most 100 characters: it is also the teacher assignment's subject name.
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    core_subject: Mapped[CoreSubject] = relationship(lazy="joined", innerjoin=True)
    level = relationship("Level", lazy="joined", innerjoin=True)
    classroom = relationship("Classroom", lazy="joined")
    teacher_links: Mapped[list[SubjectTeacher]] = relationship(
        back_populates="subject", cascade="all, delete-orphan", lazy="selectin")

    @property
    def teachers(self) -> list:
        return sorted((link.teacher for link in self.teacher_links), key=lambda u: (u.full_name, u.id))

    @property
    def audience(self) -> str:
        """"P1/1" for a classroom's subject, "P1" for a whole level's."""
        return self.classroom.name if self.classroom_id else self.level.code

    def __repr__(self) -> str:
        return f"<Subject {self.id} {self.name}>"


class SubjectTeacher(IdKey, CreatedAt, db.Model):
    __tablename__ = "subject_teacher"
    __table_args__ = (UniqueConstraint("subject_id", "teacher_id"),)

    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id", ondelete="CASCADE"))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)

    subject: Mapped[Subject] = relationship(back_populates="teacher_links")
    teacher = relationship("User", lazy="joined", innerjoin=True)


class Unit(OrderedTitledNode, db.Model):
    __tablename__ = "unit"
    __table_args__ = ordered_node_constraints("subject_id")

    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id", ondelete="CASCADE"))

    subject: Mapped[Subject] = relationship(lazy="select")

    kind = "unit"


class Part(OrderedTitledNode, db.Model):
    __tablename__ = "part"
    __table_args__ = ordered_node_constraints("unit_id")

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))

    unit: Mapped[Unit] = relationship(lazy="select")

    kind = "part"


class Section(OrderedTitledNode, Timestamps, db.Model):
    __tablename__ = "section"
    __table_args__ = ordered_node_constraints("part_id")

    part_id: Mapped[int] = mapped_column(ForeignKey("part.id", ondelete="CASCADE"))
    # Markdown; shown only through lms.common.markdown.render_markdown (sanitised).
    content: Mapped[str] = mapped_column(Text, default="", server_default="")

    part: Mapped[Part] = relationship(lazy="select")

    kind = "section"


class SectionProgress(IdKey, db.Model):
    """A student marked a section as done."""

    __tablename__ = "section_progress"
    __table_args__ = (UniqueConstraint("section_id", "student_id"),)

    section_id: Mapped[int] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())


class SectionVisit(IdKey, db.Model):
    """A student opened a section: one row per student and section, ``last_opened_at`` updated on
    every open (the home page's "continue where I stopped")."""

    __tablename__ = "section_visit"
    __table_args__ = (
        UniqueConstraint("student_id", "section_id"),
        Index("ix_section_visit_student_last", "student_id", "last_opened_at"),
    )

    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"), index=True)
    last_opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())


class SubjectCopy(IdKey, CreatedAt, db.Model):
    """A subject made as a copy of another (``lms.curriculum.copying``).  ``token`` is the one-time
    token of the copy form: the same form sent twice (two tabs, a double click) finds this row and
    the copy it made instead of making a second one."""

    __tablename__ = "subject_copy"
    __table_args__ = (
        CheckConstraint("length(token) >= 16", name="token_long_enough"),
    )

    token: Mapped[str] = mapped_column(String(64), unique=True)
    # None once the original is gone (subjects are archived rather than deleted).
    source_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id", ondelete="SET NULL"), index=True)
    copy_id: Mapped[int] = mapped_column(ForeignKey("subject.id", ondelete="CASCADE"), unique=True)
