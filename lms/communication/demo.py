"""Demo announcements and notifications (a ``DEMO_STEPS`` step; idempotent).

* "Welcome to the new term" for everyone, by the admin;
* "P1/1 field trip on Friday" for P1/1 and its parents, by teacher@ (student@ and parent@ see
  it, student2@ does not);
* a notification for teacher@ (an invitation accepted) and one for the admin.

Already "delivered": seeding never sends email.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lms.auth.models import User
from lms.common.types import utcnow
from lms.communication.models import (
    Announcement,
    AnnouncementRead,
    AnnouncementStatus,
    BodyFormat,
    Notification,
    TargetKind,
)
from lms.communication.notifications import ANNOUNCEMENT_PUBLISHED, INVITATION_ACCEPTED, notify
from lms.core.academic_year import current_academic_year
from lms.extensions import db
from lms.school.models import Classroom, Level

SCHOOL_WIDE = "Welcome to the new term"
P1_1 = "P1/1 field trip on Friday"
READ_THE_WELCOME = ["teacher@example.org", "teacher2@example.org", "student@example.org", "student2@example.org",
                    "parent@example.org"]


def _published(author: User, title: str, body_format: str, body: str, sent_at, **audience) -> Announcement:
    """An announcement published and already "delivered" at ``sent_at``."""
    return Announcement(author_id=author.id, title=title, body_format=body_format, body=body,
                        status=AnnouncementStatus.PUBLISHED, publish_at=sent_at, delivered_at=sent_at, **audience)


def seed_communication(users: dict[str, User]) -> None:
    now = utcnow()
    existing = set(db.session.scalars(select(Announcement.title).where(Announcement.title.in_([SCHOOL_WIDE, P1_1]))))
    admin, teacher = users["admin@example.org"], users["teacher@example.org"]
    if SCHOOL_WIDE not in existing:
        db.session.add(_published(
            admin, SCHOOL_WIDE, BodyFormat.MARKDOWN,
            "Welcome back, everyone!\n\n* Classes start at **08:30**.\n* The library is open until 17:00.\n\n"
            "See you on Monday.",
            now - timedelta(days=2), target_kind=TargetKind.EVERYONE))
    if P1_1 not in existing:
        classroom = db.session.scalar(
            select(Classroom).join(Level, Level.id == Classroom.level_id)
            .where(Level.code == "P1", Classroom.number == 1, Classroom.academic_year == current_academic_year()))
        if classroom is not None:
            db.session.add(_published(
                teacher, P1_1, BodyFormat.TEXT,
                "We visit the science museum on Friday.\nBring a hat, water and a packed lunch.\n\n"
                "The bus leaves at 09:00.",
                now - timedelta(hours=20), target_kind=TargetKind.CLASSROOM, target_classroom_id=classroom.id,
                include_parents=True, urgent=True, expires_at=now + timedelta(days=14)))
    db.session.flush()
    if SCHOOL_WIDE not in existing:
        # The demo accounts read the welcome two days ago, so student@ starts with exactly one
        # unread announcement (P1/1's) and opening it clears the badge.
        welcome_id = db.session.scalar(select(Announcement.id).where(Announcement.title == SCHOOL_WIDE))
        db.session.add_all([AnnouncementRead(announcement_id=welcome_id, user_id=users[email].id,
                                             read_at=now - timedelta(days=1))
                            for email in READ_THE_WELCOME])
    if db.session.scalar(select(Notification.id).where(Notification.user_id == teacher.id).limit(1)) is None:
        student = users["student@example.org"]
        notify([teacher.id], INVITATION_ACCEPTED.code, name=student.full_name, role=student.role)
    if db.session.scalar(select(Notification.id).where(Notification.user_id == admin.id).limit(1)) is None:
        announcement_id = db.session.scalar(select(Announcement.id).where(Announcement.title == SCHOOL_WIDE))
        notify([admin.id], ANNOUNCEMENT_PUBLISHED.code, link=f"/announcements/{announcement_id}", title=SCHOOL_WIDE)
