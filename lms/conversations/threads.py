"""Messages between a parent and one of their child's teachers.

* **Who may write to whom**: a parent writes to a teacher of their child: the homeroom and subject
  teachers of the child's classroom this year (``TeacherAssignment``) and the teachers of the
  teaching sessions the child is enrolled in.  One thread per (child, teacher, parent): a UNIQUE
  constraint, so two tabs starting it at once make one.
* **Seeing a thread**: its parent — while still linked to the child (a parent unlinked later loses
  the thread: it may now be another family's conversation) — and its teacher.  Anyone else: 404.
  Administrators read a thread only through ``open_for_review`` (a reason, an audit record).
* **Sending**: plain text (escaped when shown, line breaks kept), at most ``MESSAGE_MAX``
  characters; parents only within the teacher's office hours (``lms.conversations.office_hours``).
  The other side gets a ``message_received`` notification and, unless they turned it off, an email.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, or_, select, union

from lms.audit.services import record
from lms.auth.models import Role, User
from lms.common.edge import has_forbidden_characters
from lms.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from lms.common.services import flush_or_raise, get_visible
from lms.common.types import utcnow
from lms.communication.email_preferences import send_optional_email
from lms.communication.models import EmailKind
from lms.communication.notifications import notify, register_kind
from lms.conversations import office_hours
from lms.conversations.models import MESSAGE_MAX, REVIEW_REASON_MAX, Message, MessageThread
from lms.conversations.text import clean_text
from lms.core.academic_year import current_academic_year
from lms.extensions import db
from lms.mail import absolute_url
from lms.school.models import ClassroomMembership, MembershipStatus, ParentLink, TeacherAssignment
from lms.teaching.models import CourseSession, CourseSessionEnrollment, SessionEnrollmentStatus

MESSAGE_RECEIVED = register_kind("message_received", _l("%(name)s sent you a message about %(child)s."))
NOT_FOUND = _l("That conversation does not exist or is not one of yours.")


# --- who teaches the child ----------------------------------------------------------------------


def teacher_ids_of_child(student_id: int):
    """A SELECT of the ids of the teachers a parent of this student may write to."""
    classroom_teachers = (
        select(TeacherAssignment.teacher_id)
        .join(ClassroomMembership, ClassroomMembership.classroom_id == TeacherAssignment.classroom_id)
        .where(ClassroomMembership.student_id == student_id,
               ClassroomMembership.status == MembershipStatus.ACTIVE,
               ClassroomMembership.academic_year == current_academic_year()))
    tutors = (
        select(CourseSession.teacher_id)
        .join(CourseSessionEnrollment, CourseSessionEnrollment.course_session_id == CourseSession.id)
        .where(CourseSessionEnrollment.student_id == student_id, CourseSession.is_deleted.is_(False),
               CourseSessionEnrollment.enrollment_status.in_(
                   (SessionEnrollmentStatus.ENROLLED, SessionEnrollmentStatus.COMPLETED))))
    return union(classroom_teachers, tutors)


def teachers_of_child(student) -> list[User]:
    ids = teacher_ids_of_child(student.id).subquery()
    return list(db.session.scalars(
        select(User).where(User.id.in_(select(ids.c[0])), User.role == Role.TEACHER, User.active.is_(True))
        .order_by(User.full_name, User.id)))


def child_of(parent, student_id) -> User:
    """The parent's linked child, else 404."""
    stmt = select(User).join(ParentLink, ParentLink.student_id == User.id).where(ParentLink.parent_id == parent.id)
    return get_visible(stmt, User, student_id, _("That student does not exist or is not one of yours."))


def teacher_of_child(child, teacher_id) -> User:
    ids = teacher_ids_of_child(child.id).subquery()
    stmt = select(User).where(User.id.in_(select(ids.c[0])), User.role == Role.TEACHER, User.active.is_(True))
    return get_visible(stmt, User, teacher_id, _("That teacher does not teach your child."))


# --- visibility -----------------------------------------------------------------------------------


def _linked():
    return exists().where(ParentLink.parent_id == MessageThread.parent_id,
                          ParentLink.student_id == MessageThread.student_id)


