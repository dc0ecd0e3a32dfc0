"""Moderation by the teachers of a space (and admins): hide, delete, lock, mute, reports, held items.

Every action is audited (``lms.audit``).  Hidden items stay for their author, marked "hidden by
your teacher"; deleted ones are gone (the audit keeps who wrote it and its length, not its text).
A student reports a post or comment once, with a reason; the queue lists the open reports and the
items held by the word filter of the streams the reader moderates (admins: all).
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from lms.audit.services import record
from lms.auth.models import Role, User
from lms.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from lms.common.services import flush_or_raise, get_visible
from lms.common.types import utcnow
from lms.extensions import db
from lms.streams.models import (
    REASON_MAX,
    ItemStatus,
    ReportStatus,
    Stream,
    StreamComment,
    StreamMute,
    StreamPost,
    StreamReport,
)
from lms.streams.posting import announce, touch
from lms.streams.spaces import Space, managed_streams, member_ids

MUTE_DURATIONS = {"1h": (timedelta(hours=1), _l("1 hour")), "1d": (timedelta(days=1), _l("1 day")),
                  "1w": (timedelta(weeks=1), _l("1 week"))}


def require_manager(space: Space) -> None:
    if not space.is_manager:
        raise Forbidden(_("Only the teachers of this space can do that."))


def _kind_of(item) -> str:
    return "post" if isinstance(item, StreamPost) else "comment"


def _close_reports(actor, item) -> None:
    column = StreamReport.post_id if isinstance(item, StreamPost) else StreamReport.comment_id
    db.session.execute(update(StreamReport).where(column == item.id, StreamReport.status == ReportStatus.OPEN)
                       .values(status=ReportStatus.HANDLED, handled_by_id=actor.id, handled_at=utcnow())
                       .execution_options(synchronize_session=False))


def set_hidden(actor, space: Space, item, hidden: bool) -> None:
    require_manager(space)
    item.status = ItemStatus.HIDDEN if hidden else ItemStatus.VISIBLE
    item.moderated_by_id = actor.id
    if hidden:
        _close_reports(actor, item)
    record(actor, f"stream.{_kind_of(item)}_{'hide' if hidden else 'show'}", item, stream_id=space.stream.id,
           author_id=item.author_id)
    touch(space.stream)


def review_held(actor, space: Space, item, approve: bool) -> None:
    """A held item: approved it is shown (and its notifications go out), rejected it is hidden."""
    require_manager(space)
    if item.status != ItemStatus.HELD:
        raise Conflict(_("This was already reviewed."))
    item.status = ItemStatus.VISIBLE if approve else ItemStatus.HIDDEN
    item.moderated_by_id = actor.id
    record(actor, f"stream.{_kind_of(item)}_{'approve' if approve else 'reject'}", item,
           stream_id=space.stream.id, author_id=item.author_id)
    touch(space.stream)
    if approve:
        post = item if isinstance(item, StreamPost) else db.session.get(StreamPost, item.post_id)
        announce(space, actor, item, post)


def delete_item(actor, space: Space, item) -> None:
    require_manager(space)
    record(actor, f"stream.{_kind_of(item)}_delete", item, stream_id=space.stream.id, author_id=item.author_id,
           length=len(item.body))
    db.session.delete(item)
    db.session.flush()
    touch(space.stream)


def set_locked(actor, space: Space, post: StreamPost, locked: bool) -> None:
    require_manager(space)
    post.locked = bool(locked)
    record(actor, "stream.post_lock" if locked else "stream.post_unlock", post, stream_id=space.stream.id)
    touch(space.stream)


# --- mutes ---------------------------------------------------------------------------------------


def _member_student(space: Space, student_id) -> User:
    stmt = select(User).where(User.role == Role.STUDENT, User.id.in_(member_ids(space)))
    return get_visible(stmt, User, student_id, NotFound(_("That student is not in this space.")))


def mute(actor, space: Space, student_id, duration: str) -> StreamMute:
    require_manager(space)
    if duration not in MUTE_DURATIONS:
        raise ValidationFailed(_("Choose how long: 1 hour, 1 day or 1 week."), field="duration")
    student = _member_student(space, student_id)
    until = utcnow() + MUTE_DURATIONS[duration][0]
    found = db.session.scalar(select(StreamMute).where(StreamMute.stream_id == space.stream.id,
                                                       StreamMute.student_id == student.id))
    if found is None:
        found = StreamMute(stream_id=space.stream.id, student_id=student.id, until=until, muted_by_id=actor.id)
        with flush_or_raise(Conflict(_("This student was just muted in another tab."))):
            db.session.add(found)
    else:
        found.until, found.muted_by_id = until, actor.id
    record(actor, "stream.mute", found, stream_id=space.stream.id, student_id=student.id, duration=duration)
    touch(space.stream)
    return found


def unmute(actor, space: Space, student_id) -> None:
    require_manager(space)
    found = db.session.scalar(select(StreamMute).where(StreamMute.stream_id == space.stream.id,
                                                       StreamMute.student_id == student_id))
    if found is None:
        raise NotFound(_("That student is not muted here."))
    record(actor, "stream.unmute", found, stream_id=space.stream.id, student_id=found.student_id)
    db.session.delete(found)
    db.session.flush()
    touch(space.stream)


def mutes_of(space: Space) -> list[tuple[StreamMute, str]]:
    return list(db.session.execute(
        select(StreamMute, User.full_name).join(User, User.id == StreamMute.student_id)
        .where(StreamMute.stream_id == space.stream.id, StreamMute.until > utcnow()).order_by(User.full_name)))


# --- reports -------------------------------------------------------------------------------------


def report(actor, space: Space, item, reason) -> StreamReport:
    if space.is_manager:
        raise Forbidden(_("Teachers hide or delete instead of reporting."))
    text = " ".join(str(reason or "").split())
    if "\x00" in text or not text:
        raise ValidationFailed(_("Say what is wrong."), field="reason")
    if len(text) > REASON_MAX:
        raise ValidationFailed(_("The reason is too long (%(max)s characters at most).", max=REASON_MAX),
                               field="reason")
    if item.author_id == actor.id:
        raise Forbidden(_("You cannot report what you wrote."))
    is_post = isinstance(item, StreamPost)
    entry = StreamReport(stream_id=space.stream.id, post_id=item.id if is_post else None,
                         comment_id=None if is_post else item.id, reporter_id=actor.id, reason=text)
    with flush_or_raise(Conflict(_("You already reported this; your teacher will look at it."))):
        db.session.add(entry)
    touch(space.stream)
    return entry


def get_report_for(actor, report_id) -> StreamReport:
    """A report of a stream ``actor`` moderates, else NotFound."""
    return get_visible(select(StreamReport).where(StreamReport.stream_id.in_(managed_streams(actor))),
                       StreamReport, report_id, NotFound(_("That report does not exist.")))


def dismiss_report(actor, entry: StreamReport) -> StreamReport:
    if entry.status != ReportStatus.OPEN:
        raise Conflict(_("This report was already handled."))
    entry.status, entry.handled_by_id, entry.handled_at = ReportStatus.HANDLED, actor.id, utcnow()
    record(actor, "stream.report_dismiss", entry, stream_id=entry.stream_id)
    touch(db.session.get(Stream, entry.stream_id))
    return entry


# --- the queue -----------------------------------------------------------------------------------


def open_reports(actor) -> list[StreamReport]:
    return list(db.session.scalars(
        select(StreamReport).where(StreamReport.status == ReportStatus.OPEN,
                                   StreamReport.stream_id.in_(managed_streams(actor)))
        .order_by(StreamReport.created_at).limit(200)))


def held_posts(actor) -> list[StreamPost]:
    return list(db.session.scalars(
        select(StreamPost).where(StreamPost.status == ItemStatus.HELD, StreamPost.stream_id.in_(managed_streams(actor)))
        .options(joinedload(StreamPost.author)).order_by(StreamPost.created_at).limit(200)))


def held_comments(actor) -> list[tuple[StreamComment, int]]:
    return list(db.session.execute(
        select(StreamComment, StreamPost.stream_id).join(StreamPost, StreamPost.id == StreamComment.post_id)
        .where(StreamComment.status == ItemStatus.HELD, StreamPost.stream_id.in_(managed_streams(actor)))
        .options(joinedload(StreamComment.author)).order_by(StreamComment.created_at).limit(200)))


def set_students_may_post(actor, space: Space, allowed: bool) -> None:
    """The switch of a classroom's or a subject's stream (a teaching session has its own setting)."""
    require_manager(space)
    space.stream.students_may_post = allowed
    record(actor, "stream.students_may_post", space.stream, allowed=allowed)
    touch(space.stream)
