"""Announcement rules: writing (draft → scheduled → published, expiry, urgent), reading, read status.

Authors: admins (any target) and teachers (their own classrooms, or chosen students of
theirs and those students' parents).  A teacher manages only their own announcements;
admins manage all of them.  Readers see the live announcements targeted at them
(``lms.communication.audience``); opening one marks it read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, literal, or_, select

from lms.audit.services import record
from lms.auth.models import Role, User, normalise_email
from lms.common.errors import Forbidden, NotFound, ValidationFailed
from lms.common.ids import as_id
from lms.common.services import flush_or_raise, get_visible
from lms.common.types import UTCDateTime, utcnow
from lms.communication import audience
from lms.communication.models import (
    Announcement,
    AnnouncementPerson,
    AnnouncementRead,
    AnnouncementStatus,
    BodyFormat,
    TargetKind,
)
from lms.communication.notifications import unread_notifications_count
from lms.extensions import db
from lms.jobs import enqueue
from lms.school.models import Level, ParentLink
from lms.school.services import get_classroom_for, visible_students

MAX_TITLE = 200
MAX_BODY = 20000
MAX_PEOPLE = 500
TEACHER_TARGETS = (TargetKind.CLASSROOM, TargetKind.PEOPLE)
PAST_GRACE = timedelta(minutes=2)  # a publication time just typed is "now", not "in the past"


@dataclass
class AnnouncementInput:
    """What the form sends, already parsed (datetimes aware UTC or None)."""

    title: str = ""
    body: str = ""
    body_format: str = BodyFormat.MARKDOWN
    target_kind: str = ""
    level_id: int | None = None
    classroom_id: int | None = None
    include_parents: bool = False
    people: str = ""
    urgent: bool = False
    publish_at: datetime | None = None
    expires_at: datetime | None = None


def can_author(actor) -> bool:
    return actor is not None and actor.role in (Role.ADMIN, Role.TEACHER)


def allowed_targets(actor) -> tuple[str, ...]:
    if actor.role == Role.ADMIN:
        return tuple(TargetKind)
    if actor.role == Role.TEACHER:
        return TEACHER_TARGETS
    return ()


# --- validation --------------------------------------------------------------------------------

EMAIL_SPLIT = re.compile(r"[\s,;]+")


def _resolve_people(actor, text: str) -> list[int]:
    emails = [normalise_email(e) for e in EMAIL_SPLIT.split(text or "") if e.strip()]
    emails = list(dict.fromkeys(emails))
    if not emails:
        raise ValidationFailed(_("Enter the email address of at least one person."), field="people")
    if len(emails) > MAX_PEOPLE:
        raise ValidationFailed(_("Choose at most %(n)d people; use a classroom or a level for more.", n=MAX_PEOPLE),
                               field="people")
    stmt = select(User.email, User.id).where(User.email.in_(emails), User.active.is_(True))
    if actor.role != Role.ADMIN:
        mine = visible_students(actor).with_only_columns(User.id)
        stmt = stmt.where(or_(User.id.in_(mine), User.id.in_(
            select(ParentLink.parent_id).where(ParentLink.student_id.in_(mine)))))
    found = dict(db.session.execute(stmt).all())
    unknown = [e for e in emails if e not in found]
    if unknown:
        if actor.role == Role.ADMIN:
            message = _("No active account has these addresses: %(emails)s.", emails=", ".join(unknown))
        else:
            message = _("These are not students of your classes or their parents: %(emails)s.",
                        emails=", ".join(unknown))
        raise ValidationFailed(message, field="people")
    return [found[e] for e in emails]


def _validate(actor, data: AnnouncementInput, *, publishing: bool, existing: Announcement | None):
    """Check everything first (nothing is stored when something is wrong); returns clean values."""
    if not can_author(actor):
        raise Forbidden(_("Only administrators and teachers can write announcements."))
    title, body = _clean_title_and_body(data)
    values = _target_values(actor, data)
    publish_at, expires_at = _publication_times(data, publishing=publishing, existing=existing)
    values.update(title=title, body=body, body_format=data.body_format, urgent=bool(data.urgent),
                  publish_at=publish_at, expires_at=expires_at)
    return values


def _clean_title_and_body(data: AnnouncementInput) -> tuple[str, str]:
    title = (data.title or "").strip()
    if not title:
        raise ValidationFailed(_("Give the announcement a title."), field="title")
    if len(title) > MAX_TITLE:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=MAX_TITLE), field="title")
    body = (data.body or "").replace("\r\n", "\n").strip()
    if len(body) > MAX_BODY:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=MAX_BODY), field="body")
    if data.body_format not in tuple(BodyFormat):
        raise ValidationFailed(_("Choose Markdown or plain text."), field="body_format")
    return title, body


def _target_values(actor, data: AnnouncementInput) -> dict:
    """The audience columns: a level, a classroom or chosen people, as the actor may choose them."""
    kind = data.target_kind
    if kind not in tuple(TargetKind):
        raise ValidationFailed(_("Choose who the announcement is for."), field="target_kind")
    if kind not in allowed_targets(actor):
        raise Forbidden(_("Teachers can announce to their own classrooms or to chosen students and parents."))
    values = {"target_kind": kind, "target_level_id": None, "target_classroom_id": None,
              "include_parents": False, "people": []}
    if kind == TargetKind.LEVEL:
        level = db.session.get(Level, data.level_id) if data.level_id else None
        if level is None:
            raise ValidationFailed(_("Choose a level."), field="level_id")
        values.update(target_level_id=level.id, include_parents=bool(data.include_parents))
    elif kind == TargetKind.CLASSROOM:
        try:
            classroom = get_classroom_for(actor, data.classroom_id) if data.classroom_id else None
        except NotFound:
            classroom = None
        if classroom is None:
            raise ValidationFailed(_("Choose one of your classrooms."), field="classroom_id")
        values.update(target_classroom_id=classroom.id, include_parents=bool(data.include_parents))
    elif kind == TargetKind.PEOPLE:
        values["people"] = _resolve_people(actor, data.people)
    return values


def _publication_times(data: AnnouncementInput, *, publishing: bool, existing: Announcement | None):
    now = utcnow()
    publish_at, expires_at = data.publish_at, data.expires_at
    already_live = existing is not None and existing.status != AnnouncementStatus.DRAFT and \
        existing.publish_at is not None and existing.publish_at <= now
    if publishing:
        if already_live and (publish_at is None or publish_at <= now):
            publish_at = existing.publish_at           # editing a published announcement keeps its date
        elif publish_at is None or now - PAST_GRACE <= publish_at <= now:
            publish_at = now  # a time in the future, however near, schedules it
        elif publish_at < now:
            raise ValidationFailed(_("That publication time has passed. Leave it empty to publish now."),
                                   field="publish_at")
    if expires_at is not None:
        if expires_at <= (publish_at or now):
            raise ValidationFailed(_("The expiry must be after the publication time."), field="expires_at")
    return publish_at, expires_at

def _save(announcement: Announcement, values: dict, *, publishing: bool) -> None:
    people = values.pop("people")
    with flush_or_raise(ValidationFailed(_("The announcement could not be saved; check the dates and the "
                                           "audience."))):
        db.session.add(announcement)
        for key, value in values.items():
            setattr(announcement, key, value)
        if publishing:
            announcement.status = (AnnouncementStatus.SCHEDULED if announcement.publish_at > utcnow()
                                   else AnnouncementStatus.PUBLISHED)
        else:
            announcement.status = AnnouncementStatus.DRAFT
        db.session.flush()
        db.session.execute(AnnouncementPerson.__table__.delete().where(
            AnnouncementPerson.announcement_id == announcement.id))
        if people:
            db.session.execute(AnnouncementPerson.__table__.insert(),
                               [{"announcement_id": announcement.id, "user_id": i} for i in people])


def _after_save(actor, announcement: Announcement, action: str) -> None:
    record(actor, action, announcement, title=announcement.title, status=announcement.status,
           target=announcement.target_kind, urgent=announcement.urgent)
    if announcement.status == AnnouncementStatus.PUBLISHED and announcement.delivered_at is None:
        # import cycle: communication.jobs imports this module
        from lms.communication.jobs import deliver_announcement

        enqueue(deliver_announcement, announcement.id)


def create_announcement(actor, data: AnnouncementInput, *, publish: bool = False) -> Announcement:
    """A new announcement: a draft, or published now / scheduled for ``publish_at``."""
    values = _validate(actor, data, publishing=publish, existing=None)
    announcement = Announcement(author_id=actor.id)
    _save(announcement, values, publishing=publish)
    _after_save(actor, announcement, "announcement.create")
    return announcement


def update_announcement(actor, announcement: Announcement, data: AnnouncementInput, *,
                        publish: bool = False) -> Announcement:
    """Change an announcement; ``publish=False`` (save as draft) also withdraws a published one."""
    values = _validate(actor, data, publishing=publish, existing=announcement)
    _save(announcement, values, publishing=publish)
    _after_save(actor, announcement, "announcement.update")
    return announcement


def delete_announcement(actor, announcement: Announcement) -> None:
    record(actor, "announcement.delete", announcement, title=announcement.title)
    db.session.delete(announcement)
    db.session.flush()


# --- finding ----------------------------------------------------------------------------------


def manageable(actor):
    """A SELECT of the announcements ``actor`` may edit (admins: all; teachers: their own)."""
    stmt = select(Announcement)
    if actor.role == Role.ADMIN:
        return stmt
    if actor.role == Role.TEACHER:
        return stmt.where(Announcement.author_id == actor.id)
    return stmt.where(Announcement.id.is_(None))


def get_manageable(actor, announcement_id) -> Announcement:
    return get_visible(manageable(actor), Announcement, announcement_id,
                       _("That announcement does not exist or is not yours."))


def manage_query(actor, *, status: str = "", q: str = ""):
    """The authors' list: ``status`` is DRAFT, SCHEDULED, PUBLISHED or EXPIRED (as readers see it)."""
    now = utcnow()
    a = Announcement
    stmt = manageable(actor)
    not_draft = a.status != AnnouncementStatus.DRAFT
    if status == "DRAFT":
        stmt = stmt.where(a.status == AnnouncementStatus.DRAFT)
    elif status == "SCHEDULED":
        stmt = stmt.where(not_draft, a.publish_at > now)
    elif status == "PUBLISHED":
        stmt = stmt.where(audience.live(now))
    elif status == "EXPIRED":
        stmt = stmt.where(not_draft, a.expires_at <= now)
    q = (q or "").strip().lower()
    if q:
        stmt = stmt.where(func.lower(a.title).like(f"%{q}%"))
    return stmt.order_by(a.created_at.desc(), a.id.desc())


