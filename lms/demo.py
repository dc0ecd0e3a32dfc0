"""Demo data (the accounts the README lists). Idempotent: running it twice changes nothing."""

from __future__ import annotations

from importlib import import_module

from sqlalchemy import select

from lms.auth.models import Role, User
from lms.extensions import db
from lms.school.services import ensure_organization

DEMO_PASSWORD = "demo-pass-1234"  # noqa: S105 - documented demo credential

DEMO_ACCOUNTS = [
    ("admin@example.org", "Ada Admin", Role.ADMIN),
    ("teacher@example.org", "Tanya Teacher", Role.TEACHER),
    ("teacher2@example.org", "Tom Teacher", Role.TEACHER),
    ("student@example.org", "Sam Student", Role.STUDENT),
    ("student2@example.org", "Sara Student", Role.STUDENT),
    ("parent@example.org", "Pat Parent", Role.PARENT),
    ("supervisor@example.org", "Suda Supervisor", Role.SUPERVISOR),
]

# Later domains add their demo content here, in dependency order: "module:function(users)".
DEMO_STEPS: list[str] = [
    "lms.school.demo:seed_school",
    "lms.auth.demo:seed_accounts_demo",
    "lms.curriculum.demo:seed_curriculum",
    "lms.analytics.demo:seed_login_history",
    "lms.communication.demo:seed_communication",
    "lms.assessments.demo:seed_assessments",
    "lms.teaching.demo:seed_teaching",
    "lms.teaching.demo_tutoring:seed_tutoring",
    "lms.streams.demo:seed_streams",
    "lms.home.demo:seed_home",
    "lms.rewards.demo:seed_rewards",
    "lms.supervision.demo:seed_supervision",
    "lms.conversations.demo:seed_conversations",
]


def demo_user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def seed_demo() -> dict[str, User]:
    org = ensure_organization()
    if not org.academic_year:
        org.academic_year = "2026"
    users: dict[str, User] = {}
    for email, name, role in DEMO_ACCOUNTS:
        user = demo_user(email)
        if user is None:
            user = User(email=email, full_name=name, role=role)
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
        users[email] = user
    db.session.flush()
    for step in DEMO_STEPS:
        module, _, attr = step.partition(":")
        getattr(import_module(module), attr)(users)
        db.session.flush()
    db.session.commit()
    return users
