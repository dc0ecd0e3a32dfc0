"""Demo content for accounts: a pending invitation and some login history (idempotent)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lms.auth.models import Invitation, InvitationStatus, Role, User, UserSession
from lms.auth.tokens import new_token
from lms.common.types import utcnow
from lms.extensions import db

DEMO_INVITEE = "new.teacher@example.org"


def seed_accounts_demo(users: dict[str, User]) -> None:
    admin = users["admin@example.org"]
    now = utcnow()
    if db.session.scalar(select(Invitation.id).where(Invitation.email == DEMO_INVITEE)) is None:
        _raw, digest = new_token()  # admins get a usable link with "Copy link"
        db.session.add(Invitation(email=DEMO_INVITEE, full_name="Nina Newteacher", role=Role.TEACHER, grants={},
                                  token_hash=digest, status=InvitationStatus.PENDING,
                                  expires_at=now + timedelta(days=7), invited_by_id=admin.id, sent_at=now,
                                  send_count=1))
    student = users["student@example.org"]
    if db.session.scalar(select(UserSession.id).where(UserSession.user_id == student.id).limit(1)) is None:
        # Two past login sessions of the demo student (ended by sign-out and by expiry).
        for days, minutes, reason in ((2, 35, "LOGOUT"), (1, 12, "EXPIRED")):
            started = now - timedelta(days=days)
            ended = started + timedelta(minutes=minutes)
            db.session.add(UserSession(user_id=student.id, started_at=started, last_active_at=ended,
                                       ended_at=ended, duration_seconds=minutes * 60, end_reason=reason,
                                       ip="127.0.0.1", user_agent="Mozilla/5.0 (Linux; Android 14) Chrome/126"))
