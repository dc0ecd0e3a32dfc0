"""The demo steps for analytics and communication: login history, announcements, notifications; idempotent."""

from sqlalchemy import func, select

from lms.auth.models import UserSession
from lms.communication.models import Announcement, AnnouncementRead, Notification


def test_demo_login_history_and_announcements_are_added_once(app, db):
    from lms.demo import seed_demo

    def counts():
        return (db.count(UserSession), db.count(Announcement), db.count(AnnouncementRead), db.count(Notification))

    with app.app_context():
        seed_demo()
    first = counts()
    with app.app_context():
        seed_demo()
    assert counts() == first
    sessions, announcements, reads, notifications = first
    assert sessions > 500 and announcements == 2 and reads == 5 and notifications == 2
    days = db.scalar(select(func.count(func.distinct(func.date(UserSession.started_at)))))
    assert days >= 14  # a few weeks of history
