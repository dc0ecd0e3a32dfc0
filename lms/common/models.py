"""Column groups that many tables share, as declarative mixins.

A mixin's columns are copied into each table that uses it: names, types, nullability, defaults
and server defaults are the same as if they were written out in the model (the migrations
compare them).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Integer, String, UniqueConstraint, false, func
from sqlalchemy.orm import Mapped, mapped_column

from lms.common.types import UTCDateTime, utcnow

NODE_TITLE_MAX = 300


class IdKey:
    """An integer primary key ``id``."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)


class CreatedAt:
    """When the row was written (set by the application and, for raw inserts, by the database)."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())


class Timestamps(CreatedAt):
    """``created_at`` and ``updated_at``, the latter moved on every ORM update."""

    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow,
                                                 server_default=func.now())


class OrderedTitledNode(IdKey, CreatedAt):
    """A titled, publishable node of a tree, at a dense ``position`` among its parent's children.

    Use with ``__table_args__ = ordered_node_constraints("<parent>_id")``."""

    title: Mapped[str] = mapped_column(String(NODE_TITLE_MAX))
    position: Mapped[int] = mapped_column(Integer)
    published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


def ordered_node_constraints(parent_column: str) -> tuple:
    """One position per parent, positions from 0, a title that is not empty."""
    return (
        UniqueConstraint(parent_column, "position"),
        CheckConstraint("position >= 0", name="position_not_negative"),
        CheckConstraint("length(title) > 0", name="title_not_empty"),
    )


class HashedToken:
    """A secret sent to someone (link, QR code, API key): only its SHA-256 is stored, with its expiry."""

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