def people_emails(announcement: Announcement) -> list[str]:
    return list(db.session.scalars(
        select(User.email).join(AnnouncementPerson, AnnouncementPerson.user_id == User.id)
        .where(AnnouncementPerson.announcement_id == announcement.id).order_by(User.email)))


def _read_by(user):
    return exists().where(AnnouncementRead.announcement_id == Announcement.id, AnnouncementRead.user_id == user.id)


def inbox(user, *, unread_only: bool = False):
    """A SELECT of (Announcement, read_at) live for ``user``: urgent unread first, then newest."""
    read_at = (select(AnnouncementRead.read_at).where(AnnouncementRead.announcement_id == Announcement.id,
                                                      AnnouncementRead.user_id == user.id)
               .scalar_subquery().label("read_at"))
    stmt = select(Announcement, read_at).where(audience.live(), audience.visible_to(user))
    if unread_only:
        stmt = stmt.where(~_read_by(user))
    return stmt.order_by(and_(Announcement.urgent, read_at.is_(None)).desc(), Announcement.publish_at.desc(),
                         Announcement.id.desc())


def get_for_reader(user, announcement_id, *, options=()) -> tuple[Announcement, bool]:
    """``(announcement, as_reader)``: a live announcement targeted at ``user``; otherwise one the
    user manages (a preview, e.g. a draft); otherwise NotFound."""
    ident = as_id(announcement_id)
    if ident:
        announcement = db.session.scalar(select(Announcement).where(
            Announcement.id == ident, audience.live(), audience.visible_to(user)).options(*options))
        if announcement is not None:
            return announcement, True
        announcement = db.session.scalar(manageable(user).where(Announcement.id == ident)
                                         .options(*options))
        if announcement is not None:
            return announcement, False
    raise NotFound(_("That announcement does not exist or is not for you."))


