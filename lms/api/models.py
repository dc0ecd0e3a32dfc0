"""Personal access tokens for the JSON API (shown once; only their SHA-256 is stored)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.common.models import CreatedAt, HashedToken, IdKey
from lms.common.types import UTCDateTime, utcnow
from lms.extensions import db


class ApiToken(IdKey, CreatedAt, HashedToken, db.Model):
    __tablename__ = "api_token"
    __table_args__ = (
        CheckConstraint("length(trim(name)) > 0", name="name_not_empty"),
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
        Index("ix_api_token_user_created", "user_id", "created_at"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    # The first characters of the token, to recognise it in the list ("lms_pat_AbC1…").
    prefix: Mapped[str] = mapped_column(String(16))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User", lazy="raise_on_sql")

    def is_live(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.revoked_at is None and self.expires_at > now
