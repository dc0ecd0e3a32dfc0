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
