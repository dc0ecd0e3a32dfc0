"""Test data factories. Each call commits in its own app context and returns detached objects."""

from __future__ import annotations

import itertools

from lms.auth.models import Role, User
from lms.extensions import db
from lms.school.services import ensure_organization

_seq = itertools.count(1)
DEFAULT_PASSWORD = "correct-horse-battery"  # noqa: S105


class Factory:
    def __init__(self, app):
        self.app = app

    def _save(self, *objects):
        with self.app.app_context():
            for obj in objects:
                db.session.add(obj)
            db.session.commit()
            for obj in objects:
                db.session.refresh(obj)
                db.session.expunge(obj)
            db.session.remove()
        return objects[0] if len(objects) == 1 else objects

    def organization(self, **kwargs):
        with self.app.app_context():
            org = ensure_organization()
            for key, value in kwargs.items():
                setattr(org, key, value)
            db.session.commit()
            db.session.refresh(org)
            db.session.expunge(org)
            db.session.remove()
            return org

    def user(self, role: str = Role.STUDENT, email: str | None = None, full_name: str | None = None,
             password: str = DEFAULT_PASSWORD, **kwargs) -> User:
        n = next(_seq)
        with self.app.app_context():
            user = User(email=email or f"{str(role).lower()}{n}@school.example.org",
                        full_name=full_name or f"{str(role).title()} {n}", role=str(role), **kwargs)
            user.set_password(password)
        return self._save(user)

    def login_session(self, user, *, started_at=None, last_active_at=None, **kwargs):
        """A login session of ``user`` (open unless ``ended_at`` etc. are given)."""
        from lms.auth.models import UserSession
        from lms.common.types import utcnow

        now = utcnow()
        started_at = started_at or now
        return self._save(UserSession(user_id=user.id, started_at=started_at,
                                      last_active_at=last_active_at or started_at, **kwargs))

    def invitation(self, invited_by=None, *, email: str | None = None, role: str = Role.STUDENT,
                   token: str | None = None, expires_in_days: float = 7, **kwargs):
        """A PENDING invitation; returns ``(invitation, raw_token)``."""
        from datetime import timedelta

        from lms.auth.models import Invitation
        from lms.auth.tokens import hash_token, new_token
        from lms.common.types import utcnow

        n = next(_seq)
        raw, digest = (token, hash_token(token)) if token else new_token()
        invitation = Invitation(email=email or f"invitee{n}@school.example.org", role=str(role),
                                token_hash=digest, grants=kwargs.pop("grants", {}),
                                expires_at=utcnow() + timedelta(days=expires_in_days),
                                invited_by_id=getattr(invited_by, "id", None),
                                send_count=kwargs.pop("send_count", 1), **kwargs)
        return self._save(invitation), raw
