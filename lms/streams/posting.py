"""Writing in a stream: posts (teachers; students' questions where allowed), comments one level
deep, reactions, pins, scheduled posts, and the notifications of replies and @mentions.

Every change moves the stream's ``version`` and ``changed_at`` (``touch``) in the same transaction,
so a poll sees it.  A student's post or comment that contains a filtered word is HELD: its author
sees "waiting for review", a teacher approves or rejects it from the moderation queue.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from lms.auth.models import Role, User
from lms.common.errors import Forbidden, ValidationFailed
from lms.common.services import flush_or_raise
from lms.common.types import utcnow
from lms.communication.notifications import notify, register_kind
from lms.core.localtime import to_local
from lms.extensions import db
from lms.streams import words
from lms.streams.models import (
    BODY_MAX,
    REACTIONS,
    ItemStatus,
    Stream,
    StreamComment,
    StreamMute,
    StreamPost,
    StreamReaction,
)
from lms.streams.spaces import Space, member_ids

STREAM_REPLY = register_kind("stream_reply", _l("%(name)s replied to your post in “%(space)s”."))
STREAM_MENTION = register_kind("stream_mention", _l("%(name)s mentioned you in “%(space)s”."))


def touch(stream: Stream, *, next_publish_at: datetime | None = None) -> None:
    """Something in the stream changed: one UPDATE (safe with two tabs: no lost increment)."""
    values = {"version": Stream.version + 1, "changed_at": utcnow()}
    if next_publish_at is not None:
        current = stream.next_publish_at
        values["next_publish_at"] = min(next_publish_at, current) if current else next_publish_at
    db.session.execute(update(Stream).where(Stream.id == stream.id).values(**values)
                       .execution_options(synchronize_session=False))
    db.session.expire(stream)


def clean_body(raw, field: str = "body") -> str:
    text = str(raw or "").replace("\r\n", "\n").strip()
    if "\x00" in text:
        raise ValidationFailed(_("The text contains a character that cannot be stored."), field=field)
    if not text:
        raise ValidationFailed(_("Write something first."), field=field)
    if len(text) > BODY_MAX:
        raise ValidationFailed(_("The text is too long (%(max)s characters at most, this has %(count)s).",
                                 max=BODY_MAX, count=len(text)), field=field)
    return text


# --- who may write -------------------------------------------------------------------------------


def active_mute(stream: Stream, user) -> StreamMute | None:
    return db.session.scalar(select(StreamMute).where(StreamMute.stream_id == stream.id,
                                                      StreamMute.student_id == user.id,
                                                      StreamMute.until > utcnow()))


def muted_message(mute: StreamMute) -> str:
    return _("Your teacher muted you in this stream until %(when)s.",
             when=to_local(mute.until).strftime("%Y-%m-%d %H:%M"))


def refusal(space: Space, actor) -> str | None:
    """Why ``actor`` may not write here now (None: they may).  Students write (questions and
    comments) only where the teacher opened the stream, and not while muted."""
    if space.is_manager:
        return None
    if actor.role != Role.STUDENT:
        return _("Only the teachers and students of this space can write here.")
    mute = active_mute(space.stream, actor)
    if mute is not None:
        return muted_message(mute)
    if not space.students_may_post():  # closed: students read and react (posts and comments alike)
        return _("Your teacher has not opened this stream to students' questions.")
    return None


def _require_may_write(space: Space, actor) -> None:
    reason = refusal(space, actor)
    if reason:
        raise Forbidden(reason)


def _status_for(space: Space, body: str) -> str:
    if not space.is_manager and words.matches(body):
        return ItemStatus.HELD
    return ItemStatus.VISIBLE


# --- posts ---------------------------------------------------------------------------------------


def create_post(actor, space: Space, body, publish_at: datetime | None = None) -> StreamPost:
    _require_may_write(space, actor)
    text = clean_body(body)
    now = utcnow()
    if publish_at is not None:
        if not space.is_manager:
            raise Forbidden(_("Only teachers can schedule posts."))
        if publish_at <= now:
            publish_at = None
    post = StreamPost(stream_id=space.stream.id, author_id=actor.id, body=text, is_question=not space.is_manager,
                      status=_status_for(space, text), publish_at=publish_at or now)
    db.session.add(post)
    db.session.flush()
    touch(space.stream, next_publish_at=publish_at)
    if post.status == ItemStatus.VISIBLE and publish_at is None:
        announce(space, actor, post, post)
    return post


def set_pinned(actor, space: Space, post: StreamPost, pinned: bool) -> None:
    from lms.streams.moderation import require_manager

    require_manager(space)
    post.pinned = bool(pinned)
    touch(space.stream)


# --- comments ------------------------------------------------------------------------------------


def create_comment(actor, space: Space, post: StreamPost, body) -> StreamComment:
    _require_may_write(space, actor)
    if post.locked:
        raise Forbidden(_("This thread is locked: no new comments."))
    if post.status != ItemStatus.VISIBLE and not space.is_manager:
        raise Forbidden(_("This post cannot take comments."))
    text = clean_body(body)
    comment = StreamComment(post_id=post.id, author_id=actor.id, body=text, status=_status_for(space, text))
    db.session.add(comment)
    db.session.flush()
    touch(space.stream)
    if comment.status == ItemStatus.VISIBLE:
        announce(space, actor, comment, post)
    return comment


# --- reactions -----------------------------------------------------------------------------------


def react(actor, space: Space, post: StreamPost, emoji: str) -> str | None:
    """Toggle: the same reaction again removes it, another replaces it.  Returns the reaction now."""
    if emoji not in REACTIONS:
        raise ValidationFailed(_("Choose one of the reactions."), field="emoji")
    if post.status != ItemStatus.VISIBLE:
        raise Forbidden(_("This post cannot take reactions."))
    current = db.session.scalar(select(StreamReaction).where(StreamReaction.post_id == post.id,
                                                             StreamReaction.user_id == actor.id))
    if current is not None and current.emoji == emoji:
        db.session.execute(delete(StreamReaction).where(StreamReaction.id == current.id))
        result = None
    elif current is not None:
        current.emoji = emoji
        result = emoji
    else:
        with flush_or_raise(ValidationFailed(_("Your reaction was already saved in another tab."))):
            db.session.add(StreamReaction(post_id=post.id, user_id=actor.id, emoji=emoji))
        result = emoji
    db.session.flush()
    touch(space.stream)
    return result


# --- notifications -------------------------------------------------------------------------------


def mentioned_ids(space: Space, text: str, author_id: int) -> list[int]:
    """The people of the space written as ``@Full Name`` in ``text`` (not the author)."""
    if "@" not in text:
        return []
    folded = text.casefold()
    people = db.session.execute(select(User.id, User.full_name).where(User.id.in_(member_ids(space))))
    return [pid for pid, name in people
            if pid != author_id and name and f"@{name.casefold()}" in folded]


def announce(space: Space, author, item, post: StreamPost) -> None:
    """Notify of a visible post or comment: the post's author of a reply, the people @mentioned."""
    link = stream_url(space) + f"#post-{post.id}"
    mentioned = mentioned_ids(space, item.body, item.author_id)
    name = db.session.scalar(select(User.full_name).where(User.id == item.author_id)) or ""
    if mentioned:
        notify(mentioned, STREAM_MENTION.code, link=link, name=name, space=space.title)
    if isinstance(item, StreamComment) and post.author_id != item.author_id and post.author_id not in mentioned:
        notify([post.author_id], STREAM_REPLY.code, link=link, name=name, space=space.title)


