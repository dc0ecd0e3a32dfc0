"""A person's contact profile: phone, photo and (staff) a short bio — one row per user, kept apart
from ``User`` so the sign-in table stays narrow."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from lms.common.types import UTCDateTime, utcnow
from lms.extensions import db

PHONE_MAX = 16          # "+" and at most 15 digits (E.164)
BIO_MAX = 500
PHOTO_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


class PersonProfile(db.Model):
    __tablename__ = "person_profile"
    __table_args__ = (
        # Stored normalised (E.164): "+66812345678".
        CheckConstraint("phone IS NULL OR (phone LIKE '+%' AND length(phone) BETWEEN 8 AND 16)",
                        name="phone_normalised"),
        CheckConstraint("bio IS NULL OR length(bio) <= 500", name="bio_length"),
        CheckConstraint("photo_type IS NULL OR photo_type IN ('image/png', 'image/jpeg', 'image/gif', 'image/webp')",
                        name="photo_type_valid"),
        CheckConstraint("(photo_name IS NULL) = (photo_type IS NULL)", name="photo_consistent"),
        CheckConstraint("thumb_name IS NULL OR photo_name IS NOT NULL", name="thumb_needs_photo"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    phone: Mapped[str | None] = mapped_column(String(PHONE_MAX))
    bio: Mapped[str | None] = mapped_column(String(BIO_MAX))
    # Random storage names under STORAGE_DIR/resources (``lms.resources.storage``).
    photo_name: Mapped[str | None] = mapped_column(String(80))
    photo_type: Mapped[str | None] = mapped_column(String(40))
    thumb_name: Mapped[str | None] = mapped_column(String(80))
    thumb_type: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow,
                                                 server_default=func.now())

    @property
    def has_photo(self) -> bool:
        return bool(self.photo_name)


__all__ = ["PersonProfile", "PHONE_MAX", "BIO_MAX", "PHOTO_TYPES"]