def visibility(actor):
    """The WHERE condition on ``MessageThread`` for the threads ``actor`` takes part in."""
    role = getattr(actor, "role", None)
    if role == Role.PARENT:
        return and_(MessageThread.parent_id == actor.id, _linked())
    if role == Role.TEACHER:
        return MessageThread.teacher_id == actor.id
    return MessageThread.id.is_(None)


def get_thread_for(actor, thread_id) -> MessageThread:
    return get_visible(select(MessageThread).where(visibility(actor)), MessageThread, thread_id, str(NOT_FOUND))


def unread_condition(actor):
    read_at = MessageThread.teacher_read_at if actor.role == Role.TEACHER else MessageThread.parent_read_at
    return or_(read_at.is_(None), read_at < MessageThread.last_message_at)


def is_unread(actor, thread: MessageThread) -> bool:
    read_at = thread.teacher_read_at if actor.role == Role.TEACHER else thread.parent_read_at
    return read_at is None or read_at < thread.last_message_at


def inbox_query(actor, q: str = ""):
    """The actor's threads: unread first, then the latest conversation first; ``q`` searches the child's name."""
    stmt = select(MessageThread).where(visibility(actor))
    if q:
        child = select(User.id).where(User.full_name.ilike(f"%{q.strip()[:100]}%"))
        stmt = stmt.where(MessageThread.student_id.in_(child))
    unread = unread_condition(actor)
    return stmt.order_by(unread.desc(), MessageThread.last_message_at.desc(), MessageThread.id.desc())


def unread_count(actor) -> int:
    if getattr(actor, "role", None) not in (Role.PARENT, Role.TEACHER):
        return 0
    return db.session.scalar(select(func.count()).select_from(MessageThread)
                             .where(visibility(actor), unread_condition(actor))) or 0


def inbox_version(actor) -> tuple:
    """What changes whenever the inbox would look different (one query): the polls' ETag."""
    row = db.session.execute(select(func.count(), func.max(MessageThread.updated_at))
                             .where(visibility(actor))).first()
    return tuple(row) if row else ()


def thread_version(actor, thread_id) -> tuple | None:
    """The thread's last message and the other side's read marker (one query); None: not visible."""
    row = db.session.execute(
        select(MessageThread.last_message_at, MessageThread.parent_read_at, MessageThread.teacher_read_at)
        .where(MessageThread.id == thread_id, visibility(actor))).first()
    if row is None:
        return None
    last, parent_read, teacher_read = row
    return last, (parent_read if actor.role == Role.TEACHER else teacher_read)


def messages_query(thread: MessageThread):
    """Newest first (a page of it is shown oldest at the top)."""
    return select(Message).where(Message.thread_id == thread.id).order_by(Message.id.desc())


