from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    false,
    func,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from lms.common.models import CreatedAt, HashedToken, IdKey, Timestamps
from lms.common.types import UTCDateTime, utcnow
from lms.extensions import db


class Role(StrEnum):
    ADMIN = "ADMIN"
    TEACHER = "TEACHER"
    STUDENT = "STUDENT"
    PARENT = "PARENT"
    SUPERVISOR = "SUPERVISOR"  # a centre manager: read-only oversight of their centres (lms.supervision)


ROLE_VALUES = tuple(r.value for r in Role)
ROLE_CHECK = "role IN ('ADMIN', 'TEACHER', 'STUDENT', 'PARENT', 'SUPERVISOR')"


class Theme(StrEnum):
    """A user's colour theme: SYSTEM follows the device (prefers-color-scheme)."""
    SYSTEM = "SYSTEM"
    LIGHT = "LIGHT"
    DARK = "DARK"


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


# A username: 3-40 ASCII letters, digits, ".", "_" or "-", starting with a letter or digit; stored
# lower-case, so "Pupil1" and "pupil1" are one name. ASCII only (no Thai letters): young pupils type it
# on shared tablets whatever keyboard layout is on, and it never contains "@", so it cannot be an email.
USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{2,39}$"
USERNAME_MAX_LENGTH = 40


def normalise_username(username: str | None) -> str:
    return (username or "").strip().lower()


