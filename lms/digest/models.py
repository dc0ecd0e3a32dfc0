"""Weekly parent digest: one delivery row per parent and ISO week, and the parents who opted out."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.common.models import CreatedAt, IdKey
from lms.extensions import db


class DigestStatus(StrEnum):
    SENT = "SENT"    # the email was queued in the same transaction as this row
    EMPTY = "EMPTY"  # nothing to report that week: no email (the parent is not looked at again that week)


class DigestDelivery(IdKey, CreatedAt, db.Model):
    """The digest of one parent for one ISO week (``week`` like ``2026-W19``, in the school's calendar).

    The unique row is what makes the job idempotent: it is written in the transaction that queues
    the email, so a second run (or a second worker) finds it and sends nothing.
    """

    __tablename__ = "digest_delivery"
    __table_args__ = (
        UniqueConstraint("parent_id", "week"),
        CheckConstraint("status IN ('SENT', 'EMPTY')", name="status_valid"),
        CheckConstraint("length(week) = 8", name="week_format"),
        Index("ix_digest_delivery_week_status", "week", "status"),
    )

    parent_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(8))
    children: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class DigestOptOut(CreatedAt, db.Model):
    """A parent who does not want the weekly email (a row present = opted out)."""

    __tablename__ = "digest_opt_out"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    # WEB (the profile page) or EMAIL (the unsubscribe link)
    source: Mapped[str] = mapped_column(String(8))

    __table_args__ = (CheckConstraint("source IN ('WEB', 'EMAIL')", name="source_valid"),)
