"""The organization this instance serves (one row per database)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from lms.common.models import IdKey, Timestamps
from lms.extensions import db


class Organization(IdKey, Timestamps, db.Model):
    """The one organization this instance serves (one row per database)."""

    __tablename__ = "organization"
    __table_args__ = (
        CheckConstraint("session_timeout_minutes BETWEEN 1 AND 1440", name="session_timeout_range"),
        CheckConstraint("heartbeat_seconds BETWEEN 10 AND 600", name="heartbeat_range"),
        CheckConstraint("classes_per_level BETWEEN 1 AND 50", name="classes_per_level_range"),
        CheckConstraint("invitation_days BETWEEN 1 AND 90", name="invitation_days_range"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint("digest_weekday BETWEEN 0 AND 6", name="digest_weekday_range"),
        CheckConstraint("digest_hour BETWEEN 0 AND 23", name="digest_hour_range"),
        CheckConstraint("log_retention_days BETWEEN 30 AND 3650", name="log_retention_range"),
        CheckConstraint("audit_retention_days BETWEEN 365 AND 3650", name="audit_retention_range"),
        CheckConstraint("audit_retention_days >= log_retention_days", name="audit_kept_as_long_as_logs"),
    )

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Bangkok", server_default="Asia/Bangkok")
    locale: Mapped[str] = mapped_column(String(10), default="en", server_default="en")
    use_buddhist_era: Mapped[bool] = mapped_column(default=False, server_default=false())
    academic_year: Mapped[str | None] = mapped_column(String(20))
    session_timeout_minutes: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    heartbeat_seconds: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    classes_per_level: Mapped[int] = mapped_column(Integer, default=6, server_default="6")
    invitation_days: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    # The weekly email to parents (lms.digest): local weekday (0 = Monday … 6 = Sunday) and hour.
    digest_weekday: Mapped[int] = mapped_column(Integer, default=4, server_default="4")
    digest_hour: Mapped[int] = mapped_column(Integer, default=16, server_default="16")
    # Privacy (lms.privacy.retention): login attempts, old login sessions' IP and browser, and read
    # notifications are removed after ``log_retention_days``; audit entries after
    # ``audit_retention_days`` (never sooner than the logs).
    log_retention_days: Mapped[int] = mapped_column(Integer, default=365, server_default="365")
    audit_retention_days: Mapped[int] = mapped_column(Integer, default=1825, server_default="1825")
    # The logo file's random name under STORAGE_DIR/organization/ and its sniffed content type.
    logo_file: Mapped[str | None] = mapped_column(String(100))
    logo_content_type: Mapped[str | None] = mapped_column(String(40))
    # Picture passwords (lms.auth.picture_password): the codes of the levels, comma-separated, whose
    # students may sign in with three pictures instead of a password.
    picture_password_levels: Mapped[str] = mapped_column(String(500), default="P1,P2,P3",
                                                         server_default="P1,P2,P3")

    def __repr__(self) -> str:
        return f"<Organization {self.slug}>"