class User(UserMixin, IdKey, Timestamps, db.Model):
    __tablename__ = "user"
    __table_args__ = (
        # Stored lower-case, so the plain unique constraint is case-insensitive.
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("username = lower(username)", name="username_lowercase"),
        # Every account can sign in with something: an email, a username or both.
        CheckConstraint("email IS NOT NULL OR username IS NOT NULL", name="email_or_username"),
        CheckConstraint(ROLE_CHECK, name="role_valid"),
        CheckConstraint("length(full_name) > 0", name="full_name_not_empty"),
        # Suspension (lms.auth.suspension): a reason and a start, or none of the suspension columns.
        CheckConstraint("(suspended_at IS NULL AND suspension_reason IS NULL AND suspended_until IS NULL"
                        " AND suspended_by_id IS NULL) OR (suspended_at IS NOT NULL"
                        " AND suspension_reason IS NOT NULL)", name="suspension_consistent"),
        CheckConstraint("length(suspension_reason) BETWEEN 1 AND 500", name="suspension_reason_length"),
        CheckConstraint("suspended_until > suspended_at", name="suspension_ends_after_start"),
        CheckConstraint("theme IN ('SYSTEM', 'LIGHT', 'DARK')", name="theme_valid"),
        # Only a supervisor oversees the whole organization (lms.supervision.scope).
        CheckConstraint("role = 'SUPERVISOR' OR NOT supervises_all", name="supervises_all_only_supervisors"),
    )

    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    # Stored lower-case (``normalise_username``), so the plain unique constraint is case-insensitive.
    username: Mapped[str | None] = mapped_column(String(USERNAME_MAX_LENGTH), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Three pictures in order (lms.auth.picture_password), hashed with the password KDF.
    picture_password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    locale: Mapped[str | None] = mapped_column(String(10))
    # Light, dark or the device's choice (lms.auth.appearance); base.html renders it on <html>.
    theme: Mapped[str] = mapped_column(String(8), default=Theme.SYSTEM, server_default=Theme.SYSTEM.value)
    # A supervisor of the whole organization (every centre, and sessions of no centre); otherwise a
    # supervisor oversees the centres they belong to (centre_membership). See lms.supervision.scope.
    supervises_all: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The credentials version: carried by every Flask session (``get_id``) and API JWT (``ver``); bumped
    # by ``lms.auth.credentials.revoke_credentials`` (password change/reset, sign out everywhere,
    # deactivation, role change) so all of them stop working at once.
    login_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Signed in with a one-time password or a login card (lms.auth.login_cards): nothing else
    # works until a new password is chosen (the gate in lms.auth.views_cards).
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Suspended by an admin (lms.auth.suspension): no sign-in until ``suspended_until`` (None: until
    # lifted); the periodic job clears the four columns once the end has passed.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    suspension_reason: Mapped[str | None] = mapped_column(String(500))
    suspended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email or self.username} {self.role}>"

    @property
    def sign_in_name(self) -> str:
        """What this account signs in with, as shown in lists: the email, else the username."""
        return self.email or self.username or ""

    # Flask-Login: the cookie holds id and login_version; bumping the version
    # invalidates every remembered cookie and login session of this user.
    def get_id(self) -> str:
        return f"{self.id}:{self.login_version}"

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    def set_password(self, password: str) -> None:
        from flask import current_app

        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        if not self.password_hash:
            return False
        return check_password_hash(self.password_hash, password)

    @property
    def is_suspended(self) -> bool:
        """Suspended right now (an end that has passed counts as lifted, before the job clears it)."""
        if self.suspended_at is None:
            return False
        return self.suspended_until is None or self.suspended_until > utcnow()

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_teacher(self) -> bool:
        return self.role == Role.TEACHER

    @property
    def is_student(self) -> bool:
        return self.role == Role.STUDENT

    @property
    def is_parent(self) -> bool:
        return self.role == Role.PARENT

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR


# --- login sessions, sign-in attempts, invitations, one-time tokens -----------------------


class EndReason(StrEnum):
    LOGOUT = "LOGOUT"      # the user signed out
    EXPIRED = "EXPIRED"    # no heartbeat for longer than the organization's timeout
    REVOKED = "REVOKED"    # ended from elsewhere: "sign out everywhere else", password reset, deactivation


class UserSession(IdKey, db.Model):
    """A login session: one browser's time signed in, kept alive by the heartbeat.

    ``duration_seconds`` always runs from ``started_at`` to the last sign of life
    (``last_active_at``), never to the moment the expiry job happened to run.
    """

    __tablename__ = "user_session"
    __table_args__ = (
        CheckConstraint("end_reason IN ('LOGOUT', 'EXPIRED', 'REVOKED')", name="end_reason_valid"),
        CheckConstraint(
            "(ended_at IS NULL AND end_reason IS NULL AND duration_seconds IS NULL)"
            " OR (ended_at IS NOT NULL AND end_reason IS NOT NULL AND duration_seconds IS NOT NULL)",
            name="ended_consistently",
        ),
        CheckConstraint("duration_seconds >= 0", name="duration_not_negative"),
        CheckConstraint("last_active_at >= started_at", name="active_after_start"),
        # The expiry job's predicate: open sessions by last activity.
        Index("ix_user_session_open_last_active", "last_active_at",
              postgresql_where=text("ended_at IS NULL"), sqlite_where=text("ended_at IS NULL")),
        Index("ix_user_session_user_started", "user_id", "started_at"),
        # Login analytics: every range query filters on started_at and reads only these
        # columns, so PostgreSQL and SQLite answer from the index alone.
        Index("ix_user_session_started_cover", "started_at", "user_id", "duration_seconds", "last_active_at"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_active_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    end_reason: Mapped[str | None] = mapped_column(String(16))
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(512))

    user = relationship("User", lazy="raise_on_sql")

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class LoginAttempt(IdKey, db.Model):
    """Every sign-in attempt, successful or not (login history)."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_created", "email", "created_at"),
        Index("ix_login_attempt_user_created", "user_id", "created_at"),
    )

    email: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    ip: Mapped[str | None] = mapped_column(String(45), index=True)
    user_agent: Mapped[str | None] = mapped_column(String(512))
    success: Mapped[bool] = mapped_column(Boolean)
    # OK, OK_PICTURES (a picture password), REMEMBERED (back through a remember-me cookie), UNKNOWN_EMAIL,
    # WRONG_PASSWORD, WRONG_PICTURES, INACTIVE, RATE_LIMITED
    reason: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True,
                                                 server_default=func.now())


class InvitationStatus(StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"


class Invitation(IdKey, Timestamps, HashedToken, db.Model):
    """An invitation to create an account with a given role (and grants, e.g. a classroom).

    Only the SHA-256 hash of the token is stored.  A PENDING invitation past
    ``expires_at`` is shown as EXPIRED (``effective_status``); it is stored as
    EXPIRED when the same address is invited again.
    """

    __tablename__ = "invitation"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint(ROLE_CHECK, name="role_valid"),
        CheckConstraint("status IN ('PENDING', 'ACCEPTED', 'REVOKED', 'EXPIRED')", name="status_valid"),
        # At most one open invitation per address.
        Index("uq_invitation_pending_email", "email", unique=True,
              postgresql_where=text("status = 'PENDING'"), sqlite_where=text("status = 'PENDING'")),
        Index("ix_invitation_status_created", "status", "created_at"),
    )

    email: Mapped[str] = mapped_column(String(254), index=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    # Domain grants applied on acceptance, e.g. {"classroom_id": 3} or {"student_ids": [4, 5]}.
    grants: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=InvitationStatus.PENDING,
                                        server_default=InvitationStatus.PENDING.value)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    accepted_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    send_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    invited_by = relationship("User", foreign_keys=[invited_by_id], lazy="raise_on_sql")

    @property
    def effective_status(self) -> str:
        if self.status == InvitationStatus.PENDING and self.expires_at <= utcnow():
            return InvitationStatus.EXPIRED
        return self.status


class TokenPurpose(StrEnum):
    RESET_PASSWORD = "RESET_PASSWORD"  # noqa: S105 - a purpose code, not a password
    CHANGE_EMAIL = "CHANGE_EMAIL"
    ACTIVATE = "ACTIVATE"  # a created/imported account's first password (lms.auth.login_cards)


class AccountToken(IdKey, CreatedAt, HashedToken, db.Model):
    """A single-use, expiring token sent by email (password reset, email change); stored hashed."""

    __tablename__ = "account_token"
    __table_args__ = (
        CheckConstraint("purpose IN ('RESET_PASSWORD', 'CHANGE_EMAIL', 'ACTIVATE')", name="purpose_valid"),
        CheckConstraint("purpose <> 'CHANGE_EMAIL' OR new_email IS NOT NULL", name="new_email_present"),
        Index("ix_account_token_user_purpose", "user_id", "purpose"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(16))
    new_email: Mapped[str | None] = mapped_column(String(254))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User", lazy="raise_on_sql")


class RememberToken(IdKey, CreatedAt, db.Model):
    """"Keep me signed in on this device": one row per remembered browser (a *series*).

    The cookie holds ``<series>.<token>``; only their SHA-256 digests are stored.  Each use signs
    the browser back in and replaces the token (the previous digest is kept for a few seconds, for
    requests already on their way).  An older token presented again means the cookie was copied:
    the series is deleted and the login session it started ends.  Rows are deleted at sign-out and
    when the user's credentials are revoked (password change or reset, "sign out everywhere",
    deactivation, role change); ``expires_at`` is checked on the server.
    """

    __tablename__ = "remember_token"
    __table_args__ = (
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
        Index("ix_remember_token_user", "user_id"),
        Index("ix_remember_token_expires", "expires_at"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    series_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    previous_token_hash: Mapped[str | None] = mapped_column(String(64))
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The login session this series started last (ended too when the cookie turns out to be copied).
    login_session_id: Mapped[int | None] = mapped_column(ForeignKey("user_session.id", ondelete="SET NULL"))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SignInCard(IdKey, CreatedAt, HashedToken, db.Model):
    """A login card's QR sign-in token (``/auth/qr/<token>``): single use, stored hashed, expires.

    One open card per student: making a new card revokes the old one (``lms.auth.login_cards``).
    """

    __tablename__ = "sign_in_card"
    __table_args__ = (
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
        Index("ix_sign_in_card_classroom_open", "classroom_id", "used_at", "revoked_at"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    classroom_id: Mapped[int | None] = mapped_column(ForeignKey("classroom.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User", foreign_keys=[user_id], lazy="raise_on_sql")


class LoginCardBatch(IdKey, CreatedAt, db.Model):
    """The cards of one "Prepare sign-in", printable for a short while by the admin or teacher who
    made them: the one-time passwords and QR links are kept encrypted (Fernet, key from SECRET_KEY)
    until ``expires_at``, then the row is deleted; the accounts keep only the password hashes."""

    __tablename__ = "login_card_batch"
    __table_args__ = (CheckConstraint("expires_at > created_at", name="expires_after_created"),)

    classroom_id: Mapped[int] = mapped_column(ForeignKey("classroom.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    card_count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
