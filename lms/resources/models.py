"""Resources: uploaded files and links, attached in order to sections (and later assessments).

A ``StoredFile`` is one stored content (unique SHA-256); several ``Resource`` rows may share it
(the same bytes uploaded twice are stored once).  Files live under
``STORAGE_DIR/resources/<2 hex>/<random name>``, never under static/.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.common.models import CreatedAt, IdKey, Timestamps
from lms.extensions import db


class ResourceKind(StrEnum):
    IMAGE = "IMAGE"
    AUDIO = "AUDIO"
    VIDEO = "VIDEO"
    DOCUMENT = "DOCUMENT"
    LINK = "LINK"


RESOURCE_KINDS = tuple(k.value for k in ResourceKind)
FILE_KINDS = ("IMAGE", "AUDIO", "VIDEO", "DOCUMENT")
LABEL_MAX = 40
TITLE_MAX = 200


class StoredFile(IdKey, CreatedAt, db.Model):
    """One stored content, shared by every resource with the same bytes."""

    __tablename__ = "stored_file"
    __table_args__ = (
        CheckConstraint("size > 0", name="size_positive"),
        CheckConstraint("kind IN ('IMAGE', 'AUDIO', 'VIDEO', 'DOCUMENT')", name="kind_valid"),
        CheckConstraint("(thumbnail_width IS NULL AND thumbnail_height IS NULL) OR "
                        "(thumbnail_width > 0 AND thumbnail_height > 0)", name="thumbnail_size_positive"),
    )

    checksum: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256, hex
    # "<2 hex>/<random>" under STORAGE_DIR/resources/.
    storage_name: Mapped[str] = mapped_column(String(80), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    thumbnail_name: Mapped[str | None] = mapped_column(String(80))
    thumbnail_type: Mapped[str | None] = mapped_column(String(40))
    # The thumbnail's own size (pages give <img> width/height); image, video poster or PDF page.
    thumbnail_width: Mapped[int | None] = mapped_column(Integer)
    thumbnail_height: Mapped[int | None] = mapped_column(Integer)


class Resource(IdKey, Timestamps, db.Model):
    """A file or a link with a title, an optional label and a description."""

    __tablename__ = "resource"
    __table_args__ = (
        CheckConstraint("kind IN ('IMAGE', 'AUDIO', 'VIDEO', 'DOCUMENT', 'LINK')", name="kind_valid"),
        CheckConstraint("(kind = 'LINK' AND url IS NOT NULL AND file_id IS NULL) OR "
                        "(kind <> 'LINK' AND file_id IS NOT NULL AND url IS NULL)", name="file_or_link"),
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        Index("ix_resource_kind_created", "kind", "created_at"),
    )

    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    label: Mapped[str] = mapped_column(String(LABEL_MAX), default="", server_default="")
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="RESTRICT"), index=True)
    # The uploaded file's name, cleaned (no path); only shown and sent as the download name.
    filename: Mapped[str] = mapped_column(String(200), default="", server_default="")
    url: Mapped[str | None] = mapped_column(String(2000))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)

    file: Mapped[StoredFile | None] = relationship(lazy="joined")
    owner = relationship("User", lazy="joined")

    @property
    def size(self) -> int | None:
        return self.file.size if self.file else None

    @property
    def content_type(self) -> str | None:
        return self.file.content_type if self.file else None


class SectionResource(IdKey, CreatedAt, db.Model):
    """A resource shown in a section, in order.  Labels are unique within the section."""

    __tablename__ = "section_resource"
    __table_args__ = (
        UniqueConstraint("section_id", "resource_id"),
        UniqueConstraint("section_id", "position"),
        CheckConstraint("position >= 0", name="position_not_negative"),
        # The resource's label, lower-cased ("" when it has none): unique within the section.
        Index("uq_section_resource_label", "section_id", "label_key", unique=True,
              postgresql_where=text("label_key <> ''"), sqlite_where=text("label_key <> ''")),
    )

    section_id: Mapped[int] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"))
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="RESTRICT"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label_key: Mapped[str] = mapped_column(String(LABEL_MAX), default="", server_default="")

    resource: Mapped[Resource] = relationship(lazy="joined", innerjoin=True)
    section = relationship("Section", lazy="select")