def authors_of(messages) -> dict[int, str]:
    ids = {m.author_id for m in messages if m.author_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


# --- writing --------------------------------------------------------------------------------------


def clean_body(body) -> str:
    return clean_text(body, field="body", maximum=MESSAGE_MAX, empty=_("Write your message first."),
                      too_long=_("The message is too long (%(max)s characters at most).", max=MESSAGE_MAX))


def find_thread(parent, child, teacher) -> MessageThread | None:
    return db.session.scalar(select(MessageThread).where(
        MessageThread.student_id == child.id, MessageThread.teacher_id == teacher.id,
        MessageThread.parent_id == parent.id))


def thread_between(parent, child, teacher) -> MessageThread:
    """The thread of (child, teacher, parent), created when it does not exist yet."""
    key = (MessageThread.student_id == child.id, MessageThread.teacher_id == teacher.id,
           MessageThread.parent_id == parent.id)
    thread = db.session.scalar(select(MessageThread).where(*key))
    if thread is not None:
        return thread
    thread = MessageThread(student_id=child.id, teacher_id=teacher.id, parent_id=parent.id, last_message_at=utcnow())
    try:
        with flush_or_raise(Conflict(_("This conversation was just started in another tab. Reload the page."))):
            db.session.add(thread)
    except Conflict:
        thread = db.session.scalar(select(MessageThread).where(*key))
        if thread is None:
            raise
    return thread


def _check_may_send(actor, thread: MessageThread) -> None:
    if actor.role == Role.TEACHER and thread.teacher_id == actor.id:
        return
    if actor.role != Role.PARENT or thread.parent_id != actor.id:
        raise Forbidden(_("Only the parent and the teacher of a conversation can write in it."))
    still_teaches = db.session.scalar(select(exists().where(
        teacher_ids_of_child(thread.student_id).subquery().c[0] == thread.teacher_id)))
    if not still_teaches:
        raise Forbidden(_("%(name)s no longer teaches %(child)s: you can read this conversation but not write in it.",
                          name=thread.teacher.full_name, child=thread.student.full_name))
    if not thread.teacher.active:
        raise Forbidden(_("%(name)s can no longer receive messages.", name=thread.teacher.full_name))
    office_hours.check_open(thread.teacher)


def send(actor, thread: MessageThread, body) -> Message:
    """Add ``actor``'s message to ``thread`` and tell the other side."""
    _check_may_send(actor, thread)
    text = clean_body(body)
    now = utcnow()
    message = Message(thread_id=thread.id, author_id=actor.id, body=text, created_at=now)
    db.session.add(message)
    thread.last_message_at = now
    thread.updated_at = now
    if actor.role == Role.TEACHER:
        thread.teacher_read_at, recipient = now, thread.parent
    else:
        thread.parent_read_at, recipient = now, thread.teacher
    db.session.flush()
    link = url_for("conversations.messages.thread", thread_id=thread.id)
    absolute = absolute_url("conversations.messages.thread", thread_id=thread.id)
    notify([recipient.id], MESSAGE_RECEIVED.code, link=link, name=actor.full_name, child=thread.student.full_name)
    if recipient.active:
        send_optional_email(recipient, EmailKind.MESSAGES,
                            _l("New message from %(name)s", name=actor.full_name), "conversation_message",
                            author=actor, child=thread.student, link=absolute)
    return message


def mark_read(actor, thread: MessageThread) -> bool:
    """Move ``actor``'s read marker to the last message; True when it moved."""
    if not is_unread(actor, thread):
        return False
    now = max(utcnow(), thread.last_message_at)
    if actor.role == Role.TEACHER:
        thread.teacher_read_at = now
    else:
        thread.parent_read_at = now
    thread.updated_at = utcnow()
    db.session.flush()
    return True


# --- administrators -------------------------------------------------------------------------------


def review_list_query(q: str = ""):
    """Every thread (names and dates only: the messages are read through ``open_for_review``)."""
    stmt = select(MessageThread)
    if q:
        names = select(User.id).where(User.full_name.ilike(f"%{q.strip()[:100]}%"))
        stmt = stmt.where(or_(MessageThread.student_id.in_(names), MessageThread.teacher_id.in_(names),
                              MessageThread.parent_id.in_(names)))
    return stmt.order_by(MessageThread.last_message_at.desc(), MessageThread.id.desc())


def get_thread_for_review(actor, thread_id) -> MessageThread:
    if getattr(actor, "role", None) != Role.ADMIN:
        raise NotFound(str(NOT_FOUND))
    return get_visible(select(MessageThread), MessageThread, thread_id, str(NOT_FOUND))


def open_for_review(actor, thread: MessageThread, reason) -> None:
    """An administrator reads ``thread``: the reason is required and goes into the audit log."""
    text = " ".join(str(reason or "").split())
    if len(text) < 5:
        raise ValidationFailed(_("Say why you need to read this conversation (at least 5 characters)."),
                               field="reason")
    if has_forbidden_characters(text) or len(text) > REVIEW_REASON_MAX:
        raise ValidationFailed(_("The reason is too long (%(max)s characters at most).", max=REVIEW_REASON_MAX),
                               field="reason")
    record(actor, "message_thread.reviewed", thread, reason=text, student_id=thread.student_id,
           teacher_id=thread.teacher_id, parent_id=thread.parent_id)
    db.session.flush()
