"""Teaching-session announcements: urgent, scheduled (shown from ``scheduled_for``), expiring.

Titles are unique per session among announcements that are not deleted (a deleted one frees its
title).  Students see only live ones: active, not deleted, ``scheduled_for`` passed (or empty) and
``expires_at`` not passed.  An urgent announcement is emailed once to the session's enrolled students
when it becomes visible (``lms.teaching.jobs.email_urgent_announcement`` through RQ).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import or_, select

from lms.audit.services import record
from lms.common.errors import Conflict, ValidationFailed
from lms.common.services import flush_or_raise, get_visible, is_taken
from lms.common.types import utcnow
from lms.extensions import db
from lms.jobs import enqueue
from lms.teaching import limits, rules
from lms.teaching.jobs import email_urgent_announcement
from lms.teaching.models import CourseSession, CourseSessionAnnouncement
from lms.teaching.services import get_session_for

A = CourseSessionAnnouncement


def duplicate_title() -> Conflict:
    message = _("An announcement with this title already exists in this session")
    return Conflict(message, code="DUPLICATE_ANNOUNCEMENT_TITLE", details={"field": "title", "reason": message})


def live_condition(now=None):
    now = now or utcnow()
    return (A.is_deleted.is_(False), A.is_active.is_(True),
            or_(A.scheduled_for.is_(None), A.scheduled_for <= now),
            or_(A.expires_at.is_(None), A.expires_at > now))


def announcements_query(course_session: CourseSession, *, is_urgent: bool | None = None,
                        active_only: bool = False, live_only: bool = False):
    """A SELECT of the session's (not deleted) announcements, urgent first then newest."""
    stmt = select(A).where(A.course_session_id == course_session.id, A.is_deleted.is_(False))
    now = utcnow()
    if is_urgent is not None:
        stmt = stmt.where(A.is_urgent.is_(is_urgent))
    if active_only:
        stmt = stmt.where(or_(A.expires_at.is_(None), A.expires_at > now))
    if live_only:
        stmt = stmt.where(*live_condition(now))
    return stmt.order_by(A.is_urgent.desc(), A.created_at.desc(), A.id.desc())


def get_announcement_for(actor, course_session: CourseSession, announcement_id) -> CourseSessionAnnouncement:
    return get_visible(select(A).where(A.course_session_id == course_session.id, A.is_deleted.is_(False)), A,
                       announcement_id, rules.announcement_not_found())


def _parse(data: dict, current: CourseSessionAnnouncement | None) -> dict:
    values = {}
    if current is None or "title" in data:
        values["title"] = rules.parse_text(data.get("title"), "title",
                                           _("Title must be between 2 and 255 characters"),
                                           minimum=rules.TITLE_MIN, maximum=rules.TITLE_MAX, collapse=True)
    if current is None or "message" in data:
        values["message"] = rules.parse_text(data.get("message"), "message",
                                             _("Message must be between 10 and 2000 characters"),
                                             minimum=rules.MESSAGE_MIN, maximum=rules.MESSAGE_MAX)
    if "is_urgent" in data and data["is_urgent"] is not None:
        values["is_urgent"] = rules.parse_bool(data["is_urgent"], "is_urgent")
    if "scheduled_for" in data:
        values["scheduled_for"] = rules.parse_datetime(data["scheduled_for"], "scheduled_for", _("scheduled_for"))
    if "expires_at" in data:
        values["expires_at"] = rules.parse_datetime(data["expires_at"], "expires_at", _("expires_at"))
    scheduled = values.get("scheduled_for", current.scheduled_for if current else None)
    expires = values.get("expires_at", current.expires_at if current else None)
    if expires is not None and scheduled is not None and expires <= scheduled:
        raise ValidationFailed(_("expires_at must be after scheduled_for"), field="expires_at")
    if expires is not None and scheduled is None and ("expires_at" in values) and expires <= utcnow():
        raise ValidationFailed(_("expires_at must be in the future"), field="expires_at")
    return values


def _title_taken(session_id: int, title: str, except_id: int | None = None) -> bool:
    return is_taken(A.id, A.course_session_id == session_id, A.title == title, A.is_deleted.is_(False),
                    except_id=except_id)


def _queue_email_if_due(announcement: CourseSessionAnnouncement) -> None:
    now = utcnow()
    if announcement.is_urgent and announcement.emailed_at is None and (
            announcement.scheduled_for is None or announcement.scheduled_for <= now):
        enqueue(email_urgent_announcement, announcement.id)


def create_announcement(actor, course_session: CourseSession, data: dict) -> CourseSessionAnnouncement:
    get_session_for(actor, course_session.id, api=True)
    limits.hit("TEACHING_ANNOUNCEMENT_LIMIT_PER_SESSION", course_session.id)
    values = _parse(data, None)
    if _title_taken(course_session.id, values["title"]):
        raise duplicate_title()
    ip = rules.client_ip()
    announcement = A(tenant_id=course_session.tenant_id, course_session_id=course_session.id,
                     created_by=actor.id, created_ip=ip, **values)
    with flush_or_raise(duplicate_title()):
        db.session.add(announcement)
    record(actor, "course_session.announcement_create", announcement, session_id=course_session.id,
           title=announcement.title, urgent=announcement.is_urgent)
    _queue_email_if_due(announcement)
    return announcement


def update_announcement(actor, course_session: CourseSession, announcement: CourseSessionAnnouncement,
                        data: dict) -> CourseSessionAnnouncement:
    get_session_for(actor, course_session.id, api=True)
    values = _parse(data, announcement)
    if "title" in values and _title_taken(course_session.id, values["title"], announcement.id):
        raise duplicate_title()
    with flush_or_raise(duplicate_title()):
        for key, value in values.items():
            setattr(announcement, key, value)
        announcement.updated_by, announcement.updated_ip = actor.id, rules.client_ip()
    record(actor, "course_session.announcement_update", announcement, session_id=course_session.id,
           fields=sorted(values))
    _queue_email_if_due(announcement)
    return announcement


def delete_announcement(actor, course_session: CourseSession, announcement: CourseSessionAnnouncement) -> None:
    """Soft delete (its title can be used again)."""
    get_session_for(actor, course_session.id, api=True)
    announcement.is_deleted, announcement.is_active = True, False
    announcement.deleted_at, announcement.updated_by = utcnow(), actor.id
    db.session.flush()
    record(actor, "course_session.announcement_delete", announcement, session_id=course_session.id,
           title=announcement.title)
