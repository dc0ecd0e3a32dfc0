"""Background work for announcements: publishing scheduled ones, and what follows publication.

Visibility never waits for these jobs (readers see an announcement from its ``publish_at``,
see ``lms.communication.audience.live``); the jobs only flip SCHEDULED to PUBLISHED and run the
side effects once: the urgent email to the audience and, for a scheduled announcement, a
notification telling its author that it went out.
"""

from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from lms.auth.models import User
from lms.common.sql import claim
from lms.common.types import utcnow
from lms.communication import announcements, audience, email_preferences
from lms.communication.email_preferences import send_optional_email
from lms.communication.models import Announcement, AnnouncementStatus, EmailKind
from lms.communication.notifications import ANNOUNCEMENT_PUBLISHED, notify
from lms.communication.text import plain_text, render_body
from lms.extensions import db
from lms.jobs import background_job, enqueue
from lms.mail import absolute_url

log = logging.getLogger(__name__)


def site_path(endpoint: str, **values) -> str:
    """The path of ``endpoint`` (in a request or in a worker)."""
    from flask import current_app, has_request_context, url_for

    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost", script_name="/").build(endpoint, values)


@background_job
def publish_due_announcements() -> int:
    """Periodic: mark due SCHEDULED announcements PUBLISHED and queue their delivery (plus any
    published one whose delivery never ran, e.g. while the worker was down)."""
    now = utcnow()
    due = announcements.due_scheduled_ids(now)
    if due:
        db.session.execute(
            update(Announcement).where(Announcement.id.in_(due), Announcement.status == AnnouncementStatus.SCHEDULED)
            .values(status=AnnouncementStatus.PUBLISHED).execution_options(synchronize_session=False))
    undelivered = [i for i in pending_delivery_ids() if i not in due]
    for announcement_id in due:
        enqueue(deliver_announcement, announcement_id, notify_author=True)
    for announcement_id in undelivered:
        enqueue(deliver_announcement, announcement_id)
    db.session.commit()
    return len(due)


@background_job
def deliver_announcement(announcement_id: int, notify_author: bool = False) -> int:
    """Once per announcement: email an urgent one to its audience; tell the author of a scheduled
    one that it is out.  Returns the number of emails queued (0 when already delivered)."""
    now = utcnow()
    if not claim(Announcement.delivered_at, announcement_id, now,
                 Announcement.status != AnnouncementStatus.DRAFT, Announcement.publish_at <= now):
        db.session.rollback()
        return 0
    announcement = db.session.get(Announcement, announcement_id)
    sent = 0
    if announcement.urgent:
        sent = _email_audience(announcement)
    if notify_author and announcement.author_id:
        notify([announcement.author_id], ANNOUNCEMENT_PUBLISHED.code,
               link=site_path("communication.announcements.detail", announcement_id=announcement.id), title=announcement.title)
    # Emails are dispatched after this commit (lms.jobs defers them): a failure before it
    # leaves ``delivered_at`` empty and the retry starts again, without duplicates.
    db.session.commit()
    return sent


def _email_audience(announcement: Announcement) -> int:
    link = absolute_url("communication.announcements.detail", announcement_id=announcement.id)
    author = db.session.get(User, announcement.author_id) if announcement.author_id else None
    body_html = render_body(announcement.body, announcement.body_format)
    body_text = plain_text(announcement.body, announcement.body_format)
    count = 0
    for user in db.session.scalars(audience.audience_members(announcement).where(
            User.email.is_not(None), email_preferences.receives(EmailKind.ANNOUNCEMENTS))):
        send_optional_email(user, EmailKind.ANNOUNCEMENTS, _l("Urgent: %(title)s", title=announcement.title),
                            "announcement", announcement=announcement, author=author, link=link,
                            body_html=body_html, body_text=body_text)
        count += 1
    log.info("announcement %s: urgent email queued for %d people", announcement.id, count)
    return count


def pending_delivery_ids() -> list[int]:
    """Published announcements whose delivery has not run (e.g. the worker was down)."""
    return list(db.session.scalars(select(Announcement.id).where(
        Announcement.status == AnnouncementStatus.PUBLISHED, Announcement.delivered_at.is_(None),
        Announcement.publish_at <= utcnow())))