# --- read status -------------------------------------------------------------------------------


def _insert_ignoring_duplicates(rows_select):
    """INSERT INTO announcement_read (...) SELECT ... ON CONFLICT DO NOTHING (both databases)."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(AnnouncementRead).from_select(["announcement_id", "user_id", "read_at"], rows_select)
    return db.session.execute(stmt.on_conflict_do_nothing())


def mark_read(user, announcement: Announcement) -> None:
    """``user`` has opened ``announcement`` (only counts when it is for them)."""
    _insert_ignoring_duplicates(select(
        literal(announcement.id), literal(user.id), literal(utcnow(), UTCDateTime())))


def mark_all_read(user) -> int:
    """Every live announcement for ``user`` is read now (one INSERT ... SELECT)."""
    result = _insert_ignoring_duplicates(
        select(Announcement.id, literal(user.id), literal(utcnow(), UTCDateTime()))
        .where(audience.live(), audience.visible_to(user), ~_read_by(user)))
    return result.rowcount or 0


def unread_announcements_count(user):
    """Live announcements for ``user`` they have not opened, as a scalar SQL expression."""
    return (select(func.count()).select_from(Announcement)
            .where(audience.live(), audience.visible_to(user), ~_read_by(user)).scalar_subquery())


def unread_count(user) -> int:
    """Unread announcements + unread notifications: ONE query (the navigation badge)."""
    return db.session.scalar(select(unread_announcements_count(user) + unread_notifications_count(user))) or 0


# --- read counts for authors -------------------------------------------------------------------


def read_counts(announcements) -> dict[int, tuple[int, int]]:
    """``{id: (readers in the current audience, audience size)}`` in a constant number of queries."""
    items = list(announcements)
    if not items:
        return {}
    sizes = audience.audience_sizes(items)
    reads = dict(db.session.execute(
        select(AnnouncementRead.announcement_id, func.count())
        .join(Announcement, Announcement.id == AnnouncementRead.announcement_id)
        .join(User, User.id == AnnouncementRead.user_id)
        .where(AnnouncementRead.announcement_id.in_([a.id for a in items]), audience.contains(User))
        .group_by(AnnouncementRead.announcement_id)).all())
    return {a.id: (reads.get(a.id, 0), sizes.get(a.id, 0)) for a in items}


def readers(announcement: Announcement):
    """Rows of (User, read_at or None) for everyone in the audience: unread first, then by name."""
    members = audience.audience_members(announcement).subquery()
    read_at = AnnouncementRead.read_at
    return (select(User, read_at)
            .join(members, members.c.id == User.id)
            .outerjoin(AnnouncementRead, and_(AnnouncementRead.announcement_id == announcement.id,
                                              AnnouncementRead.user_id == User.id))
            .order_by(read_at.is_not(None), User.role, User.full_name, User.id))


# --- the periodic job's part --------------------------------------------------------------------


def due_scheduled_ids(now: datetime | None = None) -> list[int]:
    now = now or utcnow()
    return list(db.session.scalars(select(Announcement.id).where(
        Announcement.status == AnnouncementStatus.SCHEDULED, Announcement.publish_at <= now)))