def stream_endpoint(space: Space) -> tuple[str, dict]:
    """The endpoint of the space's stream page and its URL arguments."""
    if space.kind == "classroom":
        return "streams.stream.classroom", {"classroom_id": space.target.id}
    if space.kind == "subject":
        return "streams.stream.subject", {"subject_id": space.target.id}
    return "streams.stream.course_session", {"session_id": space.target.id}


def stream_url(space: Space, **args) -> str:
    endpoint, values = stream_endpoint(space)
    return url_for(endpoint, **values, **args)


def publish_due(space: Space) -> None:
    """The earliest scheduled post's time has come: its @mentions are notified now, the stream counts
    as changed (for the polls) and the next scheduled time moves on."""
    stream, now = space.stream, utcnow()
    due = db.session.scalars(select(StreamPost).where(
        StreamPost.stream_id == stream.id, StreamPost.status == ItemStatus.VISIBLE,
        StreamPost.publish_at >= stream.next_publish_at, StreamPost.publish_at <= now))
    for post in due:
        if post.publish_at - post.created_at > timedelta(seconds=1):  # scheduled, not written at that time
            announce(space, None, post, post)
    upcoming = db.session.scalar(select(func.min(StreamPost.publish_at)).where(
        StreamPost.stream_id == stream.id, StreamPost.publish_at > now))
    db.session.execute(update(Stream).where(Stream.id == stream.id).values(
        version=Stream.version + 1, changed_at=now, next_publish_at=upcoming)
        .execution_options(synchronize_session=False))
    db.session.expire(stream)
